import { spawnSync } from 'node:child_process';
import { existsSync, readFileSync, statSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it, vi } from 'vitest';
import { demoOptions } from '../../docs/examples/demo/args.js';

describe('npm run demo (the command line)', () => {
  const root = fileURLToPath(new URL('../..', import.meta.url));
  const tsx = createRequire(import.meta.url).resolve('tsx/cli');
  // 'tfjs-cutmix' resolves to the source here, as in vitest.config.ts (npm run demo itself uses the build).
  const demo = (...args: string[]) =>
    spawnSync(process.execPath, [tsx, '--tsconfig', 'test/setup/tsconfig.src.json', 'docs/examples/demo.ts', ...args], {
      cwd: root,
      encoding: 'utf8',
      timeout: 120_000,
    });
  const committed = ['cutmix-batch.png', 'demo-occlusion.png', 'demo-fgsm.png'].map((f) =>
    join(root, 'docs/images', f),
  );
  const fullRun = committed.map((f) => join(root, '.tmp/demo', f.split('/').at(-1)!));

  it('--quick prints the tables and progress, writes to .tmp/demo/quick, and touches neither docs/images nor the full run', () => {
    const before = committed.map((f) => (existsSync(f) ? readFileSync(f) : undefined));
    const fullBefore = fullRun.map((f) => (existsSync(f) ? statSync(f).mtimeMs : undefined));
    const started = Date.now();
    const run = demo('--quick');
    expect(run.status, run.stderr).toBe(0);
    expect(run.stdout).toMatch(
      /\| arm +\| test accuracy +\| test loss +\| ECE \(15 bins\) +\| train accuracy \(clean\) +\|/,
    );
    for (const arm of ['plain', 'MixUp', 'CutMix']) {
      expect(run.stdout).toMatch(
        new RegExp(`\\| ${arm} +\\| \\d+\\.\\d\\d % \\[−?\\d+\\.\\d\\d, \\d+\\.\\d\\d\\] +\\| \\d\\.\\d{4} \\[`),
      );
    }
    expect(run.stdout).toMatch(/\| CutMix − plain +\| [+−]\d+\.\d\d pt \[[+−]\d+\.\d\d, [+−]\d+\.\d\d\] /);
    expect(run.stdout).toMatch(/\| CutMix − MixUp +\| [+−]\d+\.\d\d pt \[/);
    expect(run.stdout).toMatch(/\| centre hole 12×12 +\| \d+\.\d % \[/);
    expect(run.stdout).toMatch(/\| boundary, 16×16 kept +\| /);
    expect(run.stdout).toMatch(/\| FGSM ε = 0\.1 +\| /);
    expect(run.stdout).toMatch(/MixUp α = 0\.2, prob = 1; CutMix α = 1, prob = 0\.5/);
    expect(run.stdout).toMatch(/load average \d+\.\d\d at the start/);
    expect(run.stderr).toMatch(
      // The last line: every step done, so no time left (the ETA scales the elapsed time by the steps left).
      /cutmix seed 2\/2 +\S+ 120\/120 steps {2}loss \d+\.\d{4} {2}elapsed \S+ {2}ETA 0:00/,
    );
    for (const name of ['demo-occlusion.png', 'demo-fgsm.png', 'cutmix-batch.png']) {
      expect(statSync(join(root, '.tmp/demo/quick', name)).mtimeMs).toBeGreaterThanOrEqual(started - 1000);
    }
    committed.forEach((f, i) => expect(existsSync(f) ? readFileSync(f) : undefined, f).toEqual(before[i]));
    fullRun.forEach((f, i) => expect(existsSync(f) ? statSync(f).mtimeMs : undefined).toBe(fullBefore[i]));
  });

  it('--help lists the flags; an unknown flag is one line on stderr and exit code 2', () => {
    const help = demo('--help');
    expect(help.status).toBe(0);
    expect(help.stdout).toMatch(/^usage: npm run demo/);
    for (const flag of [
      '--quick',
      '--write',
      '--seeds N',
      '--seed N',
      '--model M',
      '--epochs N',
      '--train-per-class N',
      '--mixup-alpha A',
      '--mixup-prob P',
      '--cutmix-alpha A',
      '--cutmix-prob P',
      '--validation',
      '--backend B',
      '--out-dir DIR',
      '--no-image',
    ]) {
      expect(help.stdout).toContain(flag);
    }
    const bad = demo('--fast');
    expect(bad.status).toBe(2);
    expect(bad.stderr.trim()).toBe("demo: Unknown option '--fast' (see --help)");
  });

  it('bad values: one line naming the flag and what it must be, exit code 2 (in process)', () => {
    const exit = vi.spyOn(process, 'exit').mockImplementation((code) => {
      throw new Error(`exit ${code}`);
    });
    const error = vi.spyOn(console, 'error').mockImplementation(() => undefined);
    const cases: [string[], string][] = [
      [['--quick', '--write'], 'demo: --write takes a full run: a quick picture is not committed (see --help)'],
      [['--write', '--validation'], 'demo: --write publishes test-set figures, not --validation ones (see --help)'],
      [['--write', '--out-dir', 'x'], 'demo: --write and --out-dir name two places (see --help)'],
      [['--epochs', '0'], "demo: --epochs must be a positive integer, but got '0' (see --help)"],
      [['--seeds', '1'], "demo: --seeds must be an integer ≥ 2 (an interval needs two), but got '1' (see --help)"],
      [['--seed=-1'], "demo: --seed must be a non-negative integer, but got '-1' (see --help)"],
      // parseArgs's own message runs over three lines; the command line prints its first sentence.
      [['--seed', '-1'], "demo: Option '--seed' argument is ambiguous (see --help)"],
      [['--mixup-prob', '1.5'], "demo: --mixup-prob must be in [0, 1], but got '1.5' (see --help)"],
      [['--cutmix-prob', 'x'], "demo: --cutmix-prob must be in [0, 1], but got 'x' (see --help)"],
      [['--mixup-alpha=-1'], "demo: --mixup-alpha must be a positive number, but got '-1' (see --help)"],
      [['--cutmix-alpha', '0'], "demo: --cutmix-alpha must be a positive number, but got '0' (see --help)"],
      [
        ['--train-per-class', '101'],
        "demo: --train-per-class must be an integer in [1, 100], but got '101' (see --help)",
      ],
      [['--backend', 'webgl'], "demo: --backend must be 'wasm' or 'cpu', but got 'webgl' (see --help)"],
      [['--model', 'resnet'], "demo: --model must be 'strided' or 'pooled', but got 'resnet' (see --help)"],
    ];
    try {
      for (const [args, message] of cases) {
        error.mockClear();
        expect(() => demoOptions(args, '/committed'), args.join(' ')).toThrow('exit 2');
        expect(error.mock.calls, args.join(' ')).toEqual([[message]]);
      }
      // Good values map onto the options; --write sends the pictures to the committed folder.
      expect(
        demoOptions(['--write', '--seeds', '12', '--mixup-alpha', '0.4', '--cutmix-prob', '1'], '/committed'),
      ).toMatchObject({
        seeds: 12,
        mixupAlpha: 0.4,
        cutmixProb: 1,
        outDir: '/committed',
        image: true,
      });
      expect(demoOptions(['--quick'], '/committed').outDir).toBeUndefined();
    } finally {
      exit.mockRestore();
      error.mockRestore();
    }
  });
});
