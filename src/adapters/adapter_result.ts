import type { Tensor } from '@tensorflow/tfjs-core';
import type { ResultFor } from '../ops/result.js';
import type { AnyBox, Box } from '../plan/box.js';
import type { ObjectBox } from '../targets/cutmix_objects.js';

/**
 * Per-call options of `CutMix.mix`: `training`, `objects`, and any number of extra tensors to cut with the
 * same plan as the images — each with the images' layout, batch size and spatial sizes (a mask
 * `[N, H, W, 1]`, a depth map) — returned under the same name.
 */
export interface MixCallOptions {
  /** Overrides `CutMix.training` for this call only. */
  training?: boolean;
  /** Detection boxes of a 2-D batch: one array of objects per sample, moved as `cutmixObjects` does. */
  objects?: readonly (readonly ObjectBox[])[];
  [extra: string]: Tensor | readonly (readonly ObjectBox[])[] | boolean | undefined;
}

/** The objects type a `mix` call returns for the `objects` it was given: the caller's own object type. */
type ObjectsOut<V> = V extends readonly (readonly (infer D)[])[] ? D[][] : never;
/** `undefined` in a result field exactly when the option may be `undefined` (an absent extra is absent). */
type MaybeAbsent<V> = undefined extends V ? undefined : never;

/**
 * The result of `CutMix.mix`: `cutmixBatch`'s (without labels when none were given), `method` (`'none'` in
 * evaluation), and each extra tensor or the objects mixed under the name it was given.
 */
export type CutMixAdapterResult<O = object, B extends AnyBox = Box, L = Tensor> = ResultFor<B, L> & {
  /** How this batch was mixed: `'cutmix'`, `'mixup'` (with the switch on), or `'none'` in evaluation. */
  method: 'cutmix' | 'mixup' | 'none';
} & {
  [K in Exclude<keyof O, 'training'>]:
    (K extends 'objects' ? ObjectsOut<Exclude<O[K], undefined>> : Tensor) | MaybeAbsent<O[K]>;
};
