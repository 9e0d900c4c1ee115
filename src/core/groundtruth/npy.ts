/**
 * Maps as NPY H×W×k (any numeric dtype → float32) with a `<base>.json` sidecar `{"lines": [...]}`:
 * what the simulator writes as ground truth and what predict writes. H×W with one line is accepted.
 */
import { promises as fs } from 'node:fs';
import { XrfInputError } from '../errors';
import { readNpy } from '../io/npy-read';
import { parseLineName } from '../lines';
import type { MapStack } from './groundtruth';
import { buildStack, LabelledMap } from './stack';

/** `maps.npy` → `maps.json`. */
export function sidecarPathOf(npyPath: string): string {
  return npyPath.replace(/\.npy$/i, '') + '.json';
}

/** The line labels in the sidecar, as written (normalization happens in buildStack). */
export async function readSidecarLines(npyPath: string): Promise<string[]> {
  const side = sidecarPathOf(npyPath);
  let text: string;
  try {
    text = await fs.readFile(side, 'utf8');
  } catch {
    throw new XrfInputError(npyPath, `no sidecar ${side} naming the line families ({"lines": ["Fe K", …]})`);
  }
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (e) {
    throw new XrfInputError(side, `not valid JSON: ${(e as Error).message}`);
  }
  const lines = (json as { lines?: unknown })?.lines;
  if (!Array.isArray(lines) || lines.length === 0 || !lines.every((l) => typeof l === 'string')) {
    throw new XrfInputError(side, 'needs "lines": a non-empty array of line-family names such as ["Fe K", "Pb L"]');
  }
  return lines as string[];
}

export async function readNpyStack(path: string): Promise<MapStack> {
  const labels = await readSidecarLines(path);
  const { header, data } = await readNpy(path);
  const shape = header.shape;
  let h: number;
  let w: number;
  let k: number;
  if (shape.length === 3) [h, w, k] = shape;
  else if (shape.length === 2 && labels.length === 1) [h, w, k] = [shape[0], shape[1], 1];
  else throw new XrfInputError(path, `expected maps of shape H×W×k, got (${shape.join(', ')})`);
  if (h === 0 || w === 0) throw new XrfInputError(path, `maps have zero size (${shape.join('×')})`);
  if (k !== labels.length) {
    throw new XrfInputError(path, `has ${k} maps (shape ${shape.join('×')}) but the sidecar names ${labels.length} line families`);
  }
  for (const l of labels) {
    // A sidecar names families only: anything else is a mistake, not something to ignore.
    if (parseLineName(l) === undefined) {
      throw new XrfInputError(sidecarPathOf(path), `"${l}" is not a line-family name (expected e.g. "Fe K", "Pb_L")`);
    }
  }
  const n = h * w;
  const maps = labels.map(() => new Float32Array(n));
  for (let p = 0, o = 0; p < n; p++) for (let j = 0; j < k; j++, o++) maps[j][p] = data[o];
  const items: LabelledMap[] = labels.map((label, j) => ({ label, data: maps[j] }));
  return buildStack(path, h, w, items);
}
