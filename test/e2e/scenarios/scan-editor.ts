/**
 * Scenario 1: opening a scan shows the scan editor, its maps are drawn, and hovering a pixel draws its spectrum.
 * The drawn maps are checked against maps computed independently by the CLI (`xrfmaps maps`) from the same file:
 * the rank correlation of each canvas's luminance with its map (see harness/pixels.ts).
 */
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { readNpy } from '../../../src/core/io/npy-read';
import { parseLineName, normalizeLineName } from '../../../src/core/lines';
import { cli, freshEditorArea, mapLines, openWith, readyMapGrid, type E2EContext } from '../harness/context';
import { argmax2d, fingerprint, mean, readCanvas, resample, spearman, std } from '../harness/pixels';
import type { Frame, Locator } from '../harness/pw';
import * as wb from '../harness/workbench';

/** The viewType of the custom editor that claims .rpl scans (read from package.json). */
export function scanEditorType(ctx: E2EContext): string {
  const e = ctx.features.editorFor('.rpl');
  if (!e) throw new Error('no custom editor for *.rpl in package.json');
  return e.viewType;
}

/** The scan to open: the first simulated painting, or the scan written by the harness when there is no simulator. */
export function scanUnderTest(ctx: E2EContext): string {
  return ctx.paintings[0]?.scan ?? ctx.known.rpl;
}

/** H×W maps per line family from `xrfmaps maps`, in the order asked. */
export async function cliMaps(ctx: E2EContext, scan: string, lines: string[]): Promise<{ height: number; width: number; maps: Map<string, Float64Array> }> {
  const out = join(ctx.tmp, `maps-${Date.now()}.npy`);
  await cli(['maps', scan, '--out', out, '--lines', lines.join(',')]);
  const npy = await readNpy(out);
  const [height, width, k] = npy.header.shape;
  assert.equal(k, lines.length, `xrfmaps maps wrote ${k} maps for ${lines.length} lines`);
  const maps = new Map<string, Float64Array>();
  lines.forEach((line, j) => {
    const m = new Float64Array(height * width);
    for (let p = 0; p < height * width; p++) m[p] = npy.data[p * k + j];
    maps.set(line, m);
  });
  return { height, width, maps };
}

export interface MapCheck {
  line: string;
  rho: number | undefined;
  lumStd: number;
  note: string;
}

/**
 * Checks every map canvas in `frame` that names a line family against `expected` (H×W values). Returns one row per
 * canvas, for the log; asserts that each canvas is drawn (not blank) and, where the expected map varies, that the
 * canvas's luminance ranks its pixels as the map does.
 */
export async function checkDrawnMaps(frame: Frame, expected: { height: number; width: number; maps: Map<string, Float64Array> }, minRho = 0.9): Promise<MapCheck[]> {
  const rows: MapCheck[] = [];
  const canvases = frame.locator('canvas[data-line]');
  const n = await canvases.count();
  assert.ok(n > 0, 'the scan editor shows no map canvases');
  for (let i = 0; i < n; i++) {
    const canvas = canvases.nth(i);
    const label = (await canvas.getAttribute('data-line')) ?? '';
    const px = await readCanvas(canvas);
    assert.ok(px.width > 0 && px.height > 0, `map "${label}" has an empty canvas`);
    const line = parseLineName(label) ? normalizeLineName(label) : undefined;
    const want = line ? expected.maps.get(line) : undefined;
    if (!want) {
      rows.push({ line: label, rho: undefined, lumStd: std(px.lum), note: 'no reference map (not a line family)' });
      continue;
    }
    const shown = resample(px.lum, px.width, px.height, expected.width, expected.height);
    if (std(want) === 0) {
      rows.push({ line: label, rho: undefined, lumStd: std(shown), note: 'flat map: nothing to rank' });
      continue;
    }
    assert.ok(px.opaque > 0.5, `map "${label}" is mostly transparent (${(px.opaque * 100).toFixed(0)} % opaque): not drawn`);
    assert.ok(std(shown) > 1, `map "${label}" is blank: its luminance does not vary (std ${std(shown).toFixed(2)}) although the map does`);
    const rho = spearman(shown, want);
    rows.push({ line: label, rho, lumStd: std(shown), note: '' });
    assert.ok(rho > minRho, `map "${label}" does not show the map of that file: rank correlation with "xrfmaps maps" is ${rho.toFixed(3)} (want > ${minRho})`);
  }
  return rows;
}

