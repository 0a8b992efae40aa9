/**
 * A tiny 5×7 bitmap font for the captions of the PNG (Node has no canvas): the digits, '.', '+', '·' and
 * space, which is all a caption like `7 ·0.62 + 3 ·0.38` needs. '#' is ink.
 */
const GLYPHS: Record<string, readonly string[]> = {
  '0': [' ### ', '#   #', '#  ##', '# # #', '##  #', '#   #', ' ### '],
  '1': ['  #  ', ' ##  ', '  #  ', '  #  ', '  #  ', '  #  ', ' ### '],
  '2': [' ### ', '#   #', '    #', '   # ', '  #  ', ' #   ', '#####'],
  '3': ['#####', '   # ', '  #  ', '   # ', '    #', '#   #', ' ### '],
  '4': ['   # ', '  ## ', ' # # ', '#  # ', '#####', '   # ', '   # '],
  '5': ['#####', '#    ', '#### ', '    #', '    #', '#   #', ' ### '],
  '6': ['  ## ', ' #   ', '#    ', '#### ', '#   #', '#   #', ' ### '],
  '7': ['#####', '    #', '   # ', '  #  ', ' #   ', ' #   ', ' #   '],
  '8': [' ### ', '#   #', '#   #', ' ### ', '#   #', '#   #', ' ### '],
  '9': [' ### ', '#   #', '#   #', ' ####', '    #', '   # ', ' ##  '],
  '.': ['     ', '     ', '     ', '     ', '     ', ' ##  ', ' ##  '],
  '+': ['     ', '  #  ', '  #  ', '#####', '  #  ', '  #  ', '     '],
  '·': ['     ', '     ', '     ', ' ##  ', ' ##  ', '     ', '     '],
  ' ': ['     ', '     ', '     ', '     ', '     ', '     ', '     '],
};

export const GLYPH_WIDTH = 5;
export const GLYPH_HEIGHT = 7;
/** Columns from one glyph's left edge to the next one's. */
export const ADVANCE = GLYPH_WIDTH + 1;

/** Width in font pixels of `text` (before scaling). */
export function textWidth(text: string): number {
  return Math.max(0, [...text].length * ADVANCE - 1);
}

/**
 * Calls `plot(x, y)` for every ink pixel of `text`, its top-left corner at (0, 0), each font pixel
 * `scale`×`scale` device pixels.
 */
export function drawText(text: string, scale: number, plot: (x: number, y: number) => void): void {
  [...text].forEach((ch, index) => {
    const glyph = GLYPHS[ch];
    if (glyph === undefined) throw new Error(`font has no glyph for ${JSON.stringify(ch)}`);
    for (let gy = 0; gy < GLYPH_HEIGHT; gy++) {
      for (let gx = 0; gx < GLYPH_WIDTH; gx++) {
        if (glyph[gy][gx] !== '#') continue;
        for (let dy = 0; dy < scale; dy++) {
          for (let dx = 0; dx < scale; dx++) plot((index * ADVANCE + gx) * scale + dx, gy * scale + dy);
        }
      }
    }
  });
}
