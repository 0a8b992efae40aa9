import { COPIER_WASM, COPIER_WASM_SHARED } from './copier.generated.js';

/** A box block in bytes, as copier.wat's functions take it (see `blockTable` in geometry.ts, less its start). */
type Block = [
  planes: number,
  planeStride: number,
  slices: number,
  sliceStride: number,
  rows: number,
  rowStride: number,
  run: number,
];

/** `copyBlock` (and `addBlock`) of copier.wat: one box block from `from` to `to` (bytes). */
export type BlockCopier = (from: number, to: number, ...block: Block) => void;

/** `zeroBlock` of copier.wat: one box block at `to` set to zero bytes. */
export type BlockZeroer = (to: number, ...block: Block) => void;

/** `pasteSample` of copier.wat: one output sample written in a single pass (bytes). */
export type SamplePaster = (
  own: number,
  partner: number,
  to: number,
  sampleBytes: number,
  start: number,
  ...block: Block
) => void;

/** The compiled copier's functions. */
export interface Copier {
  copyBlock: BlockCopier;
  /** Adds a box block of float32 into another (`copyBlock`'s arguments). */
  addBlock: BlockCopier;
  zeroBlock: BlockZeroer;
  pasteSample: SamplePaster;
}

const compiled = new WeakMap<WebAssembly.Memory, Copier | null>();

function decode(base64: string): Uint8Array<ArrayBuffer> {
  return Uint8Array.from(atob(base64), (ch) => ch.charCodeAt(0));
}

/**
 * The copier compiled against `memory`, once per memory; `null` when the engine refuses it (no SIMD or
 * bulk memory, a content security policy): the caller then copies in JavaScript, with the same result.
 */
export function copierFor(memory: WebAssembly.Memory): Copier | null {
  let copier = compiled.get(memory);
  if (copier === undefined) {
    const shared = typeof SharedArrayBuffer !== 'undefined' && memory.buffer instanceof SharedArrayBuffer;
    try {
      const module = new WebAssembly.Module(decode(shared ? COPIER_WASM_SHARED : COPIER_WASM));
      const { exports } = new WebAssembly.Instance(module, { env: { memory } });
      copier = {
        copyBlock: exports.copyBlock as BlockCopier,
        addBlock: exports.addBlock as BlockCopier,
        zeroBlock: exports.zeroBlock as BlockZeroer,
        pasteSample: exports.pasteSample as SamplePaster,
      };
    } catch {
      copier = null;
    }
    compiled.set(memory, copier);
  }
  return copier;
}
