import * as tf from '@tensorflow/tfjs-core';
import { describe, expect, it } from 'vitest';
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
} from '../../src/index.js';
import { cutmixDataset } from '../../src/data.js';
import { describeEachBackend } from '../support/backends.js';

// Options are read before any tensor is looked at, so these calls need no tensors.
const X = undefined as never;
const PLAN = { boxes: [{ y1: 0, x1: 0, y2: 1, x2: 1 }], partners: Int32Array.of(0) };
const DATASET = { map: () => ({}) } as never;
const BOX = { y1: 0, x1: 0, y2: 1, x2: 1 };
const RANGE = [0.2, 0.5] as [number, number];
const MIX_KEYS = 'alpha, rng, seed, mode, partner, partners, lam, prob, dataFormat';
const CUT_KEYS = `${MIX_KEYS}, box, placement, ratioMinMax, correctLam`;
const unknown = (fn: string, key: string, keys: string) =>
  `Error in ${fn}: options key '${key}' must be one of ${keys}, but got an unknown key.`;

describe('unknown own keys are rejected at every entry point', () => {
  it.each([
    [() => cutmixBatch(X, X, { alhpa: 1 } as never), unknown('cutmixBatch', 'alhpa', CUT_KEYS)],
    [() => mixupBatch(X, X, { placement: 'inside' } as never), unknown('mixupBatch', 'placement', MIX_KEYS)],
    [
      () => mixupOrCutmix(X, X, { alpha: 1 } as never),
      unknown(
        'mixupOrCutmix',
        'alpha',
        'rng, seed, mode, partner, partners, prob, dataFormat, placement, ratioMinMax, correctLam, switchProb, mixupAlpha, cutmixAlpha',
      ),
    ],
    [
      () => new CutMix({ x: 1 } as never),
      unknown('CutMix', 'x', `${CUT_KEYS}, training, minVisible, numClasses, labelSmoothing, mixupAlpha, switchProb`),
    ],
    [
      () => cutmixDataset(DATASET, { lam: 0.5 } as never),
      unknown(
        'cutmixDataset',
        'lam',
        'alpha, rng, seed, mode, partner, prob, dataFormat, placement, ratioMinMax, correctLam, numClasses, labelSmoothing, alsoCut, minVisible',
      ),
    ],
    [
      () => mixTargets(X, X, 0.5, { smoothing: 0.1 } as never),
      unknown('mixTargets', 'smoothing', 'numClasses, labelSmoothing'),
    ],
    [() => applyCutmix(X, PLAN, { layout: 'NHWC' } as never), unknown('applyCutmix', 'layout', 'dataFormat')],
    [
      () => cutmixObjects([[]], PLAN, { minVisibility: 0 } as never),
      unknown('cutmixObjects', 'minVisibility', 'minVisible'),
    ],
    [() => randBox([4], 0.5, Math.random, { foo: 1 } as never), unknown('randBox', 'foo', 'placement, ratioMinMax')],
    [() => randBbox(4, 4, 0.5, Math.random, { foo: 1 } as never), unknown('randBbox', 'foo', 'placement, ratioMinMax')],
  ])('%#', (call, message) => expect(call).toThrow(new Error(message)));
});

