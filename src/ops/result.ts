import type { Tensor, Tensor3D, Tensor4D, Tensor5D } from '@tensorflow/tfjs-core';
import type { AnyBox, Box, Box1D, Box3D } from '../plan/box.js';
import type { CutMixPlan } from '../plan/plan.js';

/** The batch tensor type that goes with a box type: rank 3 for 1-D cuts, 4 for 2-D, 5 for 3-D. */
export type BatchOf<B extends AnyBox> = [B] extends [Box3D]
  ? Tensor5D
  : [B] extends [Box]
    ? Tensor4D
    : (B extends Box ? true : false) extends false
      ? Tensor3D
      : Tensor;

/** The box type that goes with a batch tensor type: a tensor of unknown rank gets {@link AnyBox}. */
export type BoxOf<T extends Tensor> = T extends Tensor5D
  ? Box3D
  : T extends Tensor4D
    ? Box
    : T extends Tensor3D
      ? Box1D
      : AnyBox;

/** What a mixing op returns when called without labels: the plan it used and the mixed batch. */
export interface MixedImages<B extends AnyBox = Box> extends CutMixPlan<B> {
  /** The mixed batch: same shape, layout and dtype as the input; a new tensor owned by the caller. */
  images: BatchOf<B>;
}

/** What a mixing op returns: the plan it used and new tensors, all owned by the caller. */
export interface CutMixResult<B extends AnyBox = Box> extends MixedImages<B> {
  /** The input labels (a clone: disposing it never disposes the input). */
  labelsA: Tensor;
  /** The partners' labels: `labels` gathered by `partners`. */
  labelsB: Tensor;
}

/**
 * The result for a labels argument of type `L`: with labels when `L` is a tensor, without when it is
 * omitted (`undefined` or `null`), and with optional labels when it may be either.
 */
export type ResultFor<B extends AnyBox, L> = [L] extends [Tensor]
  ? CutMixResult<B>
  : [L] extends [null | undefined]
    ? MixedImages<B>
    : MixedImages<B> & Partial<Pick<CutMixResult<B>, 'labelsA' | 'labelsB'>>;

/** A labels argument: a tensor, or omitted (`undefined` or `null`) to mix the images alone. */
export type LabelsArg = Tensor | null | undefined;
