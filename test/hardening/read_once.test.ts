import * as tf from '@tensorflow/tfjs-core';
import { expect, it } from 'vitest';
import {
  CutMix,
  applyCutmix,
  cutmixBatch,
  cutmixObjects,
  mixTargets,
  mixupBatch,
  mixupOrCutmix,
  randBbox,
  randBox,
  sampleLambda,
  seededRng,
} from '../../src/index.js';
import { cutmixDataset } from '../../src/data.js';
import { describeEachBackend, expectThrowsNoLeak } from '../support/backends.js';

/**
 * Wraps user values so every read is counted: plain objects become objects of getters (behind a Proxy that
 * counts key listings), arrays become Proxies counting `length` and index reads. A getter returns its value
 * on the first read and the string 'changed' after, so a second read would also change the result.
 */
function tracker() {
  const counts: Record<string, number> = {};
  const bump = (path: string) => (counts[path] = (counts[path] ?? 0) + 1);
  const wrap = (value: unknown, path = 'options'): unknown => {
    if (Array.isArray(value)) {
      const items = value.map((v, i) => wrap(v, `${path}[${i}]`));
      return new Proxy(items, {
        get: (t, k, r) => (
          typeof k === 'string' && (k === 'length' || /^\d+$/.test(k)) ? bump(`${path}.${k}`) : 0,
          Reflect.get(t, k, r)
        ),
      });
    }
    if (value === null || typeof value !== 'object' || value instanceof tf.Tensor || ArrayBuffer.isView(value))
      return value;
    const target = {};
    for (const [k, v] of Object.entries(value)) {
      const inner = wrap(v, `${path}.${k}`);
      Object.defineProperty(target, k, {
        enumerable: true,
        get: () => (bump(`${path}.${k}`) === 1 ? inner : 'changed'),
      });
    }
    return new Proxy(target, { ownKeys: (t) => (bump(`${path} keys`), Reflect.ownKeys(t)) });
  };
  return { wrap: <T>(value: T, path?: string) => wrap(value, path) as T, counts };
}

type Wrap = <T>(value: T, path?: string) => T;

/** A result as plain data (tensors summed, then disposed). */
function plain(r: unknown): unknown {
  if (r instanceof tf.Tensor) {
    const values = Array.from(r.dataSync());
    r.dispose();
    return values;
  }
  if (Array.isArray(r)) return r.map(plain);
  if (ArrayBuffer.isView(r)) return Array.from(r as Float32Array);
  if (r && typeof r === 'object') return Object.fromEntries(Object.entries(r).map(([k, v]) => [k, plain(v)]));
  return r;
}

const N = 4;
const BOX = { y1: 1, x1: 0, y2: 4, x2: 3 };
const objects = [[{ y1: 0, x1: 0, y2: 4, x2: 4, cls: 'a' }], [], [{ y1: 2, x1: 2, y2: 6, x2: 6 }], []];

