/**
 * The op cases' checks, Node side: each GPU result against the cpu result of the same case. Copies (the
 * paste, its gradient with integer upstream values) must be bit for bit the cpu's; a blend (MixUp) must
 * keep each unmixed sample's input bytes exactly (signalling NaNs too) and agree with the cpu within
 * float32 rounding elsewhere.
 */
import * as tf from '@tensorflow/tfjs-core';
// Registers tfjs's op gradients in Node, as a side effect (the probe page imports them itself).
import '@tensorflow/tfjs-layers';
import { BLENDS, OP_CASES, opCaseInputs, runOpCase, type OpCase, type OpResult } from './op_cases.js';

/** Every op case on the current (Node, cpu) backend. */
export async function cpuOpResults(): Promise<OpResult[]> {
  if (!(await tf.setBackend('cpu'))) throw new Error('node backend cpu failed to initialise');
  const results: OpResult[] = [];
  for (const c of OP_CASES) results.push(await runOpCase(c));
  return results;
}

function words(base64: string): { bits: Int32Array; values: Float32Array } {
  const bytes = Uint8Array.from(Buffer.from(base64, 'base64'));
  return { bits: new Int32Array(bytes.buffer), values: new Float32Array(bytes.buffer) };
}

/** Samples a blend leaves as they are: λ = 1, or paired with themselves. */
function unmixedSamples(r: OpResult): boolean[] {
  return r.lam.map((l, i) => l === 1 || r.partners[i] === i);
}

/** Float32 agreement of a blended element: equal, both NaN, or within a few ulps of the cpu's value. */
function close(a: number, b: number): boolean {
  if (Object.is(a, b) || (Number.isNaN(a) && Number.isNaN(b))) return true;
  return Number.isFinite(a) && Number.isFinite(b) && Math.abs(a - b) <= 4e-7 * Math.max(1, Math.abs(b));
}

/** What differs between a case's GPU result and its cpu result (empty: the same). */
export function opProblems(c: OpCase, gpu: OpResult | undefined, cpu: OpResult): string[] {
  if (cpu.error) return [`the cpu run itself failed: ${cpu.error}`];
  const unmixed = unmixedSamples(cpu);
  // A case must hold both kinds of sample, or it does not test what it is for.
  if (!unmixed.includes(true) || !unmixed.includes(false)) {
    return [`the case does not mix some samples and leave others (λ [${cpu.lam}], partners [${cpu.partners}])`];
  }
  if (!gpu) return ['no result from the page'];
  if (gpu.error) return [`threw: ${gpu.error}`];
  const problems: string[] = [];
  if (JSON.stringify([gpu.lam, gpu.partners, gpu.boxes]) !== JSON.stringify([cpu.lam, cpu.partners, cpu.boxes])) {
    problems.push(`plan differs: ${JSON.stringify([gpu.lam, gpu.partners, gpu.boxes])} vs cpu's`);
  }
  if (gpu.outputs.length !== cpu.outputs.length)
    problems.push(`${gpu.outputs.length} outputs vs ${cpu.outputs.length}`);
  const sampleSize = c.shape.slice(1).reduce((a, b) => a * b, 1);
  const blend = BLENDS.has(c.op);
  const gradient = c.op.startsWith('tf.grad');
  const input = new Int32Array(opCaseInputs(c).values.buffer);
  cpu.outputs.forEach((want, o) => {
    const got = gpu.outputs[o];
    if (!got) return;
    if (got.dtype !== want.dtype) problems.push(`output ${o}: dtype ${got.dtype} vs ${want.dtype}`);
    const [g, w] = [words(got.bytesBase64), words(want.bytesBase64)];
    if (g.bits.length !== w.bits.length)
      return problems.push(`output ${o}: ${g.bits.length} elements vs ${w.bits.length}`);
    const bad: number[] = [];
    for (let i = 0; i < w.bits.length; i++) {
      // A blend keeps each unmixed sample's input bytes: checked against the input itself, since the cpu
      // backend's where quiets signalling NaNs. Its gradient sums into every sample.
      const kept = blend && !gradient && unmixed[Math.floor(i / sampleSize)];
      if (kept ? g.bits[i] !== input[i] : blend ? !close(g.values[i], w.values[i]) : g.bits[i] !== w.bits[i]) {
        bad.push(i);
      }
    }
    if (bad.length > 0) {
      const i = bad[0];
      const sample = Math.floor(i / sampleSize);
      const kept = blend && !gradient && unmixed[sample];
      const want = kept
        ? `the input's 0x${(input[i] >>> 0).toString(16)}`
        : `cpu's 0x${(w.bits[i] >>> 0).toString(16)}`;
      problems.push(
        `output ${o}: ${bad.length} of ${w.bits.length} elements differ; first at ${i} (sample ${sample}, ` +
          `${kept ? 'unmixed' : 'mixed'}): 0x${(g.bits[i] >>> 0).toString(16)} (${g.values[i]}) vs ${want}`,
      );
    }
  });
  // A GPU's exp and log are not correctly rounded: the loss agrees to about 1e-6, not to the last bit.
  const lossOff = Math.abs((gpu.loss ?? NaN) - (cpu.loss ?? NaN));
  if (cpu.loss !== undefined && !(lossOff <= 1e-5 * Math.max(1, Math.abs(cpu.loss)))) {
    problems.push(`loss ${gpu.loss} vs cpu ${cpu.loss}`);
  }
  if (gpu.leaked !== 0) problems.push(`leaked ${gpu.leaked} tensors`);
  return problems;
}
