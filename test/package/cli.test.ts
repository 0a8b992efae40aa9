import { spawnSync } from 'node:child_process';
import { createRequire } from 'node:module';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { helpText, numberFlag, UsageError } from '../../scripts/cli.js';

const root = fileURLToPath(new URL('../../', import.meta.url));
const tsx = createRequire(import.meta.url).resolve('tsx/cli');
const run = (script: string, ...args: string[]) =>
  // 'tfjs-cutmix' resolves to the source here, as in vitest.config.ts.
  spawnSync(process.execPath, [tsx, '--tsconfig', 'test/setup/tsconfig.src.json', script, ...args], {
    cwd: root,
    encoding: 'utf8',
    timeout: 60_000,
  });

describe('scripts/cli.ts', () => {
  it('help lists every flag with its placeholder, then --help', () => {
    const text = helpText({
      command: 'x',
      usage: 'npm run x',
      options: { quick: { type: 'boolean', help: 'fast' }, steps: { type: 'string', value: 'N', help: 'how many' } },
    });
    expect(text).toBe(
      [
        'usage: npm run x',
        '',
        '  --quick    fast',
        '  --steps N  how many',
        '  --help     print this help and exit',
      ].join('\n'),
    );
  });

  it('numberFlag: undefined when absent, the number when valid, a UsageError naming the flag otherwise', () => {
    expect(numberFlag('steps', undefined)).toBeUndefined();
    expect(numberFlag('steps', '12', Number.isInteger, 'an integer')).toBe(12);
    for (const raw of ['', ' ', 'x', '1.5']) {
      expect(() => numberFlag('steps', raw, Number.isInteger, 'an integer')).toThrow(UsageError);
    }
    expect(() => numberFlag('steps', 'x', Number.isInteger, 'an integer')).toThrow(
      "--steps must be an integer, but got 'x'",
    );
  });

  // Each script that takes flags: --help exits 0 with its usage; an unknown flag is one line and exit code 2.
  // (demo: test/examples/demo_cli.test.ts.)
  it.each([
    ['test/browser/run.ts', 'test:browser'],
    ['docs/demo/serve.ts', 'demo:web'],
    ['bench/run.ts', 'bench'],
    ['bench/soak.ts', 'soak'],
    ['docs/examples/quickstart.ts', 'example'],
    ['scripts/test-package.ts', 'test:package'],
  ])('%s: --help and an unknown flag', (script, command) => {
    const help = run(script, '--help');
    expect(help.status, help.stderr).toBe(0);
    expect(help.stdout).toMatch(/^usage: npm run /);
    const bad = run(script, '--no-such-flag');
    expect(bad.status).toBe(2);
    expect(bad.stderr.trim()).toBe(`${command}: Unknown option '--no-such-flag' (see --help)`);
  });
});
