/**
 * The batches the demo page mixes and the browser tests compare, shared by the page (bundled) and the
 * test runner (Node), so both run exactly the same input through `cutmixBatch` on their own backend.
 *
 * Inputs are generated, not downloaded: each sample is a colour image of its class (a hue and a stripe
 * pattern) plus a deterministic per-element hash, so every element of the batch is distinct and a wrong
 * partner or a misplaced box always changes the output bytes.
 */
import * as tf from '@tensorflow/tfjs-core';
import {
  cutmixBatch,
  CUTMIX_PASTE,
  type Box,
  type DataFormat,
  type MixMode,
  type PartnerScheme,
  type Placement,
} from '../../src/index.js';

/** One configuration of `cutmixBatch` and the generated batch it runs on. */
export interface DemoCase {
  name: string;
  /** Batch size, channels, height and width (the layout is `dataFormat`). */
  n: number;
  c: number;
  h: number;
  w: number;
  dataFormat: DataFormat;
  dtype: 'float32' | 'int32';
  /** `'pixels'`: values in [0, 1] (float32) or 0..255 (int32). `'wide'`: signed values far from pixel range. */
  values: 'pixels' | 'wide';
  /**
   * `'upload'`: the batch is `tf.tensor4d(values)` as given. `'computed'`: the batch is the output of an op
   * (`x + 0`), so on webgl it already lives in a texture written by a shader.
   */
  source: 'upload' | 'computed';
  mode: MixMode;
  seed: number;
  alpha?: number;
  prob?: number;
  partner?: PartnerScheme;
  placement?: Placement;
}

/** What a case produced on one backend; everything a second backend must reproduce exactly. */
export interface CaseResult {
  name: string;
  backend: string;
  /** Whether a registered `CutmixPaste` kernel existed for this backend (else the stock-op composite ran). */
  kernel: boolean;
  shape: number[];
  dtype: string;
  lam: number[];
  boxes: Box[];
  partners: number[];
  /** The mixed batch's raw bytes (little-endian float32 or int32), base64. */
  bytesBase64: string;
  /** `labelsB` (the partners' labels) as int32 bytes, base64. */
  labelsBBase64: string;
  /** Change of `tf.memory().numTensors` across the case, after disposing everything it owns: must be 0. */
  leakedTensors: number;
  /** Milliseconds for `cutmixBatch` plus readback (noisy, informative only). */
  ms: number;
}

export const NUM_CLASSES = 10;
export const CLASS_NAMES = ['red', 'orange', 'yellow', 'lime', 'green', 'teal', 'sky', 'blue', 'violet', 'pink'];

/** The batch the page shows: eight 32×32 colour images, NCHW float32, one box for the batch. */
export const DEMO_CASE: DemoCase = {
  name: 'demo: batch NCHW float32 8×3×32×32',
  n: 8,
  c: 3,
  h: 32,
  w: 32,
  dataFormat: 'NCHW',
  dtype: 'float32',
  values: 'pixels',
  source: 'upload',
  mode: 'batch',
  seed: 7,
};

