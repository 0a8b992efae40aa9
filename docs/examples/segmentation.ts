/**
 * `npm run example:segmentation`: one CutMix plan cuts the images and their segmentation masks alike.
 *
 * Generated 32×32 scenes of discs, bars or squares on noise with per-pixel class masks (no download; see
 * segmentation/data.ts) train a tiny per-pixel conv net for a few steps. Each step mixes the batch with the
 * `CutMix` adapter, `mix(xs, ys, { masks })`, and trains on the mixed masks with a per-pixel cross-entropy.
 * After every step the mixed masks are compared with the masks decoded from the mixed images' pixel values
 * alone: they must agree on every pixel, and the command exits with code 1 if they do not. Then it scores the
 * model on held-out scenes and draws cutmix-segmentation.png (image, partner, mixed image, mixed mask):
 * into .tmp/segmentation/ (ignored by git), or over docs/images/cutmix-segmentation.png with `--write`.
 *
 *   npm run example:segmentation                 100 steps on wasm (a few seconds)
 *   npm run example:segmentation -- --quick      10 steps
 *   npm run example:segmentation -- --help       every flag
 */
import * as tf from '@tensorflow/tfjs-core';
import type * as tfl from '@tensorflow/tfjs-layers';
import '@tensorflow/tfjs-backend-cpu';
import '@tensorflow/tfjs-backend-wasm';
import { mkdirSync, writeFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { applyCutmix, CutMix, cutmixBatch, seededRng } from 'tfjs-cutmix';
// The wasm gradient kernels tfjs-backend-wasm 4.22 lacks for training a convolution (the shipped entry).
import 'tfjs-cutmix/wasm-grad';
import { agreement, CHANNELS, classesFromPixels, makeScenes, PIXELS, SIDE, type Scenes } from './segmentation/data.js';
import { buildSegmenter, pixelCrossEntropy, scorePixels } from './segmentation/model.js';
import { renderRows, type Row } from './segmentation/picture.js';

export interface SegmentationOptions {
  /** A few-second run: 10 steps. */
  quick?: boolean;
  /** Training steps, one mixed batch each. Default 100 (10 with `quick`). */
  steps?: number;
  /** Scenes per batch. Default 16. */
  batchSize?: number;
  /** Seed for the scenes, the initial weights and every CutMix draw. Default 42. */
  seed?: number;
  /** Backend to train on. Default 'wasm'. */
  backend?: 'cpu' | 'wasm';
  /** Where the PNG goes. Default .tmp/segmentation (ignored by git). */
  outDir?: string;
  /** Write the PNG. Default true. */
  image?: boolean;
  /** Print a line per step and the summary. Default true. */
  log?: boolean;
}

export interface StepRecord {
  /** Per-pixel cross-entropy on the mixed batch, before this step's update. */
  loss: number;
  /** Mixed masks against the classes decoded from the mixed images: must be `total` of `total`. */
  agree: { same: number; total: number; share: number };
  /** The same check with the masks left unmixed: what a mask that missed the cut would score. */
  unmixed: { same: number; total: number; share: number };
  /** The batch's λ (one box per batch). */
  lam: number;
}

export interface SegmentationResult {
  steps: StepRecord[];
  /** The picture's samples (per-sample boxes, `cutmixBatch` + `applyCutmix`), checked the same way. */
  pictureAgree: { same: number; total: number; share: number };
  /** True when every mixed mask agreed with its mixed image on every pixel. */
  allAgree: boolean;
  /** Scores of the trained model on unmixed held-out scenes. */
  heldOut: { scenes: number; accuracy: number; iou: number[] };
  trainSeconds: number;
  totalSeconds: number;
  imagePath?: string;
  numTensorsBefore: number;
  numTensorsAfter: number;
}

const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '..', '..');
const HELD_OUT = 64;
const LEARNING_RATE = 0.05;

/** Scenes as NHWC tensors: images `[n, H, W, 3]`, int32 masks `[n, H, W, 1]`, int32 scene labels `[n]`. */
function tensorsOf(s: Scenes) {
  return {
    xs: tf.tensor4d(s.pixels, [s.n, SIDE, SIDE, CHANNELS]),
    masks: tf.tensor4d(s.masks, [s.n, SIDE, SIDE, 1], 'int32'),
    ys: tf.tensor1d(s.labels, 'int32'),
  };
}

