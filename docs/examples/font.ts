/**
 * The examples' pictures write their captions in DejaVu Sans, registered with @napi-rs/canvas from the
 * @fontsource/dejavu-sans package, so a picture looks the same on every machine (no system fonts).
 */
import { GlobalFonts } from '@napi-rs/canvas';
import { createRequire } from 'node:module';

/** The family name the font is registered under. */
export const FONT_FAMILY = 'DejaVu Sans (tfjs-cutmix examples)';

let registered = false;

/** Registers the font once per process; call before drawing text. */
export function registerFont(): void {
  if (registered) return;
  const file = createRequire(import.meta.url).resolve(
    '@fontsource/dejavu-sans/files/dejavu-sans-latin-400-normal.woff2',
  );
  GlobalFonts.registerFromPath(file, FONT_FAMILY);
  registered = true;
}
