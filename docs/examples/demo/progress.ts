import cliProgress from 'cli-progress';

/** One bar for the whole study: `startRun` names the run, `step` advances it. */
export interface StudyProgress {
  startRun(name: string): void;
  step(objective: number): Promise<void>;
  stop(): void;
}

const clock = (t: number) => {
  const s = Math.max(0, Math.round(t));
  return `${Math.floor(s / 60)}:${String(s % 60).padStart(2, '0')}`;
};

/**
 * Steps done over all runs, the current run, its smoothed loss and the time left, on stderr: redrawn in
 * place on a terminal, a line every 5 s (and at the end) in a pipe or CI log. The time left is the elapsed
 * time scaled by the steps left, so it includes the scoring between runs.
 * @param total Training steps of the whole study.
 */
export function studyProgress(total: number): StudyProgress {
  const bar = new cliProgress.SingleBar(
    {
      format: '{run} {bar} {value}/{total} steps  loss {loss}  elapsed {duration_formatted}  ETA {left}',
      stream: process.stderr,
      noTTYOutput: true,
      notTTYSchedule: 5000,
      hideCursor: true,
      formatTime: clock,
    },
    cliProgress.Presets.shades_classic,
  );
  const started = performance.now();
  let done = 0;
  let smoothed = NaN;
  let run = '';
  bar.start(total, 0, { run: ''.padEnd(20), loss: '…', left: '…' });
  return {
    startRun(name) {
      run = name.padEnd(20);
      smoothed = NaN;
      bar.update(done, { run, loss: '…' });
    },
    async step(objective) {
      done += 1;
      smoothed = Number.isNaN(smoothed) ? objective : 0.95 * smoothed + 0.05 * objective;
      const elapsed = (performance.now() - started) / 1000;
      bar.update(done, { run, loss: smoothed.toFixed(4), left: clock((elapsed * (total - done)) / done) });
      // On cpu and wasm, data() resolves without giving timers a turn: yield once per step so that the bar's
      // timer can draw its periodic line when stderr is not a terminal.
      await new Promise((resolve) => setImmediate(resolve));
    },
    stop() {
      bar.stop();
    },
  };
}
