import fc from 'fast-check';
import type { AnyBox, DataFormat } from '../../src/index.js';

/** A batch layout with its rank's spatial axes, for generated tests of every rank. */
export const LAYOUTS: readonly DataFormat[] = ['NCW', 'NWC', 'NCHW', 'NHWC', 'NCDHW', 'NDHWC'];

/** The spatial sizes (outermost first) and channels of `shape` in `dataFormat`, written out independently. */
function dims(shape: readonly number[], dataFormat: DataFormat): { n: number; c: number; spatial: number[] } {
  const last = dataFormat.endsWith('C');
  return {
    n: shape[0],
    c: last ? shape[shape.length - 1] : shape[1],
    spatial: last ? shape.slice(1, -1) : shape.slice(2),
  };
}

/** The shape of a batch of `n` samples, `c` channels and `spatial` sizes in `dataFormat`. */
export function shapeOf(n: number, c: number, spatial: readonly number[], dataFormat: DataFormat): number[] {
  return dataFormat.endsWith('C') ? [n, ...spatial, c] : [n, c, ...spatial];
}

/** A box's [start, end) per axis, outermost first, read by name. */
function bounds(box: AnyBox, d: number): [number, number][] {
  const b = box as unknown as Record<string, number>;
  const axes = ['z', 'y', 'x'].slice(3 - d);
  return axes.map((a) => [b[`${a}1`], b[`${a}2`]]);
}

/**
 * The paste, element by element, from the definition: output element (n, channel, position) is the
 * partner's when the position lies in sample n's box on every axis, else the sample's own.
 */
export function referencePasteND(
  values: ArrayLike<number>,
  shape: readonly number[],
  dataFormat: DataFormat,
  boxes: readonly AnyBox[],
  partners: ArrayLike<number>,
): number[] {
  const { n, c, spatial } = dims(shape, dataFormat);
  const positions = spatial.reduce((a, b) => a * b, 1);
  const last = dataFormat.endsWith('C');
  const index = (s: number, ch: number, pos: number) =>
    last ? (s * positions + pos) * c + ch : (s * c + ch) * positions + pos;
  const out = new Array<number>(values.length);
  for (let s = 0; s < n; s++) {
    const box = bounds(boxes[s], spatial.length);
    for (let pos = 0; pos < positions; pos++) {
      let rest = pos;
      const coords = spatial.map(() => 0);
      for (let a = spatial.length - 1; a >= 0; a--) {
        coords[a] = rest % spatial[a];
        rest = Math.floor(rest / spatial[a]);
      }
      const inside = coords.every((v, a) => v >= box[a][0] && v < box[a][1]);
      for (let ch = 0; ch < c; ch++) out[index(s, ch, pos)] = values[index(inside ? partners[s] : s, ch, pos)];
    }
  }
  return out;
}

/** An arbitrary box inside `spatial` (possibly empty or full on any axis), in the rank's own form. */
export function boxArb(spatial: readonly number[]): fc.Arbitrary<AnyBox> {
  const axis = (size: number) =>
    fc
      .tuple(fc.integer({ min: 0, max: size }), fc.integer({ min: 0, max: size }))
      .map(([a, b]) => [Math.min(a, b), Math.max(a, b)]);
  return fc.tuple(...spatial.map(axis)).map((pairs) => {
    const names = ['z', 'y', 'x'].slice(3 - spatial.length);
    const box: Record<string, number> = {};
    names.forEach((a, i) => {
      box[`${a}1`] = pairs[i][0];
      box[`${a}2`] = pairs[i][1];
    });
    return box as unknown as AnyBox;
  });
}

/** A batch layout, its spatial sizes (small), channels and batch size. */
export const batchArb = fc
  .record({
    dataFormat: fc.constantFrom(...LAYOUTS),
    n: fc.integer({ min: 0, max: 5 }),
    c: fc.integer({ min: 1, max: 3 }),
    sizes: fc.array(fc.integer({ min: 1, max: 7 }), { minLength: 3, maxLength: 3 }),
  })
  .map(({ dataFormat, n, c, sizes }) => {
    const spatial = sizes.slice(0, dataFormat.length - 2);
    return { dataFormat, n, c, spatial, shape: shapeOf(n, c, spatial, dataFormat) };
  });
