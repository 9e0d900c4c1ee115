/**
 * The ML views of the webview bundle in a real browser (Chromium via playwright-core), talking to the
 * real host-side controllers over a bridge standing in for VS Code's postMessage: the results view
 * (tables, maps, z-score maps, scatter, copy), the maps editor and the training loss chart. Same page
 * and CSP as the extension serves. Skips with the reason when the e2e toolchain is absent.
 */
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, readFileSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { homedir, tmpdir } from 'node:os';
import * as path from 'node:path';
import * as esbuild from 'esbuild';
import { Endpoint, type Envelope, type MessagePortLike } from '../../src/protocol';
import type { MapsHostSide, MapsWebviewSide, ResultsHostSide, ResultsWebviewSide, TrainingHostSide, TrainingWebviewSide } from '../../src/protocol-ml';
import { webviewHtml } from '../../src/host/webview-html';
import { ResultsController, type MapsJobRunner } from '../../src/host/evaluate/controller';
import { MapsEditorController } from '../../src/host/groundtruth/controller';
import { TrainingRun } from '../../src/host/training/run';
import { mapsJob } from '../../src/host/evaluate/job';
import { tokenFromSignal } from '../../src/core/util/progress';
import { H, W, truthMap, writeStack } from '../host-ml/helpers';

const ROOT = path.resolve(__dirname, '..', '..');
const CACHE = process.env.XRFMAPS_E2E_CACHE ?? path.join(homedir(), '.cache', 'xrfmaps-e2e');
const ORIGIN = 'http://xrf.test';

function findToolchain(): { chromium: string; playwrightCore: string } | string {
  const manifest = path.join(CACHE, 'manifest.json');
  if (!existsSync(manifest)) return `no e2e toolchain at ${CACHE} (scripts/e2e-setup.sh installs Chromium and playwright-core)`;
  const m = JSON.parse(readFileSync(manifest, 'utf8')) as { chromium?: string; playwrightCore?: string };
  if (!m.chromium || !existsSync(m.chromium)) return `Chromium missing (${m.chromium})`;
  if (!m.playwrightCore || !existsSync(m.playwrightCore)) return `playwright-core missing (${m.playwrightCore})`;
  return { chromium: m.chromium, playwrightCore: m.playwrightCore };
}
const toolchain = findToolchain();
const skip = typeof toolchain === 'string' ? toolchain : false;

type Page = any; // playwright-core is no project dependency: untyped here
type Browser = any;

// Typed arrays cross page.evaluate as tagged plain arrays.
function encode(v: unknown): unknown {
  if (ArrayBuffer.isView(v) && !(v instanceof DataView)) return { __typed: v.constructor.name, values: Array.from(v as Float32Array) };
  if (Array.isArray(v)) return v.map(encode);
  if (v && typeof v === 'object') return Object.fromEntries(Object.entries(v).map(([k, x]) => [k, encode(x)]));
  return v;
}
function decode(v: unknown): unknown {
  if (v && typeof v === 'object' && '__typed' in v) {
    const t = v as { __typed: string; values: number[] };
    return t.__typed === 'Float64Array' ? Float64Array.from(t.values) : t.__typed === 'Uint8Array' ? Uint8Array.from(t.values) : Float32Array.from(t.values);
  }
  if (Array.isArray(v)) return v.map(decode);
  if (v && typeof v === 'object') return Object.fromEntries(Object.entries(v).map(([k, x]) => [k, decode(x)]));
  return v;
}
const PAGE_BRIDGE = `
  window.__decode = function decode(v) {
    if (v && typeof v === 'object' && '__typed' in v) return v.__typed === 'Float64Array' ? Float64Array.from(v.values) : v.__typed === 'Uint8Array' ? Uint8Array.from(v.values) : Float32Array.from(v.values);
    if (Array.isArray(v)) return v.map(decode);
    if (v && typeof v === 'object') return Object.fromEntries(Object.entries(v).map(([k, x]) => [k, decode(x)]));
    return v;
  };
  window.__encode = function encode(v) {
    if (ArrayBuffer.isView(v)) return { __typed: v.constructor.name, values: Array.from(v) };
    if (Array.isArray(v)) return v.map(encode);
    if (v && typeof v === 'object') return Object.fromEntries(Object.entries(v).map(([k, x]) => [k, encode(x)]));
    return v;
  };
  window.acquireVsCodeApi = () => ({ postMessage: (m) => window.__toHost(window.__encode(m)), getState() {}, setState() {} });
`;

