import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { BLOCK_INTS, PLANES } from '../../src/kernels/geometry.js';
import { pasteOrder } from '../../src/kernels/order.js';
import { arbPartners } from '../support/kernels_cases.js';
import '../support/backends.js'; // the shared fast-check budget

/** A table whose only field set is `planes`: 1 for a sample with a block, 0 for one that keeps itself. */
function tableOf(partners: Int32Array, hasBox: readonly boolean[]): Int32Array {
  const table = new Int32Array(partners.length * BLOCK_INTS);
  partners.forEach((p, s) => (table[s * BLOCK_INTS + PLANES] = p !== s && hasBox[s] ? 1 : 0));
  return table;
}

/** The cycles of the map s → partners[s] over samples with a block, counted independently. */
function cycleCount(partners: Int32Array, table: Int32Array): number {
  const active = (s: number) => table[s * BLOCK_INTS + PLANES] !== 0;
  const state = new Array<number>(partners.length).fill(0); // 0 new, 1 on the current walk, 2 done
  let cycles = 0;
  for (let s = 0; s < partners.length; s++) {
    let v = s;
    while (active(v) && state[v] === 0) {
      state[v] = 1;
      v = partners[v];
    }
    if (active(v) && state[v] === 1) cycles++;
    for (let u = s; state[u] === 1; u = partners[u]) state[u] = 2;
  }
  return cycles;
}

/** Runs pasteOrder with the order and its scratch after the table, as the cpu kernel lays them out. */
function orderOf(partners: Int32Array, table: Int32Array): number[] {
  const n = partners.length;
  const ints = new Int32Array(n * BLOCK_INTS + 2 * n).fill(-7); // stale content must not matter
  ints.set(table);
  pasteOrder(n, partners, ints, ints, n * BLOCK_INTS, n * BLOCK_INTS + n);
  return Array.from(ints.subarray(n * BLOCK_INTS, n * BLOCK_INTS + n));
}

const arbCase = fc
  .integer({ min: 1, max: 24 })
  .chain((n) =>
    fc.record({ partners: arbPartners(n), hasBox: fc.array(fc.boolean(), { minLength: n, maxLength: n }) }),
  );

describe('pasteOrder', () => {
  it('places every sample once, each before its partner unless it reads the input, once per cycle', () => {
    fc.assert(
      fc.property(arbCase, ({ partners, hasBox }) => {
        const table = tableOf(partners, hasBox);
        const order = orderOf(partners, table);
        const samples = order.map((e) => (e < 0 ? ~e : e));
        expect([...samples].sort((a, b) => a - b)).toEqual(Array.from(partners, (_, i) => i));
        const position = new Map(samples.map((s, k) => [s, k]));
        const active = (s: number) => table[s * BLOCK_INTS + PLANES] !== 0;
        order.forEach((entry, k) => {
          const s = entry < 0 ? ~entry : entry;
          const partner = partners[s];
          if (entry < 0) {
            // Reading the input is only for a sample whose partner was already pasted over.
            expect(active(s) && active(partner) && position.get(partner)! < k, `~${s}`).toBe(true);
          } else if (active(s) && active(partner)) {
            expect(position.get(partner)!, `${s} before its partner ${partner}`).toBeGreaterThan(k);
          }
        });
        expect(order.filter((e) => e < 0).length, 'reads from the input').toBe(cycleCount(partners, table));
      }),
      { numRuns: 400 },
    );
  });

  it('walks trees into a cycle: leaves first, the cycle after, its last sample from the input', () => {
    // 4 → 3 → 0 ⇄ 1, 2 → 1, 5 keeps itself.
    const partners = Int32Array.of(1, 0, 1, 0, 3, 5);
    const order = orderOf(partners, tableOf(partners, new Array(6).fill(true)));
    expect(order).toEqual([2, 4, 5, 3, 0, ~1]);
  });

  it('a flip is all 2-cycles: one of each pair reads the input; a self-paired middle sample keeps itself', () => {
    const partners = Int32Array.of(4, 3, 2, 1, 0);
    expect(orderOf(partners, tableOf(partners, new Array(5).fill(true)))).toEqual([2, 0, ~4, 1, ~3]);
  });

  it('a sample without a box waits on nobody and breaks the cycle through it', () => {
    const partners = Int32Array.of(1, 2, 0);
    expect(orderOf(partners, tableOf(partners, [true, true, false]))).toEqual([0, 1, 2]);
  });
});
