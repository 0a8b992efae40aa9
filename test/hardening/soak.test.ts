import { expect, it } from 'vitest';
import { runSoak, soakProblems } from '../../bench/soak.js';

// The short version of `npm run soak` (10 000 steps): 500 CutMix.mix + loss steps per backend and mode.
it.each([
  ['cpu', 'batch'],
  ['cpu', 'elem'],
  ['wasm', 'batch'],
  ['wasm', 'elem'],
] as const)('500-step soak on %s, %s mode: tensors, wasm heap and JS heap stay flat', async (backend, mode) => {
  const figures = await runSoak(backend, mode, 500);
  expect(soakProblems(figures)).toEqual([]);
  expect(figures.tensorsMax).toBe(figures.tensorsBefore);
});
