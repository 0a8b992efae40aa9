/**
 * The demo's command line (`npm run demo -- --help`), parsed with the repository's parseArgs helper: prints
 * the help, or one line and exit code 2 for a bad command line.
 */
import { exitUsage, numberFlag, parseCli, UsageError } from '../../../scripts/cli.js';
import type { DemoOptions } from '../demo.js';

const positiveInteger = [(n: number) => Number.isInteger(n) && n > 0, 'a positive integer'] as const;
const probability = [(p: number) => p >= 0 && p <= 1, 'in [0, 1]'] as const;
const positive = [(a: number) => Number.isFinite(a) && a > 0, 'a positive number'] as const;

/**
 * @param argv The arguments after `npm run demo --`.
 * @param committedDir Where `--write` puts the pictures (docs/images).
 */
export function demoOptions(argv: string[], committedDir: string): DemoOptions {
  const args = parseCli(argv, {
    command: 'demo',
    usage:
      'npm run demo [-- --quick | --write] [--seeds N] [--seed N] [--model M] [--epochs N] [--train-per-class N] ' +
      '[--mixup-alpha A] [--mixup-prob P] [--cutmix-alpha A] [--cutmix-prob P] [--validation] [--backend B] ' +
      '[--out-dir DIR] [--no-image]',
    options: {
      quick: { type: 'boolean', help: 'a CI-sized run: 2 seeds, 300 training digits, 2 epochs (seconds)' },
      write: { type: 'boolean', help: 'a full run that updates the pictures in docs/images (the README figures)' },
      seeds: { type: 'string', value: 'N', help: 'training runs per arm, seeds --seed, --seed + 1, … (default 10)' },
      seed: { type: 'string', value: 'N', help: 'the first seed: weights, batch order and mixing draws (default 1)' },
      model: { type: 'string', value: 'M', help: "'strided' (default) or 'pooled', the earlier demo's slower CNN" },
      epochs: { type: 'string', value: 'N', help: 'passes over the training set (default 30)' },
      'train-per-class': { type: 'string', value: 'N', help: 'training digits per class, at most 100 (default 100)' },
      'mixup-alpha': { type: 'string', value: 'A', help: "MixUp's Beta(α, α) (default 0.2)" },
      'mixup-prob': { type: 'string', value: 'P', help: 'chance that MixUp mixes a batch (default 1)' },
      'cutmix-alpha': { type: 'string', value: 'A', help: "CutMix's Beta(α, α) (default 1)" },
      'cutmix-prob': { type: 'string', value: 'P', help: 'chance that CutMix mixes a batch (default 0.5)' },
      validation: {
        type: 'boolean',
        help: 'score on 1 000 validation digits instead of the test set (for choosing settings)',
      },
      backend: { type: 'string', value: 'B', help: "'wasm' (default) or 'cpu' (same figures, far slower)" },
      'out-dir': {
        type: 'string',
        value: 'DIR',
        help: 'where the PNGs go (default .tmp/demo, .tmp/demo/quick with --quick; ignored by git)',
      },
      'no-image': { type: 'boolean', help: 'draw no PNG' },
    },
  });
  if (args.quick && args.write) exitUsage('demo', '--write takes a full run: a quick picture is not committed');
  if (args.write && args['out-dir'] !== undefined) exitUsage('demo', '--write and --out-dir name two places');
  if (args.write && args.validation) exitUsage('demo', '--write publishes test-set figures, not --validation ones');
  const model = args.model;
  if (model !== undefined && model !== 'strided' && model !== 'pooled') {
    exitUsage('demo', `--model must be 'strided' or 'pooled', but got '${model}'`);
  }
  const backend = args.backend;
  if (backend !== undefined && backend !== 'wasm' && backend !== 'cpu') {
    exitUsage('demo', `--backend must be 'wasm' or 'cpu', but got '${backend}'`);
  }
  try {
    return {
      quick: args.quick,
      seeds: numberFlag(
        'seeds',
        args.seeds,
        (n) => Number.isInteger(n) && n >= 2,
        'an integer ≥ 2 (an interval needs two)',
      ),
      seed: numberFlag('seed', args.seed, (n) => Number.isInteger(n) && n >= 0, 'a non-negative integer'),
      model,
      epochs: numberFlag('epochs', args.epochs, ...positiveInteger),
      trainPerClass: numberFlag(
        'train-per-class',
        args['train-per-class'],
        (n) => positiveInteger[0](n) && n <= 100,
        'an integer in [1, 100]',
      ),
      mixupAlpha: numberFlag('mixup-alpha', args['mixup-alpha'], ...positive),
      mixupProb: numberFlag('mixup-prob', args['mixup-prob'], ...probability),
      cutmixAlpha: numberFlag('cutmix-alpha', args['cutmix-alpha'], ...positive),
      cutmixProb: numberFlag('cutmix-prob', args['cutmix-prob'], ...probability),
      validation: args.validation,
      backend,
      outDir: args.write ? committedDir : args['out-dir'],
      image: !args['no-image'],
    };
  } catch (error) {
    if (error instanceof UsageError) exitUsage('demo', error.message);
    throw error;
  }
}