function entryPoints(x: tf.Tensor, y: tf.Tensor, masks: tf.Tensor): [string, (w: Wrap) => unknown][] {
  const rng = () => seededRng(5);
  const mapped = (options: object, element: object) => {
    let mapper: ((e: object) => object) | undefined;
    cutmixDataset({ map: (f: typeof mapper) => ((mapper = f), {}) } as never, options);
    return [plain(mapper!(element)), plain(mapper!(element))];
  };
  return [
    [
      'cutmixBatch (sampling)',
      (w) =>
        cutmixBatch(
          x,
          y,
          w({
            alpha: 0.5,
            rng: rng(),
            mode: 'elem',
            partner: 'roll',
            prob: 0.9,
            dataFormat: 'NCHW',
            placement: 'inside',
            correctLam: false,
          }),
        ),
    ],
    [
      'cutmixBatch (injected)',
      (w) =>
        cutmixBatch(
          x,
          y,
          w({
            seed: 1,
            lam: [0.2, 0.4, 0.6, 0.8],
            box: [BOX, BOX, BOX, BOX],
            correctLam: false,
            partners: [1, 2, 3, 0],
          }),
        ),
    ],
    ['cutmixBatch (ratioMinMax)', (w) => cutmixBatch(x, y, w({ seed: 1, ratioMinMax: [0.2, 0.5] }))],
    [
      'mixupBatch',
      (w) =>
        mixupBatch(x, y, w({ alpha: 0.5, rng: rng(), mode: 'elem', partner: 'roll', prob: 0.9, dataFormat: 'NCHW' })),
    ],
    [
      'mixupBatch (injected)',
      (w) => mixupBatch(x, y, w({ seed: 1, lam: [0.2, 0.4, 0.6, 0.8], partners: [1, 2, 3, 0] })),
    ],
    [
      'mixupOrCutmix',
      (w) =>
        mixupOrCutmix(
          x,
          y,
          w({
            switchProb: 0.5,
            mixupAlpha: 0.4,
            cutmixAlpha: 2,
            rng: rng(),
            mode: 'elem',
            partner: 'flip',
            prob: 0.9,
            dataFormat: 'NCHW',
            placement: 'inside',
            correctLam: false,
          }),
        ),
    ],
    [
      'mixupOrCutmix (partners)',
      (w) => mixupOrCutmix(x, y, w({ seed: 2, partners: [3, 2, 1, 0], ratioMinMax: [0.3, 0.6], switchProb: 1 })),
    ],
    [
      'CutMix',
      (w) => {
        const c = new CutMix(
          w({
            alpha: 0.5,
            rng: rng(),
            mode: 'pair',
            partner: 'flip',
            prob: 0.9,
            dataFormat: 'NCHW',
            placement: 'inside',
            correctLam: false,
            training: true,
            minVisible: 0.2,
          }),
        );
        return [plain(c.mix(x, y)), plain(c.mix(x, y))];
      },
    ],
    [
      'CutMix (injected)',
      (w) => {
        const c = new CutMix(w({ seed: 1, lam: 0.3, box: BOX, correctLam: false, partners: [1, 2, 3, 0] }));
        return [plain(c.mix(x, y)), plain(c.mix(x, y))];
      },
    ],
    ['CutMix.mix', (w) => new CutMix({ seed: 3 }).mix(x, y, w({ training: true, masks, objects }))],
    [
      'cutmixDataset',
      (w) =>
        mapped(
          w({
            alpha: 0.5,
            rng: rng(),
            mode: 'elem',
            partner: 'roll',
            prob: 0.9,
            dataFormat: 'NCHW',
            placement: 'inside',
            correctLam: false,
            numClasses: 4,
            labelSmoothing: 0.1,
            alsoCut: ['masks'],
            minVisible: 0.2,
          }),
          { xs: x, ys: y, masks },
        ),
    ],
    [
      'cutmixDataset (seed)',
      (w) => mapped(w({ seed: 4, ratioMinMax: [0.2, 0.5], dataFormat: 'NCHW', numClasses: 4 }), { xs: x, ys: y }),
    ],
    ['mixTargets', (w) => mixTargets(y, y, w([0.1, 0.2, 0.3, 0.4], 'lam'), w({ numClasses: 4, labelSmoothing: 0.1 }))],
    [
      'applyCutmix',
      (w) =>
        applyCutmix(
          masks,
          w({ boxes: [BOX, BOX, BOX, BOX], partners: Int32Array.of(1, 2, 3, 0) }, 'plan'),
          w({ dataFormat: 'NCHW' as const }),
        ),
    ],
    [
      'randBox',
      (w) => randBox(w([6, 6, 6], 'spatialShape'), 0.5, rng(), w({ placement: 'inside', ratioMinMax: [0.2, 0.5] })),
    ],
    ['randBbox', (w) => randBbox(6, 6, 0.5, rng(), w({ placement: 'inside', ratioMinMax: [0.2, 0.5] }))],
    [
      'cutmixObjects',
      (w) =>
        cutmixObjects(
          w(objects, 'objects'),
          w({ boxes: [BOX, BOX, BOX, BOX], partners: Int32Array.of(1, 2, 3, 0) }, 'plan'),
          w({ minVisible: 0.2 }),
        ),
    ],
  ];
}

describeEachBackend('every entry point reads each user value exactly once', () => {
  const names = entryPoints(undefined as never, undefined as never, undefined as never).map(([name]) => name);
  it.each(names)('%s', (name) => {
    const x = tf.randomUniform([N, 1, 6, 6], 0, 1, 'float32', 1);
    const y = tf.tensor1d([0, 1, 2, 3], 'int32');
    const masks = tf.randomUniform([N, 1, 6, 6], 0, 1, 'float32', 2);
    try {
      const call = entryPoints(x, y, masks).find(([n]) => n === name)![1];
      const expected = plain(call((v) => v));
      const { wrap, counts } = tracker();
      const got = plain(call(wrap));
      expect(Object.keys(counts).length).toBeGreaterThan(0);
      expect(Object.entries(counts).filter(([, c]) => c !== 1)).toEqual([]);
      expect(got).toEqual(expected);
    } finally {
      tf.dispose([x, y, masks]);
    }
  });

  it('a box whose getter changes between reads cannot reach the kernel (issue 9 defect 8)', () => {
    const sneaky = () => {
      let reads = 0;
      return Object.defineProperties(
        { y1: 0, x1: 0, x2: 2 },
        { y2: { enumerable: true, get: () => (++reads === 1 ? 2 : 1e6) } },
      );
    };
    const x = tf.tidy(() => tf.reshape(tf.range(0, 2 * 16, 1, 'float32'), [2, 1, 4, 4]));
    const y = tf.tensor1d([0, 1], 'int32');
    const expected = applyCutmix(x, {
      boxes: [
        { y1: 0, x1: 0, y2: 2, x2: 2 },
        { y1: 0, x1: 0, y2: 2, x2: 2 },
      ],
      partners: Int32Array.of(1, 0),
    });
    const batch = cutmixBatch(x, y, { box: sneaky(), partners: [1, 0] });
    const adapter = new CutMix({ box: sneaky(), partners: [1, 0] });
    const outputs = [
      batch.images,
      applyCutmix(x, { boxes: [sneaky(), sneaky()], partners: Int32Array.of(1, 0) }),
      adapter.mix(x, y).images,
    ];
    const want = Array.from(expected.dataSync());
    const got = outputs.map((out) => Array.from(out.dataSync()));
    // The backend is still sound afterwards: a fresh op computes correctly.
    const after = tf.add(x, 1);
    const fresh = Array.from(after.dataSync().slice(0, 3));
    adapter.dispose();
    tf.dispose([x, y, expected, after, batch.labelsA, batch.labelsB, ...outputs]);
    for (const g of got) expect(g).toEqual(want);
    expect(fresh).toEqual([1, 2, 3]);
  });
});

