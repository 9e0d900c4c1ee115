/**
 * A trained model on disk: one folder holding the tfjs model (model.json + weights, written by the
 * engine's model-files.ts), metadata.json (below) and, for the "+" models, prior.npy (the l × d pure
 * spectra of the prior layer, float32, rows in metadata.prior.lines order; the same matrix is also
 * inside the weights, this copy is for viewers and for checking).
 *
 * The folder is built under a temporary name beside the target and renamed into place, so a model
 * folder is either complete or absent; an existing folder is never overwritten.
 */
import { promises as fs } from 'node:fs';
import * as path from 'node:path';
import { randomBytes } from 'node:crypto';
import type * as tfTypes from '@tensorflow/tfjs';
import type { Calibration, Cube } from '../cube/cube';
import { XrfInputError } from '../errors';
import { writeNpy } from '../io/npy-write';
import type { TF } from './backend';
import { MODEL_ARCHS, type ModelArch } from './models';
import { readModelFiles, writeModelFiles } from './model-files';
import { preprocessingProblem, type Preprocessing } from './preprocess';
import pkg from '../../../package.json';

export const METADATA_FILE = 'metadata.json';
export const PRIOR_FILE = 'prior.npy';
export const MODEL_FORMAT = 'xrfmaps-model';
export const MODEL_FORMAT_VERSION = 1;

export interface ModelMetadata {
  format: typeof MODEL_FORMAT;
  formatVersion: number;
  /** The folder's name when it was created (the UI names predictions after it). */
  name: string;
  architecture: ModelArch;
  /** Predicted line families, in output order. */
  lines: string[];
  /** d: the spectrum length the model takes. */
  channels: number;
  /** The energy calibration of the training scans; a scan must match it to be predicted. */
  calibration: Calibration & { source?: string };
  preprocessing: Preprocessing;
  /** The prior layer's pure spectra ("+" models), or null. */
  prior: null | {
    lines: string[];
    rows: number;
    file: typeof PRIOR_FILE;
    /** How the matrix was made, so it can be rebuilt: physics priorMatrix(lines, calibration, channels). */
    source: string;
  };
  training: {
    epochs: number;
    patience: number;
    stride: number;
    valShare: number;
    batch: number;
    /** Threads that shared each batch (data-parallel training); absent in older models (1). */
    threads?: number;
    seed: number;
    optimizer: 'adam';
    learningRate: number;
    loss: 'aL1';
    /** ε of the aL1 used for the gradient (validation and reported figures use ε = 1); absent in older models. */
    trainLossEpsilon?: number;
    trainSamples: number;
    valSamples: number;
    negativeTargetsClamped: number;
  };
  /**
   * Per epoch: train and val are aL1 with ε = 1 (the figures' definition; train under dropout, as the
   * batches went); trainObjective is the ε = 10 loss the gradient followed (absent in older models).
   */
  history: { train: number[]; val: number[]; trainObjective?: number[] };
  epochsRun: number;
  /** 1-based; 0 = no epoch finished (cancelled), the initial weights were saved. */
  bestEpoch: number;
  /** null when no epoch finished. */
  bestValLoss: number | null;
  stoppedEarly: boolean;
  cancelled: boolean;
  backend: { name: string; reason: string };
  versions: { xrfmaps: string; tfjs: string; node: string };
  data: { scan: string; dataset?: string; groundTruth: string; name: string; height: number; width: number; sampled: number }[];
  layers?: unknown;
  created: string;
}

export interface LoadedModel {
  dir: string;
  model: tfTypes.LayersModel;
  meta: ModelMetadata;
}

/**
 * Writes model + metadata (+ prior.npy) into a temporary folder beside `outDir` and renames it into
 * place. Throws when `outDir` exists.
 */
export async function writeModelDir(
  outDir: string,
  model: tfTypes.LayersModel,
  meta: ModelMetadata,
  priorMatrix?: Float32Array,
): Promise<string> {
  const target = path.resolve(outDir);
  await assertAbsent(target);
  const parent = path.dirname(target);
  await fs.mkdir(parent, { recursive: true });
  const tmp = path.join(parent, `.${path.basename(target)}.${randomBytes(4).toString('hex')}.tmp`);
  await fs.mkdir(tmp);
  try {
    await writeModelFiles(model, tmp);
    if (meta.prior) {
      if (!priorMatrix || priorMatrix.length !== meta.prior.rows * meta.channels) throw new Error('writeModelDir: the prior matrix does not match metadata.prior');
      await writeNpy(path.join(tmp, PRIOR_FILE), priorMatrix, [meta.prior.rows, meta.channels]);
    }
    await fs.writeFile(path.join(tmp, METADATA_FILE), JSON.stringify(meta, jsonNumbers, 2) + '\n');
    // rename() replaces an empty folder silently, so check again right before it.
    await assertAbsent(target);
    await fs.rename(tmp, target);
  } catch (e) {
    await fs.rm(tmp, { recursive: true, force: true });
    throw e;
  }
  return target;
}

// NaN/Infinity are not JSON; write null (bestValLoss of a run cancelled before its first epoch).
function jsonNumbers(_key: string, v: unknown): unknown {
  return typeof v === 'number' && !Number.isFinite(v) ? null : v;
}

export async function assertAbsent(dir: string): Promise<void> {
  try {
    await fs.access(dir);
  } catch {
    return;
  }
  throw new XrfInputError(dir, 'already exists; a model folder is never overwritten, choose a new name');
}