/** Moves the mouse over pixel (row, col) of a map canvas, in screen coordinates of the page. */
export async function hoverPixel(canvas: Locator, row: number, col: number, height: number, width: number): Promise<void> {
  const box = await canvas.boundingBox();
  assert.ok(box, 'the map canvas has no box on screen');
  await canvas.hover({ position: { x: ((col + 0.5) * box.width) / width, y: ((row + 0.5) * box.height) / height }, force: true });
}

export async function scenarioScanEditor(ctx: E2EContext, log: (s: string) => void): Promise<void> {
  const { page } = ctx.win;
  const scan = scanUnderTest(ctx);
  await freshEditorArea(ctx);
  await openWith(ctx, scan, scanEditorType(ctx));
  const { frame } = await readyMapGrid(ctx);
  await wb.sleep(500); // let the last frames paint
  await wb.screenshot(page, '1-scan-editor');

  const shown = await mapLines(frame);
  log(`maps shown: ${shown.join(', ')}`);
  const families = shown.filter((l) => parseLineName(l)).map((l) => normalizeLineName(l));
  assert.ok(families.length >= 3, `the scan editor shows ${families.length} line-family maps (${shown.join(', ')}); the default is 12`);
  assert.ok(shown.length > families.length, `no total-counts map among ${shown.join(', ')}`);

  const expected = await cliMaps(ctx, scan, families);
  const rows = await checkDrawnMaps(frame, expected);
  for (const r of rows) log(`  ${r.line.padEnd(14)} rho ${r.rho === undefined ? '  -  ' : r.rho.toFixed(3)}  lum std ${r.lumStd.toFixed(1)} ${r.note}`);
  const ranked = rows.filter((r) => r.rho !== undefined);
  assert.ok(ranked.length >= 3, `only ${ranked.length} maps had varying values to compare`);

  // Which element is strongest where: the brightest pixel of the strongest map sits where the CLI map peaks.
  const strongest = [...expected.maps.entries()].sort((a, b) => mean(b[1]) - mean(a[1]))[0];
  const canvas = frame.locator(`canvas[data-line="${shown[families.indexOf(strongest[0])]}"]`).first();
  const px = await readCanvas(canvas);
  const shownMap = resample(px.lum, px.width, px.height, expected.width, expected.height);
  const want = argmax2d(strongest[1], expected.width);
  const drawnAtPeak = shownMap[want.row * expected.width + want.col];
  const sortedLum = [...shownMap].sort((a, b) => a - b);
  const pct = sortedLum.findIndex((v) => v >= drawnAtPeak) / sortedLum.length;
  log(`strongest map ${strongest[0]}: its peak (${want.row}, ${want.col}) is drawn at the ${(pct * 100).toFixed(0)}th percentile of its canvas`);
  assert.ok(pct > 0.9, `the peak of ${strongest[0]} is drawn at only the ${(pct * 100).toFixed(0)}th percentile of its canvas's luminance`);

  // Hover: the pixel spectrum appears and follows the mouse.
  const spectrum = frame.locator('canvas[data-kind="spectrum"]').first();
  await spectrum.waitFor({ state: 'attached', timeout: 10_000 });
  const before = fingerprint(await readCanvas(spectrum));
  const low = argmax2d(strongest[1].map((v) => -v), expected.width);
  await hoverPixel(canvas, want.row, want.col, expected.height, expected.width);
  const afterHigh = await wb.waitUntil('the spectrum to redraw for the hovered pixel', 15_000, async () => {
    const f = fingerprint(await readCanvas(spectrum));
    return f !== before ? f : undefined;
  });
  await wb.screenshot(page, '1-scan-editor-hover');
  await hoverPixel(canvas, low.row, low.col, expected.height, expected.width);
  await wb.waitUntil('the spectrum to change for another pixel', 15_000, async () => {
    const f = fingerprint(await readCanvas(spectrum));
    return f !== afterHigh ? f : undefined;
  });
  log(`hover (${want.row}, ${want.col}) then (${low.row}, ${low.col}): the spectrum canvas redrew both times`);
}
