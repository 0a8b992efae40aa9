import * as tf from '@tensorflow/tfjs-core';
import fc from 'fast-check';
import { afterEach, beforeAll, expect, it, vi } from 'vitest';
import { applyCutmix, cutmixBatch } from '../../src/index.js';
import { pasteComposite } from '../../src/kernels/composite.js';
import { CUTMIX_PASTE_GRAD } from '../../src/kernels/names.js';
import { pasteGradOnHeap } from '../../src/kernels/wasm/kernel.js';
import type { BackendWasm } from '@tensorflow/tfjs-backend-wasm';
import { ensureKernelsRegistered } from '../../src/kernels/register.js';
import { DATA_FORMATS, type DataFormat } from '../../src/common/layout.js';
import { describeEachBackend } from '../support/backends.js';
import { arbPasteCase, attrsOf, flatBoxes, publicBox, shapeOf, type PasteCase } from '../support/kernels_cases.js';
import { pasteSources, routeGradient } from '../support/reference.js';

/** Upstream gradients that sum exactly in any order: small integers, never -0. */
const smallInts = (size: number, seed: number) =>
  Float32Array.from({ length: size }, (_, i) => ((i * 7 + seed * 13) % 17) - 8);

type GradPath = { name: string; run: (x: tf.Tensor, dy: tf.Tensor, cs: PasteCase) => tf.Tensor };

const GRAD_PATHS: GradPath[] = [
  {
    name: 'tf.grad through applyCutmix (registered kernel + gradient kernel)',
    run: (x, dy, cs) =>
      tf.grad((v: tf.Tensor) =>
        applyCutmix(v, { boxes: cs.boxes.map(publicBox), partners: cs.partners }, { dataFormat: cs.dataFormat }),
      )(x, dy),
  },
  {
    name: 'runKernel(CutmixPasteGrad)',
    run: (_x, dy, cs) =>
      tf.engine().runKernel(CUTMIX_PASTE_GRAD, { dy }, attrsOf(cs) as unknown as tf.NamedAttrMap) as tf.Tensor,
  },
  {
    // The wasm kernel without its compiled copier (engines that refuse it): JavaScript on heap views.
    name: 'pasteGradOnHeap without the copier (wasm only; elsewhere the kernel again)',
    run: (_x, dy, cs) =>
      tf.getBackend() === 'wasm'
        ? tf.engine().makeTensorFromTensorInfo(pasteGradOnHeap(tf.backend() as BackendWasm, dy, attrsOf(cs), null))
        : (tf.engine().runKernel(CUTMIX_PASTE_GRAD, { dy }, attrsOf(cs) as unknown as tf.NamedAttrMap) as tf.Tensor),
  },
  {
    name: 'tf.grad through the composite (scatterND gradient)',
    run: (x, dy, cs) =>
      tf.grad((v: tf.Tensor) => pasteComposite(v, cs.partners, flatBoxes(cs.boxes), cs.dataFormat))(x, dy),
  },
];

/** Equal as numbers, NaN matching NaN (arithmetic sets NaN payloads freely). */
function expectSameNumbers(actual: ArrayLike<number>, expected: ArrayLike<number>, what: string): void {
  expect(actual.length, what).toBe(expected.length);
  const same = (a: number, e: number) => (Number.isNaN(e) ? Number.isNaN(a) : a === e);
  let i = 0;
  while (i < actual.length && same(actual[i], expected[i])) i++;
  expect(i === actual.length ? 'same' : `element ${i}: ${actual[i]}, expected ${expected[i]}`, what).toBe('same');
}

/** Every gradient path on `cs` with upstream `dyValues` equals the independent routing. */
function checkGradients(cs: PasteCase, dyValues: Float32Array): void {
  const expected = routeGradient(pasteSources(cs.shape, cs.dataFormat, cs.partners, cs.boxes), dyValues);
  const x = tf.zeros(cs.shape);
  const dy = tf.tensor(dyValues, cs.shape);
  try {
    for (const path of GRAD_PATHS) {
      const dx = path.run(x, dy, cs);
      try {
        expect([dx.dtype, dx.shape], path.name).toEqual(['float32', cs.shape]);
        expectSameNumbers(dx.dataSync(), expected, path.name);
      } finally {
        dx.dispose();
      }
    }
  } finally {
    tf.dispose([x, dy]);
  }
}

/** Asymmetric partner maps: several samples share a partner, self-partners, a sample nobody picks. */
const ASYMMETRIC = Int32Array.of(0, 0, 1, 0, 4, 1);

function asymmetricCase(dataFormat: DataFormat): PasteCase {
  const spatial = [3, 4, 5].slice(5 - dataFormat.length);
  const box = (a: number) => ({ lo: spatial.map((s) => Math.min(a, s - 1)), hi: spatial.map((s) => s - (a % 2)) });
  return {
    dataFormat,
    dtype: 'float32',
    shape: shapeOf(dataFormat, 6, 2, spatial),
    partners: ASYMMETRIC,
    seed: 0,
    boxes: [box(0), box(0), box(1), { lo: spatial.map(() => 0), hi: spatial }, box(2), box(1)],
  };
}

beforeAll(ensureKernelsRegistered);
afterEach(() => {
  vi.restoreAllMocks();
}); // direct runKernel calls need the kernels before any paste

