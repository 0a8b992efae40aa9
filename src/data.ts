/**
 * The `tfjs-cutmix/data` entry point: the tf.data adapter, kept apart from the core so that users who never
 * touch tfjs-data (an optional peer) load nothing of it.
 */
export type { CutMixDatasetOptions, ImageBatch, MixedBatch } from './adapters/dataset.js';
export { cutmixDataset } from './adapters/dataset.js';
export type { OneHotDatasetOptions } from './adapters/one_hot_dataset.js';
export { oneHotDataset } from './adapters/one_hot_dataset.js';
