/**
 * Speed of the paste on the page's backend, page side: medians of a plain on-device copy (`tf.add(x, 0)`),
 * the registered kernel (`runKernel`, λ = 0.5 boxes) and the stock-op fallback (`cutmixBatch` with the
 * kernel unregistered). Each timed run ends with a one-element readback of its output, which waits for
 * the device; a run of that readback alone is timed too, so the report can take it out.
 */
import * as tf from '@tensorflow/tfjs-core';
import { cutmixBatch } from '../../src/index.js';
import { CUTMIX_PASTE, type CutmixPasteAttrs } from '../../src/kernels/names.js';

export interface BenchOptions {
  /** NCHW batch shape. */
  shape: [number, number, number, number];
  reps: number;
  /** Repetitions of the (slow) fallback. */
  fallbackReps: number;
}

export interface BenchRow {
  name: string;
  samples: number[];
  median: number;
}

export interface BenchResult {
  backend: string;
  shape: number[];
  rows: BenchRow[];
}

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = sorted.length >> 1;
  return sorted.length % 2 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2;
}

/** Waits until the device has finished `y` by reading one element of it. */
async function settle(y: tf.Tensor): Promise<void> {
  const corner = tf.slice(y, new Array(y.rank).fill(0), new Array(y.rank).fill(1));
  await corner.data();
  corner.dispose();
}

/** Times `op` `reps` times after one untimed warm-up run (which compiles). */
async function time(name: string, reps: number, op: () => tf.Tensor): Promise<BenchRow> {
  const samples: number[] = [];
  for (let r = -1; r < reps; r++) {
    const t0 = performance.now();
    const y = op();
    await settle(y);
    const ms = performance.now() - t0;
    y.dispose();
    if (r >= 0) samples.push(ms);
  }
  return { name, samples, median: median(samples) };
}

/** Per-sample boxes covering half of each image (λ = 0.5), at positions that differ by sample. */
function halfBoxes(n: number, h: number, w: number): Int32Array {
  const bh = Math.round(h * Math.SQRT1_2);
  const bw = Math.round(w * Math.SQRT1_2);
  const boxes = new Int32Array(6 * n);
  for (let s = 0; s < n; s++) {
    const y1 = (s * 37) % (h - bh + 1);
    const x1 = (s * 53) % (w - bw + 1);
    boxes.set([0, y1, x1, 1, y1 + bh, x1 + bw], 6 * s);
  }
  return boxes;
}

export async function benchPaste(options: BenchOptions): Promise<BenchResult> {
  const [n, c, h, w] = options.shape;
  const values = new Float32Array(n * c * h * w);
  for (let i = 0; i < values.length; i++) values[i] = (i % 251) / 251;
  const x = tf.tensor4d(values, options.shape);
  const labels = tf.tensor1d(
    Int32Array.from({ length: n }, (_, i) => i % 10),
    'int32',
  );
  const attrs: CutmixPasteAttrs = {
    partners: Int32Array.from({ length: n }, (_, i) => (i + 1) % n),
    boxes: halfBoxes(n, h, w),
    dataFormat: 'NCHW',
  };
  const backend = tf.getBackend();
  const rows: BenchRow[] = [];
  try {
    rows.push(await time('readback of one element (subtracted below)', options.reps, () => tf.clone(x)));
    rows.push(await time('plain copy: tf.add(x, 0)', options.reps, () => tf.add(x, 0)));
    rows.push(
      await time(
        'CutmixPaste kernel',
        options.reps,
        () => tf.engine().runKernel(CUTMIX_PASTE, { images: x }, attrs as unknown as tf.NamedAttrMap) as tf.Tensor,
      ),
    );
    const kernel = tf.getKernel(CUTMIX_PASTE, backend);
    if (kernel) tf.unregisterKernel(CUTMIX_PASTE, backend);
    try {
      rows.push(
        await time('stock-op fallback (cutmixBatch without the kernel)', options.fallbackReps, () => {
          const mixed = cutmixBatch(x, labels, { seed: 3, mode: 'elem', dataFormat: 'NCHW' });
          tf.dispose([mixed.labelsA, mixed.labelsB]);
          return mixed.images;
        }),
      );
    } finally {
      if (kernel) tf.registerKernel(kernel);
    }
  } finally {
    tf.dispose([x, labels]);
  }
  return { backend, shape: [...options.shape], rows };
}
