import { assertBoolean, assertInRange, assertPositiveInteger, fail, readOptions } from '../common/validate.js';
import { CUTMIX_OPTION_KEYS, resolveMixOptions, type CutMixOptions, type MixSettings } from '../plan/options.js';
import { assertAlpha } from '../plan/sample_lambda.js';
import { readMinVisible } from '../targets/read_objects.js';

/**
 * Options of the {@link CutMix} adapter: any {@link CutMixOptions} (`alpha` is CutMix's α), the initial
 * `training` flag, the label options of `mixTargets`, and timm's MixUp switch.
 */
export interface CutMixAdapterOptions extends CutMixOptions {
  /** Mix in `mix` (true, default) or pass batches through (false, evaluation). */
  training?: boolean;
  /** For `mix(…, { objects })`: the share of an object that must stay visible, as in `cutmixObjects`. Default 0.1. */
  minVisible?: number;
  /**
   * Number of classes K: class indices are checked to lie in [0, K) (where values are readable), targets
   * `[N, K]` and logits to have K columns. `targets()` needs it for class indices.
   */
  numClasses?: number;
  /** Label smoothing ε in [0, 1], applied to both labels before mixing, in `loss` and `targets`. Default 0. */
  labelSmoothing?: number;
  /**
   * Turns on the MixUp switch (timm's `Mixup` with both enabled): each batch is MixUp with this Beta(α, α)
   * instead of CutMix with chance 1 − `switchProb`. Default 1 when `switchProb` is given.
   */
  mixupAlpha?: number;
  /** With the switch on: the chance, per batch, of CutMix rather than MixUp. Default 0.5. */
  switchProb?: number;
}

/** The adapter's options, read once, checked and frozen. */
export interface AdapterSettings {
  readonly cutmix: MixSettings;
  /** MixUp's settings (CutMix's with MixUp's α, on the same stream); undefined when the switch is off. */
  readonly mixup: MixSettings | undefined;
  /** The chance of CutMix per batch: 1 when the switch is off. */
  readonly switchProb: number;
  readonly training: boolean;
  readonly minVisible: number;
  readonly numClasses: number | undefined;
  readonly labelSmoothing: number;
}

const ADAPTER_OPTION_KEYS = [
  ...CUTMIX_OPTION_KEYS,
  'training',
  'minVisible',
  'numClasses',
  'labelSmoothing',
  'mixupAlpha',
  'switchProb',
];

/** Reads and checks the constructor's options, once. */
export function readAdapterOptions(fn: string, options: unknown): AdapterSettings {
  const read = readOptions(fn, 'options', options, ADAPTER_OPTION_KEYS);
  const { training = true, minVisible, numClasses, labelSmoothing = 0, mixupAlpha, switchProb, ...rest } = read;
  assertBoolean(fn, 'options.training', training);
  const visible = readMinVisible({ minVisible }, fn);
  if (numClasses !== undefined) assertPositiveInteger(fn, 'options.numClasses', numClasses);
  assertInRange(fn, 'options.labelSmoothing', labelSmoothing, 0, 1);
  const switchOn = mixupAlpha !== undefined || switchProb !== undefined;
  if (mixupAlpha !== undefined) assertAlpha(fn, 'options.mixupAlpha', mixupAlpha);
  if (switchProb !== undefined) assertInRange(fn, 'options.switchProb', switchProb, 0, 1);
  for (const key of ['lam', 'box'] as const) {
    if (switchOn && rest[key] !== undefined) {
      const on = mixupAlpha !== undefined ? 'options.mixupAlpha' : 'options.switchProb';
      fail(
        fn,
        `options.${key}`,
        `omitted when ${on} turns MixUp on (a given ${key === 'box' ? 'box' : 'λ'} is CutMix's alone)`,
        'both',
      );
    }
  }
  const cutmix = resolveMixOptions(fn, rest, { rngFn: 'CutMix.mix', optionsArg: 'the CutMix options' });
  return Object.freeze({
    cutmix,
    mixup: switchOn ? Object.freeze({ ...cutmix, alpha: (mixupAlpha ?? 1) as number }) : undefined,
    switchProb: switchOn ? ((switchProb ?? 0.5) as number) : 1,
    training,
    minVisible: visible,
    numClasses: numClasses as number | undefined,
    labelSmoothing,
  });
}
