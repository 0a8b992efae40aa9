/**
 * Every public op, and the input gradient through it, on ranks 3–5 and both layouts, with mixed and
 * unmixed samples in one batch: run by the probe page on webgl and webgpu and by Node on cpu, so that the
 * runner can compare each GPU result with the cpu result (test/browser/op_checks.ts). Shared by the page
 * (bundled) and the runner, so both build exactly the same batches.
 */
import * as tf from '@tensorflow/tfjs-core';
import {
  applyCutmix,
  CutMix,
  cutmixBatch,
  mixupBatch,
  mixupOrCutmix,
  type AnyBox,
  type CutMixResult,
  type DataFormat,
} from '../../src/index.js';
import { bytesToBase64 } from '../../docs/demo/cases.js';
import { generator, SPECIAL_FLOAT_BITS } from './kernel_cases.js';

export const OPS = [
  'cutmixBatch',
  'mixupBatch',
  'mixupOrCutmix (MixUp picked)',
  'mixupOrCutmix (CutMix picked)',
  'applyCutmix',
  'CutMix class',
  'tf.grad through cutmixBatch',
  'tf.grad through applyCutmix',
  'tf.grad through mixupBatch',
] as const;
export type OpName = (typeof OPS)[number];

/** Whether the op's output is a blend (compared with a tolerance on mixed samples) rather than a copy. */
export const BLENDS: ReadonlySet<OpName> = new Set<OpName>([
  'mixupBatch',
  'mixupOrCutmix (MixUp picked)',
  'tf.grad through mixupBatch',
]);

export interface OpCase {
  name: string;
  op: OpName;
  shape: number[];
  dataFormat: DataFormat;
  /** The op's seed (mode 'elem', prob 0.6): chosen so that the batch holds mixed and unmixed samples. */
  seed: number;
}

/** What one op case produced on one backend. */
export interface OpResult {
  name: string;
  backend: string;
  lam: number[];
  partners: number[];
  boxes: AnyBox[];
  /** The op's output (or gradient) as raw little-endian bytes, base64; a second output (CutMix's mask) after. */
  outputs: { dtype: string; bytesBase64: string }[];
  /** `CutMix.loss` of the mixed batch (the CutMix class only). */
  loss?: number;
  leaked: number;
  error?: string;
}

/** The layouts of every rank, each with a small batch of 6 samples. */
const SHAPES: [DataFormat, number[]][] = [
  ['NCW', [6, 2, 13]],
  ['NWC', [6, 13, 2]],
  ['NCHW', [6, 2, 5, 7]],
  ['NHWC', [6, 5, 7, 2]],
  ['NCDHW', [6, 2, 3, 4, 5]],
  ['NDHWC', [6, 3, 4, 5, 2]],
];

/** Seeds whose 'elem' draw with prob 0.6 leaves at least one sample unmixed and mixes at least one other. */
const SEEDS = [3, 11, 5, 6, 7, 9];

export const OP_CASES: OpCase[] = OPS.flatMap((op, o) =>
  SHAPES.map(([dataFormat, shape], s) => ({
    name: `${op} · rank ${shape.length} ${dataFormat}`,
    op,
    shape,
    dataFormat,
    seed: SEEDS[(o + s) % SEEDS.length],
  })),
);

/**
 * The batch: random floats in (−4, 4), and in every sample the special bit patterns (NaN payloads, −0,
 * subnormals, ±Inf) at a sample-dependent offset; the upstream gradient: small integers, so that every sum
 * a paste's gradient forms is exact in float32 whatever the order.
 */
export function opCaseInputs(c: OpCase): { values: Float32Array; dy: Float32Array; masks: Int32Array } {
  const next = generator(c.seed * 7919 + c.shape.length);
  const size = c.shape.reduce((a, b) => a * b, 1);
  const sampleSize = size / c.shape[0];
  const values = Float32Array.from({ length: size }, () => (next() / 2 ** 32) * 8 - 4);
  const bits = new Uint32Array(values.buffer);
  for (let s = 0; s < c.shape[0]; s++) {
    SPECIAL_FLOAT_BITS.forEach((word, k) => (bits[s * sampleSize + ((s * 5 + k * 3) % sampleSize)] = word));
  }
  const dy = Float32Array.from({ length: size }, () => (next() % 17) - 8);
  // A label map with one channel's worth of distinct int32 values per position (exact in a float texture).
  const masks = Int32Array.from({ length: size }, (_, i) => i * 37 - 5000);
  return { values, dy, masks };
}