describe('null is a wrong value, never a default', () => {
  const cases: [string, () => unknown, string][] = [
    ...(
      [
        ['alpha', 'a finite number > 0'],
        ['rng', 'a function returning numbers in [0, 1)'],
        ['seed', 'a finite number'],
        ['mode', "one of 'batch', 'elem', 'pair'"],
        ['partner', "one of 'permutation', 'flip', 'roll'"],
        ['partners', 'an Int32Array or number[] of partner indices'],
        ['lam', 'a number in [0, 1] or an array of per-sample values'],
        ['box', 'a box object'],
        ['prob', 'a number in [0, 1]'],
        ['dataFormat', "one of 'NCW', 'NWC', 'NCHW', 'NHWC', 'NCDHW', 'NDHWC', 'channelsFirst', 'channelsLast'"],
        ['placement', "one of 'center-clip', 'inside'"],
        ['ratioMinMax', 'a pair [min, max] with 0 < min ≤ max ≤ 1'],
        ['correctLam', 'a boolean'],
      ] as const
    ).map(([key, expected]): [string, () => unknown, string] => [
      `cutmixBatch ${key}`,
      () => cutmixBatch(X, X, { [key]: null }),
      `Error in cutmixBatch: options.${key} must be ${expected}, but got null.`,
    ]),
    [
      'mixupOrCutmix switchProb',
      () => mixupOrCutmix(X, X, { switchProb: null as never }),
      'Error in mixupOrCutmix: options.switchProb must be a number in [0, 1], but got null.',
    ],
    [
      'mixupOrCutmix mixupAlpha',
      () => mixupOrCutmix(X, X, { mixupAlpha: null as never }),
      'Error in mixupOrCutmix: options.mixupAlpha must be a finite number > 0, but got null.',
    ],
    [
      'mixupOrCutmix cutmixAlpha',
      () => mixupOrCutmix(X, X, { cutmixAlpha: null as never }),
      'Error in mixupOrCutmix: options.cutmixAlpha must be a finite number > 0, but got null.',
    ],
    [
      'CutMix training',
      () => new CutMix({ training: null as never }),
      'Error in CutMix: options.training must be a boolean, but got null.',
    ],
    [
      'CutMix minVisible',
      () => new CutMix({ minVisible: null as never }),
      'Error in CutMix: options.minVisible must be a number in [0, 1], but got null.',
    ],
    [
      'cutmixDataset numClasses',
      () => cutmixDataset(DATASET, { numClasses: null as never }),
      'Error in cutmixDataset: options.numClasses must be a positive integer, but got null.',
    ],
    [
      'cutmixDataset labelSmoothing',
      () => cutmixDataset(DATASET, { labelSmoothing: null as never }),
      'Error in cutmixDataset: options.labelSmoothing must be a number in [0, 1], but got null.',
    ],
    [
      'cutmixDataset targets',
      () => cutmixDataset(DATASET, { alsoCut: null as never }),
      'Error in cutmixDataset: options.alsoCut must be an array of element keys, but got null.',
    ],
    [
      'mixTargets labelSmoothing',
      () => mixTargets(X, X, 0.5, { labelSmoothing: null as never }),
      'Error in mixTargets: options.labelSmoothing must be a number in [0, 1], but got null.',
    ],
    [
      'applyCutmix dataFormat',
      () => applyCutmix(X, PLAN, { dataFormat: null as never }),
      "Error in applyCutmix: options.dataFormat must be one of 'NCW', 'NWC', 'NCHW', 'NHWC', 'NCDHW', 'NDHWC', 'channelsFirst', 'channelsLast', but got null.",
    ],
    [
      'cutmixObjects minVisible',
      () => cutmixObjects([[]], PLAN, { minVisible: null as never }),
      'Error in cutmixObjects: options.minVisible must be a number in [0, 1], but got null.',
    ],
    [
      'randBox placement',
      () => randBox([4], 0.5, Math.random, { placement: null as never }),
      "Error in randBox: options.placement must be one of 'center-clip', 'inside', but got null.",
    ],
    [
      'mixupBatch options',
      () => mixupBatch(X, X, null as never),
      'Error in mixupBatch: options must be an options object, but got null.',
    ],
    [
      'cutmixObjects options',
      () => cutmixObjects([[]], PLAN, null as never),
      'Error in cutmixObjects: options must be an options object, but got null.',
    ],
  ];
  it.each(cases)('%s', (_, call, message) => expect(call).toThrow(new Error(message)));
});

