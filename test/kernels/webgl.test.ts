import * as tf from '@tensorflow/tfjs-core';
import type { MathBackendWebGL } from '@tensorflow/tfjs-backend-webgl';
import { readdirSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { DATA_FORMATS } from '../../src/common/layout.js';
import { CUTMIX_PASTE } from '../../src/kernels/names.js';
import {
  CutmixPasteProgram,
  cutmixPastePlan,
  cutmixPasteWebGL,
  cutmixPasteWebGLConfig,
  uniformPlan,
} from '../../src/kernels/webgl.js';
import { referencePasteND } from '../browser/reference_nd.js';
import { evaluateGlsl } from '../support/glsl_eval.js';

// The program runs on a GPU only in a browser (tested there on every layout); here: its shape, its
// inputs, its plumbing, and its GLSL evaluated element by element (test/support/glsl_eval.ts).

describe('webgl kernel module', () => {
  it('registers nothing when imported', () => {
    expect(tf.getKernel(CUTMIX_PASTE, 'webgl')).toBeUndefined();
    expect(cutmixPasteWebGLConfig).toMatchObject({ kernelName: CUTMIX_PASTE, backendName: 'webgl' });
  });

  it('no kernel file imports a backend package at run time (type-only imports)', () => {
    const dir = fileURLToPath(new URL('../../src/kernels/', import.meta.url));
    for (const file of readdirSync(dir).filter((f) => f.endsWith('.ts'))) {
      const source = readFileSync(dir + file, 'utf8');
      const runtime = source.match(/^import\s+(?!type\b)[^;]*from\s+'@tensorflow\/tfjs-backend-[^']+'/gm);
      expect(runtime, file).toBeNull();
    }
  });
});

describe('CutmixPasteProgram', () => {
  it('reads images, and the plan from uniforms or a texture, and writes the batch shape', () => {
    const shape = [8, 3, 32, 32];
    const program = new CutmixPasteProgram(shape, 'NCHW', 'uniforms');
    expect(program.variableNames).toEqual(['images']);
    expect(program.customUniforms).toEqual([
      { name: 'boxLow', arrayIndex: 8, type: 'ivec4' },
      { name: 'boxHigh', arrayIndex: 8, type: 'ivec4' },
    ]);
    expect(program.outputShape).toEqual(shape);
    expect(program.outputShape).not.toBe(shape);
    const textured = new CutmixPasteProgram(shape, 'NCHW', 'texture');
    expect(textured.variableNames).toEqual(['images', 'plan']);
    expect(textured.customUniforms).toBeUndefined();
  });

  it.each(DATA_FORMATS)(
    '%s: the program, evaluated element by element, is the paste (plan in uniforms and in a texture)',
    (format) => {
      fc.assert(
        fc.property(
          fc.integer({ min: 1, max: 4 }),
          fc.integer({ min: 1, max: 3 }),
          fc.array(fc.integer({ min: 1, max: 5 }), { minLength: 3, maxLength: 3 }),
          fc.nat(),
          (n, c, sizes, seed) => {
            const spatial = sizes.slice(5 - format.length);
            const shape = format.endsWith('C') ? [n, ...spatial, c] : [n, c, ...spatial];
            const [d, h, w] = [1, 1, ...spatial].slice(-3);
            let state = seed;
            const next = (k: number) => ((state = (Math.imul(state, 1103515245) + 12345) >>> 0) >>> 8) % k;
            const partners = Int32Array.from({ length: n }, () => next(n));
            const boxes = new Int32Array(6 * n);
            for (let s = 0; s < n; s++) {
              const lo = [next(d), next(h), next(w)];
              boxes.set(
                [...lo, lo[0] + 1 + next(d - lo[0]), lo[1] + 1 + next(h - lo[1]), lo[2] + 1 + next(w - lo[2])],
                6 * s,
              );
            }
            if (n > 1) boxes.fill(0, 0, 6); // one empty box
            const values = Float32Array.from({ length: shape.reduce((a, b) => a * b) }, (_, i) => i + 1);
            const expected = Array.from(referencePasteND(values, shape, partners, boxes, format));
            const images = { values, shape };
            const [low, high] = uniformPlan(partners, boxes);
            const viaUniforms = evaluateGlsl(new CutmixPasteProgram(shape, format, 'uniforms').userCode, {
              shape,
              inputs: { images },
              uniforms: { boxLow: { values: low, width: 4 }, boxHigh: { values: high, width: 4 } },
            });
            const plan = { values: Float32Array.from(cutmixPastePlan(partners, boxes)), shape: [n, 7] };
            const viaTexture = evaluateGlsl(new CutmixPasteProgram(shape, format, 'texture').userCode, {
              shape,
              inputs: { images, plan },
            });
            expect(viaUniforms).toEqual(expected);
            expect(viaTexture).toEqual(expected);
          },
        ),
        { numRuns: 40 },
      );
    },
  );

  it('the evaluator runs what it is given: a rewrite that is not the paste differs from it', () => {
    const shape = [2, 1, 3, 3];
    const values = Array.from({ length: 18 }, (_, i) => i);
    const [low, high] = uniformPlan(Int32Array.of(1, 0), Int32Array.of(0, 0, 0, 1, 2, 2, 0, 1, 1, 1, 3, 3));
    const run = (code: string) =>
      evaluateGlsl(code, {
        shape,
        inputs: { images: { values, shape } },
        uniforms: { boxLow: { values: low, width: 4 }, boxHigh: { values: high, width: 4 } },
      });
    const code = new CutmixPasteProgram(shape, 'NCHW', 'uniforms').userCode;
    const rewritten = code.replace('lessThan(p, high.xyz)', 'lessThanEqual(p, high.xyz)');
    expect(rewritten).not.toBe(code);
    expect(run(rewritten)).not.toEqual(run(code));
    // An equivalent rewrite (the comparison turned around) evaluates the same.
    expect(run(code.replace('lessThan(p, high.xyz)', 'greaterThan(high.xyz, p)'))).toEqual(run(code));
  });

  it('has source that depends only on the rank and layout, so tfjs compiles it once per batch shape', () => {
    for (const source of ['uniforms', 'texture'] as const) {
      const a = new CutmixPasteProgram([64, 3, 224, 224], 'NCHW', source);
      const b = new CutmixPasteProgram([16, 1, 28, 28], 'NCHW', source);
      expect(a.userCode).toBe(b.userCode);
      expect(a.userCode).not.toMatch(/\d{2,}/); // no sizes or box coordinates baked in
      const c = new CutmixPasteProgram([2, 3, 4, 5, 6], 'NCDHW', source);
      expect(c.userCode).toBe(new CutmixPasteProgram([9, 1, 7, 7, 7], 'NCDHW', source).userCode);
    }
  });
});

describe('plans', () => {
  const partners = Int32Array.of(2, 0, 1);
  const boxes = Int32Array.of(0, 1, 2, 1, 3, 4, 0, 0, 0, 0, 0, 0, 2, 5, 6, 3, 7, 8);

  it('cutmixPastePlan packs partner, z1, y1, x1, z2, y2, x2 per sample', () => {
    const plan = cutmixPastePlan(partners, boxes);
    expect(Array.from(plan)).toEqual([2, 0, 1, 2, 1, 3, 4, 0, 0, 0, 0, 0, 0, 0, 1, 2, 5, 6, 3, 7, 8]);
  });

  it('uniformPlan splits them into (partner, z1, y1, x1) and (z2, y2, x2, 0)', () => {
    expect(uniformPlan(partners, boxes)).toEqual([
      [2, 0, 1, 2, 0, 0, 0, 0, 1, 2, 5, 6],
      [1, 3, 4, 0, 0, 0, 0, 0, 3, 7, 8, 0],
    ]);
  });
});

describe('cutmixPasteWebGL', () => {
  /** A stand-in for the webgl backend that records what the kernel asks of it. */
  function fakeBackend(uniformVectors: number, fail = false) {
    const log: string[] = [];
    const planInfo = { dataId: {}, shape: [] as number[], dtype: 'int32' as const };
    const gl = { MAX_FRAGMENT_UNIFORM_VECTORS: 0x8dfd, getParameter: () => uniformVectors };
    const backend = {
      gpgpu: { gl },
      makeTensorInfo(shape: number[], dtype: string, values: Int32Array) {
        log.push(`make ${shape} ${dtype} ${Array.from(values)}`);
        planInfo.shape = shape;
        return planInfo;
      },
      runWebGLProgram(program: CutmixPasteProgram, inputs: unknown[], dtype: string, uniforms?: number[][]) {
        const what = inputs.map((i) => (i === planInfo ? 'plan' : 'images')).join();
        log.push(`run [${what}] ${program.outputShape} ${dtype}${uniforms ? ` ${JSON.stringify(uniforms)}` : ''}`);
        if (fail) throw new Error('lost context');
        return { dataId: {}, shape: program.outputShape, dtype };
      },
      disposeIntermediateTensorInfo(info: unknown) {
        log.push(`dispose ${info === planInfo ? 'plan' : 'other'}`);
      },
    };
    return { backend: backend as unknown as MathBackendWebGL, log };
  }

  const images = { dataId: {}, shape: [2, 1, 3, 3], dtype: 'int32' as const };
  const attrs = {
    partners: Int32Array.of(1, 0),
    boxes: Int32Array.of(0, 0, 0, 1, 2, 2, 0, 1, 1, 1, 3, 3),
    dataFormat: 'NCHW' as const,
  };

  it('passes the plan in uniforms when the context has room for it', () => {
    const { backend, log } = fakeBackend(224);
    const out = cutmixPasteWebGL({ inputs: { images }, attrs, backend });
    expect(out.shape).toEqual([2, 1, 3, 3]);
    expect(log).toEqual(['run [images] 2,1,3,3 int32 [[1,0,0,0,0,0,1,1],[1,2,2,0,1,3,3,0]]']);
  });

  it('still uses the uniforms when the plan fills the space exactly (2 × 2 vectors + 32 reserved = 36)', () => {
    const { backend, log } = fakeBackend(36);
    cutmixPasteWebGL({ inputs: { images }, attrs, backend });
    expect(log).toEqual(['run [images] 2,1,3,3 int32 [[1,0,0,0,0,0,1,1],[1,2,2,0,1,3,3,0]]']);
  });

  it('uploads the plan as a texture, and disposes it, when the batch is too large for the uniforms', () => {
    const { backend, log } = fakeBackend(35); // 2 × 2 vectors + 32 reserved > 35
    cutmixPasteWebGL({ inputs: { images }, attrs, backend });
    expect(log).toEqual([
      'make 2,7 int32 1,0,0,0,1,2,2,0,0,1,1,1,3,3',
      'run [images,plan] 2,1,3,3 int32',
      'dispose plan',
    ]);
  });

  it('disposes the plan texture even when the program fails', () => {
    const { backend, log } = fakeBackend(0, true);
    expect(() => cutmixPasteWebGL({ inputs: { images }, attrs, backend })).toThrow('lost context');
    expect(log.at(-1)).toBe('dispose plan');
  });
});
