// TypeScript consumer of the root entry only, typechecked in a project WITHOUT @tensorflow/tfjs-data
// installed: nothing in the root entry's types may need it.
import * as tf from '@tensorflow/tfjs-core';
import { CutMix, cutmixBatch, cutmixLoss, mixTargets, type CutMixResult } from 'tfjs-cutmix';

export function step(images: tf.Tensor4D, labels: tf.Tensor1D, logits: tf.Tensor2D): tf.Scalar {
  const r: CutMixResult = cutmixBatch(images, labels, { seed: 1 });
  const targets: tf.Tensor2D = mixTargets(r.labelsA, r.labelsB, r.lam, { numClasses: 10 });
  const cutmix = new CutMix({ seed: 2 });
  cutmix.dispose();
  // @ts-expect-error -- lam is a number or a Float32Array
  cutmixLoss(logits, r.labelsA, r.labelsB, 'half');
  tf.dispose([r.images, targets, r.labelsA, r.labelsB]);
  return cutmixLoss(logits, r.labelsA, r.labelsB, r.lam);
}
