/**
 * Scenario 5: "Predict Elemental Maps" on the open scan writes the predicted maps next to the scan (a new file named
 * after the scan and the model) and shows them: the maps view draws one canvas per line family, each ranking its
 * pixels as the written file's values do. The model is trained beforehand with the CLI (a short FCN run), so this
 * scenario does not depend on scenario 4.
 */
import assert from 'node:assert/strict';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { basename, dirname, join } from 'node:path';
import { readNpy } from '../../../src/core/io/npy-read';
import { normalizeLineName } from '../../../src/core/lines';
import { cli, freshEditorArea, openWith, readyMapGrid, type E2EContext } from '../harness/context';
import { Features } from '../harness/features';
import * as wb from '../harness/workbench';
import { checkDrawnMaps, scanEditorType } from './scan-editor';

export const PREDICT_TITLE = 'Predict Elemental Maps';

export function predictReadiness(c: E2EContext): string | undefined {
  if (!c.features.editorFor('.rpl')) return Features.missing('a custom editor for *.rpl scans');
  if (!c.features.command(PREDICT_TITLE)) return Features.missing(`the "${PREDICT_TITLE}" command`);
  if (!c.features.cli('train')) return Features.missing('`xrfmaps train` (to make the model to predict with)');
  if (!c.paintings.some((p) => p.groundTruth)) return Features.missing('simulated paintings with ground truth (`xrfmaps simulate`)');
  return undefined;
}

export async function trainModelWithCli(c: E2EContext, name: string): Promise<string> {
  const p = c.paintings.find((x) => x.groundTruth);
  assert.ok(p?.groundTruth);
  const out = join(c.ws, 'models', name);
  if (!existsSync(join(out, 'model.json'))) {
    await cli(['train', '--model', 'fcn', '--train', `${p.scan}=${p.groundTruth}`, '--out', out, '--epochs', '2', '--stride', '4', '--seed', '1'], 240_000);
  }
  return out;
}

export async function scenarioPredict(c: E2EContext, log: (s: string) => void): Promise<void> {
  const { page } = c.win;
  const model = await trainModelWithCli(c, 'fcn-e2e');
  const scan = c.paintings[0].scan;
  const dir = dirname(scan);
  const stem = basename(scan).replace(/\.[^.]+$/, '');
  const before = new Set(readdirSync(dir));

  await freshEditorArea(c);
  await openWith(c, scan, scanEditorType(c));
  await readyMapGrid(c);
  await wb.runCommand(page, PREDICT_TITLE);
  // Predict asks for the model folder (VS Code's own folder dialog in the browser is a quick input).
  await wb.answerQuickInput(page, model);
  await wb.sleep(1000);
  // The simple folder dialog may have navigated into the folder rather than accepted it: accept it then.
  if (await wb.isQuickInputOpen(page)) await page.keyboard.press('Enter');

  const written = await wb.waitUntil(`a new prediction file next to ${basename(scan)}`, 180_000, async () => {
    await wb.failOnNotification(page, /predict\w* .*failed|failed.*predict/i);
    return readdirSync(dir).find((f) => !before.has(f) && f.startsWith(`${stem}.`) && f.endsWith('.npy') && f.includes(basename(model)));
  });
  const path = join(dir, written);
  log(`prediction written: ${path.slice(c.ws.length + 1)}`);
  const sidecar = JSON.parse(readFileSync(path.replace(/\.npy$/, '.json'), 'utf8')) as { lines: string[] };
  const npy = await readNpy(path);
  const [height, width, k] = npy.header.shape;
  assert.equal(k, sidecar.lines.length, 'the prediction and its sidecar disagree on the number of maps');
  const maps = new Map<string, Float64Array>();
  sidecar.lines.forEach((l, j) => {
    const m = new Float64Array(height * width);
    for (let p = 0; p < height * width; p++) m[p] = npy.data[p * k + j];
    maps.set(normalizeLineName(l), m);
  });

  // ...and shows it: a maps view whose canvases are the predicted maps.
  const { frame } = await wb.waitUntil('the predicted maps to be shown', 60_000, async () => {
    const tabs = await wb.editorTabs(page);
    if (!tabs.active?.includes(written.replace(/\.npy$/, ''))) return undefined;
    return readyMapGrid(c, 5000, 'groundTruth').catch(() => undefined);
  });
  await wb.sleep(300);
  await wb.screenshot(page, '5-prediction');
  await checkDrawnMaps(frame, { height, width, maps }, log);
}
