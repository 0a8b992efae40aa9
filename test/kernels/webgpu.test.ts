import * as tf from '@tensorflow/tfjs-core';
import type { WebGPUBackend } from '@tensorflow/tfjs-backend-webgpu';
import fc from 'fast-check';
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { BOX_INTS, pasteGeometry } from '../../src/kernels/geometry.js';
import { CUTMIX_PASTE } from '../../src/kernels/names.js';
import {
  CutmixPasteWebGPUProgram,
  cutmixPasteWebGPU,
  cutmixPasteWebGPUConfig,
  PLAN_INTS,
  WORDS_PER_THREAD,
  WORKGROUP_SIZE,
  webgpuPastePlan,
} from '../../src/kernels/webgpu.js';
import { DATA_FORMATS, type DataFormat } from '../../src/layout.js';
import { referencePasteND } from '../browser/reference_nd.js';

// The shader runs only in a browser (test/browser); here: the plan, the program's shape, the plumbing,
// and the shader's index arithmetic replayed in JavaScript.

describe('webgpu kernel module', () => {
  it('registers nothing when imported and imports the backend for types only', () => {
    expect(tf.getKernel(CUTMIX_PASTE, 'webgpu')).toBeUndefined();
    expect(cutmixPasteWebGPUConfig).toMatchObject({ kernelName: CUTMIX_PASTE, backendName: 'webgpu' });
    expect(cutmixPasteWebGPUConfig.setupFunc).toBeUndefined();
    const source = readFileSync(new URL('../../src/kernels/webgpu.ts', import.meta.url), 'utf8');
    expect(source).toMatch(/^import type \{[^}]*\} from '@tensorflow\/tfjs-backend-webgpu';$/m);
    expect(source).not.toMatch(/^import (?!type\b)[^;]*'@tensorflow\/tfjs-backend-webgpu'/m);
  });
});

/**
 * What the WGSL `main` does, step for step: every (thread, sample) pair walks its words of the sample's
 * box. Returns the output a batch copy plus the box pass gives.
 */
function replayShader(
  values: Int32Array,
  shape: number[],
  dataFormat: DataFormat,
  partners: Int32Array,
  boxes: Int32Array,
  maxWorkgroups: number,
): Int32Array {
  const g = pasteGeometry(shape, dataFormat);
  const { plan, maxWords } = webgpuPastePlan(g, partners, boxes);
  const [groupsX, groupsY] = new CutmixPasteWebGPUProgram(shape, maxWords, maxWorkgroups).dispatch;
  const unit = g.channelsLast ? g.c : 1;
  const [planeStride, sliceStride, rowStride] = [g.d * g.h * g.w, g.h * g.w * unit, g.w * unit];
  const out = values.slice();
  const boxOffset = (start: number, line: number, slices: number, rows: number) => {
    const rest = Math.trunc(line / rows);
    return start + Math.trunc(rest / slices) * planeStride + (rest % slices) * sliceStride + (line % rows) * rowStride;
  };
  const stride = groupsX * WORKGROUP_SIZE * WORDS_PER_THREAD;
  for (let thread = 0; thread < groupsX * WORKGROUP_SIZE; thread++) {
    for (let y = 0; y < groupsY; y++) {
      for (let s = y; s < g.n; s += groupsY) {
        const [partner, start, planes, slices, rows, run] = plan.subarray(s * PLAN_INTS, (s + 1) * PLAN_INTS);
        const words = planes * slices * rows * run;
        for (let first = thread * WORDS_PER_THREAD; first < words; first += stride) {
          let line = Math.trunc(first / run);
          let col = first - line * run;
          let at = boxOffset(start, line, slices, rows) + col;
          for (let k = first; k < Math.min(first + WORDS_PER_THREAD, words); k++) {
            out[s * g.sampleSize + at] = values[partner * g.sampleSize + at];
            col++;
            at++;
            if (col === run) {
              col = 0;
              line++;
              at = boxOffset(start, line, slices, rows);
            }
          }
        }
      }
    }
  }
  return out;
}

