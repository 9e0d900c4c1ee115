/**
 * Messages of the ML views (training loss chart, ground-truth / predicted maps editor, results view),
 * on the same Endpoint helper as the scan editor (src/protocol.ts). Imported by the host bundle and
 * the webview bundle: types only, no `vscode`, no DOM, no Node.
 *
 * Data flow of the results view: the host runs the `evaluate` worker job once (reports, maps, z-score
 * maps), sends the reports (small) in `results`; the webview pulls the maps of one line family at a
 * time with `family` (a 564×428 painting with 4 models is ~9 MB per family, ~100 MB for all twelve).
 */
import type { Side, DisplaySettings, ErrorViewData, MapData } from './protocol';
import type { EvaluationReport } from './core/metrics/evaluate';

/** A user-visible note in a view. */
export interface Notice {
  level: 'info' | 'warning' | 'error';
  message: string;
}

/** A PNG made by the webview from one of its canvases; the host asks where and writes it atomically. */
export interface SavePngParams {
  /** Suggested file name ("painting_Fe_K_zscore.png"). */
  defaultName: string;
  png: Uint8Array;
}

// ───────────────────────────── training: the live loss chart ─────────────────────────────

export type TrainingState = 'starting' | 'reading' | 'training' | 'done' | 'cancelled' | 'failed';

export interface TrainingInit {
  /** "FCN+": the architecture being trained. */
  model: string;
  /** The model folder being written. */
  outDir: string;
  /** Names of the training paintings. */
  paintings: string[];
  maxEpochs: number;
}

export interface TrainingStatus {
  state: TrainingState;
  message: string;
  backend?: { name: string; reason: string };
  samples?: { train: number; val: number };
  /** 1-based epoch of the best validation loss so far (0 = none yet). */
  bestEpoch: number;
}

export interface TrainingHostSide extends Side {
  serves: {
    cancel: { params: Record<string, never>; result: { ok: true } };
    savePng: { params: SavePngParams; result: { path?: string } };
    showLog: { params: Record<string, never>; result: { ok: true } };
  };
  emits: {
    init: TrainingInit;
    /** The whole history so far (first load, reload); `epoch` events then extend it. */
    history: { train: number[]; val: number[] };
    epoch: { epoch: number; trainLoss: number; valLoss: number; best: boolean };
    status: TrainingStatus;
  };
}

export interface TrainingWebviewSide extends Side {
  serves: Record<string, never>;
  emits: Record<string, never>;
}

// ───────────────────────────── the maps editor (ground truth, predictions) ─────────────────────────────

export interface MapsInfo {
  file: string;
  fileName: string;
  /** Reader used: npy, csv, edf, hdf5, tiff, … */
  format: string;
  height: number;
  width: number;
  lines: string[];
  /** What the file holds besides line-family maps (PyMca's chisq, Scatter_…): seen and ignored. */
  ignored: string[];
  /** Families with 1σ uncertainty maps in the file. */
  withUncertainties: string[];
  /** A prediction's model (from its sidecar), when the file is one. */
  model?: { name: string; architecture?: string };
}

export interface MapsHostSide extends Side {
  serves: {
    exportMap: {
      params: { mapId: string; format: 'png' | 'tiff' | 'npy' | 'csv'; display: DisplaySettings; lo: number; hi: number };
      result: { path?: string };
    };
    /** "Compare with prediction…" (or, for a prediction, "Compare with ground truth…"). */
    compare: { params: Record<string, never>; result: { ok: true } };
    reopen: { params: Record<string, never>; result: { ok: true } };
    showLog: { params: Record<string, never>; result: { ok: true } };
  };
  emits: {
    init: { display: DisplaySettings; trusted: boolean };
    opening: { file: string; fileName: string };
    info: MapsInfo;
    maps: { maps: MapData[] };
    error: ErrorViewData;
    notice: Notice;
  };
}

export interface MapsWebviewSide extends Side {
  serves: Record<string, never>;
  emits: Record<string, never>;
}

// ───────────────────────────── the results view ─────────────────────────────

export interface ResultsData {
  title: string;
  /** Ground-truth file and size. */
  gt: string;
  height: number;
  width: number;
  /** One column per model, in the order given. */
  models: string[];
  reports: EvaluationReport[];
  /** Every family any report evaluated, in ground-truth order. */
  lines: string[];
}

export interface FamilyMaps {
  line: string;
  gt: Float32Array;
  /** Per model; null where that model's report did not evaluate this family. */
  preds: (Float32Array | null)[];
  zMaps: (Float32Array | null)[];
}

export interface ResultsHostSide extends Side {
  serves: {
    family: { params: { line: string }; result: FamilyMaps };
    copy: { params: { text: string; what: string }; result: { ok: true } };
    savePng: { params: SavePngParams; result: { path?: string } };
    /** Read the files and compute again (the error view's "Reopen", after the user fixed a file). */
    rerun: { params: Record<string, never>; result: { ok: true } };
    showLog: { params: Record<string, never>; result: { ok: true } };
  };
  emits: {
    init: { display: DisplaySettings; title: string };
    progress: { done: number; total: number; label: string };
    results: ResultsData;
    error: ErrorViewData;
    notice: Notice;
  };
}

export interface ResultsWebviewSide extends Side {
  serves: Record<string, never>;
  emits: Record<string, never>;
}
