/**
 * The `evaluate` worker job (src/workers/evaluate.worker.ts) as plain functions, so tests call them
 * directly as well as through a worker. No `vscode` here.
 *
 *  - `read`: one maps file (ground truth or prediction, any format readGroundTruth knows) for the
 *    maps editor; NaN/Inf are let through (viewing only) and counted.
 *  - `evaluate`: one ground truth against one or more predictions of the same scan: the reports
 *    (src/core/metrics evaluateDetailed), and every map the results view shows (truth, predictions,
 *    z-score maps), per family of the union of the evaluated families.
 */
import { promises as fs } from 'node:fs';
import * as nodePath from 'node:path';
import { readGroundTruth, detectGroundTruthFormat } from '../../core/groundtruth/read';
import type { MapStack } from '../../core/groundtruth/groundtruth';
import { evaluateDetailed, type EvaluationReport } from '../../core/metrics/evaluate';
import type { CancelToken, ProgressSink } from '../../core/util/progress';
import { XrfInputError } from '../../core/errors';

export interface PredictionSpec {
  path: string;
  /** Column name; default from the prediction's sidecar (architecture, else model folder), else the file name. */
  model?: string;
}

export type MapsJobInput =
  | { op: 'read'; path: string }
  | { op: 'evaluate'; gt: string; predictions: PredictionSpec[]; lines?: string[] };

export interface SidecarModel {
  name: string;
  architecture?: string;
}

export interface ReadMapsResult {
  op: 'read';
  path: string;
  format: string;
  height: number;
  width: number;
  lines: string[];
  maps: Float32Array[];
  ignored: string[];
  withUncertainties: string[];
  /** Pixels that are NaN or ±Inf, over all maps (shown as the lowest colour; the metrics refuse them). */
  nonFinite: number;
  model?: SidecarModel;
}

export interface EvaluateJobResult {
  op: 'evaluate';
  gt: { path: string; height: number; width: number; lines: string[] };
  models: string[];
  reports: EvaluationReport[];
  /** Union of the evaluated families, in ground-truth order. */
  lines: string[];
  /** Per family of `lines`. */
  gtMaps: Float32Array[];
  /** [model][family of `lines`]; null where that model did not evaluate the family. */
  predMaps: (Float32Array | null)[][];
  zMaps: (Float32Array | null)[][];
}

export type MapsJobResult = ReadMapsResult | EvaluateJobResult;

export interface JobHooks {
  token?: CancelToken;
  onProgress?: ProgressSink;
}

/** The `model` of a prediction's sidecar (`<base>.json` written by predict), if there is one. */
export async function readSidecarModel(path: string): Promise<SidecarModel | undefined> {
  if (!/\.npy$/i.test(path)) return undefined;
  try {
    const json = JSON.parse(await fs.readFile(path.replace(/\.npy$/i, '.json'), 'utf8')) as { model?: { name?: unknown; architecture?: unknown } };
    const m = json?.model;
    if (!m || typeof m.name !== 'string') return undefined;
    return { name: m.name, ...(typeof m.architecture === 'string' ? { architecture: m.architecture } : {}) };
  } catch {
    return undefined;
  }
}

/**
 * Column names for the predictions: the name given, else the architecture when no other prediction
 * has the same one (FCN, FCN+ … as the thesis's tables), else the model folder's name, else the file's
 * name; repeated names get " (2)", " (3)".
 */
export function modelNames(specs: PredictionSpec[], sidecars: (SidecarModel | undefined)[]): string[] {
  const archCount = new Map<string, number>();
  for (const s of sidecars) if (s?.architecture) archCount.set(s.architecture, (archCount.get(s.architecture) ?? 0) + 1);
  const names = specs.map((spec, i) => {
    if (spec.model) return spec.model;
    const s = sidecars[i];
    if (s?.architecture && archCount.get(s.architecture) === 1) return s.architecture;
    if (s?.name) return s.name;
    return nodePath.basename(spec.path).replace(/\.[^.]+$/, '');
  });
  const seen = new Map<string, number>();
  return names.map((n) => {
    const k = (seen.get(n) ?? 0) + 1;
    seen.set(n, k);
    return k === 1 ? n : `${n} (${k})`;
  });
}

