/**
 * A light check of a model folder before "Predict Elemental Maps" starts a worker: is it an xrfmaps
 * model (metadata.json with format "xrfmaps-model"), and what is it called. The worker does the real
 * checks (shapes, calibration against the scan). Reads JSON only, so the host never loads tfjs.
 * No `vscode` here.
 */
import { promises as fs } from 'node:fs';
import * as nodePath from 'node:path';
import { XrfInputError } from '../../core/errors';

export interface ModelSummary {
  dir: string;
  name: string;
  architecture: string;
  lines: string[];
  channels: number;
}

export async function describeModelFolder(dir: string): Promise<ModelSummary> {
  const file = nodePath.join(dir, 'metadata.json');
  let text: string;
  try {
    text = await fs.readFile(file, 'utf8');
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    throw new XrfInputError(dir, code === 'ENOENT' ? 'not an xrfmaps model folder (it has no metadata.json; pick the folder a training run wrote)' : `cannot read metadata.json (${code ?? String(e)})`);
  }
  let m: { format?: unknown; name?: unknown; architecture?: unknown; lines?: unknown; channels?: unknown };
  try {
    m = JSON.parse(text);
  } catch (e) {
    throw new XrfInputError(file, `not valid JSON (${(e as Error).message})`);
  }
  if (m?.format !== 'xrfmaps-model') throw new XrfInputError(file, `format is ${JSON.stringify(m?.format)}, not "xrfmaps-model"`);
  const lines = Array.isArray(m.lines) ? m.lines.filter((l): l is string => typeof l === 'string') : [];
  return {
    dir,
    name: typeof m.name === 'string' ? m.name : nodePath.basename(dir),
    architecture: typeof m.architecture === 'string' ? m.architecture : '?',
    lines,
    channels: typeof m.channels === 'number' ? m.channels : NaN,
  };
}

/**
 * The scan to predict: the file the command was invoked on (explorer context menu), else the scan
 * editor in front, else none (the command then asks). The HDF5 dataset chosen in the scan editor
 * goes with it when the scan is the one that editor shows.
 */
export function scanToPredict(
  argPath: string | undefined,
  activeScan: { file: string; dataset?: string } | undefined,
): { scan: string; dataset?: string } | undefined {
  const scan = argPath ?? activeScan?.file;
  if (scan === undefined) return undefined;
  const dataset = activeScan?.dataset !== undefined && nodePath.resolve(scan) === nodePath.resolve(activeScan.file) ? activeScan.dataset : undefined;
  return dataset !== undefined ? { scan, dataset } : { scan };
}