describe('webgpuPastePlan and the shader’s arithmetic', () => {
  it('gives a self-paired sample and an empty box an all-zero row', () => {
    const g = pasteGeometry([3, 2, 4, 4], 'NCHW');
    const boxes = Int32Array.of(0, 1, 1, 1, 3, 3, 0, 0, 0, 1, 4, 4, 0, 2, 2, 1, 2, 3);
    const { plan, maxWords } = webgpuPastePlan(g, Int32Array.of(1, 1, 0), boxes);
    expect(Array.from(plan)).toEqual([1, 5, 2, 1, 2, 2, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0]);
    expect(maxWords).toBe(8);
  });

  it('dispatches one workgroup row per sample and enough columns for the largest box, within the limit', () => {
    expect(new CutmixPasteWebGPUProgram([64, 3, 224, 224], 3 * 224 * 224, 65535).dispatch).toEqual([
      Math.ceil((3 * 224 * 224) / (WORKGROUP_SIZE * WORDS_PER_THREAD)),
      64,
      1,
    ]);
    expect(new CutmixPasteWebGPUProgram([5, 1, 2, 2], 0, 65535).dispatch).toEqual([1, 5, 1]);
    expect(new CutmixPasteWebGPUProgram([9, 1, 99, 99], 9801, 4).dispatch).toEqual([4, 4, 1]);
  });

  it('every rank and layout: the replayed shader equals the element-wise reference', () => {
    const layout = fc.constantFrom(...DATA_FORMATS);
    const dims = fc.tuple(fc.integer({ min: 1, max: 4 }), fc.integer({ min: 1, max: 3 }));
    const spatial = fc.array(fc.integer({ min: 1, max: 6 }), { minLength: 3, maxLength: 3 });
    fc.assert(
      fc.property(
        layout,
        dims,
        spatial,
        fc.integer({ min: 1, max: 3 }),
        fc.nat(),
        (format, [n, c], sizes, limit, seed) => {
          const spatialSizes = sizes.slice(3 - (format.length - 2));
          const shape = format.endsWith('C') ? [n, ...spatialSizes, c] : [n, c, ...spatialSizes];
          const [d, h, w] = [1, 1, ...spatialSizes].slice(-3);
          let state = seed;
          const next = (k: number) => {
            state = (Math.imul(state, 1103515245) + 12345) >>> 0;
            return (state >>> 8) % k;
          };
          const partners = Int32Array.from({ length: n }, () => next(n));
          const boxes = new Int32Array(n * BOX_INTS);
          for (let s = 0; s < n; s++) {
            const [z1, y1, x1] = [next(d + 1), next(h + 1), next(w + 1)];
            boxes.set([z1, y1, x1, z1 + next(d - z1 + 1), y1 + next(h - y1 + 1), x1 + next(w - x1 + 1)], s * BOX_INTS);
          }
          const values = Int32Array.from({ length: shape.reduce((a, b) => a * b) }, (_, i) => i + 1);
          const expected = referencePasteND(values, shape, partners, boxes, format);
          expect(Array.from(replayShader(values, shape, format, partners, boxes, limit))).toEqual(Array.from(expected));
        },
      ),
    );
  });
});

describe('cutmixPasteWebGPU', () => {
  /** A stand-in for the webgpu backend that records what the kernel asks of it, in order. */
  function fakeBackend(fail = false) {
    const log: string[] = [];
    const images = { dataId: { name: 'images' }, shape: [2, 3, 4, 2], dtype: 'int32' as const };
    let made = 0;
    const name = (info: unknown) => (info as { dataId: { name: string } }).dataId.name;
    const backend = {
      device: {
        limits: { maxComputeWorkgroupsPerDimension: 65535 },
        createCommandEncoder: () => ({
          copyBufferToBuffer: (from: string, a: number, to: string, b: number, bytes: number) =>
            log.push(`copy ${from}@${a} → ${to}@${b}, ${bytes} bytes`),
          finish: () => 'commands',
        }),
      },
      queue: { submit: (list: unknown[]) => log.push(`queue.submit ${list.join()}`) },
      tensorMap: { get: (id: { name: string }) => ({ resource: `buffer of ${id.name}` }) },
      makeTensorInfo(shape: number[], dtype: string, values?: Int32Array) {
        const dataId = { name: values ? 'plan' : `out${made++}` };
        log.push(`make ${dataId.name} [${shape}] ${dtype}${values ? ` ${Array.from(values)}` : ''}`);
        return { dataId, shape, dtype };
      },
      uploadToGPU: (id: { name: string }) => log.push(`upload ${id.name}`),
      ensureCommandEncoderReady: () => log.push('ensureCommandEncoderReady'),
      endComputePassEncoder: () => log.push('endComputePassEncoder'),
      submitQueue: () => log.push('submitQueue'),
      runWebGPUProgram(
        program: CutmixPasteWebGPUProgram,
        inputs: unknown[],
        dtype: string,
        uniforms: { data: number[] }[],
        output: unknown,
      ) {
        const what = `[${inputs.map(name)}] ${dtype} uniforms ${uniforms.map((u) => u.data[0])}`;
        log.push(`run ${program.constructor.name} ${program.dispatch} ${what} → ${name(output)}`);
        if (fail) throw new Error('device lost');
        return output;
      },
      disposeData: (id: { name: string }) => log.push(`dispose ${id.name}`),
    };
    return { backend: backend as unknown as WebGPUBackend, log, images };
  }

  const attrs = {
    partners: Int32Array.of(1, 0),
    boxes: Int32Array.of(0, 1, 0, 1, 3, 1, 0, 0, 0, 0, 0, 0),
    dataFormat: 'NHWC' as const,
  };

  it('copies the batch after tfjs’s recorded work, then runs the box pass into the same output', () => {
    const { backend, log, images } = fakeBackend();
    const out = cutmixPasteWebGPU({ inputs: { images }, attrs, backend });
    expect(out.shape).toEqual([2, 3, 4, 2]);
    expect(log).toEqual([
      'make out0 [2,3,4,2] int32',
      'make plan [12] int32 1,8,1,1,2,2,0,0,0,0,0,0',
      'upload images',
      'upload out0',
      'ensureCommandEncoderReady',
      'endComputePassEncoder',
      'submitQueue',
      'copy buffer of images@0 → buffer of out0@0, 192 bytes',
      'queue.submit commands',
      'run CutmixPasteWebGPUProgram 1,2,1 [images,plan] int32 uniforms 2,24,12,24,8 → out0',
      'dispose plan',
    ]);
  });

  it('disposes the plan and the output when the pass fails', () => {
    const { backend, log, images } = fakeBackend(true);
    expect(() => cutmixPasteWebGPU({ inputs: { images }, attrs, backend })).toThrow('device lost');
    expect(log.slice(-2)).toEqual(['dispose out0', 'dispose plan']);
  });
});
