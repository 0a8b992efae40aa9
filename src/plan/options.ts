import { copyBox, PLACEMENTS, type AnyBox, type Placement } from './box.js';
import { DATA_FORMAT_OPTIONS, type DataFormatOption } from '../common/layout.js';
import { copyPartners, PARTNER_SCHEMES, type PartnerScheme } from './partners.js';
import { rejectConflicts } from './conflicts.js';
import { readRatioMinMax } from './draw_box.js';
import { checkedRng, seededRng, type Draw, type Rng } from './rng.js';
import { assertAlpha } from './sample_lambda.js';
import { assertBoolean, assertInRange, assertOneOf, copyNumbers, describeValue, fail } from '../common/validate.js';

/**
 * `'batch'`: one λ and box for the whole batch (the paper). `'elem'`: each sample draws its own.
 * `'pair'`: samples i and N−1−i share one λ and box and are each other's partners (timm's pair mode); the
 * middle sample of an odd batch is paired with itself and left unmixed.
 */
export type MixMode = 'batch' | 'elem' | 'pair';

const MIX_MODES: readonly MixMode[] = ['batch', 'elem', 'pair'];

/** Options of `cutmixBatch`. Every field is optional; unknown keys are rejected, inherited keys ignored. */
export interface CutMixOptions {
  /** Beta(α, α) concentration for λ, finite and > 0. Default 1 (the paper). */
  alpha?: number;
  /** Uniform source in [0, 1) for every draw. Give `rng` or `seed`, not both. Default `Math.random`. */
  rng?: Rng;
  /** Seed for a fresh `seededRng`. Each call with the same seed repeats the same draws. */
  seed?: number;
  /** One λ and box per batch (`'batch'`, default), per sample (`'elem'`) or per mirrored pair (`'pair'`). */
  mode?: MixMode;
  /** Partner scheme: `'permutation'` (default), `'flip'` or `'roll'`. `'pair'` mode always flips. */
  partner?: PartnerScheme;
  /** Explicit partner indices (length N), overriding `partner`. */
  partners?: Int32Array | readonly number[];
  /** Injected λ (one, or one per sample): sets the nominal cut size; the realised λ is returned. */
  lam?: number | Float32Array | Float64Array | readonly number[];
  /** Injected box (one, or one per sample), used as given; λ is then the box's exact share. */
  box?: AnyBox | readonly AnyBox[];
  /** Chance that the batch (each sample in `'elem'` mode, each pair in `'pair'`) is mixed. Default 1. */
  prob?: number;
  /**
   * Layout, or tfjs-layers' `'channelsFirst'`/`'channelsLast'` (the rank picks the layout). Default:
   * channels-first for the batch's rank (`'NCW'`, `'NCHW'`, `'NCDHW'`); a batch whose shape reads far more
   * plausibly as channels-last (`[N, 28, 28, 1]`) is refused without it.
   */
  dataFormat?: DataFormatOption;
  /** Box placement, `'center-clip'` (default) or `'inside'`. */
  placement?: Placement;
  /** Box side ratios drawn in `[min, max]` instead of from λ (timm's `cutmix_minmax`). */
  ratioMinMax?: readonly [number, number];
  /**
   * `true` (default): λ is the box's exact share of the batch's positions. `false`: λ is the value drawn
   * (or injected) to size the box, as timm's `correct_lam=False`; boxes and partners are the same.
   */
  correctLam?: boolean;
}

/** Options of `mixupBatch`: CutMix's λ, partner, probability and layout options (MixUp cuts no box). */
export type MixUpOptions = Pick<
  CutMixOptions,
  'alpha' | 'rng' | 'seed' | 'mode' | 'partner' | 'partners' | 'lam' | 'prob' | 'dataFormat'
>;

/** The one list of option keys; every entry point's accepted keys derive from it. */
export const MIXUP_OPTION_KEYS = [
  'alpha',
  'rng',
  'seed',
  'mode',
  'partner',
  'partners',
  'lam',
  'prob',
  'dataFormat',
] as const;
const BOX_KEYS = ['box', 'placement', 'ratioMinMax', 'correctLam'] as const;
export const CUTMIX_OPTION_KEYS = [...MIXUP_OPTION_KEYS, ...BOX_KEYS] as const;
/** Values injected for one batch: meaningless for an adapter that sees many batches. */
export const INJECTED_KEYS: readonly string[] = ['lam', 'box', 'partners'];

