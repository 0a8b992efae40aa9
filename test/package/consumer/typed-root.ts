// TypeScript consumer of the root entry only, typechecked in a project WITHOUT @tensorflow/tfjs-data
// installed: nothing in the root entry's types may need it.
import * as tf from '@tensorflow/tfjs-core';
import { CutMix, cutmixBatch, cutmixLoss, mixTargets, type CutMixResult } from 'tfjs-cutmix';
import { registerWasmGradients, WASM_GRADIENT_KERNELS } from 'tfjs-cutmix/wasm-grad';

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

/** tfjs-cutmix/wasm-grad: importing it registers the kernels; the call reports which are this package's. */
export function wasmGradients(): string[] {
  const ours: string[] = registerWasmGradients();
  const all: readonly string[] = WASM_GRADIENT_KERNELS;
  // @ts-expect-error -- the list is read-only
  WASM_GRADIENT_KERNELS.push('MaxPoolGrad');
  // @ts-expect-error -- registerWasmGradients takes no argument
  registerWasmGradients({ replace: true });
  return ours.filter((name) => all.includes(name));
}
