import * as tf from '@tensorflow/tfjs-core';
import { CUTMIX_PASTE_GRAD, type CutmixPasteAttrs } from '../src/kernels/names.js';
import { paste } from '../src/kernels/paste.js';
import { checkInjected } from '../src/plan/injected.js';
import { resolveMixOptions } from '../src/plan/options.js';
import { planMix } from '../src/plan/plan.js';
import { readOptions } from '../src/common/validate.js';
import { timeInterleaved, variant, type Stats } from './harness.js';
import { check, planFor, type BackendName } from './suite.js';

/** The paste's gradient against its forward paste at one batch size (N×1×28×28, 'batch' plans). */
export interface GradientResult {
  backend: BackendName;
  n: number;
  forward: Stats;
  gradient: Stats;
}

/** Timing of drawing whole plans (λ by inverse CDF, boxes, partners) in 'elem' mode: JavaScript only. */
export interface SamplingResult {
  n: number;
  /** Per plan of `n` samples, ms. */
  plan: Stats;
}

/**
 * Times the registered gradient kernel (`CutmixPasteGrad`, what `tf.grad` runs through the paste) and the
 * forward paste on the same plans, interleaved, for each batch size.
 */
export function benchGradient(
  backend: BackendName,
  sizes: readonly number[],
  rounds: number,
  warmup: number,
): GradientResult[] {
  return sizes.map((n) => {
    const batch = { shape: [n, 1, 28, 28], dataFormat: 'NCHW' as const };
    const before = tf.memory().numTensors;
    const images = tf.randomUniform(batch.shape, 0, 1, 'float32', 3);
    const dy = tf.randomUniform(batch.shape, -1, 1, 'float32', 4);
    const plans = Array.from({ length: rounds + warmup }, (_, r) => planFor(batch, 2000 + r, 'batch'));
    const attrs = (r: number): CutmixPasteAttrs => ({
      partners: plans[r].partners,
      boxes: plans[r].boxes,
      dataFormat: 'NCHW',
    });
    const grad = (r: number) =>
      tf.engine().runKernel(CUTMIX_PASTE_GRAD, { dy }, attrs(r) as unknown as tf.NamedAttrMap) as tf.Tensor;
    paste(images, plans[0].partners, plans[0].boxes, 'NCHW').dispose(); // registers the kernels
    check(tf.getKernel(CUTMIX_PASTE_GRAD, backend) !== undefined, `no ${CUTMIX_PASTE_GRAD} kernel on ${backend}`);
    const stats = timeInterleaved(
      [
        variant(
          'forward',
          (r) => paste(images, plans[r].partners, plans[r].boxes, 'NCHW'),
          (t) => t.dispose(),
        ),
        variant('gradient', grad, (t) => t.dispose()),
      ],
      { warmup, iterations: rounds },
    );
    tf.dispose([images, dy]);
    check(tf.memory().numTensors === before, 'gradient bench leaked tensors');
    return { backend, n, forward: stats.get('forward')!, gradient: stats.get('gradient')! };
  });
}

/** Times planning a whole 'elem' batch (one λ per sample) from an already-made stream. */
export function benchSampling(n: number, rounds: number): SamplingResult {
  const spatial = [224, 224];
  const s = resolveMixOptions('bench', readOptions('bench', 'options', { seed: 5, mode: 'elem' }, null));
  const injected = checkInjected(s, n, spatial);
  const stats = timeInterleaved([variant('plan', () => planMix(s, n, spatial, injected, true))], {
    warmup: 20,
    iterations: rounds,
  });
  return { n, plan: stats.get('plan')! };
}
