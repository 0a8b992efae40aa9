import { describe, expect, it } from 'vitest';
import { main } from '../../docs/examples/quickstart.js';

// The quick start (`npm run example`) is documentation that must keep working: run it with fewer steps
// on each backend and check that it trains, releases every tensor, and is reproducible per seed.
describe.each(['cpu', 'wasm'] as const)('docs/examples/quickstart.ts [%s]', (backend) => {
  it('trains: finite losses that fall, clean accuracy above chance, no leaked tensor', async () => {
    const { losses, testAccuracy, numTensorsBefore, numTensorsAfter } = await main({
      steps: 60,
      batchSize: 16,
      backend,
      log: false,
    });
    expect(losses).toHaveLength(60);
    expect(losses.every(Number.isFinite)).toBe(true);
    const mean = (xs: number[]) => xs.reduce((s, v) => s + v, 0) / xs.length;
    // CutMix makes single steps noisy; compare the first and last ten.
    expect(mean(losses.slice(-10))).toBeLessThan(0.8 * mean(losses.slice(0, 10)));
    expect(testAccuracy).toBeGreaterThan(0.5); // four classes: chance is 0.25
    expect(numTensorsAfter).toBe(numTensorsBefore);
  });

  it('gives the same losses for the same seed', async () => {
    const run = () => main({ steps: 5, batchSize: 8, seed: 7, backend, log: false });
    const a = await run();
    const b = await run();
    expect(b.losses).toEqual(a.losses);
  });
});
