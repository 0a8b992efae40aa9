import type { Box } from '../../src/index.js';

/** Independent, element-by-element statement of the paste, for comparison with the package's output. */
export function referencePaste(
  values: ArrayLike<number>,
  shape: readonly number[],
  partners: ArrayLike<number>,
  boxes: readonly Box[],
  dataFormat: 'NCHW' | 'NHWC',
): Float64Array {
  const [n] = shape;
  const [c, h, w] = dataFormat === 'NCHW' ? [shape[1], shape[2], shape[3]] : [shape[3], shape[1], shape[2]];
  const out = new Float64Array(values.length);
  const index = (s: number, ch: number, y: number, x: number) =>
    dataFormat === 'NCHW' ? ((s * c + ch) * h + y) * w + x : ((s * h + y) * w + x) * c + ch;
  for (let s = 0; s < n; s++) {
    const b = boxes[s];
    for (let ch = 0; ch < c; ch++) {
      for (let y = 0; y < h; y++) {
        for (let x = 0; x < w; x++) {
          const inside = y >= b.y1 && y < b.y2 && x >= b.x1 && x < b.x2;
          out[index(s, ch, y, x)] = values[index(inside ? partners[s] : s, ch, y, x)];
        }
      }
    }
  }
  return out;
}

export function range(n: number, offset = 0): Float32Array {
  const out = new Float32Array(n);
  for (let i = 0; i < n; i++) out[i] = i + offset;
  return out;
}
