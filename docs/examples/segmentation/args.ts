/**
 * The segmentation example's command line (`npm run example:segmentation -- --help`), parsed with the
 * repository's parseArgs helper: prints the help, or one line and exit code 2 for a bad command line.
 */
import { numberFlag, parseCli, UsageError } from '../../../scripts/cli.js';
import type { SegmentationOptions } from '../segmentation.js';

/**
 * @param argv The arguments after `npm run example:segmentation --`.
 * @param committedDir Where `--write` puts the picture (docs/images).
 * @throws UsageError for a bad value (runCli prints it as one line, exit code 2).
 */
export function segmentationOptions(argv: string[], committedDir: string): SegmentationOptions {
  const args = parseCli(argv, {
    command: 'example:segmentation',
    usage:
      'npm run example:segmentation [-- --quick | --write] [--steps N] [--batch-size N] [--seed N] [--backend B] [--out-dir DIR] [--no-image]',
    options: {
      quick: { type: 'boolean', help: 'a few-second run: 10 steps' },
      write: {
        type: 'boolean',
        help: 'a full run that updates docs/images/cutmix-segmentation.png (the README picture)',
      },
      steps: { type: 'string', value: 'N', help: 'training steps, one mixed batch each (default 100)' },
      'batch-size': { type: 'string', value: 'N', help: 'scenes per batch (default 16)' },
      seed: { type: 'string', value: 'N', help: 'seed for scenes, weights and CutMix draws (default 42)' },
      backend: {
        type: 'string',
        value: 'B',
        help: "'wasm' (default) or 'cpu' (the same figures; 100 steps take about 80 s)",
      },
      'out-dir': {
        type: 'string',
        value: 'DIR',
        help: 'where the PNG goes (default .tmp/segmentation, ignored by git)',
      },
      'no-image': { type: 'boolean', help: 'draw no PNG' },
    },
    notes: ['Exits with code 1 if a mixed mask disagrees with its mixed image on any pixel.'],
  });
  if (args.quick && args.write) throw new UsageError('--write takes a full run: a quick picture is not committed');
  if (args.write && args['out-dir'] !== undefined) throw new UsageError('--write and --out-dir name two places');
  if (args.write && args['no-image']) throw new UsageError('--write and --no-image contradict each other');
  const backend = args.backend;
  if (backend !== undefined && backend !== 'wasm' && backend !== 'cpu') {
    throw new UsageError(`--backend must be 'wasm' or 'cpu', but got '${backend}'`);
  }
  const count = (name: string, raw: string | undefined) =>
    numberFlag(name, raw, (n) => Number.isInteger(n) && n > 0, 'a positive integer');
  return {
    quick: args.quick,
    steps: count('steps', args.steps),
    batchSize: count('batch-size', args['batch-size']),
    seed: numberFlag('seed', args.seed, Number.isInteger, 'an integer'),
    backend,
    outDir: args.write ? committedDir : args['out-dir'],
    image: !args['no-image'],
  };
}
