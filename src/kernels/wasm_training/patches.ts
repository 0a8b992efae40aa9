import type { ConvGeometry } from './geometry.js';

/**
 * The two matrices whose product is a convolution's filter gradient, dW = patchesᵀ · rows, for samples
 * `first … first + count − 1`:
 *
 * - `patchesT[k, p]` (K × P, K = filterHeight·filterWidth·inChannels, P = count·outHeight·outWidth): the
 *   input value that filter tap k = (r, c, i) meets at output position p = (b, y, x), 0 in the padding;
 * - `rows[p, o]` (P × outChannels): `dy` at position p, channel o.
 *
 * K-major patches make each row a run of consecutive positions, written in order.
 */
export function fillPatchesT(g: ConvGeometry, x: Float32Array, patchesT: Float32Array, first: number, count: number) {
  const { outHeight: oh, outWidth: ow, inChannels: inC, filterWidth: fw } = g;
  const [xb, xh, xw, xc] = g.x;
  const positions = count * oh * ow;
  for (let r = 0; r < g.filterHeight; r++) {
    for (let c = 0; c < fw; c++) {
      for (let i = 0; i < inC; i++) {
        let at = ((r * fw + c) * inC + i) * positions;
        for (let b = first; b < first + count; b++) {
          for (let y = 0; y < oh; y++, at += ow) {
            const iy = y * g.strideHeight - g.top + r * g.dilationHeight;
            if (iy < 0 || iy >= g.inHeight) {
              patchesT.fill(0, at, at + ow);
              continue;
            }
            const base = b * xb + iy * xh + i * xc;
            for (let ox = 0, ix = c * g.dilationWidth - g.left; ox < ow; ox++, ix += g.strideWidth) {
              patchesT[at + ox] = ix >= 0 && ix < g.inWidth ? x[base + ix * xw] : 0;
            }
          }
        }
      }
    }
  }
}

/** `rows[p, o]` for samples `first … first + count − 1`: one contiguous copy when `dy` is channels-last. */
export function fillRows(g: ConvGeometry, dy: Float32Array, rows: Float32Array, first: number, count: number) {
  const { outHeight: oh, outWidth: ow, outChannels: outC } = g;
  const [yb, yh, yw, yc] = g.y;
  if (yc === 1) {
    rows.set(dy.subarray(first * yb, (first + count) * yb));
    return;
  }
  let at = 0;
  for (let b = first; b < first + count; b++) {
    for (let y = 0; y < oh; y++) {
      for (let x = 0; x < ow; x++, at += outC) {
        const from = b * yb + y * yh + x * yw;
        for (let o = 0; o < outC; o++) rows[at + o] = dy[from + o * yc];
      }
    }
  }
}
