/**
 * Dialogs that pick predictions and ground truth for "Evaluate Prediction" and "Compare with …".
 * A prediction's sidecar names the scan it came from: the ground truth is offered from beside that
 * scan first (files named like it: `painting_truth.npy`, PyMca's CSV …), then "Browse…".
 */
import * as vscode from 'vscode';
import { promises as fs } from 'node:fs';
import * as nodePath from 'node:path';
import { groundTruthCandidates } from '../training/gather';

export const MAP_FILE_FILTERS = { 'Elemental maps': ['npy', 'csv', 'edf', 'h5', 'hdf5', 'tif', 'tiff'] };

/** Set by the maps editor provider: the maps file in front and whether it is a prediction. */
let activeMaps: (() => { file: string; isPrediction: boolean } | undefined) | undefined;

export function setActiveMapsSource(fn: () => { file: string; isPrediction: boolean } | undefined): void {
  activeMaps = fn;
}

export function activeMapsFile(): { file: string; isPrediction: boolean } | undefined {
  return activeMaps?.();
}

function defaultFolder(): vscode.Uri | undefined {
  return vscode.workspace.workspaceFolders?.[0]?.uri;
}

export async function askPredictions(dir?: string): Promise<string[] | undefined> {
  const uris = await vscode.window.showOpenDialog({
    title: 'Predicted maps to evaluate (several predictions of one scan compare side by side)',
    canSelectMany: true,
    canSelectFiles: true,
    canSelectFolders: false,
    defaultUri: dir ? vscode.Uri.file(dir) : defaultFolder(),
    filters: MAP_FILE_FILTERS,
  });
  return uris?.map((u) => u.fsPath);
}

async function scanOfPrediction(prediction: string): Promise<string | undefined> {
  try {
    const side = JSON.parse(await fs.readFile(prediction.replace(/\.npy$/i, '.json'), 'utf8')) as { scan?: unknown };
    return typeof side.scan === 'string' ? side.scan : undefined;
  } catch {
    return undefined;
  }
}

export async function askGroundTruthFor(prediction: string): Promise<string | undefined> {
  const scan = await scanOfPrediction(prediction);
  let candidates: string[] = [];
  if (scan) {
    try {
      candidates = groundTruthCandidates(scan, await fs.readdir(nodePath.dirname(scan))).filter((c) => nodePath.resolve(c) !== nodePath.resolve(prediction));
    } catch {
      candidates = [];
    }
  }
  const browse = async () =>
    (
      await vscode.window.showOpenDialog({
        title: `Ground truth for ${nodePath.basename(prediction)}`,
        canSelectMany: false,
        defaultUri: vscode.Uri.file(nodePath.dirname(scan ?? prediction)),
        filters: MAP_FILE_FILTERS,
      })
    )?.[0]?.fsPath;
  if (candidates.length === 0) return browse();
  const pick = await vscode.window.showQuickPick(
    [...candidates.map((c) => ({ label: nodePath.basename(c), description: nodePath.dirname(c), path: c as string | undefined })), { label: '$(folder-opened) Browse…', description: '', path: undefined }],
    { title: `Ground truth for ${nodePath.basename(prediction)}`, ignoreFocusOut: true },
  );
  if (!pick) return undefined;
  return pick.path ?? browse();
}
