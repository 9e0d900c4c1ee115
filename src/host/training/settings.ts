/**
 * Training settings (`xrfmaps.training.*` in package.json), parsed and validated like the other
 * settings (../settings.ts): a getter in, values with defaults and warnings out. No `vscode` here.
 * Defaults are the pipeline's (DEFAULT_TRAIN_SETTINGS, thesis §5.2).
 */
import { DEFAULT_TRAIN_SETTINGS } from '../../core/ml/jobs';
import type { SettingGetter } from '../settings';

export interface TrainSettings {
  epochs: number;
  patience: number;
  batch: number;
  stride: number;
  valShare: number;
  seed: number;
  /** `xrfmaps.training.threads`: 0 = automatic (src/core/ml/threads.ts). Used by prediction too. */
  threads: number;
  warnings: string[];
}

/** Keys under `xrfmaps.training.`, the field they fill, and what a valid value is. */
export const TRAIN_SETTING_KEYS = {
  epochs: { key: 'training.epochs', min: 1, integer: true },
  patience: { key: 'training.patience', min: 1, integer: true },
  batch: { key: 'training.batchSize', min: 1, integer: true },
  stride: { key: 'training.stride', min: 1, integer: true },
  valShare: { key: 'training.validationShare', min: 0.01, max: 0.9, integer: false },
  seed: { key: 'training.seed', min: 0, integer: true },
  threads: { key: 'training.threads', min: 0, integer: true },
} as const;

export function readTrainSettings(get: SettingGetter): TrainSettings {
  const warnings: string[] = [];
  const out = { ...DEFAULT_TRAIN_SETTINGS } as Record<keyof typeof TRAIN_SETTING_KEYS, number>;
  for (const [field, spec] of Object.entries(TRAIN_SETTING_KEYS) as [keyof typeof TRAIN_SETTING_KEYS, (typeof TRAIN_SETTING_KEYS)[keyof typeof TRAIN_SETTING_KEYS]][]) {
    const v = get(spec.key);
    if (v === undefined) continue;
    const max = 'max' in spec ? spec.max : Infinity;
    const ok = typeof v === 'number' && Number.isFinite(v) && v >= spec.min && v <= max && (!spec.integer || Number.isInteger(v));
    if (ok) out[field] = v as number;
    else
      warnings.push(
        `xrfmaps.${spec.key} must be ${spec.integer ? 'an integer' : 'a number'} ≥ ${spec.min}${max < Infinity ? ` and ≤ ${max}` : ''}; got ${JSON.stringify(v)}, using ${out[field]}`,
      );
  }
  return { epochs: out.epochs, patience: out.patience, batch: out.batch, stride: out.stride, valShare: out.valShare, seed: out.seed, threads: out.threads, warnings };
}
