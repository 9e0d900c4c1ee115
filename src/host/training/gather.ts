/**
 * "Train FCN" & co., step 1: gather the inputs of a training run by asking the user (training
 * scans, each scan's ground truth, where the model folder goes) and map them to a TrainJobInput.
 * Step 2 (./run.ts) runs any TrainJobInput, so an experiment config can replace this step.
 *
 * The prompts are an interface: VS Code dialogs in ./commands.ts, a scripted fake in the tests.
 * No `vscode` here.
 */
import * as nodePath from 'node:path';
import type { TrainJobInput } from '../../core/ml/jobs';
import type { ModelArch } from '../../core/ml/models';
import type { BackendPref } from '../../core/ml/backend';
import type { Calibration } from '../../core/cube/cube';
import type { TrainSettings } from './settings';

export interface TrainPrompts {
  /** Training scans (several allowed); undefined or empty when the user cancels. */
  pickScans(): Promise<string[] | undefined>;
  /** The ground truth of `scan`, offering `candidates` (files beside it that look like one) first. */
  pickGroundTruth(scan: string, candidates: string[]): Promise<string | undefined>;
  /** The folder the new model folder goes in. */
  pickOutputParent(suggested: string): Promise<string | undefined>;
  /** The model folder's name; `validate` returns a problem, or undefined when the name is fine. */
  askModelName(suggested: string, validate: (name: string) => Promise<string | undefined>): Promise<string | undefined>;
}

export interface GatherEnv {
  listDir(dir: string): Promise<string[]>;
  exists(path: string): Promise<boolean>;
  now(): Date;
  /** The first workspace folder, if any (the suggested home of models/). */
  workspaceFolder?: string;
  /** The normalized line families a ground-truth file holds (read only when `xrfmaps.lines` is set). */
  groundTruthLines(path: string): Promise<string[]>;
  warn?(message: string): void;
}

export interface GatherSettings extends Omit<TrainSettings, 'warnings' | 'threads'> {
  /** `xrfmaps.training.threads`; 0/absent = automatic. */
  threads?: number;
  backend: BackendPref;
  calibration?: Calibration;
  /** `xrfmaps.lines`, normalized; undefined or empty when the setting is empty (the pipeline then picks). */
  lines?: string[];
}

/**
 * The lines to train: the setting's lines that every ground truth holds, in the setting's order.
 * Undefined (the pipeline's default: the thesis targets the first ground truth holds) when the setting
 * is empty or none of its lines is in every ground truth.
 */
export async function trainingLines(setting: string[] | undefined, groundTruths: string[], env: Pick<GatherEnv, 'groundTruthLines' | 'warn'>): Promise<string[] | undefined> {
  if (!setting || setting.length === 0) return undefined;
  let lines = [...setting];
  for (const gt of groundTruths) {
    const held = new Set(await env.groundTruthLines(gt));
    lines = lines.filter((l) => held.has(l));
  }
  if (lines.length === 0) {
    env.warn?.(`xrfmaps.lines: none of ${setting.join(', ')} is in every ground truth; training the default lines of ${groundTruths[0]}`);
    return undefined;
  }
  return lines;
}

/** "FCN+" → "fcn-plus": file-name friendly. */
export function archSlug(arch: ModelArch): string {
  return arch.toLowerCase().replace(/\+/g, '-plus');
}

function stamp(d: Date): string {
  const p = (n: number) => String(n).padStart(2, '0');
  return `${d.getFullYear()}${p(d.getMonth() + 1)}${p(d.getDate())}-${p(d.getHours())}${p(d.getMinutes())}${p(d.getSeconds())}`;
}

/** "fcn-plus-20261125-201530". */
export function defaultModelName(arch: ModelArch, now: Date): string {
  return `${archSlug(arch)}-${stamp(now)}`;
}

const MAP_EXTENSIONS = ['.npy', '.csv', '.edf', '.h5', '.hdf5', '.tif', '.tiff'];

