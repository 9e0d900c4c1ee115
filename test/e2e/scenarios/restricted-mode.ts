/**
 * Scenario 6: Restricted Mode. package.json declares `capabilities.untrustedWorkspaces.supported: "limited"`:
 * viewing works, training and predicting do not, and the user is told why. In a window with workspace trust on and
 * the folder untrusted, this checks exactly that: the Restricted Mode indicator is shown, a scan opens and draws its
 * maps, and "Train 1DCNN+" / "Predict Elemental Maps" either are not offered or, when run, say that they need trust
 * (and start nothing: no progress, no results view).
 */
import assert from 'node:assert/strict';
import { mapLines, openWith, readyMapGrid, type E2EContext } from '../harness/context';
import { drawnImage, readCanvas, std } from '../harness/pixels';
import type { Page } from '../harness/pw';
import * as wb from '../harness/workbench';

/** Runs a palette command that must be refused; returns what the user is told (or that it is not offered). */
async function refusedCommand(page: Page, title: string, log: (s: string) => void): Promise<void> {
  await wb.clearNotifications(page);
  const offered = await wb.paletteEntries(page, title);
  const ours = offered.filter((l) => l.includes(title));
  if (ours.length === 0) {
    log(`"${title}" is not offered in the palette in Restricted Mode`);
    return;
  }
  await wb.runCommand(page, title);
  const told = await wb.waitUntil(`a message saying why "${title}" does not run`, 15_000, async () => {
    const texts = await wb.notificationTexts(page);
    return texts.find((t) => /trust/i.test(t));
  });
  log(`"${title}" → ${told.slice(0, 200)}`);
  // If the command asked something before refusing (a quick pick), a person would see it: it must not.
  assert.equal(await wb.isQuickInputOpen(page), false, `"${title}" opened a prompt in Restricted Mode instead of refusing`);
  await wb.screenshot(page, `6-restricted-${title.replace(/[^A-Za-z0-9+]+/g, '-').replace(/\+/g, 'plus')}`);
  await page.keyboard.press('Escape');
}

/** `ctx.win` is the Restricted Mode window (trust on, folder not trusted). */
export async function scenarioRestrictedMode(ctx: E2EContext, log: (s: string) => void): Promise<void> {
  const { page } = ctx.win;
  const cap = ctx.features.manifest.capabilities?.untrustedWorkspaces;
  assert.equal(cap?.supported, 'limited', 'package.json should declare capabilities.untrustedWorkspaces.supported "limited"');
  assert.ok((cap?.description ?? '').length > 20, 'the "limited" capability should say what is limited (description)');

  // The window says it is in Restricted Mode.
  const indicator = await wb.waitUntil('the Restricted Mode indicator', 30_000, async () => {
    const texts = await page
      .locator('.part.statusbar .statusbar-item, .monaco-workbench .banner')
      .evaluateAll((els) => els.map((e) => String((e as HTMLElement).innerText ?? '') + ' ' + String(e.getAttribute('aria-label') ?? '')));
    return texts.find((t) => /restricted mode/i.test(t));
  });
  log(`indicator: ${indicator.replace(/\s+/g, ' ').trim().slice(0, 120)}`);

  // Viewing works: the scan opens and its maps are drawn.
  const scanEditor = ctx.features.editorFor('.rpl');
  assert.ok(scanEditor, 'no scan editor in package.json');
  await openWith(ctx, ctx.known.rpl, scanEditor.viewType);
  const { frame } = await readyMapGrid(ctx, 120_000);
  const lines = await mapLines(frame);
  const fe = drawnImage(await readCanvas(frame.locator('canvas[data-line="Fe K"]').first()), ctx.known.width, ctx.known.height);
  assert.ok(fe, 'in Restricted Mode the Fe K map is not drawn');
  log(`restricted: scan editor drew ${lines.length} maps; Fe K display-level std ${std(fe.lum).toFixed(1)}`);
  assert.ok(std(fe.lum) > 1, 'in Restricted Mode the Fe K map is blank');
  await wb.screenshot(page, '6-restricted-scan');

  // VS Code's own Workspace Trust editor counts the extension among those with limited functionality; its list
  // (the Extensions view, filtered) names XRF Maps with the reason the extension declares.
  await wb.runCommand(page, 'Workspaces: Manage Workspace Trust');
  const trustEditor = page.locator('.workspace-trust-editor').first();
  await trustEditor.waitFor({ state: 'visible', timeout: 15_000 });
  await trustEditor.locator('a, .monaco-link, [role="button"]').filter({ hasText: /\d+ extensions?/ }).first().click();
  // The list holds every limited extension (built-ins first); narrow it to ours as a person would, after closing
  // the trust editor (a modal over the window).
  await page.locator('.extensions-viewlet').first().waitFor({ state: 'visible', timeout: 10_000 });
  await page.keyboard.press('Escape');
  await wb.closeAllEditors(page);
  const search = page.locator('.extensions-viewlet .suggest-input-container, .extensions-viewlet .monaco-editor').first();
  await search.click();
  await page.keyboard.press('Control+A');
  await page.keyboard.type('@workspaceUnsupported XRF Maps');
  await page.keyboard.press('Enter');
  const listed = await wb.waitUntil('XRF Maps in the list of extensions limited in Restricted Mode', 20_000, async () => {
    const rows = await page.locator('.extensions-viewlet .monaco-list-row, .extensions-list .monaco-list-row').evaluateAll((els) =>
      els.map((e) => `${String(e.getAttribute('aria-label') ?? '')} ${String((e as HTMLElement).innerText ?? '')}`.replace(/\s+/g, ' ')),
    );
    return rows.find((r) => r.includes('XRF Maps'));
  });
  log(`limited in Restricted Mode: ${listed.slice(0, 240)}`);
  await wb.screenshot(page, '6-restricted-extensions');

  // Training and predicting do not run, and say why.
  const refused = ['Train 1DCNN+', 'Predict Elemental Maps'].filter((t) => ctx.features.command(t));
  if (refused.length === 0) log('no training/predict commands in this build: nothing to refuse yet');
  for (const title of refused) await refusedCommand(page, title, log);
  const results = await wb.webviewFrames(page);
  for (const f of results) {
    assert.equal(await f.locator('[data-kind="metrics-table"], [data-kind="loss-chart"]').count(), 0, 'a training view opened in Restricted Mode');
  }
}
