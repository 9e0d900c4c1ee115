/**
 * An experiment config (`*.xrfmaps.json`): the paintings, the line families, the models, their
 * training settings, the protocol (which paintings are held out) and where runs go. The JSON schema
 * for editors is schemas/xrfmaps-experiment.schema.json; semantic checks are in ./validate.ts.
 *
 * Types only plus tiny pure helpers: no Node or tfjs imports, so the extension host can use them
 * without loading TensorFlow.
 */
import type { ModelArch } from '../ml/models';
import type { BackendPref } from '../ml/backend';
import type { Calibration } from '../cube/cube';

/** The file-name suffix that marks an experiment config. */
export const CONFIG_SUFFIX = '.xrfmaps.json';

/** The models, in the thesis's column order (kept here so the host need not import tfjs for the list). */
export const EXPERIMENT_MODELS: readonly ModelArch[] = ['FCN', 'FCN+', '1DCNN', '1DCNN+'];

export interface PaintingConfig {
  /** Unique name used by the protocol, the run folders and the tables. */
  name: string;
  /** Scan file (RPL/RAW, NPY, NPZ, HDF5); relative to the config file. */
  scan: string;
  /** HDF5 only: the dataset inside the scan. */
  dataset?: string;
  /** Ground-truth maps (PyMca CSV/EDF/HDF5, NPY + sidecar, TIFF); relative to the config file. */
  groundTruth: string;
}

export interface TrainingSettings {
  epochs: number;
  patience: number;
  batch: number;
  stride: number;
  valShare: number;
  seed: number;
  backend: BackendPref;
}

/**
 * Which paintings are held out. Each held-out painting is one fold: the models train on all the
 * other paintings and are evaluated on the held-out one, never sampled for training.
 */
export type Protocol = { kind: 'test'; heldOut: string[] } | { kind: 'leaveOneOut' };

export interface ExperimentConfig {
  /** The config's name: from "name", else the file name without ".xrfmaps.json". */
  name: string;
  paintings: PaintingConfig[];
  /** Normalized line families ("Fe K"), in the config's order. */
  lines: string[];
  models: ModelArch[];
  /** The settings of every model… */
  training: TrainingSettings;
  /** …unless the model has its own ("training": {"FCN+": {"epochs": 60}}), merged over `training`. */
  trainingByModel: Partial<Record<ModelArch, TrainingSettings>>;
  /** Fallback energy calibration for scans whose files carry none. */
  calibration?: Calibration;
  /** Thesis §6.2: further pure spectra in the prior layer of the "+" models. */
  extraPriorLines: string[];
  protocol: Protocol;
  /** Where run folders are created; relative to the config file. */
  outputDir: string;
}

/** A config with every path made absolute (relative to the config file's folder). */
export interface ResolvedExperiment {
  /** Absolute path of the config file. */
  configPath: string;
  config: ExperimentConfig;
  /** Absolute output folder. */
  outputDir: string;
  /** Paintings with absolute scan and ground-truth paths, in config order. */
  paintings: PaintingConfig[];
}

/** The settings a config gets where it says nothing: a short schedule suited to a first run. */
export const DEFAULT_EXPERIMENT_TRAINING: TrainingSettings = {
  epochs: 100,
  patience: 10,
  batch: 64,
  stride: 10,
  valShare: 0.2,
  seed: 0,
  backend: 'auto',
};

export const DEFAULT_OUTPUT_DIR = 'runs';

/** The training settings of one model: its override, else the common ones. */
export function trainingFor(config: Pick<ExperimentConfig, 'training' | 'trainingByModel'>, model: ModelArch): TrainingSettings {
  return config.trainingByModel?.[model] ?? config.training;
}

/** "icons-loo.xrfmaps.json" → "icons-loo". */
export function configNameFromPath(p: string): string {
  const base = p.split(/[\\/]/).pop() ?? p;
  if (base.toLowerCase().endsWith(CONFIG_SUFFIX)) return base.slice(0, -CONFIG_SUFFIX.length);
  return base.replace(/\.json$/i, '');
}

export function isConfigPath(p: string): boolean {
  return p.toLowerCase().endsWith(CONFIG_SUFFIX);
}

/** A folder-safe slug of a model id: "1DCNN+" → "1dcnn-plus". */
export function modelSlug(model: ModelArch): string {
  return model.toLowerCase().replace(/\+$/, '-plus');
}

/** 'fcn+', 'FCN_plus', '1dcnn-plus', ' 1DCNN ' → the model id; undefined when it is none. */
export function parseModelName(s: string): ModelArch | undefined {
  const v = String(s)
    .trim()
    .toUpperCase()
    .replace(/[\s_-]*(PLUS|\+)$/, '+')
    .replace(/^1D[\s_-]?CNN/, '1DCNN');
  return EXPERIMENT_MODELS.find((m) => m === v);
}