/** The configurations the browser tests run on every backend: both modes, both layouts, both dtypes. */
export const TEST_CASES: DemoCase[] = [
  DEMO_CASE,
  { ...DEMO_CASE, name: 'elem NCHW float32 computed', n: 6, h: 20, w: 28, mode: 'elem', seed: 11, source: 'computed' },
  {
    ...DEMO_CASE,
    name: 'elem NHWC float32 wide',
    n: 7,
    c: 3,
    h: 17,
    w: 23,
    dataFormat: 'NHWC',
    mode: 'elem',
    values: 'wide',
    seed: 3,
  },
  {
    ...DEMO_CASE,
    name: 'batch NHWC float32 computed roll',
    n: 5,
    c: 4,
    h: 16,
    w: 12,
    dataFormat: 'NHWC',
    source: 'computed',
    partner: 'roll',
    seed: 19,
  },
  { ...DEMO_CASE, name: 'batch NCHW int32 pixels', n: 6, c: 3, h: 24, w: 24, dtype: 'int32', seed: 23 },
  {
    ...DEMO_CASE,
    name: 'elem NCHW int32 wide inside',
    n: 7,
    c: 2,
    h: 9,
    w: 13,
    dtype: 'int32',
    values: 'wide',
    mode: 'elem',
    placement: 'inside',
    seed: 5,
  },
  {
    ...DEMO_CASE,
    name: 'elem NHWC int32 computed flip',
    n: 9,
    c: 1,
    h: 28,
    w: 28,
    dataFormat: 'NHWC',
    dtype: 'int32',
    mode: 'elem',
    source: 'computed',
    partner: 'flip',
    seed: 29,
  },
  {
    ...DEMO_CASE,
    name: 'elem NHWC float32 alpha 0.5 prob 0.6',
    n: 16,
    c: 1,
    h: 28,
    w: 28,
    dataFormat: 'NHWC',
    mode: 'elem',
    alpha: 0.5,
    prob: 0.6,
    seed: 31,
  },
  { ...DEMO_CASE, name: 'batch NCHW float32 single sample', n: 1, c: 3, h: 8, w: 8, seed: 37 },
  // Larger and oddly shaped batches: on webgl these get other texture layouts than the small ones.
  {
    ...DEMO_CASE,
    name: 'elem NCHW float32 large 16×3×64×96',
    n: 16,
    c: 3,
    h: 64,
    w: 96,
    mode: 'elem',
    source: 'computed',
    seed: 41,
  },
  {
    ...DEMO_CASE,
    name: 'elem NHWC int32 tall 3×515×7×2',
    n: 3,
    c: 2,
    h: 515,
    w: 7,
    dataFormat: 'NHWC',
    dtype: 'int32',
    values: 'wide',
    mode: 'elem',
    seed: 43,
  },
];

/** A 32-bit integer hash of an index and a seed (murmur3 finaliser): deterministic pseudo-noise. */
function hash32(i: number, seed: number): number {
  let x = (Math.imul(i, 0x9e3779b1) ^ Math.imul(seed + 1, 0x85ebca6b)) >>> 0;
  x = Math.imul(x ^ (x >>> 16), 0x85ebca6b);
  x = Math.imul(x ^ (x >>> 13), 0xc2b2ae35);
  return (x ^ (x >>> 16)) >>> 0;
}

/** Channel intensity in [0, 1] of class `k`'s colour at channel `ch`: one hue per class. */
function classColour(k: number, ch: number): number {
  const hue = (k / NUM_CLASSES) * 6;
  const offset = [0, 4, 2][ch % 3];
  const d = Math.abs(((hue + offset) % 6) - 3);
  return Math.min(1, Math.max(0, d - 1));
}

/** The generated batch and labels of a case, as typed arrays in the case's layout and dtype. */
export function makeBatch(c: DemoCase): {
  values: Float32Array | Int32Array;
  labels: Int32Array;
  shape: [number, number, number, number];
} {
  const shape: [number, number, number, number] = c.dataFormat === 'NCHW' ? [c.n, c.c, c.h, c.w] : [c.n, c.h, c.w, c.c];
  const size = c.n * c.c * c.h * c.w;
  const values = c.dtype === 'float32' ? new Float32Array(size) : new Int32Array(size);
  const labels = new Int32Array(c.n);
  // Consecutive samples step through the classes by 3 (coprime with 10): up to ten distinct labels.
  const firstClass = hash32(0, c.seed) % NUM_CLASSES;
  for (let s = 0; s < c.n; s++) labels[s] = (firstClass + 3 * s) % NUM_CLASSES;
  for (let s = 0; s < c.n; s++) {
    const k = labels[s];
    for (let ch = 0; ch < c.c; ch++) {
      for (let y = 0; y < c.h; y++) {
        for (let x = 0; x < c.w; x++) {
          const i =
            c.dataFormat === 'NCHW' ? ((s * c.c + ch) * c.h + y) * c.w + x : ((s * c.h + y) * c.w + x) * c.c + ch;
          const noise = hash32(i, c.seed);
          // Stripes whose period depends on the class, so classes differ in shape as well as colour.
          const stripe = ((x + y * (1 + (k % 3))) >> (1 + (k % 2))) % 2 === 0 ? 1 : 0.55;
          const pixel = classColour(k, ch) * stripe * 0.85 + ((noise % 1000) / 1000) * 0.15;
          if (c.values === 'pixels') {
            values[i] = c.dtype === 'float32' ? pixel : Math.round(pixel * 255);
          } else if (c.dtype === 'float32') {
            // Normal floats of either sign across many binades (no subnormals, no -0, no NaN).
            const sign = noise & 1 ? -1 : 1;
            values[i] = sign * (1 + (noise >>> 8) / 2 ** 24) * 2 ** (((noise >>> 1) % 120) - 60);
          } else {
            // Signed integers up to 2^24 in magnitude: the range a float texture still holds exactly.
            values[i] = (noise % 2 ** 25) - 2 ** 24 + 1;
          }
        }
      }
    }
  }
  return { values, labels, shape };
}