/**
 * Files beside a scan that look like its ground truth: same stem (case-insensitive), a maps format,
 * not the scan itself; an .npy only with its .json sidecar. Names saying "truth" or "gt" first, then
 * NPY (the simulator's and predict's format), then the rest by name.
 */
export function groundTruthCandidates(scanPath: string, names: string[]): string[] {
  const dir = nodePath.dirname(scanPath);
  const scanName = nodePath.basename(scanPath);
  const stem = scanName.replace(/\.[^.]+$/, '').toLowerCase();
  const have = new Set(names);
  const rank = (n: string) => (/(truth|[._-]gt\b|ground)/i.test(n) ? 0 : 2) + (/\.npy$/i.test(n) ? 0 : 1);
  return names
    .filter((n) => n !== scanName && n.toLowerCase().startsWith(stem) && MAP_EXTENSIONS.includes(nodePath.extname(n).toLowerCase()))
    .filter((n) => !/\.npy$/i.test(n) || have.has(n.replace(/\.npy$/i, '.json')))
    .sort((a, b) => rank(a) - rank(b) || a.localeCompare(b))
    .map((n) => nodePath.join(dir, n));
}

/** A problem with a model folder name, or undefined. */
export async function modelNameProblem(parent: string, name: string, exists: (p: string) => Promise<boolean>): Promise<string | undefined> {
  const n = name.trim();
  if (!n) return 'Give the model folder a name.';
  if (/[\\/:*?"<>|]/.test(n) || n === '.' || n === '..') return 'A folder name cannot hold \\ / : * ? " < > |.';
  if (await exists(nodePath.join(parent, n))) return `${nodePath.join(parent, n)} already exists; a model folder is never overwritten.`;
  return undefined;
}

/** Where to suggest the model folder: <workspace>/models, else the workspace, else beside the first scan. */
export function suggestedParent(env: GatherEnv, firstScan: string): string {
  return env.workspaceFolder ? nodePath.join(env.workspaceFolder, 'models') : nodePath.dirname(firstScan);
}

/** Ask for everything a training run needs; undefined when the user cancels any step. */
export async function gatherTrainInput(arch: ModelArch, prompts: TrainPrompts, env: GatherEnv, settings: GatherSettings): Promise<TrainJobInput | undefined> {
  const scans = await prompts.pickScans();
  if (!scans || scans.length === 0) return undefined;
  const train: TrainJobInput['train'] = [];
  for (const scan of scans) {
    let names: string[] = [];
    try {
      names = await env.listDir(nodePath.dirname(scan));
    } catch {
      names = [];
    }
    const gt = await prompts.pickGroundTruth(scan, groundTruthCandidates(scan, names));
    if (!gt) return undefined;
    train.push({ scan, groundTruth: gt, name: nodePath.basename(scan).replace(/\.[^.]+$/, '') });
  }
  const lines = await trainingLines(settings.lines, train.map((t) => t.groundTruth), env);
  const parent = await prompts.pickOutputParent(suggestedParent(env, scans[0]));
  if (!parent) return undefined;
  const name = await prompts.askModelName(defaultModelName(arch, env.now()), (n) => modelNameProblem(parent, n, env.exists));
  if (!name) return undefined;
  // The dialog's answer is checked again: a folder may have appeared meanwhile.
  const problem = await modelNameProblem(parent, name, env.exists);
  if (problem) throw new Error(problem);
  return {
    model: arch,
    train,
    outDir: nodePath.join(parent, name.trim()),
    ...(lines ? { lines } : {}),
    ...(settings.calibration ? { calibration: settings.calibration } : {}),
    epochs: settings.epochs,
    patience: settings.patience,
    stride: settings.stride,
    valShare: settings.valShare,
    batch: settings.batch,
    seed: settings.seed,
    backend: settings.backend,
    ...(settings.threads ? { threads: settings.threads } : {}),
  };
}
