/**
 * Independent element-by-element statement of the paste for every rank and layout, with 6-int boxes
 * (z1, y1, x1, z2, y2, x2; a missing axis is coordinate 0). Shared by Node tests and the browser probe page.
 */
import type { DataFormat } from '../../src/common/layout.js';

type Values = Float32Array | Int32Array | Uint8Array;

/** `values` pasted: sample n takes partner `partners[n]`'s element wherever the element lies in n's box. */
export function referencePasteND<T extends Values>(
  values: T,
  shape: readonly number[],
  partners: ArrayLike<number>,
  boxes: ArrayLike<number>,
  dataFormat: DataFormat,
): T {
  const out = values.slice() as T;
  // Move float32 elements as 32-bit words: reading a signalling NaN into a JavaScript number quiets it.
  const [from, to] =
    values instanceof Float32Array
      ? [new Int32Array(values.buffer, values.byteOffset, values.length), new Int32Array(out.buffer)]
      : [values, out];
  const rank = shape.length;
  // Positions of z, y, x among the axes (undefined where the rank has no such axis).
  const first = dataFormat.endsWith('C') ? 1 : 2;
  const spatial = rank - 2;
  const axisOf = (k: number) => (k < 3 - spatial ? undefined : first + k - (3 - spatial));
  const axes = [axisOf(0), axisOf(1), axisOf(2)];
  const sampleSize = shape.slice(1).reduce((a, b) => a * b, 1);
  const index = new Array<number>(rank).fill(0);
  for (let i = 0; i < values.length; i++) {
    let rest = i;
    for (let a = rank - 1; a >= 0; a--) {
      index[a] = rest % shape[a];
      rest = Math.floor(rest / shape[a]);
    }
    const n = index[0];
    const inside = axes.every((axis, k) => {
      const coord = axis === undefined ? 0 : index[axis];
      return coord >= boxes[6 * n + k] && coord < boxes[6 * n + 3 + k];
    });
    if (inside) to[i] = from[partners[n] * sampleSize + (i - n * sampleSize)];
  }
  return out;
}
