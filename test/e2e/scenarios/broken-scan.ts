/**
 * Scenario 2: opening a broken scan (a .raw cut to a third of what its header promises) shows the error view naming
 * the file and the problem; the window stays usable: another scan opened afterwards draws its maps, and they show
 * the layout the harness wrote into that file (Fe K rising left to right, Ca K in the top half, Pb L in a central disk).
 * Then a broken scan outside the workspace folder is repaired on disk while its error view is shown: the editor
 * notices (VS Code's file watcher on a folder outside the workspace), reopens it by itself and draws its maps.
 */
import assert from 'node:assert/strict';
import { basename, join } from 'node:path';
import { freshEditorArea, openWith, readyMapGrid, type E2EContext } from '../harness/context';
import { drawnImage, mean, readCanvas, spearman } from '../harness/pixels';
import { writeKnownScan, writeTruncatedScan } from '../harness/workspace';
import * as wb from '../harness/workbench';
import { scanEditorType } from './scan-editor';

export async function scenarioBrokenScan(ctx: E2EContext, log: (s: string) => void): Promise<void> {
  const { page } = ctx.win;
  await freshEditorArea(ctx);
  await openWith(ctx, ctx.broken.rpl, scanEditorType(ctx));
  const { frame, el } = await wb.waitForWebview(page, '[data-kind="error"]', 60_000);
  await wb.sleep(300);
  await wb.screenshot(page, '2-broken-scan-error');
  const text = await wb.deepText(el.first());
  log(`error view: ${text.slice(0, 300)}`);
  assert.match(text, new RegExp(`broken\\.(raw|rpl)`), `the error view does not name the file: "${text}"`);
  assert.match(text, /truncat|ends? (early|at)|too short|need/i, `the error view does not say what is wrong (a truncated .raw): "${text}"`);
  assert.equal(await frame.locator('canvas[data-line]').count(), 0, 'the error view also shows maps');

  // The window stays usable: open the good scan and see its maps.
  await freshEditorArea(ctx);
  await openWith(ctx, ctx.known.rpl, scanEditorType(ctx));
  const grid = await readyMapGrid(ctx);
  await wb.sleep(300);
  await wb.screenshot(page, '2-after-error-good-scan');
  const { width, height, amplitude } = ctx.known;
  const layout = async (line: 'Fe K' | 'Pb L' | 'Ca K') => {
    const canvas = grid.frame.locator(`canvas[data-line="${line}"]`).first();
    assert.equal(await canvas.count(), 1, `no "${line}" map in the grid`);
    const drawn = drawnImage(await readCanvas(canvas), width, height);
    assert.ok(drawn, `the "${line}" map is not drawn`);
    return drawn.lum;
  };
  const fe = await layout('Fe K');
  const colMeans = Array.from({ length: width }, (_, c) => mean(Array.from({ length: height }, (_, r) => fe[r * width + c])));
  const feRho = spearman(colMeans, colMeans.map((_, c) => c));
  log(`${basename(ctx.known.rpl)}: Fe K column brightness vs column index rho ${feRho.toFixed(3)}`);
  assert.ok(feRho > 0.9, `Fe K should brighten from left to right (rank correlation ${feRho.toFixed(3)})`);
  const ca = await layout('Ca K');
  const top = mean(ca.slice(0, (height / 2) * width));
  const bottom = mean(ca.slice((height / 2) * width));
  log(`Ca K mean display level top ${top.toFixed(1)}, bottom ${bottom.toFixed(1)}`);
  assert.ok(top > bottom + 20, `Ca K should be bright in the top half only (top ${top.toFixed(1)}, bottom ${bottom.toFixed(1)})`);
  const pb = await layout('Pb L');
  const rho = spearman(pb, amplitude['Pb L']);
  log(`Pb L drawn vs written disk rho ${rho.toFixed(3)}`);
  assert.ok(rho > 0.8, `Pb L should fill the central disk (rank correlation with the disk ${rho.toFixed(3)})`);

  await repairedOnDisk(ctx, log);
}

/** A truncated scan outside the workspace, opened with "Open Scan…", then rewritten whole: the editor reopens it. */
async function repairedOnDisk(ctx: E2EContext, log: (s: string) => void): Promise<void> {
  const { page } = ctx.win;
  const file = join(ctx.tmp, 'outside-workspace', 'repaired.rpl');
  writeTruncatedScan(file);
  await freshEditorArea(ctx);
  await wb.runCommand(page, 'XRF Maps: Open Scan…', { mustExist: true });
  await wb.answerQuickInput(page, file);
  const { el } = await wb.waitForWebview(page, '[data-kind="error"]', 60_000);
  const before = await wb.deepText(el.first());
  assert.match(before, /repaired\.(raw|rpl)/, `the error view does not name the file outside the workspace: "${before}"`);

  const t0 = Date.now();
  const scan = writeKnownScan(file, { width: 16, height: 12, channels: 512 });
  const grid = await readyMapGrid(ctx, 30_000);
  const text = await wb.webviewText(grid.frame);
  log(`repaired on disk: maps drawn ${Date.now() - t0} ms after the write (watcher, 500 ms debounce, reopen)`);
  await wb.screenshot(page, '2-repaired-on-disk');
  assert.match(text, /repaired\.rpl changed on disk; reopened/, `no notice that the scan was reopened: "${text.slice(0, 400)}"`);
  const fe = drawnImage(await readCanvas(grid.frame.locator('canvas[data-line="Fe K"]').first()), scan.width, scan.height);
  assert.ok(fe, 'the reopened scan has no drawn Fe K map');
  const rho = spearman(fe.lum, scan.amplitude['Fe K']);
  log(`repaired scan: Fe K drawn vs written rho ${rho.toFixed(3)}`);
  assert.ok(rho > 0.9, `the reopened scan does not show the rewritten content (Fe K rank correlation ${rho.toFixed(3)})`);
}
