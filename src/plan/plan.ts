import { cloneBox, emptyBox, lamOfBox, type AnyBox, type Box } from './box.js';
import type { Injected } from './injected.js';
import type { MixSettings } from './options.js';
import { drawPartners } from './partners.js';
import { drawBox } from './draw_box.js';
import { drawLambda } from './sample_lambda.js';

/**
 * The parameters of one mixed batch, drawn in plain JavaScript before any tensor is touched: per sample,
 * λ (the share it keeps of itself), the box its partner's elements fill, and the partner. The same plan
 * pastes images, masks, depth maps and moves object boxes (`applyCutmix`, `cutmixObjects`); a
 * `cutmixBatch` result is one.
 */
export interface CutMixPlan<B extends AnyBox = Box> {
  /** Per-sample λ: the share of each sample's positions kept from itself (1 when not mixed). */
  lam: Float32Array;
  /** Per-sample box filled from the partner (empty when not mixed). */
  boxes: B[];
  /** Per-sample partner index. */
  partners: Int32Array;
}

/**
 * What `applyCutmix` and `cutmixObjects` read of a plan: its boxes and partners (a `cutmixBatch` result or
 * any `CutMixPlan` fits; partners may also be a plain array).
 */
export interface PlanBoxes<B extends AnyBox = AnyBox> {
  boxes: readonly B[];
  partners: Int32Array | readonly number[];
}

/**
 * The groups of samples that share one draw, in draw order: the whole batch (`'batch'`), each sample
 * (`'elem'`, or whenever per-sample values were injected), or each mirrored pair `[i, N−1−i]` (`'pair'`).
 */
function drawGroups(s: MixSettings, n: number, perSample: boolean): number[][] {
  if (s.mode === 'pair') {
    return Array.from({ length: Math.floor(n / 2) }, (_, i) => [i, n - 1 - i]);
  }
  if (s.mode === 'elem' || perSample) return Array.from({ length: n }, (_, i) => [i]);
  return n > 0 ? [Array.from({ length: n }, (_, i) => i)] : [];
}

/**
 * Draws (or takes as injected) λ, boxes and partners for a batch of `n` samples with spatial sizes
 * `spatial` — the one plan loop of every mixing op. With `cut` false (MixUp) no box is drawn and every box
 * is empty. Draw order, per group: the `prob` gate, λ, the box; then the partners. Injected values are
 * always applied; a sample no group holds (the middle of an odd `'pair'` batch) stays unmixed.
 */
export function planMix(
  s: MixSettings,
  n: number,
  spatial: readonly number[],
  injected: Injected,
  cut: boolean,
): CutMixPlan<AnyBox> {
  const lam = new Float32Array(n).fill(1);
  const none = emptyBox(spatial.length);
  const boxes = new Array<AnyBox>(n);
  for (const group of drawGroups(s, n, injected.perSample)) {
    const first = group[0];
    const given = injected.lam?.[first];
    let box = none;
    let l = 1;
    if (injected.boxes) {
      box = injected.boxes[first];
      l = given !== undefined && !s.correctLam ? given : lamOfBox(box, spatial);
    } else if (given !== undefined || s.draw() < s.prob) {
      // ratioMinMax sizes a box instead of λ; MixUp cuts no box, so it always draws its λ.
      const nominal = given ?? (s.ratioMinMax && cut ? 1 : drawLambda(s.alpha, s.draw));
      l = nominal;
      if (cut) {
        const sample = drawBox(spatial, nominal, s.draw, s.placement, s.ratioMinMax);
        box = sample.box;
        if (s.correctLam) l = sample.lam;
      }
    }
    for (const i of group) {
      boxes[i] = cloneBox(box);
      lam[i] = l;
    }
  }
  for (let i = 0; i < n; i++) boxes[i] ??= cloneBox(none);
  const partners = injected.partners ?? drawPartners(n, s.mode === 'pair' ? 'flip' : s.partner, s.draw);
  return { lam, boxes, partners };
}
