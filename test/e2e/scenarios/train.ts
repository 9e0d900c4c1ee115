/**
 * Scenario 4: with a tiny experiment config (`*.xrfmaps.json`) open, "Train 1DCNN+" from the command palette runs
 * it: a training progress notification, then the results view with the metrics table (a row per line family of the
 * config, with figures), then each family's figures inline in the config ("SSIM … · r … · α …").
 * (Without experiment configs the command asks for scans through dialogs; that route is not driven here.)
 */
import assert from 'node:assert/strict';
import { existsSync, mkdirSync, writeFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { normalizeLineName } from '../../../src/core/lines';
import { freshEditorArea, wsPath, type E2EContext } from '../harness/context';
import { REPO } from '../harness/env';
import { Features } from '../harness/features';
import type { Page } from '../harness/pw';
import type { SimPainting } from '../harness/workspace';
import * as wb from '../harness/workbench';

export const TRAIN_TITLE = 'Train 1DCNN+';

/**
 * Paintings to train on: 1DCNN's five stride-2 convolutions and pools need long spectra (over a thousand channels),
 * more than the `tiny` preset's 1024, so training uses the `icons` preset at a small scale (4096 channels).
 */
export function trainingPaintings(c: E2EContext): SimPainting[] {
  return c.trainingPaintings.filter((p) => p.groundTruth);
}

export function trainReadiness(c: E2EContext): string | undefined {
  if (!c.features.commandExact(TRAIN_TITLE)) return Features.missing(`the "${TRAIN_TITLE}" command`);
  if (!c.features.experimentConfigs) return Features.missing('experiment configs (*.xrfmaps.json, issue 6): the scenario trains from a config');
  if (trainingPaintings(c).length < 2) return Features.missing('simulated paintings with ground truth (`xrfmaps simulate --preset icons`)');
  return undefined;
}

export async function scenarioTrain(c: E2EContext, log: (s: string) => void): Promise<void> {
  await trainFromConfig(c, log);
}

const TRAINING_FAILED = /train\w* .*failed|failed.*train/i;

/** Waits for the progress notification of a training run and returns its text. */
async function trainingProgress(page: Page, log: (s: string) => void): Promise<string> {
  const progress = await wb.waitUntil('a training progress notification', 120_000, async () => {
    await wb.failOnNotification(page, TRAINING_FAILED);
    const texts = await wb.notificationTexts(page);
    return texts.find((t) => /train/i.test(t) && /1DCNN\+|epoch/i.test(t));
  });
  log(`progress: ${progress.slice(0, 200)}`);
  return progress;
}

/** A config small enough to train in a minute on two cores: two paintings, three lines, two epochs. */
export async function writeTinyConfig(c: E2EContext): Promise<{ path: string; lines: string[] }> {
  const dir = join(c.ws, 'experiments');
  mkdirSync(dir, { recursive: true });
  const withTruth = trainingPaintings(c);
  const lines = ['Ca K', 'Fe K', 'Pb L'];
  const config = {
    paintings: withTruth.slice(0, 2).map((p) => ({ name: p.name, scan: relative(dir, p.scan), groundTruth: relative(dir, p.groundTruth!) })),
    lines,
    models: ['1DCNN+'],
    training: { epochs: 2, patience: 2, batch: 32, stride: 4, valShare: 0.2, seed: 1, backend: 'auto' },
    protocol: { test: withTruth[1].name },
    outputDir: 'runs',
  };
  const path = join(dir, 'tiny.xrfmaps.json');
  writeFileSync(path, JSON.stringify(config, null, 2) + '\n');
  // Check the config with the product's own loader first, so a config the harness got wrong fails here, plainly,
  // rather than as a timeout in the window. (Imported by path: the experiment module may not be in every build.)
  const loader = join(REPO, 'src', 'core', 'experiment', 'validate.ts');
  if (existsSync(loader)) {
    const mod = (await import(loader)) as { loadExperiment(p: string): Promise<unknown> };
    await mod.loadExperiment(path);
  }
  return { path, lines };
}

async function trainFromConfig(c: E2EContext, log: (s: string) => void): Promise<void> {
  const { page } = c.win;
  const config = await writeTinyConfig(c);
  await freshEditorArea(c);
  await wb.clearNotifications(page);
  await wb.quickOpen(page, wsPath(c, config.path));
  await page.locator('.monaco-editor .view-lines').first().waitFor({ state: 'visible', timeout: 15_000 });
  await wb.runCommand(page, TRAIN_TITLE);
  await trainingProgress(page, log);
  await wb.screenshot(page, '4-train-progress');

  const { frame, el } = await wb.waitUntil('the results view with the metrics table', 400_000, async () => {
    await wb.failOnNotification(page, TRAINING_FAILED);
    return wb.waitForWebview(page, '[data-kind="metrics-table"]', 1000).catch(() => undefined);
  }, 1000);
  await wb.sleep(500);
  await wb.screenshot(page, '4-train-results');
  const table = await wb.deepText(el.first());
  log(`metrics table: ${table.slice(0, 300)}`);
  for (const line of config.lines) assert.ok(table.includes(line) || table.includes(line.replace(' ', '_')), `the metrics table has no row for ${line}`);
  assert.match(table, /\d\.\d{2}/, 'the metrics table shows no figures');
  assert.ok((await frame.locator('[data-kind="metrics-table"] tr, [data-kind="metrics-table"] [role="row"]').count()) > config.lines.length, 'the metrics table has fewer rows than line families');

  // The config shows per-element figures next to its line families.
  await wb.quickOpen(page, wsPath(c, config.path));
  const inline = await wb.waitUntil('per-element figures in the config editor', 30_000, async () => {
    // Inlay hints render inside the editor's lines (injected text); CodeLenses above them.
    const texts = await page
      .locator('.monaco-editor .view-line, .monaco-editor .codelens-decoration')
      .evaluateAll((els) => els.map((e) => String((e as HTMLElement).textContent ?? '').replace(/\s+/g, ' ')));
    const hits = texts.filter((t) => /SSIM/i.test(t));
    return hits.length >= config.lines.length ? hits : undefined;
  });
  log(`inline figures: ${inline.join(' | ').slice(0, 300)}`);
  for (const line of config.lines) {
    assert.ok(inline.some((t) => t.includes(normalizeLineName(line))), `no inline figures for ${line}`);
  }
  await wb.screenshot(page, '4-config-figures');
}
