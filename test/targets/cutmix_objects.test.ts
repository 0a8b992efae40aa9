import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { Box } from '../../src/plan/box.js';
import { cutmixObjects, type ObjectBox } from '../../src/targets/cutmix_objects.js';

type Obj = ObjectBox & { id: string; meta: object };
const EMPTY: Box = { y1: 0, x1: 0, y2: 0, x2: 0 };
const o = (y1: number, x1: number, y2: number, x2: number): ObjectBox => ({ y1, x1, y2, x2 });

// Independent reference: coordinates are multiples of 0.5, so an object is exactly a set of half-pixel
// cells, sampled at their centres (a zero-extent axis at its coordinate). Counting cells in and out of B
// replaces area arithmetic (the counts are the areas over a power of two, so thresholds decide alike),
// and an intersection is the hull of the cells inside.
const centres = (lo: number, hi: number) =>
  lo === hi ? [lo] : Array.from({ length: (hi - lo) * 2 }, (_, k) => lo + 0.25 + k / 2);
const hull = (vs: number[], lo: number, hi: number) =>
  lo === hi ? [lo, hi] : [Math.min(...vs) - 0.25, Math.max(...vs) + 0.25];

function reference(objects: Obj[][], boxes: Box[], partners: ArrayLike<number>, minVisible: number): Obj[][] {
  return objects.map((own, n) => {
    const b = boxes[n];
    if (partners[n] === n || b.y1 === b.y2 || b.x1 === b.x2) return own.map((x) => ({ ...x }));
    const cells = (x: Obj) => {
      const [ys, xs] = [centres(x.y1, x.y2), centres(x.x1, x.x2)];
      const yIn = ys.filter((y) => b.y1 <= y && y < b.y2);
      const xIn = xs.filter((v) => b.x1 <= v && v < b.x2);
      return { total: ys.length * xs.length, inside: yIn.length * xIn.length, yIn, xIn };
    };
    const kept = own.filter((x) => {
      const { total, inside } = cells(x);
      return total - inside > 0 && total - inside >= minVisible * total;
    });
    const taken = objects[partners[n]].flatMap((x) => {
      const { total, inside, yIn, xIn } = cells(x);
      if (inside === 0 || inside < minVisible * total) return [];
      const [[y1, y2], [x1, x2]] = [hull(yIn, x.y1, x.y2), hull(xIn, x.x1, x.x2)];
      return [{ ...x, y1, x1, y2, x2 }];
    });
    return [...kept.map((x) => ({ ...x })), ...taken];
  });
}

function deepFreeze<T>(value: T): T {
  if (typeof value === 'object' && value !== null && !ArrayBuffer.isView(value)) {
    Object.values(value).forEach(deepFreeze);
    Object.freeze(value);
  }
  return value;
}

const boxArb = fc
  .tuple(fc.nat(12), fc.nat(12), fc.nat(10), fc.nat(10))
  .map(([y1, x1, h, w]): Box => ({ y1, x1, y2: y1 + h, x2: x1 + w }));

const sized = <T>(item: fc.Arbitrary<T>, n: number) => fc.array(item, { minLength: n, maxLength: n });
const grid = fc.integer({ min: -4, max: 48 }).map((k) => k / 2);
const unit = fc.double({ min: 0, max: 1, noNaN: true });

const caseArb = fc
  .integer({ min: 1, max: 5 })
  .chain((n) => fc.tuple(sized(boxArb, n), sized(fc.nat(n - 1), n)))
  .chain(([boxes, partnerList]) => {
    // Coordinates on the half-pixel grid, often exactly on some B's edge (touching and shared edges).
    const coord = fc.oneof(grid, fc.constantFrom(...boxes.flatMap((b) => [b.y1, b.x1, b.y2, b.x2])));
    const span = fc.tuple(coord, coord).map(([a, b]) => [Math.min(a, b), Math.max(a, b)]);
    const obj = fc.tuple(span, span, fc.nat(9)).map(([[y1, y2], [x1, x2], cls]) => ({ y1, x1, y2, x2, cls }));
    const objects = sized(fc.array(obj, { maxLength: 6 }), boxes.length).map((raw) =>
      raw.map((list, i) => list.map((x, j): Obj => ({ ...x, id: `${i}/${j}`, meta: { i, j } }))),
    );
    const minVisible = fc.oneof(fc.constantFrom(0, 0.1, 0.25, 0.5, 1, undefined), unit);
    const partners = fc.constantFrom(partnerList, Int32Array.from(partnerList));
    return fc.record({ objects, boxes: fc.constant(boxes), partners, minVisible });
  });

