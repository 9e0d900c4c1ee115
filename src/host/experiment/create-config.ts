/**
 * "XRF Maps: Create Experiment Config" (explorer context menu on scans and ground-truth files): pairs
 * the selection (./new-config.ts), asks for a name, writes `<name>.xrfmaps.json` beside the files
 * (never over an existing file) and opens it. Scans without a ground truth get an empty entry, which
 * the diagnostics then point at.
 */
import * as vscode from 'vscode';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { promises as fs } from 'node:fs';
import * as nodePath from 'node:path';
import { writeFileAtomic } from '../../core/io/atomic';
import { CONFIG_SUFFIX } from '../../core/experiment/config';
import { groundTruthCandidates } from '../training/gather';
import { commonFolder, newConfigText, pairSelection } from './new-config';

/** An .npy is a maps file when its `<base>.json` sidecar lists line families. */
function isMapsNpy(p: string): boolean {
  const side = p.replace(/\.npy$/i, '.json');
  if (!existsSync(side)) return /(truth|[._-]gt\b)/i.test(p);
  try {
    const j = JSON.parse(readFileSync(side, 'utf8')) as { lines?: unknown };
    return Array.isArray(j?.lines);
  } catch {
    return false;
  }
}

/** Ground truth near a scan: by name beside it, then PyMca's `<stem>_pymca/IMAGES/<stem>.csv` (the simulator's layout). */
function besideScan(scan: string): string[] {
  let names: string[] = [];
  try {
    names = readdirSync(nodePath.dirname(scan));
  } catch {
    names = [];
  }
  const stem = nodePath.basename(scan).replace(/\.[^.]+$/, '');
  const pymca = nodePath.join(nodePath.dirname(scan), `${stem}_pymca`, 'IMAGES', `${stem}.csv`);
  return [...groundTruthCandidates(scan, names), ...(existsSync(pymca) ? [pymca] : [])];
}

export async function createConfigFromSelection(uri?: vscode.Uri, uris?: vscode.Uri[]): Promise<void> {
  let files = (uris && uris.length ? uris : uri ? [uri] : []).map((u) => u.fsPath);
  if (files.length === 0) {
    const picked = await vscode.window.showOpenDialog({
      title: 'Scans (and their ground truth) for the new experiment',
      canSelectMany: true,
      defaultUri: vscode.workspace.workspaceFolders?.[0]?.uri,
    });
    files = picked?.map((u) => u.fsPath) ?? [];
  }
  if (files.length === 0) return;
  const pairing = pairSelection(files, isMapsNpy, besideScan);
  if (pairing.paintings.length === 0) {
    void vscode.window.showWarningMessage('XRF Maps: select at least one scan (.rpl, .npy, .h5, .npz) to create an experiment config.');
    return;
  }
  const dir = commonFolder(pairing.paintings.map((p) => p.scan));
  const name = await vscode.window.showInputBox({
    title: 'Name of the experiment config',
    value: 'experiment',
    prompt: `Written as <name>${CONFIG_SUFFIX} in ${dir}`,
    validateInput: (v) =>
      !v.trim()
        ? 'Give it a name.'
        : /[\\/:*?"<>|]/.test(v)
          ? 'A file name cannot hold \\ / : * ? " < > |.'
          : existsSync(nodePath.join(dir, `${v.trim()}${CONFIG_SUFFIX}`))
            ? 'That config exists already (configs are never overwritten).'
            : null,
  });
  if (!name) return;
  const target = nodePath.join(dir, `${name.trim()}${CONFIG_SUFFIX}`);
  try {
    await fs.access(target);
    void vscode.window.showErrorMessage(`XRF Maps: ${target} exists already; it is not overwritten.`);
    return;
  } catch {
    // absent: good
  }
  await writeFileAtomic(target, newConfigText(dir, pairing));
  await vscode.window.showTextDocument(vscode.Uri.file(target));
  const missing = pairing.paintings.filter((p) => !p.groundTruth).map((p) => p.name);
  if (missing.length) void vscode.window.showWarningMessage(`XRF Maps: no ground truth found for ${missing.join(', ')}: fill in "groundTruth" in the config.`);
}
