/**
 * End-to-end scenarios in a real VS Code: the packaged extension (.vsix) installed into a private code-server on
 * loopback, driven in Debian's Chromium by playwright-core, on a workspace of simulated data.
 *
 * Run with `npm run test:e2e` (installs the toolchain when missing, see scripts/e2e-setup.sh). Screenshots go to
 * test-output/e2e/. Scenarios whose feature is not in the build are reported as skipped with the reason.
 * Environment: XRFMAPS_E2E_VERBOSE=1 echoes code-server's output; XRFMAPS_E2E_KEEP=1 keeps the temporary folder;
 * XRFMAPS_E2E_ONLY=1,2 runs only those scenarios (the others are reported as skipped).
 */
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { copyFileSync, mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { launchBrowser } from './harness/browser';
import { cli, type E2EContext } from './harness/context';
import { OUTPUT_DIR, REPO, toolchain } from './harness/env';
import { Features } from './harness/features';
import { installExitHooks, killOwnChildren, runToEnd, stopAll } from './harness/procs';
import { openWindow } from './harness/session';
import type { Browser } from './harness/pw';
import * as wb from './harness/workbench';
import { readSimManifest, writeKnownScan, writeTruncatedScan } from './harness/workspace';
import { scenarioBrokenScan } from './scenarios/broken-scan';
import { GROUND_TRUTH_EDITOR, groundTruthFile, scenarioGroundTruth } from './scenarios/ground-truth';
import { scenarioPredict, predictReadiness } from './scenarios/predict';
import { scenarioRestrictedMode } from './scenarios/restricted-mode';
import { scenarioScanEditor } from './scenarios/scan-editor';
import { scenarioTrain, trainReadiness } from './scenarios/train';

/** The whole suite must end within this, whatever hangs (the brief's budget is 15 minutes on 2 cores). */
const SUITE_LIMIT_MS = 15 * 60_000;

let ctx: E2EContext | undefined;
/** This run's temporary folder and browser, removed and closed at the end even when the setup failed half-way. */
let tmpRoot: string | undefined;
let browserRef: Browser | undefined;
/** Why no scenario can run (e.g. the extension is not written yet); every scenario then skips with it. */
let skipAll: string | undefined;
const timings: [string, number][] = [];
const t0 = Date.now();

function log(line: string): void {
  console.log(`    ${line}`);
}

async function phase<T>(name: string, fn: () => Promise<T>): Promise<T> {
  const start = Date.now();
  try {
    return await fn();
  } finally {
    timings.push([name, Date.now() - start]);
    log(`[${((Date.now() - start) / 1000).toFixed(1)} s] ${name}`);
  }
}

before(async () => {
  installExitHooks();
  const watchdog = setTimeout(() => {
    console.error(`e2e: the suite exceeded ${SUITE_LIMIT_MS / 60_000} minutes; stopping every process it started`);
    killOwnChildren();
    void stopAll().finally(() => process.exit(1));
  }, SUITE_LIMIT_MS);
  watchdog.unref();

  const features0 = new Features(REPO);
  if (!features0.hasExtensionSource) {
    skipAll = Features.missing('src/extension.ts (the extension itself)');
    return;
  }
  const tc = toolchain();
  rmSync(OUTPUT_DIR, { recursive: true, force: true }); // screenshots of an earlier run would mislead
  mkdirSync(OUTPUT_DIR, { recursive: true });
  const tmp = mkdtempSync(join(tmpdir(), 'xrfmaps-e2e-'));
  tmpRoot = tmp;
  const ws = join(tmp, 'workspace');
  mkdirSync(ws, { recursive: true });

  // The .vsix is copied out of the working tree at once: others may package (and replace it) while the suite runs.
  const vsix = join(tmp, 'xrfmaps.vsix');
  await phase('npm run package', async () => {
    const built = join(REPO, 'xrfmaps.vsix');
    for (let attempt = 1; ; attempt++) {
      const res = await runToEnd('npm run package', 'npm', ['run', 'package'], { cwd: REPO, timeoutMs: 300_000 });
      assert.equal(res.code, 0, `npm run package failed:\n${res.output.slice(-3000)}`);
      try {
        copyFileSync(built, vsix);
        break;
      } catch (e) {
        if (attempt >= 2) throw new Error(`npm run package did not leave ${built}: ${(e as Error).message}`);
      }
    }
  });
  const features = new Features(REPO); // after the build, so the CLI's command list is known

  const [paintings, trainingPaintings] = await phase('workspace', async () => {
    if (features.cli('simulate')) {
      await cli(['simulate', '--preset', 'tiny', '--out', join(ws, 'sim')], 180_000);
      const tiny = readSimManifest(join(ws, 'sim'));
      assert.ok(tiny.length > 0, 'xrfmaps simulate --preset tiny wrote no paintings listed in manifest.json');
      // 1DCNN needs longer spectra than tiny's 1024 channels: icons at 5 % scale (10–28 px a side, 4096 channels).
      await cli(['simulate', '--preset', 'icons', '--scale', '0.05', '--out', join(ws, 'icons')], 180_000);
      return [tiny, readSimManifest(join(ws, 'icons'))];
    }
    log(`no simulator in this build (${Features.missing('xrfmaps simulate')}): using the harness's own scans only`);
    return [[], []];
  });
  const known = writeKnownScan(join(ws, 'known', 'known.rpl'));
  const broken = writeTruncatedScan(join(ws, 'broken', 'broken.rpl'));

  if (features.editorByType(GROUND_TRUTH_EDITOR)) await groundTruthFile(ws, known, paintings);

  const browser = await phase('launch Chromium', () => launchBrowser(tc));
  browserRef = browser;
  const win = await phase('start code-server (trusted) and open the workspace', () =>
    openWindow(tc, browser, { root: join(tmp, 'cs-trusted'), vsix, folder: ws, trusted: true, expectFile: 'known', commandCategory: 'XRF Maps' }),
  );
  ctx = { toolchain: tc, features, tmp, ws, vsix, browser, known, broken, paintings, trainingPaintings, win };
  await wb.screenshot(win.page, '0-workspace');
}, { timeout: 10 * 60_000 });

after(async () => {
  const c = ctx;
  ctx = undefined;
  if (c) await c.win.close().catch(() => undefined);
  if (browserRef) await browserRef.close().catch(() => undefined);
  await stopAll();
  const leftovers = killOwnChildren();
  if (leftovers.length) log(`stopped ${leftovers.length} leftover child process(es): ${leftovers.join(', ')}`);
  if (tmpRoot && !process.env.XRFMAPS_E2E_KEEP) rmSync(tmpRoot, { recursive: true, force: true });
  else if (tmpRoot) log(`kept ${tmpRoot}`);
  log(`timings: ${timings.map(([n, ms]) => `${n} ${(ms / 1000).toFixed(1)} s`).join('; ')}`);
  log(`total ${((Date.now() - t0) / 1000).toFixed(1)} s; screenshots in ${OUTPUT_DIR}`);
});

/** Runs one scenario: skipped with a reason when its feature is missing; a screenshot is saved when it fails. */
function scenario(name: string, needs: (c: E2EContext) => string | undefined, body: (c: E2EContext) => Promise<void>, timeoutMs = 180_000): void {
  test(name, { timeout: timeoutMs }, async (t) => {
    if (skipAll) return t.skip(skipAll);
    const only = process.env.XRFMAPS_E2E_ONLY?.split(',').map((x) => x.trim());
    if (only && !only.includes(name.split('.')[0])) return t.skip(`not selected (XRFMAPS_E2E_ONLY=${only.join(',')})`);
    assert.ok(ctx, 'the e2e setup did not complete');
    const missing = needs(ctx);
    if (missing) return t.skip(missing);
    const c = ctx;
    try {
      await phase(name, () => body(c));
    } catch (e) {
      const shot = await wb.screenshot(c.win.page, `failed-${name.slice(0, 2).replace(/\W/g, '')}`).catch(() => '(no screenshot)');
      const errors = c.win.errors.slice(-8).map((s) => s.slice(0, 300));
      throw new Error(`${(e as Error).message}\n  screenshot: ${shot}${errors.length ? `\n  page errors:\n    ${errors.join('\n    ')}` : ''}`, { cause: e });
    }
  });
}

const needScanEditor = (c: E2EContext) => (c.features.editorFor('.rpl') ? undefined : Features.missing('a custom editor for *.rpl scans'));

scenario('1. opening a scan shows its maps, and hovering a pixel draws its spectrum', (c) =>
  needScanEditor(c) ?? (c.features.cli('maps') ? undefined : Features.missing('`xrfmaps maps` (the reference for the drawn maps)')),
  (c) => scenarioScanEditor(c, log),
);

scenario('2. a broken scan shows the error view naming the problem; the window stays usable', needScanEditor, (c) => scenarioBrokenScan(c, log));

scenario('3. opening a ground-truth file shows its maps', (c) =>
  c.features.editorByType(GROUND_TRUTH_EDITOR) ? undefined : Features.missing(`the ground-truth editor (${GROUND_TRUTH_EDITOR})`),
  (c) => scenarioGroundTruth(c, log),
);

scenario('4. "Train 1DCNN+" from the palette on a config shows progress, ends, shows the metrics table and per-element figures', trainReadiness, (c) => scenarioTrain(c, log), 360_000);

scenario('5. Predict on a scan writes the maps file and shows it', predictReadiness, (c) => scenarioPredict(c, log), 300_000);

scenario('6. Restricted Mode: viewing works, training and predicting say why they do not', needScanEditor, async (c) => {
  const win = await phase('start code-server (trust on, folder untrusted)', () =>
    openWindow(c.toolchain, c.browser, { root: join(c.tmp, 'cs-restricted'), vsix: c.vsix, folder: c.ws, trusted: false, expectFile: 'known', commandCategory: 'XRF Maps' }),
  );
  try {
    await scenarioRestrictedMode({ ...c, win }, log);
  } catch (e) {
    await wb.screenshot(win.page, 'failed-6-restricted').catch(() => undefined);
    throw e;
  } finally {
    await win.close();
  }
});