describeEachBackend('CutmixPasteGrad', () => {
  it.each(DATA_FORMATS)('%s: asymmetric partners, every path equals the reference routing exactly', (dataFormat) => {
    const cs = asymmetricCase(dataFormat);
    checkGradients(
      cs,
      smallInts(
        cs.shape.reduce((a, b) => a * b),
        3,
      ),
    );
  });

  it.each(DATA_FORMATS)('%s: random cases equal the reference routing exactly', (dataFormat) => {
    const arb = arbPasteCase(dataFormat, {
      maxN: 6,
      maxC: 3,
      maxSide: dataFormat.length === 3 ? 24 : 6,
      dtypes: ['float32'],
    });
    fc.assert(
      fc.property(arb, (cs) =>
        checkGradients(
          cs,
          smallInts(
            cs.shape.reduce((a, b) => a * b),
            cs.seed,
          ),
        ),
      ),
      { numRuns: 25 },
    );
  });

  it.each(DATA_FORMATS)('%s: a non-finite upstream value reaches only the elements it came from', (dataFormat) => {
    const cs = asymmetricCase(dataFormat);
    const size = cs.shape.reduce((a, b) => a * b);
    const sources = pasteSources(cs.shape, cs.dataFormat, cs.partners, cs.boxes);
    const dyValues = smallInts(size, 1);
    const inBox = sources.findIndex((s, i) => s !== i && i >= size / 2); // sample ≥ 3, routed to its partner
    const own = sources.findIndex((s, i) => s === i && i >= size / 6); // stays in its sample
    dyValues[inBox] = Infinity;
    dyValues[own] = NaN;
    dyValues[size - 1] = -Infinity;
    const expected = routeGradient(sources, dyValues);
    expect(expected.filter((v) => !Number.isFinite(v)).length).toBe(3); // the test's own premise
    checkGradients(cs, dyValues);
  });

  it('without a CutmixPasteGrad kernel, tf.grad through the kernel paste takes the composite gradient', () => {
    const backend = tf.getBackend();
    const config = tf.getKernel(CUTMIX_PASTE_GRAD, backend)!;
    const kernelFunc = vi.spyOn(config, 'kernelFunc');
    tf.unregisterKernel(CUTMIX_PASTE_GRAD, backend);
    try {
      for (const dataFormat of DATA_FORMATS) {
        const cs = asymmetricCase(dataFormat);
        const dyValues = smallInts(
          cs.shape.reduce((a, b) => a * b),
          2,
        );
        const expected = routeGradient(pasteSources(cs.shape, cs.dataFormat, cs.partners, cs.boxes), dyValues);
        const [x, dy] = [tf.zeros(cs.shape), tf.tensor(dyValues, cs.shape)];
        const dx = GRAD_PATHS[0].run(x, dy, cs);
        expectSameNumbers(dx.dataSync(), expected, dataFormat);
        tf.dispose([x, dy, dx]);
      }
    } finally {
      tf.registerKernel(config);
    }
    expect(kernelFunc).not.toHaveBeenCalled();
  });

  it('tf.grad through cutmixBatch (elem mode, injected partners) routes by the plan it returns', () => {
    const x = tf.zeros([6, 2, 5, 7]);
    const labels = tf.tensor1d([0, 1, 2, 3, 4, 5], 'int32');
    const dyValues = smallInts(6 * 2 * 5 * 7, 5);
    const dy = tf.tensor(dyValues, x.shape);
    let plan: { boxes: { y1: number; x1: number; y2: number; x2: number }[]; partners: Int32Array } | undefined;
    const dx = tf.grad((v: tf.Tensor) => {
      const out = cutmixBatch(v as tf.Tensor4D, labels, { seed: 4, mode: 'elem', partners: ASYMMETRIC });
      plan = out;
      return out.images;
    })(x, dy);
    expect(plan!.boxes.some((b) => b.y2 > b.y1 && b.x2 > b.x1)).toBe(true);
    const boxes = plan!.boxes.map((b) => ({ lo: [b.y1, b.x1], hi: [b.y2, b.x2] }));
    expectSameNumbers(
      dx.dataSync(),
      routeGradient(pasteSources(x.shape, 'NCHW', ASYMMETRIC, boxes), dyValues),
      'cutmixBatch',
    );
    tf.dispose([x, labels, dy, dx]);
  });

  it('time grows linearly in N (N×1×28×28, N = 256, 1024, 2048)', () => {
    const times = [256, 1024, 2048].map((n) => {
      const dy = tf.ones([n, 1, 28, 28]);
      try {
        const attrs = {
          partners: Int32Array.from({ length: n }, (_, i) => (i * 37 + 11) % n),
          boxes: Int32Array.from({ length: 6 * n }, (_, i) => [0, 4, 6, 1, 24, 20][i % 6]),
          dataFormat: 'NCHW',
        } as unknown as tf.NamedAttrMap;
        const once = () => {
          const start = performance.now();
          tf.dispose(tf.engine().runKernel(CUTMIX_PASTE_GRAD, { dy }, attrs));
          return performance.now() - start;
        };
        once();
        return Math.min(...Array.from({ length: 7 }, once)); // the least disturbed run
      } finally {
        dy.dispose();
      }
    });
    console.info(
      `gradient ms [${tf.getBackend()}]: N=256 ${times[0].toFixed(2)}, 1024 ${times[1].toFixed(2)}, 2048 ${times[2].toFixed(2)}`,
    );
    // Linear: 8 (more once 2048 samples outgrow the cache); quadratic: 64. Generous, for shared CI machines.
    expect(times[2] / times[0]).toBeLessThan(32);
  });
});