describe('contradictory options are rejected with a message naming both', () => {
  const omitted = (b: string, a: string, why: string) =>
    `options.${b} must be omitted when options.${a} is given (${why}), but got both.`;
  it.each([
    [{ rng: Math.random, seed: 1 }, omitted('seed', 'rng', 'one random source')],
    [{ lam: 0.5, alpha: 2 }, omitted('alpha', 'lam', 'a given λ is not drawn')],
    [{ box: BOX, alpha: 2 }, omitted('alpha', 'box', 'a given box needs no λ')],
    [{ ratioMinMax: RANGE, alpha: 2 }, omitted('alpha', 'ratioMinMax', 'ratioMinMax sizes the box instead of λ')],
    [
      { correctLam: false, box: BOX },
      'options.correctLam must be true with options.box unless options.lam is given (no λ is drawn to return), but got false.',
    ],
    [
      { mode: 'batch', lam: [0.5] },
      "options.mode must be 'elem' or omitted with per-sample options.lam or options.box, but got 'batch'.",
    ],
    [
      { mode: 'batch', box: [BOX] },
      "options.mode must be 'elem' or omitted with per-sample options.lam or options.box, but got 'batch'.",
    ],
    [{ lam: 0.5, ratioMinMax: RANGE }, omitted('ratioMinMax', 'lam', 'ratioMinMax sizes the box instead of λ')],
    [{ box: BOX, placement: 'inside' }, omitted('placement', 'box', 'a given box is used as it is')],
    [{ box: BOX, ratioMinMax: RANGE }, omitted('ratioMinMax', 'box', 'a given box is used as it is')],
    [{ box: BOX, prob: 0.5 }, omitted('prob', 'box', 'a given box is always applied')],
    [{ lam: 0.5, prob: 0.5 }, omitted('prob', 'lam', 'a given λ is always applied')],
    [{ partners: [0], partner: 'roll' }, omitted('partner', 'partners', 'given partners replace the scheme')],
    [
      { box: BOX, lam: 0.5 },
      omitted('lam', 'box', 'λ is the box’s share; pass correctLam: false to label with your own λ'),
    ],
    [
      { correctLam: false, ratioMinMax: RANGE },
      'options.correctLam must be true with options.ratioMinMax (no λ is drawn to return), but got false.',
    ],
    [
      { mode: 'pair', partners: [0] },
      "options.partners must be omitted in 'pair' mode (pairs are i and N−1−i), but got both.",
    ],
    [{ mode: 'pair', partner: 'roll' }, "options.partner must be 'flip' or omitted in 'pair' mode, but got \"roll\"."],
    [
      { mode: 'pair', partner: 'permutation' },
      "options.partner must be 'flip' or omitted in 'pair' mode, but got \"permutation\".",
    ],
    // A null still counts as given: the pair is contradictory before the value is judged.
    [{ rng: null, seed: 1 }, omitted('seed', 'rng', 'one random source')],
  ])('cutmixBatch %j', (options, message) =>
    expect(() => cutmixBatch(X, X, options as never)).toThrow(new Error(`Error in cutmixBatch: ${message}`)),
  );

  it('in the name of every entry point that shares the rules', () => {
    expect(() => mixupBatch(X, X, { lam: 0.5, prob: 0.5 })).toThrow(
      new Error(`Error in mixupBatch: ${omitted('prob', 'lam', 'a given λ is always applied')}`),
    );
    expect(() => mixupOrCutmix(X, X, { rng: Math.random, seed: 1 })).toThrow(
      new Error(`Error in mixupOrCutmix: ${omitted('seed', 'rng', 'one random source')}`),
    );
    expect(() => mixupOrCutmix(X, X, { cutmixAlpha: 2, ratioMinMax: RANGE })).toThrow(
      new Error(
        `Error in mixupOrCutmix: ${omitted('cutmixAlpha', 'ratioMinMax', 'ratioMinMax sizes the box instead of λ')}`,
      ),
    );
    expect(() => new CutMix({ box: BOX, lam: 0.5 })).toThrow(
      'Error in CutMix: options.lam must be omitted when options.box is given',
    );
    expect(() => cutmixDataset(DATASET, { correctLam: false, ratioMinMax: RANGE })).toThrow(
      'Error in cutmixDataset: options.correctLam must be true',
    );
  });

  it('accepts the combinations that are not contradictions', () => {
    for (const options of [
      { box: BOX, lam: 0.5, correctLam: false },
      { mode: 'pair', partner: 'flip' },
      { mode: 'elem', lam: [0.5] },
      { seed: 1, lam: 0.5 },
    ]) {
      expect(() => cutmixBatch(X, X, options as never)).toThrow('Error in cutmixBatch: images must be a tf.Tensor');
    }
  });
});

