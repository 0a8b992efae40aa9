import { checkBox, cloneBox, type AnyBox } from './box.js';
import type { MixSettings } from './options.js';
import { checkPartners } from './partners.js';
import { fail } from '../common/validate.js';

/** The injected values of {@link MixSettings}, judged against a batch of `n` samples of `spatial` size. */
export interface Injected {
  lam: Float64Array | undefined;
  boxes: AnyBox[] | undefined;
  partners: Int32Array | undefined;
  /** Whether injected per-sample values make every sample its own group. */
  perSample: boolean;
}

/** Checks injected λ, boxes and partners against the batch (lengths, bounds, `'pair'` symmetry). */
export function checkInjected(s: MixSettings, n: number, spatial: readonly number[] | undefined): Injected {
  const { fn, optionsArg: o } = s;
  let lam: Float64Array | undefined;
  if (typeof s.lam === 'number') lam = new Float64Array(n).fill(s.lam);
  else if (s.lam !== undefined) {
    if (s.lam.length !== n) fail(fn, `${o}.lam.length`, `${n} (one λ per sample)`, String(s.lam.length));
    lam = Float64Array.from(s.lam);
  }
  let boxes: AnyBox[] | undefined;
  if (s.box !== undefined && spatial !== undefined) {
    if (Array.isArray(s.box)) {
      if (s.box.length !== n) fail(fn, `${o}.box.length`, `${n} (one box per sample)`, String(s.box.length));
      boxes = s.box.map((b, i) => checkBox(fn, `${o}.box[${i}]`, b, spatial));
    } else {
      // One box for every sample, checked even for an empty batch.
      const box = checkBox(fn, `${o}.box`, s.box as Readonly<Record<string, unknown>>, spatial);
      boxes = Array.from({ length: n }, () => cloneBox(box));
    }
  }
  const partners = s.partners === undefined ? undefined : checkPartners(fn, `${o}.partners`, s.partners, n);
  const perSample = Array.isArray(s.box) || Array.isArray(s.lam);
  if (s.mode === 'pair' && perSample) {
    for (let i = 0; i < n; i++) {
      const j = n - 1 - i;
      const sameLam = lam === undefined || lam[i] === lam[j];
      const sameBox = boxes === undefined || JSON.stringify(boxes[i]) === JSON.stringify(boxes[j]);
      if (!sameLam || !sameBox) {
        const arg = sameLam ? `${o}.box[${i}]` : `${o}.lam[${i}]`;
        fail(fn, arg, `equal to sample ${j}'s in 'pair' mode (a pair shares one λ and box)`, 'a different value');
      }
    }
  }
  return { lam, boxes, partners, perSample };
}
