import * as tf from '@tensorflow/tfjs-core';
import '@tensorflow/tfjs-backend-cpu';
import '@tensorflow/tfjs-backend-wasm';
import fc from 'fast-check';
import { afterEach, beforeAll, beforeEach, describe, expect } from 'vitest';

export const BACKENDS = ['cpu', 'wasm'] as const;
export type BackendName = (typeof BACKENDS)[number];

// One place for property-test budgets; FC_SEED replays a failure (`{ seed, path }` from the report).
fc.configureGlobal({
  numRuns: Number(process.env.FC_RUNS ?? 60),
  ...(process.env.FC_SEED ? { seed: Number(process.env.FC_SEED) } : {}),
});

export async function useBackend(name: BackendName): Promise<void> {
  if (!(await tf.setBackend(name))) throw new Error(`backend ${name} failed to initialise`);
  await tf.ready();
}

/**
 * Runs `body` once per backend (tfjs's describeWithFlags, in vitest): sets the backend before the block
 * and checks after every test that no tensor leaked.
 */
export function describeEachBackend(name: string, body: (backend: BackendName) => void): void {
  describe.each(BACKENDS)(`${name} [%s]`, (backend) => {
    let before = 0;
    beforeAll(() => useBackend(backend));
    beforeEach(() => {
      before = tf.memory().numTensors;
    });
    afterEach(() => {
      expect(tf.memory().numTensors, 'tensors leaked by the test').toBe(before);
    });
    body(backend);
  });
}

/** Asserts `fn` throws exactly `message` and leaves numTensors unchanged. */
export function expectThrowsNoLeak(fn: () => unknown, message: string | RegExp): void {
  const before = tf.memory().numTensors;
  expect(fn).toThrow(message);
  expect(tf.memory().numTensors).toBe(before);
}

/** Runs `fn`, then asserts numTensors grew by exactly `owned` (the tensors the caller now owns). */
export function countNew<T>(fn: () => T): { value: T; created: number } {
  const before = tf.memory().numTensors;
  const value = fn();
  return { value, created: tf.memory().numTensors - before };
}