describeEachBackend('nothing is drawn before every argument is checked', () => {
  /** A seeded rng that counts its draws. */
  const counting = () => {
    const inner = seededRng(1);
    const rng = Object.assign(() => (rng.draws++, inner()), { draws: 0 });
    return rng;
  };
  const mapper = (options: object) => {
    let f: ((e: object) => unknown) | undefined;
    cutmixDataset({ map: (g: typeof f) => ((f = g), {}) } as never, options);
    return f!;
  };
  const cases: [string, (rng: () => number, t: Record<string, tf.Tensor>) => unknown, string][] = [
    ['cutmixBatch: bad labels', (rng, t) => cutmixBatch(t.x, t.half, { rng }), 'Error in cutmixBatch: labels[1]'],
    [
      'cutmixBatch: bad partners',
      (rng, t) => cutmixBatch(t.x, t.y, { rng, partners: [0, 1] }),
      'Error in cutmixBatch: options.partners.length',
    ],
    [
      'cutmixBatch: box outside',
      (rng, t) => cutmixBatch(t.x, t.y, { rng, box: { y1: 0, x1: 0, y2: 9, x2: 1 } }),
      'Error in cutmixBatch: options.box',
    ],
    [
      'cutmixBatch: lam per sample',
      (rng, t) => cutmixBatch(t.x, t.y, { rng, lam: [0.5] }),
      'Error in cutmixBatch: options.lam.length',
    ],
    ['mixupBatch: int32 images', (rng, t) => mixupBatch(t.xi, t.y, { rng }), 'Error in mixupBatch: images.dtype'],
    [
      'mixupOrCutmix: bad option after rng',
      (rng, t) => mixupOrCutmix(t.x, t.y, { rng, cutmixAlpha: -1 }),
      'Error in mixupOrCutmix: options.cutmixAlpha',
    ],
    [
      'mixupOrCutmix: int32 images',
      (rng, t) => mixupOrCutmix(t.xi, t.y, { rng }),
      'Error in mixupOrCutmix: images.dtype',
    ],
    ['mixupOrCutmix: bad labels', (rng, t) => mixupOrCutmix(t.x, t.half, { rng }), 'Error in mixupOrCutmix: labels[1]'],
    [
      'CutMix.mix: bad mask',
      (rng, t) => new CutMix({ rng }).mix(t.x, t.y, { masks: t.y }),
      'Error in CutMix.mix: options.masks',
    ],
    [
      'CutMix.mix: bad objects',
      (rng, t) => new CutMix({ rng }).mix(t.x, t.y, { objects: [[], []] }),
      'Error in CutMix.mix: options.objects.length',
    ],
    [
      'CutMix.mix: bad training',
      (rng, t) => new CutMix({ rng }).mix(t.x, t.y, { training: 1 as never }),
      'Error in CutMix.mix: options.training',
    ],
    [
      'cutmixDataset: class ≥ K',
      (rng, t) => mapper({ rng, numClasses: 3, dataFormat: 'NCHW' })({ xs: t.x, ys: t.y }),
      'Error in cutmixDataset: element.ys[3]',
    ],
    [
      'cutmixDataset: missing target',
      (rng, t) => mapper({ rng, numClasses: 4, dataFormat: 'NCHW', alsoCut: ['masks'] })({ xs: t.x, ys: t.y }),
      'Error in cutmixDataset: element.masks',
    ],
    [
      'randBox: bad options',
      (rng) => randBox([4], 0.5, rng, { ratioMinMax: [0.5, 0.2] }),
      'Error in randBox: options.ratioMinMax',
    ],
    [
      'randBbox: bad placement',
      (rng) => randBbox(4, 4, 0.5, rng, { placement: 'x' as never }),
      'Error in randBbox: options.placement',
    ],
    ['sampleLambda: bad alpha', (rng) => sampleLambda(0, rng), 'Error in sampleLambda: alpha'],
  ];
  it.each(cases)('%s', (_, call, message) => {
    const t = {
      x: tf.zeros([4, 1, 3, 3]),
      xi: tf.zeros([4, 1, 3, 3], 'int32'),
      y: tf.tensor1d([0, 1, 2, 3], 'int32'),
      half: tf.tensor1d([0, 0.5, 1, 2]),
    };
    const rng = counting();
    try {
      expectThrowsNoLeak(() => call(rng, t), message);
    } finally {
      tf.dispose(Object.values(t));
    }
    expect(rng.draws).toBe(0);
  });
});
