/**
 * The no-sync proof, page side: training steps of mix → model → `cutmixLoss` → `optimizer.minimize` with
 * every way the page could read GPU data back, or compile a GPU program, counted from outside tfjs.
 *
 * Readbacks: WebGL `readPixels` / `getBufferSubData`, WebGPU `GPUBuffer.mapAsync`, and the backend's own
 * `read` / `readSync` (which `data()` / `dataSync()` end in). Compiles: WebGL `linkProgram`, WebGPU
 * `createComputePipeline(Async)`.
 */
import * as tf from '@tensorflow/tfjs-core';
import * as tfd from '@tensorflow/tfjs-data';
import { cutmixDataset } from '../../src/data.js';
import { applyCutmix, CutMix, cutmixBatch, cutmixLoss, mixTargets, mixupBatch } from '../../src/index.js';

export interface TrainOptions {
  steps: number;
  /** `'onehot'`: float32 `[N, K]` labels. `'int'`: int32 class indices `[N]`. */
  labels: 'onehot' | 'int';
  /**
   * `'ops'`: `cutmixBatch` → model → `cutmixLoss`, with `applyCutmix` on a mask and `mixTargets` each step;
   *   the images pass a learnable gain first, so the paste's gradient runs in every step.
   * `'adapter'`: the `CutMix` class, `mix(xs, ys, { masks })` then `loss`. `'dataset'`: batches from
   * `cutmixDataset` over a tf.data generator, trained on its soft targets. `'mixup'`: `mixupBatch` (half the
   * samples mixed, half left as they are) → model → `cutmixLoss`, with `mixTargets` each step.
   */
  api: 'ops' | 'adapter' | 'dataset' | 'mixup';
  /** Volumes (rank 5, `NCDHW`, 3×4×8×8) instead of images (rank 4, `NCHW`, 3×16×16). */
  volumes?: boolean;
}

export interface TrainResult {
  backend: string;
  /** Cumulative counts after each step (index 0: after step 1). */
  readbacks: number[];
  compiles: number[];
  /** Which counters fired, with counts, over the whole run. */
  readbackSources: Record<string, number>;
  /** The last loss, read after counting stopped (finite when the steps really ran). */
  finalLoss: number;
  leakedTensors: number;
}

const counts = { readbacks: 0, compiles: 0, sources: {} as Record<string, number> };

/** Replaces `owner[name]` with a counting wrapper (once per page). */
function countCalls(owner: object | undefined, name: string, kind: 'readbacks' | 'compiles', label: string): void {
  const target = owner as Record<string, unknown> | undefined;
  const original = target?.[name];
  if (typeof original !== 'function' || (original as { counted?: boolean }).counted) return;
  const wrapped = function (this: unknown, ...args: unknown[]) {
    counts[kind]++;
    if (kind === 'readbacks') counts.sources[label] = (counts.sources[label] ?? 0) + 1;
    return (original as (...a: unknown[]) => unknown).apply(this, args);
  };
  (wrapped as { counted?: boolean }).counted = true;
  target![name] = wrapped;
}

function installCounters(): void {
  const g = globalThis as unknown as Record<string, { prototype: object } | undefined>;
  for (const context of ['WebGLRenderingContext', 'WebGL2RenderingContext']) {
    countCalls(g[context]?.prototype, 'readPixels', 'readbacks', `${context}.readPixels`);
    countCalls(g[context]?.prototype, 'getBufferSubData', 'readbacks', `${context}.getBufferSubData`);
    countCalls(g[context]?.prototype, 'linkProgram', 'compiles', 'linkProgram');
  }
  countCalls(g.GPUBuffer?.prototype, 'mapAsync', 'readbacks', 'GPUBuffer.mapAsync');
  countCalls(g.GPUDevice?.prototype, 'createComputePipeline', 'compiles', 'createComputePipeline');
  countCalls(g.GPUDevice?.prototype, 'createComputePipelineAsync', 'compiles', 'createComputePipelineAsync');
  // The backend object is per page: wrap its own read paths too (dataSync ends in readSync).
  const backend = tf.backend() as unknown as object;
  countCalls(backend, 'readSync', 'readbacks', `${tf.getBackend()} backend.readSync`);
  countCalls(backend, 'read', 'readbacks', `${tf.getBackend()} backend.read`);
}

/**
 * `steps` training steps on the current backend, 8 images 3×16×16 NCHW, a linear model over 10 classes,
 * one CutMix batch per step (elem mode) through the API `options.api` names. Counts readbacks and compiles after every step;
 * reads the loss back once, after the last count.
 */