/** Base64 of a typed array's bytes (works in browsers and Node, which both have `btoa`). */
export function bytesToBase64(array: Float32Array | Int32Array | Uint8Array): string {
  const bytes = new Uint8Array(array.buffer, array.byteOffset, array.byteLength);
  let binary = '';
  for (let i = 0; i < bytes.length; i += 0x8000) {
    binary += String.fromCharCode(...bytes.subarray(i, i + 0x8000));
  }
  return btoa(binary);
}

/** The mixed batch of a case as a typed array, for drawing. */
export interface MixedBatch {
  result: CaseResult;
  images: Float32Array | Int32Array;
  labelsA: Int32Array;
  labelsB: Int32Array;
}

/**
 * Runs one case through `cutmixBatch` on the current backend, reads everything back and disposes every
 * tensor it made.
 */
export async function runCase(c: DemoCase): Promise<MixedBatch> {
  const { values, labels, shape } = makeBatch(c);
  const before = tf.memory().numTensors;
  const t0 = performance.now();
  const uploaded = tf.tensor4d(values, shape, c.dtype);
  const images = c.source === 'computed' ? tf.tidy(() => tf.add(uploaded, tf.scalar(0, c.dtype))) : uploaded;
  const labelTensor = tf.tensor1d(labels, 'int32');
  const options = {
    seed: c.seed,
    mode: c.mode,
    dataFormat: c.dataFormat,
    ...(c.alpha !== undefined ? { alpha: c.alpha } : {}),
    ...(c.prob !== undefined ? { prob: c.prob } : {}),
    ...(c.partner !== undefined ? { partner: c.partner } : {}),
    ...(c.placement !== undefined ? { placement: c.placement } : {}),
  };
  const mixed = cutmixBatch(images as tf.Tensor4D, labelTensor, options);
  let out: Float32Array | Int32Array;
  let labelsB: Int32Array;
  let labelsA: Int32Array;
  try {
    out = (await mixed.images.data()) as Float32Array | Int32Array;
    labelsA = (await mixed.labelsA.data()) as Int32Array;
    labelsB = (await mixed.labelsB.data()) as Int32Array;
  } finally {
    tf.dispose([uploaded, images, labelTensor, mixed.images, mixed.labelsA, mixed.labelsB]);
  }
  const ms = performance.now() - t0;
  // Registration is lazy (first paste), so the kernel is looked up after the call.
  const kernel = tf.getKernel(CUTMIX_PASTE, tf.getBackend()) !== undefined;
  const result: CaseResult = {
    name: c.name,
    backend: tf.getBackend(),
    kernel,
    shape: mixed.images.shape.slice(),
    dtype: mixed.images.dtype,
    lam: Array.from(mixed.lam),
    boxes: mixed.boxes.map((b) => ({ ...b })),
    partners: Array.from(mixed.partners),
    bytesBase64: bytesToBase64(out),
    labelsBBase64: bytesToBase64(labelsB),
    leakedTensors: tf.memory().numTensors - before,
    ms,
  };
  return { result, images: out, labelsA, labelsB };
}
