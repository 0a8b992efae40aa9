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
  CHUNK_WORDS,
  WORKGROUP_SIZE,
  webgpuPastePlan,
} from '../../src/kernels/webgpu.js';
import { DATA_FORMATS, type DataFormat } from '../../src/common/layout.js';
import { referencePasteND } from '../browser/reference_nd.js';
import { interpretedWebGPU } from '../support/wgsl_device.js';

// The shader runs on a GPU only in a browser (test/browser); here: the plan, the program's shape, the
// plumbing, and the shipped WGSL source run by an interpreter (test/support/wgsl_device.ts).

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
 * The kernel that ships, end to end, on a device that interprets WGSL: plan buffer, uniforms, batch copy and
 * the program's own shader source (test/support/wgsl_device.ts).
 */
function runShippedKernel(
  values: Int32Array,
  shape: number[],
  dataFormat: DataFormat,
  partners: Int32Array,
  boxes: Int32Array,
  maxWorkgroups: number,
): Int32Array {
  const device = interpretedWebGPU(maxWorkgroups);
  const images = device.upload(values, shape, 'int32');
  const out = cutmixPasteWebGPU({
    inputs: { images },
    attrs: { partners, boxes, dataFormat },
    backend: device.backend,
  });
  return device.read(out);
}

describe('webgpuPastePlan and the shader’s arithmetic', () => {
  it('gives a self-paired sample and an empty box an all-zero row', () => {
    const g = pasteGeometry([3, 2, 4, 4], 'NCHW');
    const boxes = Int32Array.of(0, 1, 1, 1, 3, 3, 0, 0, 0, 1, 4, 4, 0, 2, 2, 1, 2, 3);
    const { plan, maxUnits } = webgpuPastePlan(g, Int32Array.of(1, 1, 0), boxes);
    expect(Array.from(plan)).toEqual([1, 5, 2, 1, 2, 2, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0]);
    expect(maxUnits).toBe(4); // 2 channels × 2 rows
  });

  it('splits long rows into chunks, one per thread, and dispatches one workgroup row per sample', () => {
    const full = pasteGeometry([2, 3, 224, 224], 'NCHW');
    const { maxUnits } = webgpuPastePlan(
      full,
      Int32Array.of(1, 0),
      Int32Array.of(0, 0, 0, 1, 224, 224, 0, 0, 0, 0, 0, 0),
    );
    expect(maxUnits).toBe(Math.ceil((3 * 224 * 224) / CHUNK_WORDS)); // one merged run, split
    expect(new CutmixPasteWebGPUProgram([64, 3, 224, 224], 3 * 160, 65535).dispatch).toEqual([
      Math.ceil(480 / WORKGROUP_SIZE),
      64,
      1,
    ]);
    expect(new CutmixPasteWebGPUProgram([5, 1, 2, 2], 0, 65535).dispatch).toEqual([1, 5, 1]);
    expect(new CutmixPasteWebGPUProgram([9, 1, 99, 99], 9801, 4).dispatch).toEqual([4, 4, 1]);
  });

  it('moves 4 words at a time only when every sample starts 16-byte aligned, and says so in its key', () => {
    const a = new CutmixPasteWebGPUProgram([8, 3, 32, 32], 1, 65535);
    const b = new CutmixPasteWebGPUProgram([8, 3, 5, 7], 1, 65535);
    expect([a.outputComponent, a.variableComponents, a.shaderKey]).toEqual([4, [4, 1], 'cutmixPaste_vec4']);
    expect([b.outputComponent, b.variableComponents, b.shaderKey]).toEqual([1, [1, 1], 'cutmixPaste_word']);
    // Nothing that varies per batch or per shape is in the source: one pipeline per dtype, rank and variant.
    expect(a.getUserCode()).toBe(new CutmixPasteWebGPUProgram([2, 1, 4, 4], 9, 65535).getUserCode());
    expect(a.getUserCode()).not.toBe(b.getUserCode());
  });

  it('every rank and layout: the shipped shader, interpreted, equals the element-wise reference', () => {
    const layout = fc.constantFrom(...DATA_FORMATS);
    const dims = fc.tuple(fc.integer({ min: 1, max: 4 }), fc.integer({ min: 1, max: 4 }));
    const spatial = fc.array(fc.integer({ min: 1, max: 8 }), { minLength: 3, maxLength: 3 });
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
            // Non-empty boxes (empty ones and self-pairs are the plan's all-zero rows, tested above).
            const [z1, y1, x1] = [next(d), next(h), next(w)];
            boxes.set([z1, y1, x1, z1 + 1 + next(d - z1), y1 + 1 + next(h - y1), x1 + 1 + next(w - x1)], s * BOX_INTS);
          }
          const values = Int32Array.from({ length: shape.reduce((a, b) => a * b) }, (_, i) => i + 1);
          const expected = referencePasteND(values, shape, partners, boxes, format);
          expect(Array.from(runShippedKernel(values, shape, format, partners, boxes, limit))).toEqual(
            Array.from(expected),
          );
        },
      ),
      { numRuns: 60 },
    );
  });
});