export async function trainWithoutSync(options: TrainOptions): Promise<TrainResult> {
  const [n, c, h, w, k] = [8, 3, 16, 16, 10];
  const shape = options.volumes ? [n, c, 4, 8, 8] : [n, c, h, w];
  const dataFormat = options.volumes ? 'NCDHW' : 'NCHW';
  const before = tf.memory().numTensors;
  const images = tf.tidy(() => tf.add(tf.randomUniform(shape, 0, 1, 'float32', 1), 0));
  const classes = Int32Array.from({ length: n }, (_, i) => (3 * i + 1) % k);
  // Labels that live on the device, as from a data pipeline. Freshly uploaded ones keep a CPU copy, and
  // tfjs runs small ops such as gather on that copy (a backend.readSync of CPU memory, not a GPU read)
  // until an op moves them to the GPU; so they are made with the backend's CPU forwarding off.
  const forwarding = `${tf.getBackend().toUpperCase()}_CPU_FORWARD`;
  const forwarded = tf.env().getBool(forwarding);
  tf.env().set(forwarding, false);
  const labels = tf.tidy(() => {
    const indices = tf.add(tf.tensor1d(classes, 'int32'), tf.scalar(0, 'int32'));
    return options.labels === 'int' ? indices : tf.cast(tf.oneHot(indices, k), 'float32');
  });
  // A learnable stage before the mix (a gain on the input): its gradient flows back through the paste or
  // the blend, so a step also runs the paste's gradient, not only the model's. Computed on the device
  // (forwarding off) as the optimizer's update will leave it, so step 1 compiles the programs step 2 runs.
  const gain = tf.tidy(() => tf.variable(tf.add(tf.scalar(1), tf.scalar(0))));
  tf.env().set(forwarding, forwarded);
  // A variable shares its initial tensor's data; tidy disposes the initial tensor itself.
  const weights = tf.tidy(() => tf.variable(tf.randomNormal([c * h * w, k], 0, 0.01, 'float32', 2)));
  const bias = tf.tidy(() => tf.variable(tf.zeros([k])));
  const masks = tf.tidy(() => tf.cast(tf.greater(tf.add(images, 0), 0.5), 'bool'));
  const optimizer = tf.train.sgd(0.1);
  const model = (x: tf.Tensor) => tf.add(tf.matMul(tf.reshape(x, [n, -1]), weights), bias) as tf.Tensor2D;
  const cutmix = new CutMix({ seed: 1, mode: 'elem' });
  const batches = await cutmixDataset(
    tfd.generator(function* () {
      for (let step = 0; step < options.steps; step++) yield { xs: tf.clone(images), ys: tf.clone(labels) };
    }),
    { seed: 1, mode: 'elem', dataFormat: 'NCHW', numClasses: k },
  ).iterator();
  const stepLoss: Record<TrainOptions['api'], (step: number) => Promise<tf.Scalar>> = {
    ops: async (step) =>
      optimizer.minimize(() => {
        const mixed = cutmixBatch(tf.mul(images, gain), labels, { seed: step, mode: 'elem', dataFormat });
        applyCutmix(masks, mixed, { dataFormat });
        mixTargets(mixed.labelsA, mixed.labelsB, mixed.lam, { numClasses: k });
        return cutmixLoss(model(mixed.images), mixed.labelsA, mixed.labelsB, mixed.lam);
      }, true) as tf.Scalar,
    mixup: async (step) =>
      optimizer.minimize(() => {
        const mixed = mixupBatch(tf.mul(images, gain), labels, { seed: step, mode: 'elem', prob: 0.5, dataFormat });
        mixTargets(mixed.labelsA, mixed.labelsB, mixed.lam, { numClasses: k });
        return cutmixLoss(model(mixed.images), mixed.labelsA, mixed.labelsB, mixed.lam);
      }, true) as tf.Scalar,
    adapter: async () =>
      optimizer.minimize(() => {
        const { images: mixed } = cutmix.mix(images, labels, { masks });
        return cutmix.loss(model(mixed));
      }, true) as tf.Scalar,
    dataset: async () => {
      const { value } = (await batches.next()) as { value: { xs: tf.Tensor; ys: tf.Tensor2D } };
      const loss = optimizer.minimize(
        () => tf.losses.softmaxCrossEntropy(value.ys, model(value.xs)) as tf.Scalar,
        true,
      ) as tf.Scalar;
      tf.dispose([value.xs, value.ys]);
      return loss;
    },
  };
  // Everything above is on the GPU before counting starts; uploading is not reading.
  installCounters();
  const start = { readbacks: counts.readbacks, compiles: counts.compiles, sources: { ...counts.sources } };
  const readbacks: number[] = [];
  const compiles: number[] = [];
  let last: tf.Scalar | null = null;
  for (let step = 0; step < options.steps; step++) {
    last?.dispose();
    last = await stepLoss[options.api](step);
    readbacks.push(counts.readbacks - start.readbacks);
    compiles.push(counts.compiles - start.compiles);
  }
  const sources: Record<string, number> = {};
  for (const [label, count] of Object.entries(counts.sources)) {
    const added = count - (start.sources[label] ?? 0);
    if (added > 0) sources[label] = added;
  }
  const finalLoss = last ? (await last.data())[0] : NaN;
  tf.dispose([last, images, labels, masks, weights, bias, gain] as tf.Tensor[]);
  optimizer.dispose();
  cutmix.dispose();
  return {
    backend: tf.getBackend(),
    readbacks,
    compiles,
    readbackSources: sources,
    finalLoss,
    leakedTensors: tf.memory().numTensors - before,
  };
}
