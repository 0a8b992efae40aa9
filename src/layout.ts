import type { Tensor } from '@tensorflow/tfjs-core';

/** Image layout: channels-first `[N, C, H, W]` (PyTorch, the paper) or channels-last `[N, H, W, C]` (tfjs-layers). */
export type DataFormat = 'NCHW' | 'NHWC';

export const DATA_FORMATS: readonly DataFormat[] = ['NCHW', 'NHWC'];

/** Batch size, channels, height and width of a rank-4 image tensor in the given layout. */
export function imageDims(
  shape: readonly number[],
  dataFormat: DataFormat,
): { n: number; c: number; h: number; w: number } {
  return dataFormat === 'NCHW'
    ? { n: shape[0], c: shape[1], h: shape[2], w: shape[3] }
    : { n: shape[0], h: shape[1], w: shape[2], c: shape[3] };
}

export type ImageTensorLike = Pick<Tensor, 'shape'>;
