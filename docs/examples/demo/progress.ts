import cliProgress from 'cli-progress';

/**
 * Steps done, the smoothed loss and the time left, on stderr: redrawn in place on a terminal, a line every
 * 5 s (and at the end) in a pipe or CI log.
 */
export function progressBar(name: string, total: number): cliProgress.SingleBar {
  const bar = new cliProgress.SingleBar(
    {
      format: `${name.padEnd(7)} {bar} {value}/{total} steps  loss {loss}  elapsed {duration_formatted}  ETA {eta_formatted}`,
      stream: process.stderr,
      noTTYOutput: true,
      notTTYSchedule: 5000,
      hideCursor: true,
      etaBuffer: 50,
      formatTime: (t: number) => {
        const s = Math.max(0, Math.round(t));
        return `${Math.floor(s / 60)}:${String(s % 60).padStart(2, '0')}`;
      },
    },
    cliProgress.Presets.shades_classic,
  );
  bar.start(total, 0, { loss: '…' });
  return bar;
}
