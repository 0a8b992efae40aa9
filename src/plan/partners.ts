import { drawInt, type Draw } from './rng.js';
import { copyNumbers, describeValue, fail } from '../common/validate.js';

/**
 * How each sample picks the partner whose box it receives.
 * - `'permutation'`: a seeded Fisher–Yates shuffle (the paper; about one sample per batch pairs with
 *   itself and stays unmixed, label still right).
 * - `'flip'`: sample i with N−1−i (timm); the middle sample of an odd batch pairs with itself.
 * - `'roll'`: sample i with i−1 mod N (torchvision); never pairs a sample with itself when N ≥ 2.
 */
export type PartnerScheme = 'permutation' | 'flip' | 'roll';

export const PARTNER_SCHEMES: readonly PartnerScheme[] = ['permutation', 'flip', 'roll'];

/** Partner indices for a batch of `n`; only `'permutation'` draws (n − 1 draws). */
export function drawPartners(n: number, scheme: PartnerScheme, draw: Draw): Int32Array {
  const partners = new Int32Array(n);
  for (let i = 0; i < n; i++) {
    partners[i] = scheme === 'flip' ? n - 1 - i : scheme === 'roll' ? (i - 1 + n) % n : i;
  }
  if (scheme === 'permutation') {
    for (let i = n - 1; i > 0; i--) {
      const j = drawInt(draw, i + 1);
      const t = partners[i];
      partners[i] = partners[j];
      partners[j] = t;
    }
  }
  return partners;
}

/** Checks copied partner indices against a batch of `n`: length n, each an integer index in [0, n). */
export function checkPartners(fn: string, arg: string, partners: readonly number[], n: number): Int32Array {
  if (partners.length !== n) fail(fn, `${arg}.length`, `${n} (one partner per sample)`, String(partners.length));
  partners.forEach((p, i) => {
    if (!Number.isInteger(p) || p < 0 || p >= n)
      fail(fn, `${arg}[${i}]`, `an integer index in [0, ${n})`, describeValue(p));
  });
  return Int32Array.from(partners);
}

/** Copies partner indices once: an `Int32Array` or `number[]` (other typed arrays are not indices). */
export function copyPartners(fn: string, arg: string, value: unknown): number[] {
  const expected = 'an Int32Array or number[] of partner indices';
  if (!(Array.isArray(value) || value instanceof Int32Array)) fail(fn, arg, expected, describeValue(value));
  return copyNumbers(fn, arg, value, expected);
}
