/**
 * What a run folder records about itself (run.json) and its results (summary.json): the types, and
 * reading them back for the runs view, the CLI and the per-line figures shown next to a config.
 */
import { promises as fs } from 'node:fs';
import * as path from 'node:path';
import type { ModelArch } from '../ml/models';
import type { EvaluationReport, SummaryMetrics } from '../metrics/evaluate';
import type { PaintingConfig, TrainingSettings } from './config';
import type { Fold } from './folds';
import { RUN_FILE, SUMMARY_JSON } from './run-folder';

export const RUN_FORMAT = 'xrfmaps-run';

export type RunStatus = 'running' | 'finished' | 'cancelled' | 'failed';
export type JobStatus = 'pending' | 'training' | 'predicting' | 'evaluating' | 'finished' | 'cancelled' | 'failed';

export interface JobRecord {
  /** The held-out painting. */
  test: string;
  model: ModelArch;
  status: JobStatus;
  /** The job's folder, relative to the run folder. */
  dir: string;
  error?: string;
  epochsRun?: number;
  bestEpoch?: number;
  bestValLoss?: number | null;
  trainSamples?: number;
  valSamples?: number;
  backend?: string;
  trainSeconds?: number;
  predictSeconds?: number;
  /** Key figures of the evaluation (the full report is in the job's metrics.json). */
  average?: SummaryMetrics;
  total?: SummaryMetrics;
}

export interface RunRecord {
  format: typeof RUN_FORMAT;
  formatVersion: 1;
  /** The run folder's name. */
  name: string;
  /** The config's name and absolute path. */
  configName: string;
  config: string;
  status: RunStatus;
  error?: string;
  started: string;
  finished?: string;
  seconds?: number;
  lines: string[];
  models: ModelArch[];
  /** The paintings as run (absolute paths), so results can be reopened without the config. */
  paintings: PaintingConfig[];
  folds: Fold[];
  training: TrainingSettings;
  /** Per-model training settings where the config gives them. */
  trainingByModel?: Partial<Record<ModelArch, TrainingSettings>>;
  jobs: JobRecord[];
}

export interface SummaryFold {
  test: string;
  train: string[];
  /** Evaluation reports of the finished models, keyed by model id, in the thesis's column order. */
  reports: Partial<Record<ModelArch, EvaluationReport>>;
}

export interface RunSummary {
  format: 'xrfmaps-run-summary';
  run: string;
  configName: string;
  config: string;
  status: RunStatus;
  lines: string[];
  models: ModelArch[];
  folds: SummaryFold[];
}

export async function readRunRecord(runDir: string): Promise<RunRecord | undefined> {
  try {
    const r = JSON.parse(await fs.readFile(path.join(runDir, RUN_FILE), 'utf8')) as RunRecord;
    return r?.format === RUN_FORMAT ? r : undefined;
  } catch {
    return undefined;
  }
}

export async function readRunSummary(runDir: string): Promise<RunSummary | undefined> {
  try {
    const s = JSON.parse(await fs.readFile(path.join(runDir, SUMMARY_JSON), 'utf8')) as RunSummary;
    return s?.format === 'xrfmaps-run-summary' ? s : undefined;
  } catch {
    return undefined;
  }
}

export interface RunListing {
  dir: string;
  record: RunRecord;
}

/**
 * The runs in an output folder, newest first (by start time). Only folders holding a valid run.json
 * count; `config`, when given, keeps the runs of that config file.
 */
export async function listRuns(outputDir: string, config?: string): Promise<RunListing[]> {
  let names: string[];
  try {
    names = await fs.readdir(outputDir);
  } catch {
    return [];
  }
  const out: RunListing[] = [];
  for (const n of names) {
    const dir = path.join(outputDir, n);
    const record = await readRunRecord(dir);
    if (!record) continue;
    if (config && path.resolve(record.config) !== path.resolve(config)) continue;
    out.push({ dir, record });
  }
  return out.sort((a, b) => b.record.started.localeCompare(a.record.started) || b.dir.localeCompare(a.dir));
}

/** A run's average SSIM per model over its finished jobs (mean of each job's Avg row). */
export function averageSsimByModel(record: RunRecord): Partial<Record<ModelArch, number>> {
  const out: Partial<Record<ModelArch, number>> = {};
  for (const m of record.models) {
    const v = record.jobs.filter((j) => j.model === m && j.status === 'finished' && typeof j.average?.ssim === 'number').map((j) => j.average!.ssim as number);
    if (v.length) out[m] = v.reduce((a, b) => a + b, 0) / v.length;
  }
  return out;
}

/** "FCN 0.912 · 1DCNN+ 0.968" (models without a finished job left out). */
export function formatKeyFigures(record: RunRecord): string {
  const avg = averageSsimByModel(record);
  const parts = record.models.filter((m) => avg[m] !== undefined).map((m) => `${m} ${avg[m]!.toFixed(3)}`);
  return parts.length ? `SSIM ${parts.join(' · ')}` : 'no finished models';
}
