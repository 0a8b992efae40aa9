import * as tf from '@tensorflow/tfjs-core';
import { describe, expect, it } from 'vitest';
import {
  benchStepShare,
  formatStepShare,
  STEP_NETS,
  STEP_SHARE_TARGET,
  summarizeRounds,
  medianIntervalRank,
} from '../../bench/step_share.js';
import { useBackend } from '../support/backends.js';

describe("bench/step_share.ts: CutMix's share of a training step", () => {
  it('the nets are the demo CNN and the 64×64 RGB net their names claim', async () => {
    await useBackend('wasm');
    expect(STEP_NETS.map((n) => n.shape)).toEqual([
      [32, 28, 28, 1],
      [8, 64, 64, 3],
    ]);
    for (const net of STEP_NETS) {
      const model = net.build();
      expect(net.name).toContain(model.countParams().toLocaleString('en').replace(',', ' '));
      expect(model.inputs[0].shape.slice(1)).toEqual(net.shape.slice(1));
      model.dispose();
    }
  });

  // wasm only: a cpu step of the same net takes a second or more (npm run bench times it).
  it.each(['wasm'] as const)(
    'times rounds of steps on %s, reports medians and releases every tensor',
    async (backend) => {
      await useBackend(backend);
      const before = tf.memory().numTensors;
      const row = await benchStepShare(STEP_NETS[0], 6, 1);
      expect(tf.memory().numTensors).toBe(before);
      expect(row).toMatchObject({ backend, net: STEP_NETS[0].name, batch: [32, 28, 28, 1], rounds: 6 });
      expect(row.plainMs).toBeGreaterThan(0);
      expect(row.cutmixMs).toBeGreaterThan(0);
      expect(row.ratioLow).toBeLessThanOrEqual(row.ratio);
      expect(row.ratio).toBeLessThanOrEqual(row.ratioHigh);
      // The mix call is part of the CutMix step: a positive share, well under one whole step.
      expect(row.mixShare! > 0 && row.mixShare! < 1).toBe(true);
      expect(row.lossRatio! > 0.5 && row.lossRatio! < 2).toBe(true);
      expect(['met', 'not met', 'inconclusive']).toContain(row.verdict);
      if (row.ratioHigh <= 1 + STEP_SHARE_TARGET) expect(row.verdict).toBe('met');
    },
  );

  it('summarizeRounds: medians per step; the median of the per-round ratios with its order-statistic interval', () => {
    // The rounds' ratios are 1.2, 0.9, 1.0, 1.1, 1.005 (the ratio of the medians would be 1).
    const plain = [10, 20, 30, 40, 200];
    const cutmix = [12, 18, 30, 44, 201];
    const row = summarizeRounds(plain, cutmix, [0.01, 0.002, 0.003, 0.004, 0.005], [11, 20, 33, 40, 210]);
    expect(row.rounds).toBe(5);
    expect([row.plainMs, row.cutmixMs]).toEqual([30, 30]);
    expect(row.ratio).toBeCloseTo(1.005, 12);
    // n = 5: even the smallest and largest ratio bound the median with only 1 − 2/32 = 93.75 %.
    expect([row.ratioLow, row.ratioHigh]).toEqual([NaN, NaN]);
    expect(row.mixShare).toBe(0.004);
    expect(row.lossRatio).toBeCloseTo(1.05, 12); // 1.1, 1, 1.1, 1, 1.05
    expect(summarizeRounds([1], [1]).lossRatio).toBeUndefined();
    expect(row.verdict).toBe('inconclusive');
    // n = 101 ratios 0.95, 0.951, …, 1.05: ranks 40 and 60 (0-based) bound the median 1.0.
    const ratios = Array.from({ length: 101 }, (_, i) => 0.95 + i / 1000);
    const many = summarizeRounds(
      ratios.map(() => 1),
      ratios,
    );
    expect(many.ratio).toBeCloseTo(1, 12);
    expect(many.ratioLow).toBeCloseTo(0.99, 12);
    expect(many.ratioHigh).toBeCloseTo(1.01, 12);
    expect(many.verdict).toBe('met');
    expect(
      summarizeRounds(
        ratios.map(() => 1),
        ratios.map((r) => r + 0.03),
      ).verdict,
    ).toBe('not met');
    // Three rounds all above +1 %: still no interval, so no verdict either way.
    expect(summarizeRounds([10, 10, 10], [10.2, 10.15, 10.11]).verdict).toBe('inconclusive');
    const six = summarizeRounds([10, 10, 10, 10, 10, 10], [10.2, 10.15, 10.11, 10.3, 10.4, 10.5]);
    expect([six.ratioLow, six.ratioHigh, six.verdict]).toEqual([1.011, 1.05, 'not met']);
    // CutMix apparently faster than plain beyond the target: drift, not a result.
    const faster = summarizeRounds([10, 10, 10, 10, 10, 10], [9.5, 9.6, 9.7, 9.8, 9.85, 9.88]);
    expect(faster.ratioHigh).toBeCloseTo(0.988, 12);
    expect(faster.verdict).toBe('inconclusive');
    expect(summarizeRounds([10, 10, 10, 10, 10, 10], [9.95, 9.96, 9.97, 9.98, 10, 10.05]).verdict).toBe('met');
    expect(summarizeRounds([10, 10, 10], [10.2, 10.15, 10.11]).mixShare).toBeUndefined();
    expect(() => summarizeRounds([1, 2], [1])).toThrow(/rounds must match/);
    expect(() => summarizeRounds([], [])).toThrow(/at least one/);
  });

  it('medianIntervalRank: the exact sign-test ranks', () => {
    // n = 6: (min, max) cover 1 − 2/64 = 96.9 %; n = 5 cannot reach 95 %.
    expect([1, 5, 6, 8, 9, 17, 101].map(medianIntervalRank)).toEqual([-1, -1, 0, 0, 1, 4, 40]);
  });

  it('formats a row with its target verdict; ratios only drops the milliseconds', () => {
    const row = {
      backend: 'webgl',
      net: 'net',
      batch: [2, 4, 4, 1],
      rounds: 5,
      plainMs: 10,
      cutmixMs: 10.3,
      ratio: 1.03,
      ratioLow: 1.01,
      ratioHigh: 1.05,
      verdict: 'not met' as const,
    };
    const full = formatStepShare([
      { ...row, lossRatio: 1.034 },
      { ...row, backend: 'wasm', ratio: 1.004, mixShare: 0.0012, verdict: 'met' as const },
      { ...row, verdict: 'inconclusive' as const },
    ]);
    expect(full).toContain('| 10.0 ms ');
    expect(full).toContain('1.030 [1.010, 1.050] (+3.00 %)');
    expect(full).toContain('≤ +1 %: NOT met');
    expect(full).toContain('≤ +1 %: met');
    expect(full).toContain('≤ +1 %: inconclusive');
    expect(formatStepShare([{ ...row, ratioLow: NaN, ratioHigh: NaN }])).toContain('1.030 [too few rounds] (+3.00 %)');
    expect(full).toContain('0.12 %');
    expect(full).toContain('1.034 (+3.40 %)');
    expect(full).toContain('n/a (async backend)');
    const ratios = formatStepShare([row], true);
    expect(ratios).not.toContain('ms');
    expect(ratios).toContain('(+3.00 %)');
  });
});
