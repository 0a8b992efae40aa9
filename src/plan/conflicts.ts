import { describeValue, fail } from '../common/validate.js';

/**
 * The one table of options that contradict each other. Every mixing entry point runs it on the options
 * record it read once, before any option is judged alone.
 */

/** One rule of the conflict table: when it holds, `options.<arg>` is refused with `expected`. */
interface Conflict {
  readonly when: (o: Readonly<Record<string, unknown>>) => boolean;
  readonly arg: string;
  readonly expected: string;
  readonly received: (o: Readonly<Record<string, unknown>>) => string;
}

const given = (o: Readonly<Record<string, unknown>>, key: string) => o[key] !== undefined;
const perSample = (v: unknown) => Array.isArray(v) || (ArrayBuffer.isView(v) && !(v instanceof DataView));

/** `b` must be omitted when `a` is given, because `why`. */
function exclusive(a: string, b: string, why: string): Conflict {
  return {
    when: (o) => given(o, a) && given(o, b),
    arg: b,
    expected: `omitted when options.${a} is given (${why})`,
    received: () => 'both',
  };
}

/** Every contradiction between options, checked in this order; the first that holds is reported. */
const CONFLICTS: readonly Conflict[] = [
  exclusive('rng', 'seed', 'one random source'),
  exclusive('lam', 'alpha', 'a given λ is not drawn'),
  exclusive('box', 'alpha', 'a given box needs no λ'),
  exclusive('ratioMinMax', 'alpha', 'ratioMinMax sizes the box instead of λ'),
  exclusive('lam', 'ratioMinMax', 'ratioMinMax sizes the box instead of λ'),
  exclusive('ratioMinMax', 'cutmixAlpha', 'ratioMinMax sizes the box instead of λ'),
  exclusive('box', 'placement', 'a given box is used as it is'),
  exclusive('box', 'ratioMinMax', 'a given box is used as it is'),
  exclusive('box', 'prob', 'a given box is always applied'),
  exclusive('lam', 'prob', 'a given λ is always applied'),
  exclusive('partners', 'partner', 'given partners replace the scheme'),
  {
    when: (o) => o.correctLam === false && given(o, 'ratioMinMax'),
    arg: 'correctLam',
    expected: 'true with options.ratioMinMax (no λ is drawn to return)',
    received: () => 'false',
  },
  {
    when: (o) => o.correctLam === false && given(o, 'box') && !given(o, 'lam'),
    arg: 'correctLam',
    expected: 'true with options.box unless options.lam is given (no λ is drawn to return)',
    received: () => 'false',
  },
  {
    when: (o) => o.mode === 'batch' && (perSample(o.lam) || perSample(o.box)),
    arg: 'mode',
    expected: "'elem' or omitted with per-sample options.lam or options.box",
    received: () => "'batch'",
  },
  {
    when: (o) => given(o, 'box') && given(o, 'lam') && o.correctLam !== false,
    arg: 'lam',
    expected:
      'omitted when options.box is given (λ is the box\u2019s share; pass correctLam: false to label with your own λ)',
    received: () => 'both',
  },
  {
    when: (o) => o.mode === 'pair' && given(o, 'partners'),
    arg: 'partners',
    expected: "omitted in 'pair' mode (pairs are i and N−1−i)",
    received: () => 'both',
  },
  {
    when: (o) => o.mode === 'pair' && given(o, 'partner') && o.partner !== 'flip',
    arg: 'partner',
    expected: "'flip' or omitted in 'pair' mode",
    received: (o) => describeValue(o.partner),
  },
];

/** Refuses the first contradiction of {@link CONFLICTS} in an options record read once. */
export function rejectConflicts(fn: string, o: Readonly<Record<string, unknown>>): void {
  const conflict = CONFLICTS.find((c) => c.when(o));
  if (conflict) fail(fn, `options.${conflict.arg}`, conflict.expected, conflict.received(o));
}