/** Reads and checks metadata.json of a model folder. */
export async function readModelMetadata(dir: string): Promise<ModelMetadata> {
  const file = path.join(dir, METADATA_FILE);
  let text: string;
  try {
    text = await fs.readFile(file, 'utf8');
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    throw new XrfInputError(dir, code === 'ENOENT' ? `not an xrfmaps model folder (no ${METADATA_FILE})` : `cannot read ${METADATA_FILE} (${code ?? String(e)})`);
  }
  let meta: ModelMetadata;
  try {
    meta = JSON.parse(text);
  } catch (e) {
    throw new XrfInputError(file, `not valid JSON (${(e as Error).message})`);
  }
  const problem = metadataProblem(meta);
  if (problem) throw new XrfInputError(file, problem);
  return meta;
}

function metadataProblem(m: ModelMetadata): string | undefined {
  if (!m || typeof m !== 'object') return 'not an object';
  if (m.format !== MODEL_FORMAT) return `format is ${JSON.stringify(m.format)}, expected "${MODEL_FORMAT}"`;
  if (!(m.formatVersion >= 1 && m.formatVersion <= MODEL_FORMAT_VERSION)) return `format version ${m.formatVersion} is not supported (this xrfmaps reads up to ${MODEL_FORMAT_VERSION})`;
  if (!MODEL_ARCHS.includes(m.architecture)) return `unknown architecture ${JSON.stringify(m.architecture)}`;
  if (!Array.isArray(m.lines) || m.lines.length === 0 || !m.lines.every((l) => typeof l === 'string')) return 'lines must be a non-empty list of names';
  if (!(Number.isInteger(m.channels) && m.channels > 0)) return `channels must be a positive integer, got ${m.channels}`;
  if (!m.calibration || !Number.isFinite(m.calibration.offsetKeV) || !(m.calibration.gainKeV > 0)) return 'calibration must have a finite offsetKeV and a positive gainKeV';
  return preprocessingProblem(m.preprocessing, m.lines.length);
}

/** Loads a model folder: metadata first (cheap checks), then the tfjs model, whose shapes must agree. */
export async function loadModelDir(tf: TF, dir: string): Promise<LoadedModel> {
  const meta = await readModelMetadata(dir);
  let model: tfTypes.LayersModel;
  try {
    model = await readModelFiles(tf, dir);
  } catch (e) {
    if (e instanceof XrfInputError) throw e;
    throw new XrfInputError(dir, `cannot load the model files (${e instanceof Error ? e.message : String(e)})`);
  }
  const inShape = model.inputs[0].shape;
  const outShape = model.outputs[0].shape;
  if (inShape[inShape.length - 1] !== meta.channels || outShape[outShape.length - 1] !== meta.lines.length) {
    model.dispose();
    throw new XrfInputError(
      dir,
      `model.json takes [${inShape.join(', ')}] → [${outShape.join(', ')}] but metadata.json says ${meta.channels} channels → ${meta.lines.length} lines`,
    );
  }
  return { dir, model, meta };
}

/**
 * The largest energy difference between two calibrations over channels 0…channels−1 (keV): the
 * difference is linear in the channel, so it peaks at one end.
 */
export function calibrationDeviationKeV(a: Calibration, b: Calibration, channels: number): number {
  const dOff = a.offsetKeV - b.offsetKeV;
  const dGain = a.gainKeV - b.gainKeV;
  return Math.max(Math.abs(dOff), Math.abs(dOff + dGain * Math.max(0, channels - 1)));
}

/**
 * Two calibrations agree when no channel's energy moves by half a channel or more: then every peak
 * lands on the same channel, which is what the learned weights and the prior spectra depend on.
 */
export function calibrationsAgree(a: Calibration, b: Calibration, channels: number): boolean {
  return calibrationDeviationKeV(a, b, channels) < 0.5 * Math.min(Math.abs(a.gainKeV), Math.abs(b.gainKeV));
}

export function describeCalibration(c: Calibration): string {
  return `offset ${fmt(c.offsetKeV)} keV, gain ${fmt(c.gainKeV * 1000)} eV/channel`;
}

function fmt(v: number): string {
  return String(Number(v.toPrecision(6)));
}

/** A clear error when a scan cannot be predicted by a model (channel count or calibration differ). */
export function checkScanMatchesModel(cube: Pick<Cube, 'path' | 'channels'>, scanCal: Calibration, loaded: Pick<LoadedModel, 'dir' | 'meta'>): void {
  const { meta, dir } = loaded;
  if (cube.channels !== meta.channels) {
    throw new XrfInputError(cube.path, `has ${cube.channels} channels per spectrum but the model ${dir} was trained on ${meta.channels}`);
  }
  if (!calibrationsAgree(scanCal, meta.calibration, meta.channels)) {
    const dev = calibrationDeviationKeV(scanCal, meta.calibration, meta.channels);
    throw new XrfInputError(
      cube.path,
      `its energy calibration (${describeCalibration(scanCal)}) differs from the model's (${describeCalibration(meta.calibration)}) ` +
        `by up to ${fmt(dev * 1000)} eV, more than half a channel; the model ${dir} would read peaks at the wrong channels ` +
        `(give the scan's calibration, or train a model for it)`,
    );
  }
}

export function versions(tf: TF): ModelMetadata['versions'] {
  const v = (tf as unknown as { version?: Record<string, string> }).version;
  return { xrfmaps: (pkg as { version: string }).version, tfjs: v?.['tfjs-core'] ?? v?.tfjs ?? 'unknown', node: process.versions.node };
}
