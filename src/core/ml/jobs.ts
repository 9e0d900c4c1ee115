/**
 * The contract between the training/prediction jobs and their callers (VS Code UI, CLI, tests).
 * Types plus tiny pure helpers only: no Node or tfjs imports, so a webview can import it too.
 *
 * Worker names: 'train' (src/workers/train.worker.ts) and 'predict' (src/workers/predict.worker.ts).
 * Training reports TrainEvent through the worker's `event` channel and epochs done/total through
 * `progress`; prediction reports rows done/total through `progress`.
 *
 * Cancel: training stops within one batch and resolves with `cancelled: true` and the best model so
 * far saved (a loadable folder); only a cancel while the training data is still being read, before
 * the 'data' event, rejects with CancelledError (nothing to keep, nothing written). Prediction
 * rejects with CancelledError and leaves no output file.
 */
import type { Calibration } from '../cube/cube';
import type { ModelArch } from './models';
import type { BackendPref } from './backend';

export interface TrainScanSpec {
  scan: string;
  groundTruth: string;
  /** HDF5 dataset path inside the scan, when the file holds several. */
  dataset?: string;
  /** A display name for this painting (defaults to the scan's file name). */
  name?: string;
}

export interface TrainJobInput {
  model: ModelArch;
  train: TrainScanSpec[];
  /** The model folder to create (must not exist; never overwritten). */
  outDir: string;
  /** Default: the first ground truth's lines that are in DEFAULT_LINES (in that order), else all of them. */
  lines?: string[];
  /** Fallback calibration when a scan has none. */
  calibration?: Calibration;
  /** Thesis §6.2: more pure spectra in the prior layer's W, beyond the target lines ("+" models only). */
  extraPriorLines?: string[];
  epochs: number;
  patience: number;
  /** Every `stride`-th pixel in raster order is sampled (see dataset-sampling.ts). */
  stride: number;
  /** Share of the sampled pixels held out for validation (0.2 = 80/20). */
  valShare: number;
  batch: number;
  seed: number;
  backend: BackendPref;
  /**
   * Threads that share every batch (data-parallel training, parallel-train.ts). 0 or absent =
   * automatic: 1 on the native `tensorflow` backend and for FCN/FCN+, else min(cores, 8) (threads.ts).
   */
  threads?: number;
}

export type TrainEvent =
  | { kind: 'backend'; name: string; reason: string }
  | { kind: 'data'; trainSamples: number; valSamples: number }
  | {
      kind: 'epoch';
      epoch: number;
      epochs: number;
      /** aL1 with ε = 1 over the epoch's training batches (as validation's). */
      trainLoss: number;
      /** The loss the gradient followed (aL1 with ε = TRAIN_AL1_EPSILON). */
      trainObjective?: number;
      valLoss: number;
      samplesPerSec: number;
      etaSec: number;
      best: boolean;
    }
  | { kind: 'log'; message: string };

export interface TrainJobResult {
  modelDir: string;
  epochsRun: number;
  /** 1-based epoch whose weights were kept; 0 when cancelled before the first epoch ended. */
  bestEpoch: number;
  /** Validation aL1 of the kept weights; NaN when no epoch ended. */
  bestValLoss: number;
  cancelled: boolean;
  /**
   * Per epoch: train and val are aL1 with ε = 1 (the figures' definition; train under dropout, as the
   * batches went); trainObjective is the ε = 10 loss the gradient followed (absent in older models).
   */
  history: { train: number[]; val: number[]; trainObjective?: number[] };
  backend: string;
}

export interface PredictJobInput {
  modelDir: string;
  scan: string;
  dataset?: string;
  /** The .npy file to write (float32 H×W×k); `<base>.json` is written beside it. */
  out: string;
  /** Fallback calibration when the scan has none. */
  calibration?: Calibration;
  backend?: BackendPref;
  /** Threads that share every row block; 0 or absent = automatic, as for training. */
  threads?: number;
}

export interface PredictJobResult {
  out: string;
  lines: string[];
  height: number;
  width: number;
  seconds: number;
}

/** The settings a training run uses unless told otherwise (thesis §5.2 where it says). */
export const DEFAULT_TRAIN_SETTINGS = {
  epochs: 1000,
  patience: 50,
  stride: 10,
  valShare: 0.2,
  batch: 64,
  seed: 0,
  backend: 'auto' as BackendPref,
  /** 0 = automatic (threads.ts). */
  threads: 0,
} as const;

/** A human duration: "42 s", "3 min 5 s", "2 h 10 min". */
export function formatDuration(sec: number): string {
  if (!Number.isFinite(sec) || sec < 0) return '?';
  const s = Math.round(sec);
  if (s < 60) return `${s} s`;
  if (s < 3600) return `${Math.floor(s / 60)} min ${s % 60} s`;
  return `${Math.floor(s / 3600)} h ${Math.floor((s % 3600) / 60)} min`;
}

/** One line per epoch, as the CLI prints it and the UI shows it in its progress notification. */
export function formatEpochEvent(e: Extract<TrainEvent, { kind: 'epoch' }>): string {
  const width = String(e.epochs).length;
  return (
    `epoch ${String(e.epoch).padStart(width)}/${e.epochs}  train aL1 ${e.trainLoss.toFixed(4)}  ` +
    `val aL1 ${e.valLoss.toFixed(4)}${e.best ? ' *' : '  '}  ${e.samplesPerSec.toFixed(0)} samples/s  ` +
    `ETA ${formatDuration(e.etaSec)}`
  );
}
