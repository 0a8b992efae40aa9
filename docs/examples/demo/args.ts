/**
 * The demo's command line (`npm run demo -- --help`), parsed with the repository's parseArgs helper: prints
 * the help, or one line and exit code 2 for a bad command line.
 */
import { exitUsage, numberFlag, parseCli, UsageError } from '../../../scripts/cli.js';
import type { DemoOptions } from '../demo.js';

/**
 * @param argv The arguments after `npm run demo --`.
 * @param committedDir Where `--write` puts the picture (docs/images).
 */
export function demoOptions(argv: string[], committedDir: string): DemoOptions {
  const args = parseCli(argv, {
    command: 'demo',
    usage:
      'npm run demo [-- --quick | --write] [--epochs N] [--seed N] [--cutmix-prob P] [--backend B] [--out-dir DIR] [--no-image]',
    options: {
      quick: { type: 'boolean', help: 'a CI-sized run: 300 training digits, 2 epochs (seconds)' },
      write: { type: 'boolean', help: 'a full run that updates docs/images/cutmix-batch.png (the README picture)' },
      epochs: { type: 'string', value: 'N', help: 'passes over the training set (default 30)' },
      seed: { type: 'string', value: 'N', help: 'seed for data order, weights and CutMix draws (default 42)' },
      'cutmix-prob': { type: 'string', value: 'P', help: 'chance that CutMix mixes a batch (default 0.5)' },
      backend: { type: 'string', value: 'B', help: "'wasm' (default) or 'cpu' (same figures, about 65× slower)" },
      'out-dir': { type: 'string', value: 'DIR', help: 'where the PNG goes (default .tmp/demo, ignored by git)' },
      'no-image': { type: 'boolean', help: 'draw no PNG' },
    },
  });
  if (args.quick && args.write) exitUsage('demo', '--write takes a full run: a quick picture is not committed');
  if (args.write && args['out-dir'] !== undefined) exitUsage('demo', '--write and --out-dir name two places');
  const backend = args.backend;
  if (backend !== undefined && backend !== 'wasm' && backend !== 'cpu') {
    exitUsage('demo', `--backend must be 'wasm' or 'cpu', but got '${backend}'`);
  }
  try {
    return {
      quick: args.quick,
      epochs: numberFlag('epochs', args.epochs, (n) => Number.isInteger(n) && n > 0, 'a positive integer'),
      seed: numberFlag('seed', args.seed, Number.isInteger, 'an integer'),
      cutmixProb: numberFlag('cutmix-prob', args['cutmix-prob'], (p) => p >= 0 && p <= 1, 'in [0, 1]'),
      backend,
      outDir: args.write ? committedDir : args['out-dir'],
      image: !args['no-image'],
    };
  } catch (error) {
    if (error instanceof UsageError) exitUsage('demo', error.message);
    throw error;
  }
}
