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

/** A box as its lower and upper (exclusive) bound on each spatial axis, outermost first. */
export interface SpanBox {
  lo: readonly number[];
  hi: readonly number[];
}

/**
 * Independent statement of the paste for any rank and layout, as a routing: for each output element of a
 * batch of `shape` in `dataFormat` (e.g. `'NCDHW'`: one letter per axis), the flat index of the input
 * element it is a copy of — the same position in `partners[n]` if it lies inside sample n's box on every
 * spatial axis, else itself. Walks the tensor's own axes; shares no code with the package.
 */
export function pasteSources(
  shape: readonly number[],
  dataFormat: string,
  partners: ArrayLike<number>,
  boxes: readonly SpanBox[],
): Int32Array {
  const spatialAxes = [...dataFormat].flatMap((letter, axis) => ('DHW'.includes(letter) ? [axis] : []));
  const strides = shape.map((_, axis) => shape.slice(axis + 1).reduce((a, b) => a * b, 1));
  const size = shape.reduce((a, b) => a * b, 1);
  const out = new Int32Array(size);
  const index = new Array<number>(shape.length).fill(0);
  for (let i = 0; i < size; i++) {
    const n = index[0];
    const { lo, hi } = boxes[n];
    let inside = true;
    for (let k = 0; k < spatialAxes.length && inside; k++) {
      const at = index[spatialAxes[k]];
      inside = at >= lo[k] && at < hi[k];
    }
    out[i] = inside ? i + (partners[n] - n) * strides[0] : i;
    for (let axis = shape.length - 1; axis >= 0 && ++index[axis] === shape[axis]; axis--) index[axis] = 0;
  }
  return out;
}

/** The paste's gradient by that routing: each output element's upstream value added to its source. */
export function routeGradient(sources: Int32Array, dy: ArrayLike<number>): Float64Array {
  const dx = new Float64Array(sources.length);
  sources.forEach((source, i) => (dx[source] += dy[i]));
  return dx;
}
