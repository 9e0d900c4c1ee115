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
import { argmax2d, drawnImage, fingerprint, mean, readCanvas, screenPointOf, spearman, std, type CanvasPixels } from '../harness/pixels';
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
export async function checkDrawnMaps(
  frame: Frame,
  expected: { height: number; width: number; maps: Map<string, Float64Array> },
  log: (s: string) => void,
  minRho = 0.9,
): Promise<MapCheck[]> {
  const rows: MapCheck[] = [];
  const failures: string[] = [];
  const canvases = frame.locator('canvas[data-line]');
  const n = await canvases.count();
  assert.ok(n > 0, 'the scan editor shows no map canvases');
  for (let i = 0; i < n; i++) {
    const canvas = canvases.nth(i);
    const label = (await canvas.getAttribute('data-line')) ?? '';
    const px = await readCanvas(canvas);
    assert.ok(px.width > 0 && px.height > 0, `map "${label}" has an empty canvas`);
    const drawn = drawnImage(px, expected.width, expected.height);
    assert.ok(drawn, `map "${label}" is not drawn: its canvas is fully transparent`);
    assert.ok(drawn.fill > 0.98, `map "${label}" is drawn with holes: ${(drawn.fill * 100).toFixed(0)} % of its image box is opaque`);
    const line = parseLineName(label) ? normalizeLineName(label) : undefined;
    const want = line ? expected.maps.get(line) : undefined;
    const shown = drawn.lum;
    if (!want) {
      rows.push({ line: label, rho: undefined, lumStd: std(shown), note: 'no reference map (not a line family)' });
      continue;
    }
    if (std(want) === 0) {
      rows.push({ line: label, rho: undefined, lumStd: std(shown), note: 'flat map: nothing to rank' });
      continue;
    }
    assert.ok(std(shown) > 1, `map "${label}" is blank: its luminance does not vary (std ${std(shown).toFixed(2)}) although the map does`);
    const rho = spearman(shown, want);
    rows.push({ line: label, rho, lumStd: std(shown), note: drawn.colormap ? `levels from ${drawn.colormap}` : 'luminance (no colormap fits)' });
    if (!(rho > minRho)) failures.push(`map "${label}" does not show its values: rank correlation with the reference is ${rho.toFixed(3)} (want > ${minRho})`);
  }
  for (const r of rows) log(`  ${r.line.padEnd(14)} rho ${r.rho === undefined ? '  -  ' : r.rho.toFixed(3)}  level std ${r.lumStd.toFixed(1)}  ${r.note}`);
  assert.deepEqual(failures, [], failures.join('; '));
  return rows;
}

/** Moves the mouse over pixel (row, col) of a map canvas, where the canvas draws that pixel. */
export async function hoverPixel(canvas: Locator, px: CanvasPixels, row: number, col: number, height: number, width: number): Promise<void> {
  await canvas.hover({ position: screenPointOf(px, row, col, width, height), force: true });
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
  const rows = await checkDrawnMaps(frame, expected, log);
  const ranked = rows.filter((r) => r.rho !== undefined);
  assert.ok(ranked.length >= 3, `only ${ranked.length} maps had varying values to compare`);

  // Which element is strongest where: the brightest pixel of the strongest map sits where the CLI map peaks.
  const [strongLine, strongMap] = [...expected.maps.entries()].sort((a, b) => mean(b[1]) - mean(a[1]))[0];
  const canvas = frame.locator(`canvas[data-line="${shown[shown.findIndex((l) => parseLineName(l) && normalizeLineName(l) === strongLine)]}"]`).first();
  const px = await readCanvas(canvas);
  const shownMap = drawnImage(px, expected.width, expected.height)!.lum;
  const peak = argmax2d(strongMap, expected.width);
  const drawnAtPeak = shownMap[peak.row * expected.width + peak.col];
  const pct = shownMap.filter((v) => v < drawnAtPeak).length / shownMap.length;
  log(`strongest map ${strongLine}: its peak (${peak.row}, ${peak.col}) is drawn brighter than ${(pct * 100).toFixed(0)} % of its pixels`);
  assert.ok(pct > 0.9, `the peak of ${strongLine} is drawn brighter than only ${(pct * 100).toFixed(0)} % of its canvas's pixels`);

  // Control: the same canvas against its reference turned upside down must rank far worse, or the check above
  // would pass for any drawing.
  const flipped = new Float64Array(strongMap.length);
  for (let r = 0; r < expected.height; r++) for (let c = 0; c < expected.width; c++) flipped[r * expected.width + c] = strongMap[(expected.height - 1 - r) * expected.width + c];
  const rhoSelf = spearman(shownMap, strongMap);
  const rhoFlip = spearman(shownMap, flipped);
  log(`control: ${strongLine} canvas vs its map rho ${rhoSelf.toFixed(3)}, vs the map upside down ${rhoFlip.toFixed(3)}`);
  assert.ok(rhoFlip < rhoSelf - 0.3, `the rank check cannot tell ${strongLine} from its mirror image (rho ${rhoSelf.toFixed(3)} vs ${rhoFlip.toFixed(3)})`);

  // Hover: the pixel spectrum appears, follows the mouse, and the readout names the pixel and its values.
  const spectrum = frame.locator('canvas[data-kind="spectrum"]').first();
  await spectrum.waitFor({ state: 'attached', timeout: 10_000 });
  const before = fingerprint(await readCanvas(spectrum));
  const low = argmax2d(strongMap.map((v) => -v), expected.width);
  let last = before;
  for (const [i, at] of [peak, low].entries()) {
    await hoverPixel(canvas, px, at.row, at.col, expected.height, expected.width);
    last = await wb.waitUntil(`the spectrum to redraw for pixel (${at.row}, ${at.col})`, 15_000, async () => {
      const f = fingerprint(await readCanvas(spectrum));
      return f !== last ? f : undefined;
    });
    const text = await wb.webviewText(frame);
    // The readout reads "row R, col C: Total counts … · Fe K 123.4 · …".
    const readout = new RegExp(`row ${at.row}, col ${at.col}[^:]*:.*?(?:: |· )${strongLine} ([-+0-9.e]+)`).exec(text);
    const near = text.slice(Math.max(0, text.indexOf(`row ${at.row}, col ${at.col}`) - 40), text.indexOf(`row ${at.row}, col ${at.col}`) + 300);
    assert.ok(readout, `after hovering pixel (${at.row}, ${at.col}) the view does not show "row ${at.row}, col ${at.col}" with its ${strongLine} value; it shows: "${near}"`);
    const shownValue = Number(readout[1]);
    const want = strongMap[at.row * expected.width + at.col];
    log(`hover (${at.row}, ${at.col}): spectrum redrawn; readout ${strongLine} ${readout[1]} (xrfmaps maps: ${want.toPrecision(5)})`);
    assert.ok(Math.abs(shownValue - want) <= 1e-3 * Math.max(1, Math.abs(want)), `the readout shows ${strongLine} ${shownValue} at (${at.row}, ${at.col}); xrfmaps maps has ${want}`);
    if (i === 0) await wb.screenshot(page, '1-scan-editor-hover');
  }
}