function countNonFinite(maps: Float32Array[]): number {
  let n = 0;
  for (const m of maps) for (let i = 0; i < m.length; i++) if (!Number.isFinite(m[i])) n++;
  return n;
}

export async function readMapsJob(path: string, hooks: JobHooks = {}): Promise<ReadMapsResult> {
  hooks.onProgress?.({ done: 0, total: 1, message: `reading ${nodePath.basename(path)}` });
  const format = await detectGroundTruthFormat(path);
  const stack = await readGroundTruth(path, { allowNonFinite: true });
  hooks.token?.throwIfCancelled();
  const model = await readSidecarModel(path);
  hooks.onProgress?.({ done: 1, total: 1 });
  return {
    op: 'read',
    path,
    format,
    height: stack.height,
    width: stack.width,
    lines: stack.lines,
    maps: stack.maps,
    ignored: stack.ignored ?? [],
    withUncertainties: stack.lines.filter((_, i) => stack.uncertainties?.[i] !== undefined),
    nonFinite: countNonFinite(stack.maps),
    ...(model ? { model } : {}),
  };
}

export async function evaluateJob(input: Extract<MapsJobInput, { op: 'evaluate' }>, hooks: JobHooks = {}): Promise<EvaluateJobResult> {
  if (input.predictions.length === 0) throw new XrfInputError(input.gt, 'no prediction to compare with');
  const steps = input.predictions.length * 2 + 1;
  let step = 0;
  const tick = (message: string) => hooks.onProgress?.({ done: step++, total: steps, message });
  tick(`reading the ground truth ${nodePath.basename(input.gt)}`);
  const gt = await readGroundTruth(input.gt);
  const preds: MapStack[] = [];
  const sidecars: (SidecarModel | undefined)[] = [];
  for (const p of input.predictions) {
    hooks.token?.throwIfCancelled();
    tick(`reading ${nodePath.basename(p.path)}`);
    preds.push(await readGroundTruth(p.path));
    sidecars.push(await readSidecarModel(p.path));
  }
  const models = modelNames(input.predictions, sidecars);
  const details = preds.map((pred, i) => {
    hooks.token?.throwIfCancelled();
    tick(`metrics of ${models[i]}`);
    return evaluateDetailed(pred, gt, { lines: input.lines, model: models[i], token: hooks.token });
  });
  const reports = details.map((d) => d.report);
  const lines = gt.lines.filter((l) => reports.some((r) => r.lines.includes(l)));
  const gtMaps = lines.map((l) => gt.maps[gt.lines.indexOf(l)]);
  const predMaps = preds.map((pred, i) => lines.map((l) => (reports[i].lines.includes(l) ? pred.maps[pred.lines.indexOf(l)] : null)));
  const zMaps = details.map((d, i) => lines.map((l) => (reports[i].lines.includes(l) ? d.zMaps[reports[i].lines.indexOf(l)] : null)));
  hooks.onProgress?.({ done: steps, total: steps });
  return { op: 'evaluate', gt: { path: gt.path, height: gt.height, width: gt.width, lines: gt.lines }, models, reports, lines, gtMaps, predMaps, zMaps };
}

export function mapsJob(input: MapsJobInput, hooks: JobHooks = {}): Promise<MapsJobResult> {
  return input.op === 'read' ? readMapsJob(input.path, hooks) : evaluateJob(input, hooks);
}

/**
 * The ArrayBuffers to move (not copy) to the host: those a map owns whole, each once. A map that is a
 * view into a larger buffer (Node's shared Buffer pool, a reader's scratch) is copied instead: moving
 * that buffer would take memory that is not ours, and Node refuses to move its pool.
 */
export function transferablesOf(r: MapsJobResult): ArrayBuffer[] {
  const all: (Float32Array | null)[] = r.op === 'read' ? r.maps : [...r.gtMaps, ...r.predMaps.flat(), ...r.zMaps.flat()];
  const set = new Set<ArrayBuffer>();
  for (const m of all) if (m && m.buffer instanceof ArrayBuffer && m.byteOffset === 0 && m.byteLength === m.buffer.byteLength) set.add(m.buffer);
  return [...set];
}
