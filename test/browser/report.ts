/** The browser run's test reporting: one line per test, a tally, and the CI rule for what cannot run. */

export type Status = 'pass' | 'fail' | 'skip';
export const tally: Record<Status, number> = { pass: 0, fail: 0, skip: 0 };

/** CI must fail, not skip, what it cannot run (Chromium missing, no WebGPU adapter). */
export const IN_CI = !!process.env.CI && !['0', 'false'].includes(process.env.CI.toLowerCase());

export function report(name: string, status: Status, detail?: string): void {
  tally[status]++;
  const tag = { pass: 'ok  ', fail: 'FAIL', skip: 'skip' }[status];
  const shown = detail && detail.length > 600 ? `${detail.slice(0, 600)}…` : detail;
  console.log(`  ${tag} ${name}${shown ? ` — ${shown}` : ''}`);
}

/** Records a test from its list of problems: none is a pass. */
export function check(name: string, problems: string[], note?: string): void {
  if (problems.length === 0) report(name, 'pass', note);
  else report(name, 'fail', problems.join('; '));
}

/** A test that cannot run here: skipped locally, failed in CI. */
export function unavailable(name: string, reason: string): void {
  report(name, IN_CI ? 'fail' : 'skip', IN_CI ? `${reason} (CI=${process.env.CI}: required)` : reason);
}

export function errorText(error: unknown): string {
  return error instanceof Error ? error.message.split('\n').slice(0, 6).join(' | ') : String(error);
}

export async function withTimeout<T>(promise: Promise<T>, ms: number, what: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`${what} timed out after ${ms} ms`)), ms);
  });
  try {
    return await Promise.race([promise, timeout]);
  } finally {
    clearTimeout(timer);
  }
}
