/**
 * One array of ints that the kernels reuse for their per-call bookkeeping (the block table, the paste
 * order), so that a call leaves no garbage behind: on cpu the output is a fresh array of the batch's size,
 * and any other array made in the same call would make V8 collect while that output is young (then it is
 * promoted, and the old generation's collections follow). Kernels run one at a time and never call each
 * other, so one array serves them all.
 */

/** Arrays up to this many ints (4 MiB: a table for half a million samples) are kept for the next call. */
export const KEPT_INTS = 1 << 20;

let kept = new Int32Array(0);

/**
 * Ints for one kernel call: at least `length` of them, any content. The same array comes back on the next
 * call; the caller must be done with it before then.
 *
 * @example
 * ```ts
 * const ints = scratchInts(g.n * BLOCK_INTS);
 * blockTable(g, partners, boxes, 1, ints);
 * ```
 * @param length ints needed.
 * @returns an array of at least `length` ints.
 */
export function scratchInts(length: number): Int32Array {
  if (length <= kept.length) return kept;
  if (length > KEPT_INTS) return new Int32Array(length);
  // Grown geometrically, so that a batch size that creeps up costs a few arrays in all.
  kept = new Int32Array(Math.min(KEPT_INTS, Math.max(length, 2 * kept.length, 1024)));
  return kept;
}