let browser: Browser;
let bundle = '';
let dir: string;
const DISPLAY = { colormap: 'viridis' as const, scaling: 'linear' as const, lowPercentile: 0, highPercentile: 100 };
const runJob: MapsJobRunner = (input, opts) => mapsJob(input, { token: tokenFromSignal(opts.signal), onProgress: opts.onProgress });
/** XRFMAPS_SHOTS=DIR saves a screenshot of each view there (for a look at the layout). */
async function shot(page: Page, name: string): Promise<void> {
  if (process.env.XRFMAPS_SHOTS) await page.screenshot({ path: path.join(process.env.XRFMAPS_SHOTS, `${name}.png`), fullPage: true });
}
const quietLog = { info: () => undefined, warn: () => undefined, error: () => undefined };

before(async () => {
  if (skip) return;
  dir = await mkdtemp(path.join(tmpdir(), 'xrf-ml-browser-'));
  await writeStack(path.join(dir, 'truth.npy'), ['Fe K', 'Pb L'], [truthMap(0), truthMap(1)]);
  await writeStack(path.join(dir, 'fcn.npy'), ['Fe K', 'Pb L'], [truthMap(0).map((v) => v * 1.5), truthMap(1)], { model: { name: 'fcn-run', architecture: 'FCN' } });
  await writeStack(path.join(dir, 'cnn.npy'), ['Fe K', 'Pb L'], [truthMap(0).map((v) => v * 1.02), truthMap(1).map((v, i) => v + (i % 3))], { model: { name: 'cnn-run', architecture: '1DCNN+' } });
  const out = await esbuild.build({ entryPoints: [path.join(ROOT, 'webview', 'main.ts')], bundle: true, format: 'esm', platform: 'browser', target: 'es2022', write: false, logLevel: 'silent' });
  bundle = out.outputFiles[0].text;
  const req = createRequire(path.join((toolchain as { playwrightCore: string }).playwrightCore, 'package.json'));
  const pw = req((toolchain as { playwrightCore: string }).playwrightCore);
  browser = await pw.chromium.launch({ executablePath: (toolchain as { chromium: string }).chromium, args: ['--no-sandbox', '--disable-gpu'] });
});

after(async () => {
  await browser?.close();
  if (dir) await rm(dir, { recursive: true, force: true });
});

/** A page serving `view`, and a host-side port into it. */
async function openPage(view: string): Promise<{ page: Page; port: MessagePortLike; csp: string[]; errors: string[] }> {
  const page = await browser.newPage({ viewport: { width: 1300, height: 1000 } });
  const csp: string[] = [];
  const errors: string[] = [];
  page.on('console', (m: any) => {
    if (/Content Security Policy/i.test(m.text())) csp.push(m.text());
  });
  page.on('pageerror', (e: Error) => errors.push(e.message));
  const html = webviewHtml({ cspSource: ORIGIN, nonce: 'testnonce123', scriptUri: `${ORIGIN}/webview.js`, styleUri: `${ORIGIN}/webview.css` }, view, `XRF ${view}`);
  await page.route(`${ORIGIN}/**`, (route: any) => {
    const url: string = route.request().url();
    if (url.endsWith('/webview.js')) return route.fulfill({ contentType: 'text/javascript', body: bundle });
    if (url.endsWith('/webview.css')) return route.fulfill({ contentType: 'text/css', body: readFileSync(path.join(ROOT, 'media', 'webview.css'), 'utf8') });
    return route.fulfill({ contentType: 'text/html', body: html });
  });
  const handlers = new Set<(m: unknown) => void>();
  await page.exposeFunction('__toHost', (m: unknown) => {
    const msg = decode(m);
    for (const h of handlers) h(msg);
  });
  await page.addInitScript(PAGE_BRIDGE);
  const port: MessagePortLike = {
    post: (m: Envelope) => page.evaluate((x: unknown) => window.postMessage((window as any).__decode(x), '*'), encode(m)).catch(() => undefined),
    listen: (h) => {
      handlers.add(h);
      return () => handlers.delete(h);
    },
  };
  return { page, port, csp, errors };
}

