/**
 * Scenario 4: with a tiny experiment config open, "Train 1DCNN+" from the command palette shows training progress,
 * ends, and shows the results view with the metrics table (one row per line family of the config); afterwards the
 * config shows each line family's figures inline (CodeLens / inlay hints, "SSIM …").
 */
import assert from 'node:assert/strict';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { normalizeLineName } from '../../../src/core/lines';
import { freshEditorArea, wsPath, type E2EContext } from '../harness/context';
import { Features } from '../harness/features';
import * as wb from '../harness/workbench';

export const TRAIN_TITLE = 'Train 1DCNN+';

export function trainReadiness(c: E2EContext): string | undefined {
  if (!c.features.commandExact(TRAIN_TITLE) && !c.features.command(TRAIN_TITLE)) return Features.missing(`the "${TRAIN_TITLE}" command`);
  if (!c.features.experimentConfigs) return Features.missing('experiment configs (*.xrfmaps.json, issue 6): the scenario trains from a config');
  if (c.paintings.filter((p) => p.groundTruth).length < 2) return Features.missing('two simulated paintings with ground truth (`xrfmaps simulate --preset tiny`)');
  return undefined;
}

/** A config small enough to train in a minute on two cores: two paintings, few lines, two epochs. */
export function writeTinyConfig(c: E2EContext): { path: string; lines: string[] } {
  const dir = join(c.ws, 'experiments');
  mkdirSync(dir, { recursive: true });
  const withTruth = c.paintings.filter((p) => p.groundTruth);
  const lines = ['Ca K', 'Fe K', 'Pb L'];
  const config = {
    paintings: withTruth.slice(0, 2).map((p) => ({ name: p.name, scan: relative(dir, p.scan), groundTruth: relative(dir, p.groundTruth!) })),
    lines,
    models: ['1DCNN+'],
    hyperparameters: { epochs: 2, patience: 2, batch: 32, stride: 4, valShare: 0.2, seed: 1, backend: 'auto' },
    protocol: { test: withTruth[1].name },
    outputDir: 'runs',
  };
  const path = join(dir, 'tiny.xrfmaps.json');
  writeFileSync(path, JSON.stringify(config, null, 2) + '\n');
  return { path, lines };
}

export async function scenarioTrain(c: E2EContext, log: (s: string) => void): Promise<void> {
  const { page } = c.win;
  const config = writeTinyConfig(c);
  await freshEditorArea(c);
  await wb.clearNotifications(page);
  await wb.quickOpen(page, wsPath(c, config.path));
  await page.locator('.monaco-editor .view-lines').first().waitFor({ state: 'visible', timeout: 15_000 });
  await wb.runCommand(page, TRAIN_TITLE);

  const progress = await wb.waitUntil('a training progress notification', 90_000, async () => {
    const texts = await wb.notificationTexts(page);
    return texts.find((t) => /epoch|training|train/i.test(t));
  });
  log(`progress: ${progress.slice(0, 160)}`);
  await wb.screenshot(page, '4-train-progress');

  const { frame, el } = await wb.waitForWebview(page, '[data-kind="metrics-table"]', 300_000);
  await wb.sleep(500);
  await wb.screenshot(page, '4-train-results');
  const table = (await el.first().innerText()).replace(/\s+/g, ' ');
  log(`metrics table: ${table.slice(0, 300)}`);
  for (const line of config.lines) assert.ok(table.includes(line) || table.includes(line.replace(' ', '_')), `the metrics table has no row for ${line}`);
  assert.match(table, /\d\.\d{2}/, 'the metrics table shows no figures');
  assert.ok((await frame.locator('[data-kind="metrics-table"] tr, [data-kind="metrics-table"] [role="row"]').count()) > config.lines.length, 'the metrics table has fewer rows than line families');

  // The config shows per-element figures next to its line families.
  await wb.quickOpen(page, wsPath(c, config.path));
  const inline = await wb.waitUntil('per-element figures in the config editor', 30_000, async () => {
    const texts = await page
      .locator('.monaco-editor .codelens-decoration, .monaco-editor .inlay-hint, .monaco-editor [class*="inlay"]')
      .evaluateAll((els) => els.map((e) => String((e as HTMLElement).innerText ?? '')));
    const hits = texts.filter((t) => /SSIM/i.test(t));
    return hits.length >= config.lines.length ? hits : undefined;
  });
  log(`inline figures: ${inline.join(' | ').slice(0, 300)}`);
  for (const line of config.lines) {
    assert.ok(inline.some((t) => t.includes(normalizeLineName(line))), `no inline figures for ${line}`);
  }
  await wb.screenshot(page, '4-config-figures');
}