/** Sets `Object.prototype[key]` for `body` only (restored even when body throws). */
function polluted<T>(values: Record<string, unknown>, body: () => T): T {
  const proto = Object.prototype as Record<string, unknown>;
  Object.assign(proto, values);
  try {
    return body();
  } finally {
    for (const key of Object.keys(values)) delete proto[key];
  }
}

const withProto = <T extends object>(proto: object, own: T): T => Object.assign(Object.create(proto), own);

describeEachBackend('inherited keys are ignored the same way at every entry point', () => {
  /** Every entry point's observable result for options `o(own)`: plans, targets and boxes, as plain data. */
  function results(o: <T extends object>(own: T) => T) {
    let out: ReturnType<typeof resultsIn> | undefined;
    tf.tidy(() => void (out = resultsIn(o)));
    return out;
  }
  function resultsIn(o: <T extends object>(own: T) => T) {
    const x = tf.randomUniform([6, 1, 8, 8], 0, 1, 'float32', 3);
    const y = tf.tensor1d([0, 1, 2, 3, 4, 5], 'int32');
    const planOf = (r: {
      lam: Float32Array;
      boxes: object[];
      partners: Int32Array;
      images: tf.Tensor;
      labelsA: tf.Tensor;
      labelsB: tf.Tensor;
    }) => {
      const out = {
        lam: Array.from(r.lam),
        boxes: r.boxes,
        partners: Array.from(r.partners),
        sum: tf.sum(r.images).dataSync()[0],
      };
      tf.dispose([r.images, r.labelsA, r.labelsB]);
      return out;
    };
    let mapper: ((e: object) => { xs: tf.Tensor; ys: tf.Tensor }) | undefined;
    cutmixDataset(
      { map: (f: typeof mapper) => ((mapper = f), {}) } as never,
      o({ seed: 2, numClasses: 6, dataFormat: 'NCHW' as const }),
    );
    const mapped = mapper!({ xs: x, ys: y });
    const mixedMask = applyCutmix(
      x,
      {
        boxes: Array.from({ length: 6 }, () => ({ y1: 0, x1: 0, y2: 4, x2: 4 })),
        partners: Int32Array.of(1, 0, 3, 2, 5, 4),
      },
      o({}),
    );
    const targets = mixTargets(y, y, 0.5, o({ numClasses: 6 }));
    const out = {
      cutmixBatch: planOf(cutmixBatch(x, y, o({ seed: 1 }))),
      mixupBatch: planOf(mixupBatch(x, y, o({ seed: 1 }))),
      mixupOrCutmix: planOf(mixupOrCutmix(x, y, o({ seed: 1 }))),
      CutMix: planOf(new CutMix(o({ seed: 1 })).mix(x, y, o({}))),
      dataset: [tf.sum(mapped.xs).dataSync()[0], Array.from(mapped.ys.dataSync())],
      applyCutmix: tf.sum(mixedMask).dataSync()[0],
      mixTargets: Array.from(targets.dataSync()),
      randBox: randBox([8, 8], 0.5, () => 0.5, o({})),
      cutmixObjects: cutmixObjects(
        [[{ y1: 0, x1: 0, y2: 4, x2: 4 }], []],
        { boxes: [{ y1: 0, x1: 0, y2: 3, x2: 4 }, BOX], partners: Int32Array.of(1, 0) },
        o({}),
      ),
    };
    return out;
  }

  const inherited = {
    mode: 'elem',
    lam: 0.25,
    placement: 'inside',
    dataFormat: 'NHWC',
    labelSmoothing: 0.5,
    minVisible: 1,
    training: false,
    switchProb: 0,
  };

  it('Object.create({ … }) options give exactly the results of their own keys alone', () => {
    expect(results((own) => withProto(inherited, own))).toEqual(results((own) => own));
  });

  it('a polluted Object.prototype (lam, mode) changes nothing', () => {
    const clean = results((own) => own);
    expect(polluted({ lam: 0.25, mode: 'elem' }, () => results((own) => own))).toEqual(clean);
  });
});