describe('cutmixObjects', () => {
  it('matches an independent cell-counting reference; input untouched, every output object new', () => {
    const seen = { inside: 0, outside: 0, straddling: 0, touching: 0, degenerate: 0, self: 0, emptyB: 0 };
    fc.assert(
      fc.property(caseArb, ({ objects, boxes, partners, minVisible }) => {
        const before = structuredClone({ objects, boxes, partners });
        const plan = deepFreeze({ boxes, partners });
        const out = cutmixObjects(deepFreeze(objects), plan, minVisible === undefined ? undefined : { minVisible });
        expect(out).toStrictEqual(reference(objects, boxes, partners, minVisible ?? 0.1));
        expect({ objects, boxes, partners }).toStrictEqual(before);
        const outputs = out.flat();
        expect(new Set([...objects.flat(), ...outputs]).size).toBe(objects.flat().length + outputs.length);
        // Extra fields are a shallow copy: nested values are shared, not cloned.
        const byId = new Map(objects.flat().map((x) => [x.id, x.meta]));
        for (const x of outputs) expect(x.meta).toBe(byId.get(x.id as string));
        boxes.forEach((b, n) => {
          seen.self += Number(partners[n] === n);
          seen.emptyB += Number(b.y1 === b.y2 || b.x1 === b.x2);
          for (const x of objects.flat()) {
            const iy = Math.min(x.y2, b.y2) - Math.max(x.y1, b.y1);
            const ix = Math.min(x.x2, b.x2) - Math.max(x.x1, b.x1);
            if (x.y1 === x.y2 || x.x1 === x.x2) seen.degenerate++;
            else if (iy === 0 || ix === 0) seen.touching++;
            else if (iy < 0 || ix < 0) seen.outside++;
            else if (iy * ix === (x.y2 - x.y1) * (x.x2 - x.x1)) seen.inside++;
            else seen.straddling++;
          }
        });
      }),
      { numRuns: 500 },
    );
    for (const [kind, count] of Object.entries(seen)) expect(count, kind).toBeGreaterThan(20);
  });

  it('runs the JSDoc example as documented', () => {
    const objects = [[{ ...o(2, 2, 10, 10), cls: 'cat' }], [{ ...o(0, 16, 16, 32), cls: 'dog' }]];
    const plan = { boxes: [{ y1: 0, x1: 8, y2: 16, x2: 24 }, EMPTY], partners: [1, 0] };
    expect(cutmixObjects(objects, plan)).toStrictEqual([
      [
        { y1: 2, x1: 2, y2: 10, x2: 10, cls: 'cat' },
        { y1: 0, x1: 16, y2: 16, x2: 24, cls: 'dog' },
      ],
      [{ y1: 0, x1: 16, y2: 16, x2: 32, cls: 'dog' }],
    ]);
  });

  it('treats B as half-open: touching edges never overlap; points and lines on edges follow [y1, y2)', () => {
    const B = { y1: 4, x1: 4, y2: 8, x2: 8 };
    const objs = [
      ...[o(0, 4, 4, 8), o(4, 8, 8, 12), o(8, 4, 12, 8), o(4, 0, 4.5, 4)], // touch B from outside
      ...[o(4, 4, 4, 4), o(7.5, 7.5, 7.5, 7.5), o(8, 5, 8, 5), o(5, 8, 5, 8)], // points: in, in, out, out
      ...[o(4, 2, 4, 6), o(0, 7, 16, 7)], // lines: half inside (row 4 is in B), a quarter inside
    ];
    const taken = cutmixObjects([[], objs], { boxes: [B, EMPTY], partners: [1, 1] }, { minVisible: 0.25 });
    expect(taken[0]).toStrictEqual([objs[4], objs[5], o(4, 4, 4, 6), o(4, 7, 8, 7)]);
    const kept = cutmixObjects([objs, []], { boxes: [B, B], partners: [1, 0] }, { minVisible: 0.5 });
    expect(kept[0]).toStrictEqual([...objs.slice(0, 4), ...objs.slice(6)]);
  });

  it('applies minVisible as ≥ on both sides and drops nothing-visible objects even at 0', () => {
    const [half, tenth, under] = [o(0, 5, 10, 15), o(0, 9, 1, 19), o(0, 9.5, 1, 19.5)];
    const [inside, far] = [o(1, 1, 2, 2), o(20, 20, 21, 21)];
    const run = (objs: ObjectBox[], minVisible?: number) =>
      cutmixObjects([objs, objs], { boxes: [o(0, 0, 10, 10), EMPTY], partners: [1, 0] }, { minVisible })[0];
    expect(run([half], 0.5)).toStrictEqual([half, o(0, 5, 10, 10)]); // 50 of 100 inside
    expect(run([half], 0.5000001)).toStrictEqual([]);
    expect(run([tenth, under])).toStrictEqual([tenth, under, o(0, 9, 1, 10)]); // default 0.1: 1 and 0.5 of 10
    expect(run([inside, far], 0)).toStrictEqual([far, inside]);
    expect(run([half, inside], 1)).toStrictEqual([inside]);
  });

  it('leaves a sample with an empty box or itself as partner unchanged (new objects, same fields)', () => {
    const [a, b] = [[{ ...o(1, 1, 3, 3), cls: 1 }], [{ ...o(0, 0, 9, 9), cls: 2 }]];
    const boxes = [o(0, 0, 8, 8), o(2, 2, 2, 6), o(0, 0, 8, 8)];
    const out = cutmixObjects(deepFreeze([a, b, a]), deepFreeze({ boxes, partners: [0, 0, 1] }), { minVisible: 0 });
    expect(out).toStrictEqual([a, b, [{ ...o(0, 0, 8, 8), cls: 2 }]]);
    expect([out[0][0] === a[0], out[1][0] === b[0]]).toEqual([false, false]);
    // Unconditional, even where an area computation underflows to 0.
    const tiny = o(0, 0, 1e-200, 1e-200);
    const mixed = cutmixObjects([[tiny], []], { boxes: [o(0, 0, 0, 9), EMPTY], partners: [1, 0] });
    expect(mixed).toStrictEqual([[tiny], []]);
  });

  it('carries every own enumerable field; a "__proto__" field stays a field', () => {
    const obj = JSON.parse('{"y1":0,"x1":0,"y2":4,"x2":4,"cls":3,"score":0.9,"__proto__":{"polluted":1}}');
    const hidden = Object.defineProperty(o(0, 0, 4, 4), 'secret', { value: 1, enumerable: false });
    const [out] = cutmixObjects([[], [obj, hidden]], { boxes: [o(0, 0, 2, 8), EMPTY], partners: [1, 1] });
    expect(Object.keys(out[0])).toEqual(['y1', 'x1', 'y2', 'x2', 'cls', 'score', '__proto__']);
    expect(out[0]).toMatchObject({ ...o(0, 0, 2, 4), cls: 3, score: 0.9 });
    expect([Object.getPrototypeOf(out[0]) === Object.prototype, 'polluted' in out[0]]).toEqual([true, false]);
    expect(Object.keys(out[1])).toEqual(['y1', 'x1', 'y2', 'x2']);
  });

  it('reads every value exactly once: getters that change on a second read cannot corrupt the result', () => {
    const reads = new Map<string, number>();
    // Turns each own key into an enumerable getter that counts reads and returns `poison` after the first.
    function trap<T extends object>(target: T, path: string, poison: unknown): T {
      for (const [key, value] of Object.entries(target)) {
        reads.set(`${path}.${key}`, 0);
        const get = () =>
          reads.set(`${path}.${key}`, reads.get(`${path}.${key}`)! + 1).get(`${path}.${key}`) === 1 ? value : poison;
        Object.defineProperty(target, key, { enumerable: true, get });
      }
      return target;
    }
    const make = (t: typeof trap) => {
      const obj = (i: number, j: number, y1: number) => t({ ...o(y1, 1, y1 + 4, 5), cls: i + j }, `o${i}${j}`, NaN);
      const objects = t([t([obj(0, 0, 0), obj(0, 1, 3)], 'o0', 'x'), t([obj(1, 0, 2)], 'o1', 'x')], 'objects', 'x');
      const boxes = t([t(o(0, 0, 4, 4), 'b0', -1), t(o(1, 2, 3, 8), 'b1', -1)], 'boxes', null);
      const plan = t({ boxes, partners: t([1, 0], 'partners', 9) }, 'plan', undefined);
      return [objects, plan, t({ minVisible: 0.2 }, 'options', 7)] as const;
    };
    const expected = cutmixObjects(...make((x) => x));
    expect(cutmixObjects(...make(trap))).toStrictEqual(expected);
    expect(reads.size).toBe(35); // 3 objects × 5 fields, 5 array slots, 2 boxes × 4, 2 + 2 + 2 + 1 more
    for (const [name, count] of reads) expect(count, name).toBe(1);
  });

  it('ignores inherited and non-enumerable option keys; objects and plans are read by own keys too', () => {
    const objects = [[o(0, 0, 10, 10)], [o(0, 0, 10, 10)]];
    const plan = { boxes: [o(0, 0, 10, 5), EMPTY], partners: [1, 0] };
    const expected = cutmixObjects(objects, plan); // default 0.1 keeps both halves; minVisible 1 would not
    expect(cutmixObjects(objects, plan, Object.create({ minVisible: 1 }))).toStrictEqual(expected);
    expect(cutmixObjects(objects, plan, Object.defineProperty({}, 'minVisible', { value: 1 }))).toStrictEqual(expected);
    const proto = Object.prototype as Record<string, unknown>;
    try {
      proto.minVisible = 1;
      expect(cutmixObjects(objects, plan, {})).toStrictEqual(expected);
    } finally {
      delete proto.minVisible;
    }
    expect(() => cutmixObjects([[Object.create(o(0, 0, 1, 1))], []], plan)).toThrow(
      'Error in cutmixObjects: objects[0][0].y1 must be a finite number, but got undefined.',
    );
    expect(() => cutmixObjects(objects, Object.create(plan))).toThrow(/plan\.partners must .* but got undefined\.$/);
  });

  it('rejects every bad input with the exact message', () => {
    const P = 'plan.partners must be an Int32Array or number[] of partner indices, but got';
    const OBJ = 'must be an object box { y1, x1, y2, x2, … }, but got';
    const UNKNOWN = 'but got an unknown key';
    const cases: [string, unknown, string][] = [
      ['plan', 7, 'plan must be a plan { boxes, partners } (a cutmixBatch result works), but got 7'],
      ['plan.partners', 'x', `${P} "x"`],
      ['plan.partners', new Float32Array(2), `${P} Float32Array of length 2`],
      ['plan.partners', [0, 2], 'plan.partners[1] must be an integer index in [0, 2), but got 2'],
      ['plan.partners', [-1, 0], 'plan.partners[0] must be an integer index in [0, 2), but got -1'],
      ['plan.partners', [0, 0.5], 'plan.partners[1] must be an integer index in [0, 2), but got 0.5'],
      ['plan.partners', [0, '1'], 'plan.partners[1] must be a number, but got "1"'],
      ['plan.boxes', undefined, 'plan.boxes must be an array of 2 boxes, but got undefined'],
      ['plan.boxes', [EMPTY], 'plan.boxes.length must be 2 (one box per sample), but got 1'],
      ['plan.boxes.1', null, 'plan.boxes[1] must be a box { y1, x1, y2, x2 }, but got null'],
      ['plan.boxes.1.y1', -1, 'plan.boxes[1].y1 must be an integer ≥ 0, but got -1'],
      ['plan.boxes.1.x1', 1.5, 'plan.boxes[1].x1 must be an integer ≥ 0, but got 1.5'],
      ['plan.boxes.1.y2', 3, 'plan.boxes[1].y2 must be an integer ≥ y1 (4), but got 3'],
      ['plan.boxes.1.x2', NaN, 'plan.boxes[1].x2 must be an integer ≥ x1 (1), but got NaN'],
      ['objects', {}, 'objects must be an array of 2 per-sample object arrays, but got an object'],
      ['objects', [[]], 'objects.length must be 2 (one array per sample), but got 1'],
      ['objects.1', new Set(), 'objects[1] must be an array of object boxes, but got a Set'],
      ['objects.0.0', [0, 0, 2, 2], `objects[0][0] ${OBJ} an array of length 4`],
      ['objects.1.0', null, `objects[1][0] ${OBJ} null`],
      ['objects.0.0.y2', undefined, 'objects[0][0].y2 must be a finite number, but got undefined'],
      ['objects.0.0.x1', '0', 'objects[0][0].x1 must be a finite number, but got "0"'],
      ['objects.0.0.x2', Infinity, 'objects[0][0].x2 must be a finite number, but got Infinity'],
      ['objects.0.0.y1', NaN, 'objects[0][0].y1 must be a finite number, but got NaN'],
      ['objects.0.0.y1', 2.5, 'objects[0][0].y2 must be ≥ y1 (2.5), but got 2'],
      ['objects.0.0.x2', -0.5, 'objects[0][0].x2 must be ≥ x1 (0), but got -0.5'],
      ['options', null, 'options must be an options object, but got null'],
      ['options', [], 'options must be an options object, but got an array of length 0'],
      ['options', 0.5, 'options must be an options object, but got 0.5'],
      ['options', { minVisibility: 0.5 }, `options key 'minVisibility' must be one of minVisible, ${UNKNOWN}`],
      ['options.minVisible', 1.5, 'options.minVisible must be a number in [0, 1], but got 1.5'],
      ['options.minVisible', -0.1, 'options.minVisible must be a number in [0, 1], but got -0.1'],
      ['options.minVisible', NaN, 'options.minVisible must be a number in [0, 1], but got NaN'],
      ['options.minVisible', '0.5', 'options.minVisible must be a number in [0, 1], but got "0.5"'],
      ['options.minVisible', null, 'options.minVisible must be a number in [0, 1], but got null'],
    ];
    const base = (): Record<string, unknown> => ({
      objects: [[o(0, 0, 2, 2)], [o(1, 1, 1, 1)]],
      plan: { boxes: [o(0, 0, 4, 4), o(4, 1, 6, 3)], partners: [1, 0] },
      options: { minVisible: 0.5 },
    });
    const call = (a: Record<string, unknown>) => cutmixObjects(a.objects as never, a.plan as never, a.options as never);
    expect(call(base())).toHaveLength(2); // every case below breaks exactly one value of a valid call
    for (const [path, value, message] of cases) {
      const args = base();
      const keys = path.split('.');
      const parent = keys.slice(0, -1).reduce((at, k) => (at as Record<string, unknown>)[k], args as unknown);
      (parent as Record<string, unknown>)[keys[keys.length - 1]] = value;
      const error = expect.objectContaining({ constructor: Error, message: `Error in cutmixObjects: ${message}.` });
      expect(() => call(args), path).toThrow(error);
    }
  });
});
