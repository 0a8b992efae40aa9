/** Layout of a rank-3 batch of 1-D signals: channels-first `[N, C, W]` or channels-last `[N, W, C]` (tfjs `conv1d`). */
export type DataFormat1D = 'NCW' | 'NWC';
/** Layout of a rank-4 image batch: channels-first `[N, C, H, W]` (PyTorch, the paper) or channels-last `[N, H, W, C]` (tfjs-layers). */
export type DataFormat2D = 'NCHW' | 'NHWC';
/** Layout of a rank-5 batch of volumes: channels-first `[N, C, D, H, W]` or channels-last `[N, D, H, W, C]` (tfjs `conv3d`). */
export type DataFormat3D = 'NCDHW' | 'NDHWC';
/** Any batch layout: 1, 2 or 3 spatial axes, channels first or last. */
export type DataFormat = DataFormat1D | DataFormat2D | DataFormat3D;

/** Every layout, channels-first one first for each rank (the default). */
export const DATA_FORMATS: readonly DataFormat[] = ['NCW', 'NWC', 'NCHW', 'NHWC', 'NCDHW', 'NDHWC'];

/** tfjs-layers' spelling of a layout family (`Conv2D`'s `dataFormat`): the rank says which layout. */
export type LayersDataFormat = 'channelsFirst' | 'channelsLast';
/** A layout as an option takes it: one of ours, or tfjs-layers' family name. */
export type DataFormatOption = DataFormat | LayersDataFormat;

export const DATA_FORMAT_OPTIONS: readonly DataFormatOption[] = [...DATA_FORMATS, 'channelsFirst', 'channelsLast'];

/** Channel counts at most this are what image, signal and volume batches carry (gray, RGB, RGBA…). */
const FEW_CHANNELS = 4;

/**
 * The other family's layout when a batch of `shape` reads far more plausibly that way than in the default
 * `format`: its channel axis holds ≤ 4 entries while the default's channel axis holds more (an MNIST
 * batch `[N, 28, 28, 1]` read as NCHW would have 28 channels and width 1). Else undefined: a shape such as
 * `[N, 3, 3, 3]` is ambiguous and keeps the default.
 */
export function likelierLayout(shape: readonly number[], format: DataFormat): DataFormat | undefined {
  const [first, last] = [shape[1], shape[shape.length - 1]];
  const [defaultChannels, otherChannels] = isChannelsLast(format) ? [last, first] : [first, last];
  if (!(otherChannels <= FEW_CHANNELS && defaultChannels > FEW_CHANNELS)) return undefined;
  return defaultDataFormat(shape.length, !isChannelsLast(format));
}

/** The default layout for a batch of `rank` when the caller names none: channels-first unless `channelsLast`. */
export function defaultDataFormat(rank: number, channelsLast = false): DataFormat {
  if (channelsLast) return rank === 3 ? 'NWC' : rank === 5 ? 'NDHWC' : 'NHWC';
  return rank === 3 ? 'NCW' : rank === 5 ? 'NCDHW' : 'NCHW';
}

/** The tensor rank a layout describes: one letter per axis. */
export function rankOf(dataFormat: DataFormat): 3 | 4 | 5 {
  return dataFormat.length as 3 | 4 | 5;
}

/** Whether the channels are the last axis. */
export function isChannelsLast(dataFormat: DataFormat): boolean {
  return dataFormat.endsWith('C');
}

/** Number of spatial axes (1, 2 or 3). */
function spatialRank(dataFormat: DataFormat): 1 | 2 | 3 {
  return (dataFormat.length - 2) as 1 | 2 | 3;
}

/** The axis indices of the spatial dims, outermost first (depth, height, width as the rank has them). */
export function spatialAxes(dataFormat: DataFormat): number[] {
  const d = spatialRank(dataFormat);
  const first = isChannelsLast(dataFormat) ? 1 : 2;
  return Array.from({ length: d }, (_, i) => first + i);
}

/** Batch size, channels and spatial sizes (outermost first) of a batch in the given layout. */
export interface BatchDims {
  n: number;
  c: number;
  spatial: number[];
}

/** Reads {@link BatchDims} off a shape whose rank matches `dataFormat`. */
export function batchDims(shape: readonly number[], dataFormat: DataFormat): BatchDims {
  const channelAxis = isChannelsLast(dataFormat) ? shape.length - 1 : 1;
  return { n: shape[0], c: shape[channelAxis], spatial: spatialAxes(dataFormat).map((a) => shape[a]) };
}

/** The name of each spatial axis for error messages and boxes, outermost first. */
export function spatialNames(dataFormat: DataFormat): readonly ('depth' | 'height' | 'width')[] {
  const d = spatialRank(dataFormat);
  return d === 1 ? ['width'] : d === 2 ? ['height', 'width'] : ['depth', 'height', 'width'];
}