describe('the shipped shader on the paths a random case rarely takes', () => {
  const cases: [string, number[], DataFormat, number[], number[], number][] = [
    // Word by word: 15 words per sample, so samples are not 16-byte aligned.
    ['word by word', [3, 5, 3], 'NWC', [2, 0, 1], [0, 0, 1, 1, 1, 4, 0, 0, 0, 1, 1, 5, 0, 0, 2, 1, 1, 3], 65535],
    // vec4 (16 words per sample) with ragged ends on both sides of every row.
    [
      'vec4, ragged row ends',
      [3, 2, 2, 8],
      'NCHW',
      [2, 0, 1],
      [0, 0, 1, 1, 2, 7, 0, 1, 3, 1, 2, 6, 0, 0, 0, 1, 2, 8],
      65535,
    ],
    // A merged run of 3·1·700 words: split into chunks of CHUNK_WORDS, with a tail.
    ['a full box longer than a chunk', [2, 3, 700], 'NCW', [1, 0], [0, 0, 0, 1, 1, 700, 0, 0, 5, 1, 1, 650], 65535],
    // One workgroup per axis at most: threads and samples loop over the rest.
    [
      'dispatch limited to 1 × 1 workgroups',
      [5, 4, 3, 6, 2],
      'NDHWC',
      [4, 3, 2, 1, 0],
      [0, 1, 0, 3, 3, 2, 1, 0, 1, 4, 2, 6, 0, 0, 0, 4, 3, 6, 2, 1, 3, 3, 2, 5, 0, 0, 0, 0, 0, 0],
      1,
    ],
  ];
  it.each(cases)('%s', (_, shape, format, partners, boxList, limit) => {
    const boxes = Int32Array.from(boxList);
    const values = Int32Array.from({ length: shape.reduce((a, b) => a * b) }, (__, i) => i * 7 + 1);
    const expected = referencePasteND(values, shape, Int32Array.from(partners), boxes, format);
    expect(Array.from(runShippedKernel(values, shape, format, Int32Array.from(partners), boxes, limit))).toEqual(
      Array.from(expected),
    );
  });
});

describe('referencePasteND (the browser tests’ reference)', () => {
  it('moves float32 words unchanged: a signalling NaN pasted from the partner stays signalling', () => {
    const words = Uint32Array.of(0x7f800001, 0xff812345, 0, 0);
    const values = new Float32Array(words.buffer);
    const out = referencePasteND(
      values,
      [2, 1, 2],
      Int32Array.of(1, 0),
      Int32Array.of(0, 0, 0, 0, 0, 0, 0, 0, 0, 1, 1, 2),
      'NCW',
    );
    expect(Array.from(new Uint32Array(out.buffer))).toEqual([0x7f800001, 0xff812345, 0x7f800001, 0xff812345]);
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