test('results view: thesis tables with the best marked, maps on one scale, z-score maps, scatter, copy', { skip }, async () => {
  const { page, port, csp, errors } = await openPage('results');
  const copied: string[] = [];
  const controller = new ResultsController(
    { gt: path.join(dir, 'truth.npy'), predictions: [{ path: path.join(dir, 'fcn.npy') }, { path: path.join(dir, 'cnn.npy') }] },
    {
      endpoint: new Endpoint<ResultsHostSide, ResultsWebviewSide>(port, { waitForReady: true }),
      runJob,
      display: () => DISPLAY,
      copy: async (t) => void copied.push(t),
      savePng: async () => ({}),
      log: quietLog,
      showLog: () => undefined,
    },
  );
  try {
    await page.goto(`${ORIGIN}/index.html`);
    await controller.run();
    await page.locator('xrf-results-view[data-state="ready"]').waitFor({ timeout: 20_000 });
    // The SSIM table: Total, Avg, Fe K, Pb L rows; a column per model; 1DCNN+ best for Fe K.
    const ssim = page.locator('table[data-kind="metrics-table"][data-table="ssim"]');
    const text = (await ssim.innerText()).replace(/\s+/g, ' ');
    for (const w of ['Total', 'Avg', 'Fe K', 'Pb L', 'FCN', '1DCNN+']) assert.ok(text.includes(w), `${w} in ${text}`);
    assert.equal(await ssim.locator('tbody tr').count(), 4);
    const feBest = await ssim.locator('tr[data-row="Fe K"] td.best').getAttribute('data-column');
    assert.equal(feBest, '1DCNN+');
    const slopeFe = page.locator('table[data-table="slope"] tr[data-row="Fe K"] td[data-column="FCN"]');
    assert.ok(Math.abs(Number(await slopeFe.getAttribute('data-value')) - 1.5) < 1e-6);
    assert.equal(await page.locator('table[data-table="zscores"] tbody tr').count(), 2);

    // Maps of the selected family: ground truth and both predictions; z-score maps; scatters.
    assert.deepEqual(await page.locator('canvas[data-kind="map"]').evaluateAll((els: Element[]) => els.map((e) => e.getAttribute('data-line'))), ['Fe K', 'Fe K · FCN', 'Fe K · 1DCNN+']);
    await page.locator('canvas[data-kind="zscore-map"][data-model="FCN"][data-drawn="true"]').waitFor({ timeout: 5000 });
    // FCN predicts 1.5 y: |z| = 0.5 y / σ grows with y; some pixels leave the white bin.
    const zColors = await page.locator('canvas[data-kind="zscore-map"][data-model="FCN"]').evaluate((c: HTMLCanvasElement) => {
      const d = c.getContext('2d')!.getImageData(0, 0, c.width, c.height).data;
      const seen = new Set<string>();
      for (let i = 0; i < d.length; i += 4) seen.add(`${d[i]},${d[i + 1]},${d[i + 2]}`);
      return [...seen].sort();
    });
    assert.ok(zColors.every((c: string) => ['255,255,255', '255,255,0', '255,165,0', '255,0,0'].includes(c)), zColors.join(' '));
    assert.ok(zColors.length >= 2, 'more than one z bin shows');
    assert.equal(await page.locator('canvas[data-kind="scatter"][data-drawn="true"]').count(), 2);

    await shot(page, 'results');
    // Another family is pulled from the host.
    await page.locator('xrf-select#family vscode-dropdown').evaluate((el: any) => {
      el.value = 'Pb L';
      el.dispatchEvent(new Event('change', { bubbles: true }));
    });
    await page.locator('canvas[data-kind="zscore-map"][data-line="Pb L"]').first().waitFor({ timeout: 5000 });

    // Copy a table as Markdown: it reaches the host's clipboard.
    await page.locator('xrf-button[data-copy="markdown"][data-table="ssim"]').click();
    for (let i = 0; i < 50 && copied.length === 0; i++) await new Promise((r) => setTimeout(r, 50));
    assert.match(copied[0], /^### Structural similarity \(SSIM\)\n\n\| Line \| FCN \| 1DCNN\+ \|/);
    await page.locator('#notice', { hasText: 'Copied' }).waitFor({ timeout: 5000 });
    assert.deepEqual(csp, []);
    assert.deepEqual(errors, []);
  } finally {
    controller.dispose();
    await page.close();
  }
});

test('maps editor: a ground-truth NPY shows one drawn map per family, each canvas ranking pixels as the file', { skip }, async () => {
  const { page, port, csp, errors } = await openPage('groundTruth');
  const controller = new MapsEditorController({
    file: path.join(dir, 'truth.npy'),
    endpoint: new Endpoint<MapsHostSide, MapsWebviewSide>(port, { waitForReady: true }),
    runJob,
    display: () => DISPLAY,
    trusted: () => true,
    pickSavePath: async () => undefined,
    writeFile: async () => undefined,
    compare: async () => undefined,
    log: quietLog,
    showLog: () => undefined,
  });
  try {
    await page.goto(`${ORIGIN}/index.html`);
    await controller.open();
    await page.locator('[data-state="ready"] canvas[data-line]').first().waitFor({ timeout: 20_000 });
    assert.deepEqual(await page.locator('canvas[data-line]').evaluateAll((els: Element[]) => els.map((e) => e.getAttribute('data-line'))), ['Fe K', 'Pb L']);
    await shot(page, 'maps-editor');
    assert.match(await page.locator('[data-field="shape"]').innerText(), new RegExp(`NPY · ${H} × ${W} pixels · 2 line families`));
    assert.equal(await page.locator('xrf-button#compare').innerText(), 'Compare with prediction…');
    // Brighter canvas where the file's values are larger (viridis grows in luminance).
    const lum = await page.locator('canvas[data-line="Fe K"]').evaluate((c: HTMLCanvasElement, [h, w]: number[]) => {
      const d = c.getContext('2d')!.getImageData(0, 0, c.width, c.height).data;
      const out: number[] = [];
      for (let r = 0; r < h; r++)
        for (let col = 0; col < w; col++) {
          const x = Math.floor(((col + 0.5) * c.width) / w);
          const y = Math.floor(((r + 0.5) * c.height) / h);
          const i = 4 * (y * c.width + x);
          out.push(0.299 * d[i] + 0.587 * d[i + 1] + 0.114 * d[i + 2]);
        }
      return out;
    }, [H, W]);
    const truth = truthMap(0);
    const [lo, hi] = [truth.indexOf(Math.min(...truth)), truth.indexOf(Math.max(...truth))];
    assert.ok(lum[hi] > lum[lo] + 100, `brightest value ${lum[hi]} vs darkest ${lum[lo]}`);
    assert.deepEqual(csp, []);
    assert.deepEqual(errors, []);
  } finally {
    controller.dispose();
    await page.close();
  }
});

test('training view: the loss chart draws each epoch as it arrives; Cancel reaches the run', { skip }, async () => {
  const { page, port, csp, errors } = await openPage('training');
  let emit: ((e: unknown) => void) | undefined;
  let aborted = false;
  const run = new TrainingRun(
    { model: '1DCNN+', train: [{ scan: '/d/p1.rpl', groundTruth: '/d/t.npy', name: 'p1' }], outDir: '/ws/models/m', epochs: 50, patience: 5, stride: 10, valShare: 0.2, batch: 32, seed: 0, backend: 'auto' },
    {
      runJob: (_i, o) =>
        new Promise((resolve) => {
          emit = o.onEvent;
          o.signal.addEventListener('abort', () => {
            aborted = true;
            resolve({ modelDir: '/ws/models/m', epochsRun: 3, bestEpoch: 3, bestValLoss: 0.3, cancelled: true, history: { train: [1, 0.6, 0.4], val: [0.9, 0.5, 0.3] }, backend: 'wasm' });
          });
        }),
      report: () => undefined,
      setBackend: () => undefined,
      savePng: async () => ({}),
      showLog: () => undefined,
      log: quietLog,
    },
  );
  run.attach(new Endpoint<TrainingHostSide, TrainingWebviewSide>(port, { waitForReady: true }));
  try {
    await page.goto(`${ORIGIN}/index.html`);
    const done = run.start();
    await page.locator('xrf-training-view[data-state="reading"]').waitFor({ timeout: 20_000 });
    emit!({ kind: 'backend', name: 'wasm', reason: 'no native TensorFlow' });
    emit!({ kind: 'data', trainSamples: 80, valSamples: 20 });
    for (const [e, t, v] of [[1, 1, 0.9], [2, 0.6, 0.5], [3, 0.4, 0.3]]) emit!({ kind: 'epoch', epoch: e, epochs: 50, trainLoss: t, valLoss: v, samplesPerSec: 100, etaSec: 60, best: true });
    await page.locator('canvas[data-kind="loss-chart"][data-epochs="3"][data-drawn="true"]').waitFor({ timeout: 5000 });
    assert.match(await page.locator('#training-backend').innerText(), /wasm \(no native TensorFlow\)/);
    assert.match(await page.locator('#training-status').innerText(), /epoch 3\/50 · train aL1 0\.4000 · val aL1 0\.3000/);
    // The curves are drawn: the chart has pixels in both series' colours' area (not blank).
    const inked = await page.locator('canvas[data-kind="loss-chart"]').evaluate((c: HTMLCanvasElement) => {
      const d = c.getContext('2d')!.getImageData(0, 0, c.width, c.height).data;
      let n = 0;
      for (let i = 3; i < d.length; i += 4) if (d[i] > 0) n++;
      return n;
    });
    assert.ok(inked > 500, `${inked} drawn pixels`);
    await shot(page, 'training');
    await page.locator('xrf-button#training-cancel').click();
    const r = await done;
    assert.equal(aborted, true);
    assert.equal(r?.cancelled, true);
    await page.locator('xrf-training-view[data-state="cancelled"]').waitFor({ timeout: 5000 });
    assert.equal(await page.locator('xrf-button#training-cancel').count(), 0);
    assert.deepEqual(csp, []);
    assert.deepEqual(errors, []);
  } finally {
    await page.close();
  }
});