const options = (c: OpCase) => ({ seed: c.seed, mode: 'elem' as const, prob: 0.6, dataFormat: c.dataFormat });

/** The plan part of a result, as plain arrays. */
function planOf(r: Pick<CutMixResult<AnyBox>, 'lam' | 'partners' | 'boxes'>) {
  return { lam: Array.from(r.lam), partners: Array.from(r.partners), boxes: r.boxes };
}

/** Runs one case on the current backend, reads its outputs back and disposes everything it made. */
export async function runOpCase(c: OpCase): Promise<OpResult> {
  const before = tf.memory().numTensors;
  const { values, dy, masks } = opCaseInputs(c);
  const owned: tf.Tensor[] = [];
  const own = <T extends tf.Tensor>(t: T): T => (owned.push(t), t);
  const images = own(tf.tensor(values, c.shape, 'float32'));
  const labels = own(
    tf.tensor1d(
      Int32Array.from({ length: c.shape[0] }, (_, i) => (3 * i + 1) % 5),
      'int32',
    ),
  );
  const upstream = own(tf.tensor(dy, c.shape, 'float32'));
  let plan = { lam: [] as number[], partners: [] as number[], boxes: [] as AnyBox[] };
  let loss: number | undefined;
  try {
    const outputs: tf.Tensor[] = [];
    const keep = (r: CutMixResult<AnyBox>) => {
      plan = planOf(r);
      own(r.labelsA);
      own(r.labelsB);
      outputs.push(own(r.images));
    };
    const gradOf = (f: (x: tf.Tensor) => tf.Tensor) =>
      outputs.push(own(tf.grad((x: tf.Tensor) => tf.sum(tf.mul(f(x), upstream)))(images)));
    switch (c.op) {
      case 'cutmixBatch':
        keep(cutmixBatch(images, labels, options(c)));
        break;
      case 'mixupBatch':
        keep(mixupBatch(images, labels, options(c)));
        break;
      case 'mixupOrCutmix (MixUp picked)':
      case 'mixupOrCutmix (CutMix picked)':
        keep(mixupOrCutmix(images, labels, { ...options(c), switchProb: c.op.includes('MixUp') ? 0 : 1 }));
        break;
      case 'applyCutmix': {
        const target = own(tf.tensor(masks, c.shape, 'int32'));
        const r = cutmixBatch(images, labels, options(c));
        keep(r);
        outputs.length = 0;
        outputs.push(own(applyCutmix(target, r, { dataFormat: c.dataFormat })));
        break;
      }
      case 'CutMix class': {
        const target = own(tf.tensor(masks, c.shape, 'int32'));
        const adapter = new CutMix(options(c));
        try {
          const r = adapter.mix(images, labels, { masks: target });
          plan = planOf(r);
          outputs.push(own(r.images), own(r.masks));
          const n = c.shape[0];
          const logits = own(
            tf.tensor2d(
              Float32Array.from({ length: n * 5 }, (_, i) => ((i * 7) % 11) / 4 - 1),
              [n, 5],
            ),
          );
          const l = own(adapter.loss(logits as tf.Tensor2D));
          loss = (await l.data())[0];
        } finally {
          adapter.dispose();
        }
        break;
      }
      case 'tf.grad through cutmixBatch':
        gradOf((x) => {
          const r = cutmixBatch(x, labels, options(c));
          plan = planOf(r);
          return r.images;
        });
        break;
      case 'tf.grad through applyCutmix': {
        const r = cutmixBatch(images, labels, options(c));
        plan = planOf(r);
        tf.dispose([r.images, r.labelsA, r.labelsB]);
        gradOf((x) => applyCutmix(x, r, { dataFormat: c.dataFormat }));
        break;
      }
      case 'tf.grad through mixupBatch':
        gradOf((x) => {
          const r = mixupBatch(x, labels, options(c));
          plan = planOf(r);
          return r.images;
        });
        break;
    }
    const read = [];
    for (const t of outputs) {
      const data = (await t.data()) as Float32Array | Int32Array;
      read.push({ dtype: t.dtype, bytesBase64: bytesToBase64(data) });
    }
    tf.dispose(owned);
    return {
      name: c.name,
      backend: tf.getBackend(),
      ...plan,
      outputs: read,
      loss,
      leaked: tf.memory().numTensors - before,
    };
  } catch (error) {
    tf.dispose(owned);
    const message = error instanceof Error ? error.message : String(error);
    return {
      name: c.name,
      backend: tf.getBackend(),
      ...plan,
      outputs: [],
      leaked: tf.memory().numTensors - before,
      error: message,
    };
  }
}
