/**
 * The plan a mixing op must draw, derived from the rng stream by the documented rule and nothing from
 * src/ (docs/conventions.md, README options table):
 *
 * - groups, in order: the whole batch (`'batch'`), each sample (`'elem'`), each pair [i, N−1−i] for
 *   i < ⌊N/2⌋ (`'pair'`; the middle sample of an odd batch is in none and stays unmixed);
 * - per group: one draw for the `prob` gate (mixed when draw < prob); if mixed, one draw for λ — the
 *   Beta(α, α) quantile of that draw — unless `ratioMinMax` is given (CutMix only), then the box: with
 *   `ratioMinMax` first one ratio per axis, min + (max − min)·draw, then one position per axis, axes
 *   outermost first: a centre ⌊draw·L⌋ ('center-clip', ⌊cut/2⌋ either side, clipped) or an origin
 *   ⌊draw·(L − cut + 1)⌋ ('inside'), with cut = ⌊L·ratio⌋ and ratio = (1 − λ)^{1/d};
 * - λ returned is the box's exact share 1 − volume/total (`correctLam`, default), or the λ drawn; MixUp
 *   draws no box and returns the λ drawn; an unmixed sample has λ = 1 and an empty box;
 * - then the partners: Fisher–Yates (`'permutation'`: for i = N−1 down to 1, j = ⌊draw·(i+1)⌋, swap), i.e.
 *   N − 1 draws; `'flip'` N−1−i and `'roll'` i−1 mod N draw nothing; `'pair'` mode always flips.
 *
 * The Beta quantile is found by bisection on the regularized incomplete beta (jstat's CDF, the only shared
 * piece); `nearCut` reports a λ whose cut lies within `tolerance` of an integer on some axis, where two
 * correct quantile computations may floor differently.
 */
import jStat from 'jstat';

export interface OracleOptions {
  mode: 'batch' | 'elem' | 'pair';
  partner: 'permutation' | 'flip' | 'roll';
  placement: 'center-clip' | 'inside';
  prob: number;
  alpha: number;
  ratioMinMax?: readonly [number, number];
  correctLam: boolean;
  /** false: MixUp (no box is drawn). */
  cut: boolean;
}

export interface OraclePlan {
  lam: number[];
  /** Per sample, [start, end) per spatial axis, outermost first. */
  spans: [number, number][][];
  partners: number[];
  draws: number;
  /** Whether some drawn λ sits so near a cut boundary that the comparison is not meaningful. */
  nearCut: boolean;
}

/** The Beta(α, α) quantile of u by bisection on its CDF: 200 halvings reach the double nearest the root. */
export function betaQuantileByBisection(u: number, alpha: number): number {
  if (alpha >= 1e4) {
    // The documented normal limit N(½, 1/(8α+4)) above α = 10⁴.
    return Math.min(1, Math.max(0, 0.5 + jStat.normal.inv(u, 0, 1) / Math.sqrt(8 * alpha + 4)));
  }
  let lo = 0;
  let hi = 1;
  for (let k = 0; k < 200 && hi - lo > 0; k++) {
    const mid = (lo + hi) / 2;
    if (mid === lo || mid === hi) break;
    if (jStat.ibeta(mid, alpha, alpha) < u) lo = mid;
    else hi = mid;
  }
  return (lo + hi) / 2;
}

/** The plan for a batch of `n` samples with `spatial` sizes (outermost first), drawn from `rng`. */
export function oraclePlan(o: OracleOptions, n: number, spatial: readonly number[], rng: () => number): OraclePlan {
  let draws = 0;
  const draw = () => (draws++, rng());
  const d = spatial.length;
  const empty = () => spatial.map((): [number, number] => [0, 0]);
  const lam = new Array<number>(n).fill(1);
  const spans = Array.from({ length: n }, empty);
  let nearCut = false;
  const groups: number[][] =
    o.mode === 'pair'
      ? Array.from({ length: Math.floor(n / 2) }, (_, i) => [i, n - 1 - i])
      : o.mode === 'elem'
        ? Array.from({ length: n }, (_, i) => [i])
        : n > 0
          ? [Array.from({ length: n }, (_, i) => i)]
          : [];
  for (const group of groups) {
    if (!(draw() < o.prob)) continue;
    const minmax = o.cut ? o.ratioMinMax : undefined;
    const drawn = minmax ? 1 : betaQuantileByBisection(draw(), o.alpha);
    let box = empty();
    let l = drawn;
    if (o.cut) {
      const ratios = spatial.map(() =>
        minmax ? minmax[0] + (minmax[1] - minmax[0]) * draw() : (1 - drawn) ** (1 / d),
      );
      box = spatial.map((size, k) => {
        const exact = size * ratios[k];
        // A ratio of exactly 0 or 1 (λ = 1 or 0) is exact on every path; in between, √ or ∛ may round apart.
        const inBetween = ratios[k] > 0 && ratios[k] < 1;
        if (!minmax && inBetween && Math.abs(exact - Math.round(exact)) < 1e-7) nearCut = true;
        const cut = Math.floor(exact);
        if (o.placement === 'inside') {
          const origin = Math.floor(draw() * (size - cut + 1));
          return [origin, origin + cut];
        }
        const centre = Math.floor(draw() * size);
        const half = Math.floor(cut / 2);
        return [Math.max(0, centre - half), Math.min(size, centre + half)];
      });
      const total = spatial.reduce((a, b) => a * b, 1);
      const volume = box.reduce((v, [a, b]) => v * (b - a), 1);
      if (o.correctLam || minmax) l = 1 - volume / total;
    }
    for (const i of group) {
      lam[i] = l;
      spans[i] = box.map(([a, b]): [number, number] => [a, b]);
    }
  }
  const partners = Array.from({ length: n }, (_, i) => i);
  const scheme = o.mode === 'pair' ? 'flip' : o.partner;
  if (scheme === 'flip') partners.forEach((_, i) => (partners[i] = n - 1 - i));
  if (scheme === 'roll') partners.forEach((_, i) => (partners[i] = (i - 1 + n) % n));
  if (scheme === 'permutation') {
    for (let i = n - 1; i > 0; i--) {
      const j = Math.floor(draw() * (i + 1));
      [partners[i], partners[j]] = [partners[j], partners[i]];
    }
  }
  return { lam, spans, partners, draws, nearCut };
}

/** A box object of the rank's own form (`{x1, x2}`, `{y1, x1, y2, x2}`, `{z1, y1, x1, z2, y2, x2}`). */
export function boxOfSpans(spans: readonly [number, number][]): Record<string, number> {
  const names = ['z', 'y', 'x'].slice(3 - spans.length);
  const box: Record<string, number> = {};
  names.forEach((a, k) => (box[`${a}1`] = spans[k][0]));
  names.forEach((a, k) => (box[`${a}2`] = spans[k][1]));
  return box;
}
