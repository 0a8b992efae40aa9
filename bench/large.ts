/**
 * One-off measurement behind docs/reliability.md: peak tensor memory, wasm heap and time of one
 * cutmixBatch call on a 256×3×224×224 float32 batch, per backend and mode. Run: npx tsx bench/large.ts
 */
import * as tf from '@tensorflow/tfjs-core';
import '@tensorflow/tfjs-backend-cpu';
import '@tensorflow/tfjs-backend-wasm';
import { cutmixBatch } from '../src/index.js';
for (const backend of ['cpu', 'wasm']) {
  await tf.setBackend(backend);
  await tf.ready();
  const shape: [number, number, number, number] = [256, 3, 224, 224];
  const size = shape.reduce((a, b) => a * b);
  const images = tf.tensor4d(new Float32Array(size).fill(1), shape);
  const labels = tf.tensor1d(
    Int32Array.from({ length: 256 }, (_, i) => i % 10),
    'int32',
  );
  const heap = () => {
    const backend = tf.backend() as unknown as { wasm?: { HEAPU8: Uint8Array } };
    return backend.wasm ? backend.wasm.HEAPU8.buffer.byteLength : 0;
  };
  for (const mode of ['batch', 'elem'] as const) {
    const before = tf.memory().numBytes;
    const heapBefore = heap();
    const rss0 = process.memoryUsage().rss;
    const t0 = performance.now();
    let out: ReturnType<typeof cutmixBatch> | undefined;
    const prof = await tf.profile(() => {
      out = cutmixBatch(images, labels, { seed: 1, mode });
      return out!.images;
    });
    const ms = performance.now() - t0;
    const rss1 = process.memoryUsage().rss;
    console.log(
      JSON.stringify({
        backend,
        mode,
        inputMB: ((size * 4) / 2 ** 20).toFixed(1),
        peakOverInputMB: ((prof.peakBytes - before) / 2 ** 20).toFixed(1),
        ratioToOutput: ((prof.peakBytes - before) / (size * 4)).toFixed(4),
        wasmHeapMB: [(heapBefore / 2 ** 20).toFixed(0), (heap() / 2 ** 20).toFixed(0)],
        rssGrowthMB: ((rss1 - rss0) / 2 ** 20).toFixed(1),
        ms: ms.toFixed(0),
        kernels: prof.kernels.map((k) => k.name).join(','),
      }),
    );
    tf.dispose([out!.images, out!.labelsA, out!.labelsB]);
  }
  tf.dispose([images, labels]);
}
