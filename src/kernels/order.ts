import { BLOCK_INTS, PLANES } from './geometry.js';

/**
 * The order in which the cpu kernel pastes a batch inside its output (see `pasteInPlace`): the output
 * starts as a copy of the batch, so sample s's box can be moved from its partner's rows *in the output*
 * as long as that partner has not been pasted yet. Every sample is therefore placed before its partner:
 * first the samples nobody pastes from, then, as each is placed, its partner once nothing else waits on it
 * (a partner map with repeats is a forest of trees that end in cycles, and this walks the trees up). What
 * is left are the cycles of the map (a permutation is nothing but cycles, a flip is all 2-cycles); each is
 * walked from any sample along its partners, and only its last sample, whose partner was pasted first,
 * reads its box from the input.
 *
 * The order is written to `ints[at … at + n)`: `s` to paste sample s from the output, `~s` (negative) to
 * paste it from the input. `ints[waitAt … waitAt + n)` is scratch. Samples without a block (`planes` 0 in
 * the table: an empty box or their own partner) paste nothing and wait on nobody.
 *
 * @example
 * ```ts
 * // partners [1, 2, 0, 0]: sample 3 first (nobody pastes from it), then the cycle 0 → 1 → 2 → 0.
 * pasteOrder(4, Int32Array.of(1, 2, 0, 0), table, ints, 32, 36); // ints[32 … 35] = [3, 0, 1, ~2]
 * ```
 */
export function pasteOrder(
  n: number,
  partners: Int32Array,
  table: Int32Array,
  ints: Int32Array,
  at: number,
  waitAt: number,
): void {
  // ints[waitAt + v]: how many samples not yet placed paste from v.
  ints.fill(0, waitAt, waitAt + n);
  for (let s = 0; s < n; s++) if (table[BLOCK_INTS * s + PLANES] !== 0) ints[waitAt + partners[s]]++;
  let end = at;
  for (let s = 0; s < n; s++) if (ints[waitAt + s] === 0) ints[end++] = s;
  for (let next = at; next < end; next++) {
    const s = ints[next];
    if (table[BLOCK_INTS * s + PLANES] !== 0 && --ints[waitAt + partners[s]] === 0) ints[end++] = partners[s];
  }
  // Everything still waited on lies on a cycle, and every sample on it has a block.
  for (let first = 0; first < n; first++) {
    if (ints[waitAt + first] === 0) continue;
    let s = first;
    do {
      ints[waitAt + s] = 0;
      ints[end++] = partners[s] === first ? ~s : s;
      s = partners[s];
    } while (s !== first);
  }
}
