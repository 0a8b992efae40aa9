/**
 * Exact comparison of two {@link CaseResult}s (λ, boxes, partners, output bytes, partner labels), with a
 * message that says where they first differ.
 */
import type { CaseResult } from '../../docs/demo/cases.js';

function decode(base64: string, dtype: string): Float32Array | Int32Array {
  const bytes = Uint8Array.from(Buffer.from(base64, 'base64'));
  return dtype === 'int32' ? new Int32Array(bytes.buffer) : new Float32Array(bytes.buffer);
}

/** First index where two equal-length byte strings (base64) differ as 32-bit elements, with a count. */
function elementDiff(a: string, b: string, dtype: string): string | undefined {
  if (a === b) return undefined;
  const x = decode(a, dtype);
  const y = decode(b, dtype);
  if (x.length !== y.length) return `${x.length} elements vs ${y.length}`;
  const bitsX = new Int32Array(x.buffer);
  const bitsY = new Int32Array(y.buffer);
  let first = -1;
  let count = 0;
  for (let i = 0; i < bitsX.length; i++) {
    if (bitsX[i] !== bitsY[i]) {
      if (first < 0) first = i;
      count++;
    }
  }
  return `${count} of ${x.length} elements differ; first at flat index ${first}: ${x[first]} vs ${y[first]}`;
}

/**
 * Every way `actual` differs from `expected`; an empty list means identical in every compared field.
 * `ms`, `backend` and `kernel` are not compared (they describe the run, not its result).
 */
export function compareResults(actual: CaseResult, expected: CaseResult): string[] {
  const problems: string[] = [];
  if (actual.dtype !== expected.dtype) problems.push(`dtype ${actual.dtype} vs ${expected.dtype}`);
  if (actual.shape.join() !== expected.shape.join()) problems.push(`shape [${actual.shape}] vs [${expected.shape}]`);
  if (actual.lam.join() !== expected.lam.join()) problems.push(`lam [${actual.lam}] vs [${expected.lam}]`);
  if (JSON.stringify(actual.boxes) !== JSON.stringify(expected.boxes)) {
    problems.push(`boxes ${JSON.stringify(actual.boxes)} vs ${JSON.stringify(expected.boxes)}`);
  }
  if (actual.partners.join() !== expected.partners.join()) {
    problems.push(`partners [${actual.partners}] vs [${expected.partners}]`);
  }
  if (problems.length === 0) {
    const bytes = elementDiff(actual.bytesBase64, expected.bytesBase64, actual.dtype);
    if (bytes) problems.push(`output bytes: ${bytes}`);
    const labels = elementDiff(actual.labelsBBase64, expected.labelsBBase64, 'int32');
    if (labels) problems.push(`labelsB: ${labels}`);
  }
  if (actual.leakedTensors !== 0) problems.push(`leaked ${actual.leakedTensors} tensors`);
  return problems;
}

/** The decoded output of a result, for checks against an independent reference. */
export function decodeOutput(result: CaseResult): Float32Array | Int32Array {
  return decode(result.bytesBase64, result.dtype);
}

/** The decoded partner labels (`labelsB`) of a result. */
export function decodeLabels(result: CaseResult): Int32Array {
  return decode(result.labelsBBase64, 'int32') as Int32Array;
}
