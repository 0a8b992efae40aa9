/**
 * Starts Debian's Chromium headless through playwright-core, with a fresh profile directory and no
 * network beyond the page's own server. Never downloads a browser.
 */
import { chromium, type BrowserContext } from 'playwright-core';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';

/** The system Chromium (override with `CHROMIUM_PATH`). */
export const CHROMIUM_PATH = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';

export const CHROMIUM_ARGS = [
  '--headless',
  '--no-sandbox',
  '--disable-gpu',
  // WebGPU on Chromium's software adapter (SwiftShader); without it requestAdapter() returns null.
  '--enable-unsafe-webgpu',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
  '--no-first-run',
];

/** Why Chromium cannot be used here, or undefined when the executable exists. */
export function chromiumMissingReason(): string | undefined {
  return existsSync(CHROMIUM_PATH)
    ? undefined
    : `no Chromium at ${CHROMIUM_PATH} (install it with scripts/ensure-chromium.sh, or set CHROMIUM_PATH)`;
}

export interface Chromium {
  context: BrowserContext;
  close(): Promise<void>;
}

/**
 * Launches Chromium with a fresh `--user-data-dir` (a new temporary directory, removed on close).
 * Playwright takes the profile directory as `launchPersistentContext`'s argument and passes it on as
 * `--user-data-dir`.
 */
export async function launchChromium(timeoutMs: number): Promise<Chromium> {
  const profile = mkdtempSync(path.join(tmpdir(), 'cutmix-chromium-'));
  try {
    const context = await chromium.launchPersistentContext(profile, {
      executablePath: CHROMIUM_PATH,
      headless: true,
      args: CHROMIUM_ARGS,
      timeout: timeoutMs,
      viewport: { width: 1200, height: 600 },
    });
    return {
      context,
      close: async () => {
        try {
          await context.close();
        } finally {
          rmSync(profile, { recursive: true, force: true });
        }
      },
    };
  } catch (error) {
    rmSync(profile, { recursive: true, force: true });
    throw error;
  }
}
