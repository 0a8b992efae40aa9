import { describe, expect, it } from 'vitest';
import { KEPT_INTS, scratchInts } from '../../src/kernels/scratch.js';

describe('scratchInts', () => {
  it('always has room for the ints asked for, around every size it grows through', () => {
    const sizes = [0, 1, 1023, 1024, 1025, 2047, 2048, 2049, 4096, 4097, 100_000, KEPT_INTS - 1, KEPT_INTS];
    for (const n of sizes) {
      for (const length of [n, n + 1]) expect(scratchInts(length).length, `${length}`).toBeGreaterThanOrEqual(length);
    }
  });

  it('hands back the same array while it is large enough, so that calls leave no garbage', () => {
    const first = scratchInts(3000);
    expect(scratchInts(10)).toBe(first);
    expect(scratchInts(first.length)).toBe(first);
    expect(scratchInts(first.length + 1)).not.toBe(first);
  });

  it(`keeps nothing over ${KEPT_INTS} ints: a larger request gets an array of its own`, () => {
    const kept = scratchInts(KEPT_INTS);
    const large = scratchInts(KEPT_INTS + 1);
    expect(large).not.toBe(kept);
    expect(large.length).toBe(KEPT_INTS + 1);
    expect(scratchInts(KEPT_INTS + 1)).not.toBe(large);
    expect(scratchInts(5)).toBe(kept);
  });
});
