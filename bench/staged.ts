/**
 * `cutmixBatch` in its stages, timed inside the call: what the whole-call rows do not show is where the
 * time goes once the batch is out of cache (each timed call follows the paired limit's sweep of the
 * batch). The same steps in the same order as src/ops/cutmix_batch.ts and runMix; the bench checks that
 * the result equals cutmixBatch's, byte for byte, before timing it.
 */
import * as tf from '@tensorflow/tfjs-core';
import type { Tensor } from '@tensorflow/tfjs-core';
import { readOptions } from '../src/common/validate.js';
import { pairLabels } from '../src/kernels/pair_labels.js';
import { ARG_NAMES, checkMix, IMAGE_DTYPES, pasteWithPlan } from '../src/ops/runner.js';
import { CUTMIX_OPTION_KEYS, resolveMixOptions, type CutMixOptions } from '../src/plan/options.js';
import { planMix } from '../src/plan/plan.js';
import { now } from './harness.js';

/** Milliseconds spent in each stage of one call. */
export interface StageTimes {
  /** Options read and resolved, images and labels checked, λ, boxes and partners drawn. */
  plan: number;
  /** The label pair (one `CutmixLabels` call on cpu and wasm). */
  labels: number;
  /** The paste: flat boxes, then one `CutmixPaste` call (its wrapper, tfjs's dispatch and the kernel). */
  paste: number;
}

export const STAGES: readonly (keyof StageTimes)[] = ['plan', 'labels', 'paste'];

/**
 * One `cutmixBatch` call, step by step, with the time of each stage added to `into` (one array per stage).
 *
 * @example
 * ```ts
 * const times: Record<keyof StageTimes, number[]> = { plan: [], labels: [], paste: [] };
 * const out = stagedCutmixBatch(images, labels, { seed: 1 }, times);
 * ```
 * @returns the tensors cutmixBatch returns (the caller disposes them).
 */
export function stagedCutmixBatch(
  images: Tensor,
  labels: Tensor,
  options: CutMixOptions,
  into: Record<keyof StageTimes, number[]>,
): { images: Tensor; labelsA: Tensor; labelsB: Tensor } {
  const fn = 'cutmixBatch';
  const t0 = now();
  const s = resolveMixOptions(fn, readOptions(fn, 'options', options, CUTMIX_OPTION_KEYS));
  const checked = checkMix(s, images, labels, ARG_NAMES, IMAGE_DTYPES);
  const plan = planMix(s, checked.batch.n, checked.batch.spatial, checked.injected, true);
  const t1 = now();
  let t2 = t1;
  const out = tf.tidy(() => {
    const [labelsA, labelsB] = pairLabels(labels, plan.partners);
    t2 = now();
    return { images: pasteWithPlan(images, plan, checked.batch), labelsA, labelsB };
  });
  const t3 = now();
  into.plan.push(t1 - t0);
  into.labels.push(t2 - t1);
  into.paste.push(t3 - t2);
  return out;
}