/** Trains `steps` CutMix steps; checks every mixed mask against its mixed image. */
async function train(model: tfl.Sequential, o: { steps: number; batchSize: number; seed: number; log: boolean }) {
  const dataRng = seededRng(o.seed);
  const cutmix = new CutMix({ alpha: 1, seed: o.seed + 1, dataFormat: 'NHWC' });
  const optimizer = tf.train.adam(LEARNING_RATE);
  const records: StepRecord[] = [];
  for (let step = 1; step <= o.steps; step++) {
    const scenes = makeScenes(o.batchSize, dataRng);
    const { xs, masks, ys } = tensorsOf(scenes);
    // One plan for both: the mask of every mixed image is cut with the very box and partner of the image.
    const mixed = cutmix.mix(xs, ys, { masks });
    const loss = optimizer.minimize(
      () => pixelCrossEntropy(mixed.masks, model.apply(mixed.images, { training: true }) as tf.Tensor),
      true,
    ) as tf.Scalar;
    const [pixels, mixedMasks, value] = await Promise.all([mixed.images.data(), mixed.masks.data(), loss.data()]);
    tf.dispose([xs, masks, ys, mixed.images, mixed.masks, loss]); // labelsA/B are the adapter's
    const decoded = classesFromPixels(pixels);
    const r = {
      loss: value[0],
      agree: agreement(mixedMasks, decoded),
      unmixed: agreement(scenes.masks, decoded),
      lam: mixed.lam[0],
    };
    records.push(r);
    if (o.log) {
      console.log(
        `step ${String(step).padStart(3)}/${o.steps}  loss ${r.loss.toFixed(4)}  λ ${r.lam.toFixed(2)}  ` +
          `mixed mask vs mixed image ${r.agree.same}/${r.agree.total} px = ${r.agree.share}  ` +
          `(unmixed masks: ${r.unmixed.share.toFixed(4)})`,
      );
    }
  }
  cutmix.dispose();
  optimizer.dispose();
  return records;
}

/** Pixel accuracy and IoU of the model on new, unmixed scenes. */
async function evaluate(model: tfl.Sequential, seed: number) {
  const scenes = makeScenes(HELD_OUT, seededRng(seed + 3));
  const { xs, masks, ys } = tensorsOf(scenes);
  const predicted = tf.tidy(() => tf.argMax(model.predict(xs) as tf.Tensor4D, -1));
  const score = scorePixels(await predicted.data(), scenes.masks);
  tf.dispose([xs, masks, ys, predicted]);
  return { scenes: HELD_OUT, ...score };
}

/** Four scenes mixed with a box each (`mode: 'elem'`), their masks cut by the same plan with `applyCutmix`. */
async function pictureRows(seed: number): Promise<{ rows: Row[]; agree: StepRecord['agree'] }> {
  // Labels chosen so that every sample's partner (roll: i − 1) is of another class.
  const scenes = makeScenes(4, seededRng(seed + 4), [1, 2, 3, 2]);
  const { xs, masks, ys } = tensorsOf(scenes);
  const plan = cutmixBatch(xs, ys, { seed: seed + 5, mode: 'elem', partner: 'roll', dataFormat: 'NHWC' });
  const mixedMasks = applyCutmix(masks, plan, { dataFormat: 'NHWC' });
  const [pixels, mask, labelsA, labelsB] = (await Promise.all(
    [plan.images, mixedMasks, plan.labelsA, plan.labelsB].map((t) => t.data()),
  )) as [Float32Array, Int32Array, Int32Array, Int32Array];
  tf.dispose([xs, masks, ys, plan.images, plan.labelsA, plan.labelsB, mixedMasks]);
  const image = (i: number, from: Float32Array) => from.slice(i * PIXELS * CHANNELS, (i + 1) * PIXELS * CHANNELS);
  const rows = Array.from({ length: scenes.n }, (_, i) => ({
    image: image(i, scenes.pixels),
    partner: image(plan.partners[i], scenes.pixels),
    mixed: image(i, pixels),
    mask: mask.slice(i * PIXELS, (i + 1) * PIXELS),
    labelA: labelsA[i],
    labelB: labelsB[i],
    lam: plan.lam[i],
    box: plan.boxes[i],
  }));
  return { rows, agree: agreement(mask, classesFromPixels(pixels)) };
}

