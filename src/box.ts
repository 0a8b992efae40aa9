/**
 * A paste box in pixel coordinates: integers, half-open, rows `[y1, y2)` and columns `[x1, x2)`.
 * `y` always indexes the height axis and `x` the width axis, whatever the layout.
 * An empty box (`y1 === y2` or `x1 === x2`) pastes nothing.
 */
export interface Box {
  /** First row of the box (inclusive), in [0, H]. */
  y1: number;
  /** First column of the box (inclusive), in [0, W]. */
  x1: number;
  /** Row after the last one (exclusive), in [y1, H]. */
  y2: number;
  /** Column after the last one (exclusive), in [x1, W]. */
  x2: number;
}

/** Where a box may lie: the paper's centre-and-clip, or always fully inside the image. */
export type Placement = 'center-clip' | 'inside';

export const PLACEMENTS: readonly Placement[] = ['center-clip', 'inside'];

/** The box that pastes nothing. */
export const EMPTY_BOX: Readonly<Box> = Object.freeze({ y1: 0, x1: 0, y2: 0, x2: 0 });

/** Number of pixels a box covers. */
export function boxArea(box: Box): number {
  return (box.y2 - box.y1) * (box.x2 - box.x1);
}

/** λ that exactly matches a box: the share of the image left untouched. */
export function lamOfBox(box: Box, height: number, width: number): number {
  return 1 - boxArea(box) / (height * width);
}
