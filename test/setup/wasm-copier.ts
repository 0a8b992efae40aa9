import { ensureCopier } from '../../scripts/build-wasm.js';

/** vitest's global setup: the wasm copier's bytes exist and match copier.wat before any test imports src/. */
export default async function setup(): Promise<void> {
  await ensureCopier();
}
