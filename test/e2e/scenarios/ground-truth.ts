/**
 * Scenario 3: opening a ground-truth file (NPY H×W×k with its `<base>.json` sidecar naming the line families) shows
 * its maps: one canvas per family in the sidecar, each ranking its pixels as the file's values do.
 */
import assert from 'node:assert/strict';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { readNpy } from '../../../src/core/io/npy-read';
import { writeNpy } from '../../../src/core/io/npy-write';
import { normalizeLineName, parseLineName } from '../../../src/core/lines';
import { freshEditorArea, mapLines, openWith, readyMapGrid, type E2EContext } from '../harness/context';
import * as wb from '../harness/workbench';
import type { KnownScan, SimPainting } from '../harness/workspace';
import { checkDrawnMaps } from './scan-editor';

export const GROUND_TRUTH_EDITOR = 'xrfmaps.groundTruth';

/** The simulator's ground truth of the first painting, or a small one written here from the known scan's layout. */
export async function groundTruthFile(ws: string, known: KnownScan, paintings: SimPainting[]): Promise<string> {
  const sim = paintings.find((p) => p.groundTruth && p.groundTruth.endsWith('.npy') && existsSync(p.groundTruth));
  if (sim?.groundTruth) return sim.groundTruth;
  const path = join(ws, 'truth', 'known-truth.npy');
  if (existsSync(path)) return path;
  mkdirSync(join(ws, 'truth'), { recursive: true });
  const { width, height, amplitude } = known;
  const lines = ['Ca K', 'Fe K', 'Pb L'] as const;
  const data = new Float32Array(height * width * lines.length);
  for (let p = 0; p < height * width; p++) lines.forEach((l, j) => (data[p * lines.length + j] = amplitude[l][p]));
  await writeNpy(path, data, [height, width, lines.length]);
  writeFileSync(path.replace(/\.npy$/, '.json'), JSON.stringify({ lines }));
  return path;
}

export async function scenarioGroundTruth(ctx: E2EContext, log: (s: string) => void): Promise<void> {
  const { page } = ctx.win;
  const file = await groundTruthFile(ctx.ws, ctx.known, ctx.paintings);
  const sidecar = JSON.parse(readFileSync(file.replace(/\.npy$/, '.json'), 'utf8')) as { lines: string[] };
  const npy = await readNpy(file);
  const [height, width, k] = npy.header.shape;
  const maps = new Map<string, Float64Array>();
  sidecar.lines.forEach((l, j) => {
    const m = new Float64Array(height * width);
    for (let p = 0; p < height * width; p++) m[p] = npy.data[p * k + j];
    maps.set(normalizeLineName(l), m);
  });

  await freshEditorArea(ctx);
  await openWith(ctx, file, GROUND_TRUTH_EDITOR);
  const { frame } = await readyMapGrid(ctx, 60_000, 'groundTruth');
  await wb.sleep(300);
  await wb.screenshot(page, '3-ground-truth');
  const shown = (await mapLines(frame)).filter((l) => parseLineName(l)).map((l) => normalizeLineName(l));
  log(`ground truth ${file.slice(ctx.ws.length + 1)}: ${shown.join(', ')}`);
  assert.deepEqual(new Set(shown), new Set(maps.keys()), 'the ground-truth editor shows other families than the file holds');
  const rows = await checkDrawnMaps(frame, { height, width, maps }, log);
  assert.ok(rows.some((r) => r.rho !== undefined), 'no ground-truth map varied enough to compare');
}
