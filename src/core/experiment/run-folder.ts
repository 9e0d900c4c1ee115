/**
 * Where a run's files go. A run is a NEW folder `<outputDir>/<config-name>-<YYYYMMDD-HHMMSS>[-n]`,
 * created with a non-recursive mkdir so that two runs started in the same second (or by two
 * processes) never share or overwrite a folder: the loser of the race takes the next suffix.
 *
 *   <run>/run.json                      status (running | finished | cancelled | failed), folds, jobs
 *   <run>/config.snapshot.json          the config text exactly as it was run
 *   <run>/log.txt                       everything the run reported, one line each
 *   <run>/summary.md, summary.json      the thesis-style tables (written after every finished job)
 *   <run>/<painting>/maps.png, zscores.png          figures of the held-out painting, all models
 *   <run>/<painting>/<model>/model/                 the trained model folder
 *   <run>/<painting>/<model>/prediction.npy (+.json) predicted maps of the held-out painting
 *   <run>/<painting>/<model>/metrics.json           the evaluation report
 *   <run>/<painting>/<model>/loss.png               training and validation loss curves
 */
import { promises as fs } from 'node:fs';
import * as path from 'node:path';
import type { ModelArch } from '../ml/models';
import { modelSlug } from './config';

export const RUN_FILE = 'run.json';
export const SNAPSHOT_FILE = 'config.snapshot.json';
export const LOG_FILE = 'log.txt';
export const SUMMARY_MD = 'summary.md';
export const SUMMARY_JSON = 'summary.json';
export const METRICS_FILE = 'metrics.json';
export const PREDICTION_FILE = 'prediction.npy';
export const MODEL_SUBDIR = 'model';
export const LOSS_PNG = 'loss.png';
export const MAPS_PNG = 'maps.png';
export const ZSCORES_PNG = 'zscores.png';

const pad = (n: number, w = 2) => String(n).padStart(w, '0');

/** "YYYYMMDD-HHMMSS" in local time (what a user sees on their clock). */
export function timestamp(d: Date): string {
  return `${d.getFullYear()}${pad(d.getMonth() + 1)}${pad(d.getDate())}-${pad(d.getHours())}${pad(d.getMinutes())}${pad(d.getSeconds())}`;
}

/** The folder name a run started at `d` would like: "<config-name>-YYYYMMDD-HHMMSS". */
export function runFolderName(configName: string, d: Date): string {
  return `${configName}-${timestamp(d)}`;
}

/** Recognizes a run folder's name for a config (with or without the "-n" suffix). */
export function isRunFolderName(name: string, configName: string): boolean {
  if (!name.startsWith(configName + '-')) return false;
  return /^\d{8}-\d{6}(?:-\d+)?$/.test(name.slice(configName.length + 1));
}

/**
 * Creates the run folder (and the output folder above it) and returns its absolute path. Never reuses
 * an existing folder: "name", then "name-2", "name-3", …
 */
export async function createRunFolder(outputDir: string, configName: string, d: Date = new Date()): Promise<string> {
  await fs.mkdir(outputDir, { recursive: true });
  const base = path.join(path.resolve(outputDir), runFolderName(configName, d));
  for (let i = 1; i < 10000; i++) {
    const candidate = i === 1 ? base : `${base}-${i}`;
    try {
      await fs.mkdir(candidate); // not recursive: fails with EEXIST when taken, atomically
      return candidate;
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code !== 'EEXIST') throw e;
    }
  }
  throw new Error(`could not create a new run folder beside ${base}`);
}

export interface JobPaths {
  dir: string;
  modelDir: string;
  prediction: string;
  metrics: string;
  lossPng: string;
}

/** The files of one (held-out painting, model) job inside a run. */
export function jobPaths(runDir: string, painting: string, model: ModelArch): JobPaths {
  const dir = path.join(runDir, safeName(painting), modelSlug(model));
  return {
    dir,
    modelDir: path.join(dir, MODEL_SUBDIR),
    prediction: path.join(dir, PREDICTION_FILE),
    metrics: path.join(dir, METRICS_FILE),
    lossPng: path.join(dir, LOSS_PNG),
  };
}

/** The held-out painting's folder inside a run. */
export function foldDir(runDir: string, painting: string): string {
  return path.join(runDir, safeName(painting));
}

/** A painting name made safe as a folder name (names are user text). */
export function safeName(name: string): string {
  const s = name.replace(/[\\/:*?"<>|\x00-\x1f]+/g, '_').replace(/^\.+/, '_').trim();
  return s || '_';
}