/** Everything a mixing op needs, read once from the user's options, checked, defaulted and frozen. */
export interface MixSettings {
  /** The public function the user called, for every later message. */
  readonly fn: string;
  /** How messages about injected values name the options: `options`, or an adapter's `the CutMix options`. */
  readonly optionsArg: string;
  readonly alpha: number;
  /** The checked random stream (one per call, or one per adapter). */
  readonly draw: Draw;
  readonly mode: MixMode;
  readonly partner: PartnerScheme;
  readonly prob: number;
  /** `undefined`: the default layout for the batch's rank, channels-last when `channelsLastDefault`. */
  readonly dataFormat: DataFormatOption | undefined;
  readonly channelsLastDefault: boolean;
  readonly placement: Placement;
  readonly ratioMinMax: readonly [number, number] | undefined;
  readonly correctLam: boolean;
  readonly lam: number | readonly number[] | undefined;
  readonly box: Readonly<Record<string, unknown>> | readonly Readonly<Record<string, unknown>>[] | undefined;
  readonly partners: readonly number[] | undefined;
}

/** How a caller names its options in messages, and which default layout family it wants. */
export interface ResolveContext {
  /** How later messages name the options object (default `options`; an adapter's constructor options). */
  optionsArg?: string;
  /** Where a bad draw is reported: the public function and the argument (default `fn`, `options.rng`). */
  rngFn?: string;
  channelsLastDefault?: boolean;
}

/** The default only for an absent option: `null` is a wrong value and must reach the checks. */
function orDefault<T>(value: unknown, fallback: T): unknown {
  return value === undefined ? fallback : value;
}

/**
 * Checks and defaults the mixing options of an already-read options record (see `readOptions`). Nothing is
 * drawn here; injected values are copied (each element read once) and judged against the batch later by
 * {@link checkInjected}.
 */
export function resolveMixOptions(
  fn: string,
  read: Readonly<Record<string, unknown>>,
  context: ResolveContext = {},
): MixSettings {
  // Own keys only: the adapters pass what is left of a read record after destructuring (`{ training,
  // ...rest }`), and a rest object inherits from Object.prototype, so a polluted Object.prototype.lam
  // would otherwise be taken for an option here.
  const o: Readonly<Record<string, unknown>> = Object.assign(Object.create(null), read);
  rejectConflicts(fn, o);
  const alpha = orDefault(o.alpha, 1);
  assertAlpha(fn, 'options.alpha', alpha);
  if (o.seed !== undefined && (typeof o.seed !== 'number' || !Number.isFinite(o.seed))) {
    fail(fn, 'options.seed', 'a finite number', describeValue(o.seed));
  }
  const rng = o.seed !== undefined ? seededRng(o.seed as number) : orDefault(o.rng, Math.random);
  if (typeof rng !== 'function') fail(fn, 'options.rng', 'a function returning numbers in [0, 1)', describeValue(rng));
  const draw = checkedRng(context.rngFn ?? fn, `${context.optionsArg ?? 'options'}.rng`, rng);
  const mode = orDefault(o.mode, 'batch');
  assertOneOf(fn, 'options.mode', mode, MIX_MODES);
  const partner = orDefault(o.partner, mode === 'pair' ? 'flip' : 'permutation');
  assertOneOf(fn, 'options.partner', partner, PARTNER_SCHEMES);
  const prob = orDefault(o.prob, 1);
  assertInRange(fn, 'options.prob', prob, 0, 1);
  if (o.dataFormat !== undefined) assertOneOf(fn, 'options.dataFormat', o.dataFormat, DATA_FORMAT_OPTIONS);
  const placement = orDefault(o.placement, 'center-clip');
  assertOneOf(fn, 'options.placement', placement, PLACEMENTS);
  const ratioMinMax =
    o.ratioMinMax === undefined ? undefined : readRatioMinMax(fn, 'options.ratioMinMax', o.ratioMinMax);
  const correctLam = orDefault(o.correctLam, true);
  assertBoolean(fn, 'options.correctLam', correctLam);
  return Object.freeze({
    fn,
    optionsArg: context.optionsArg ?? 'options',
    alpha,
    draw,
    mode,
    partner,
    prob,
    dataFormat: o.dataFormat as DataFormatOption | undefined,
    channelsLastDefault: context.channelsLastDefault ?? false,
    placement,
    ratioMinMax,
    correctLam,
    lam: readLam(fn, o.lam),
    box: readBoxes(fn, o.box),
    partners: o.partners === undefined ? undefined : copyPartners(fn, 'options.partners', o.partners),
  });
}

function readLam(fn: string, lam: unknown): number | readonly number[] | undefined {
  if (lam === undefined) return undefined;
  if (typeof lam === 'number') {
    assertInRange(fn, 'options.lam', lam, 0, 1);
    return lam;
  }
  const values = copyNumbers(fn, 'options.lam', lam, 'a number in [0, 1] or an array of per-sample values');
  values.forEach((v, i) => assertInRange(fn, `options.lam[${i}]`, v, 0, 1));
  return Object.freeze(values);
}

function readBoxes(fn: string, box: unknown): MixSettings['box'] {
  if (box === undefined) return undefined;
  if (!Array.isArray(box)) return copyBox(fn, 'options.box', box);
  const length = box.length;
  return Object.freeze(Array.from({ length }, (_, i) => copyBox(fn, `options.box[${i}]`, box[i])));
}