/**
 * Runs the example: trains, checks every mixed mask, scores the model and writes the picture.
 * @param options See {@link SegmentationOptions}; the command line maps onto them.
 */
export async function main(options: SegmentationOptions = {}): Promise<SegmentationResult> {
  const started = performance.now();
  const quick = options.quick ?? false;
  const o = {
    steps: options.steps ?? (quick ? 10 : 100),
    batchSize: options.batchSize ?? 16,
    seed: options.seed ?? 42,
    log: options.log ?? true,
  };
  for (const [name, value] of [
    ['steps', o.steps],
    ['batchSize', o.batchSize],
  ] as const) {
    if (!Number.isInteger(value) || value < 1) throw new Error(`${name} must be a positive integer, got ${value}`);
  }
  const backend = options.backend ?? 'wasm';
  if (!(await tf.setBackend(backend))) throw new Error(`the ${backend} backend failed to initialise`);
  await tf.ready();
  const numTensorsBefore = tf.memory().numTensors;
  if (o.log)
    console.log(
      `${backend} backend: ${o.steps} CutMix steps of ${o.batchSize} scenes ${SIDE}×${SIDE}, masks cut with the images`,
    );

  const model = buildSegmenter(o.seed);
  const trainStarted = performance.now();
  const steps = await train(model, o);
  const trainSeconds = (performance.now() - trainStarted) / 1000;
  const heldOut = await evaluate(model, o.seed);
  model.dispose();

  const picture = await pictureRows(o.seed);
  let imagePath: string | undefined;
  if (options.image ?? true) {
    const outDir = resolve(options.outDir ?? join(ROOT, '.tmp', 'segmentation'));
    mkdirSync(outDir, { recursive: true });
    imagePath = join(outDir, 'cutmix-segmentation.png');
    writeFileSync(imagePath, renderRows(picture.rows));
  }
  const allAgree = picture.agree.share === 1 && steps.every((s) => s.agree.share === 1);
  const result: SegmentationResult = {
    steps,
    pictureAgree: picture.agree,
    allAgree,
    heldOut,
    trainSeconds,
    totalSeconds: (performance.now() - started) / 1000,
    imagePath,
    numTensorsBefore,
    numTensorsAfter: tf.memory().numTensors,
  };
  if (o.log) {
    const iou = heldOut.iou.map((v) => v.toFixed(3)).join(' / ');
    console.log(
      [
        `picture samples (own box each): mixed mask vs mixed image ${picture.agree.same}/${picture.agree.total} px = ${picture.agree.share}`,
        `every mixed mask agrees with its mixed image: ${allAgree ? 'yes' : 'NO'}`,
        `held-out: ${heldOut.scenes} unmixed scenes, pixel accuracy ${(100 * heldOut.accuracy).toFixed(2)} %, ` +
          `IoU background / disc / bar / square ${iou}`,
        `training ${trainSeconds.toFixed(1)} s, total ${result.totalSeconds.toFixed(1)} s; ` +
          `tensors before ${numTensorsBefore}, after ${result.numTensorsAfter}`,
        ...(imagePath ? [`wrote ${imagePath}`] : []),
      ].join('\n'),
    );
  }
  return result;
}

if (process.argv[1] !== undefined && import.meta.url === pathToFileURL(process.argv[1]).href) {
  const { segmentationOptions } = await import('./segmentation/args.js');
  const { runCli } = await import('../../scripts/cli.js');
  await runCli('example:segmentation', async () => {
    const result = await main(segmentationOptions(process.argv.slice(2), join(ROOT, 'docs', 'images')));
    if (!result.allAgree) {
      console.error('example:segmentation: a mixed mask disagrees with its mixed image (see the lines above)');
      process.exitCode = 1;
    }
  });
}
