/**
 * A one-line progress bar on stderr: steps done, the running loss and the time left. On a terminal it
 * redraws in place; otherwise (a pipe, CI) it prints a line at every tenth of the run.
 */
function clock(seconds: number): string {
  const s = Math.max(0, Math.round(seconds));
  return `${Math.floor(s / 60)}:${String(s % 60).padStart(2, '0')}`;
}

/**
 * @example
 * ```ts
 * const bar = new ProgressBar('cutmix', 960);
 * bar.update(1, 2.31);
 * ```
 */
export class ProgressBar {
  private readonly started = performance.now();
  private lastTenth = -1;

  constructor(
    private readonly label: string,
    private readonly total: number,
    private readonly stream: NodeJS.WriteStream = process.stderr,
  ) {}

  /**
   * Reports `done` steps finished, with the current (smoothed) loss.
   * @param done Steps finished so far.
   * @param loss The loss to show.
   */
  update(done: number, loss: number): void {
    const elapsed = (performance.now() - this.started) / 1000;
    const eta = done > 0 ? (elapsed / done) * (this.total - done) : 0;
    const width = 30;
    const filled = Math.round((width * done) / this.total);
    const bar = '█'.repeat(filled) + '░'.repeat(width - filled);
    const line =
      `${this.label.padEnd(7)} ${bar} ${String(done).padStart(String(this.total).length)}/${this.total} steps` +
      `  loss ${loss.toFixed(4)}  elapsed ${clock(elapsed)}  ETA ${clock(eta)}`;
    if (this.stream.isTTY) {
      this.stream.write(`\r${line}`);
      if (done === this.total) this.stream.write('\n');
      return;
    }
    const tenth = Math.floor((10 * done) / this.total);
    if (tenth !== this.lastTenth) {
      this.lastTenth = tenth;
      this.stream.write(`${line}\n`);
    }
  }
}
