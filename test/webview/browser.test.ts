/**
 * The webview bundle in a real browser (Chromium via playwright-core), talking to the real host-side
 * controller over a bridge that stands in for VS Code's postMessage: no VS Code needed. The page is
 * the one the extension serves (same HTML, same CSP), so a CSP violation fails the test.
 *
 * Needs Chromium and playwright-core from the e2e toolchain cache (scripts/e2e-setup.sh, or
 * XRFMAPS_E2E_CACHE); skips with the reason when they are absent.
 */
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { homedir } from 'node:os';
import * as path from 'node:path';
import * as esbuild from 'esbuild';
import { Endpoint, type Envelope, type MessagePortLike, type ScanHostSide, type ScanWebviewSide } from '../../src/protocol';
import { webviewHtml } from '../../src/host/webview-html';
import { ScanEditorController, type ScanSessionLike } from '../../src/host/scan-editor/controller';
import { ScanViewMemory } from '../../src/host/scan-editor/view-memory';
import { XrfInputError } from '../../src/core/errors';
import type { ScanSummary } from '../../src/core/maps/summary';

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

// The small part of playwright-core used here (it is no project dependency, so it has no types here).
type Page = any;
type Browser = any;

// ───── a 12×16 scan whose pixel (r, c) holds r·16 + c + 1 counts per channel in every window ─────
const H = 12;
const W = 16;
const C = 512;
const value = (r: number, c: number) => r * W + c + 1;

class FakeSession implements ScanSessionLike {
  info = { format: 'rpl', height: H, width: W, channels: C, dtype: 'u2', calibration: { offsetKeV: 0, gainKeV: 0.02, source: 'file' as const } };
  pixelsAsked: [number, number][] = [];
  async summary(lines: string[]): Promise<ScanSummary> {
    const map = (k: number) => Float32Array.from({ length: H * W }, (_, i) => value(Math.floor(i / W), i % W) * k);
    const windows = lines.map((label, i) => ({ label, loChannel: 100 + 10 * i, hiChannel: 110 + 10 * i }));
    const sum = new Float64Array(C);
    for (let k = 0; k < C; k++) sum[k] = 100 + 1000 * Math.exp(-((k - 320) ** 2) / 50);
    return { height: H, width: W, channels: C, windows, totalCounts: map(C), roiMaps: windows.map((_, i) => map(i + 1)), sumSpectrum: sum, maxSpectrum: Float32Array.from(sum, (v) => v / 10) };
  }
  async pixel(r: number, c: number) {
    this.pixelsAsked.push([r, c]);
    return Float32Array.from({ length: C }, (_, k) => 1 + value(r, c) * Math.exp(-((k - 320) ** 2) / 50));
  }
  async windowMap(lo: number, hi: number) {
    return Float32Array.from({ length: H * W }, (_, i) => (hi - lo) * (i % W));
  }
  async setCalibration(cal: { offsetKeV: number; gainKeV: number }) {
    void cal;
    return this.info.calibration;
  }
  async close() {}
}

// ───── the bridge: typed arrays cross page.evaluate as tagged plain arrays ─────
function encode(v: unknown): unknown {
  if (ArrayBuffer.isView(v) && !(v instanceof DataView)) return { __typed: v.constructor.name, values: Array.from(v as Float32Array) };
  if (Array.isArray(v)) return v.map(encode);
  if (v && typeof v === 'object') return Object.fromEntries(Object.entries(v).map(([k, x]) => [k, encode(x)]));
  return v;
}
function decode(v: unknown): unknown {
  if (v && typeof v === 'object' && '__typed' in v) {
    const t = v as { __typed: string; values: number[] };
    return t.__typed === 'Float64Array' ? Float64Array.from(t.values) : Float32Array.from(t.values);
  }
  if (Array.isArray(v)) return v.map(decode);
  if (v && typeof v === 'object') return Object.fromEntries(Object.entries(v).map(([k, x]) => [k, decode(x)]));
  return v;
}

const PAGE_BRIDGE = `
  window.__decode = function decode(v) {
    if (v && typeof v === 'object' && '__typed' in v) return v.__typed === 'Float64Array' ? Float64Array.from(v.values) : Float32Array.from(v.values);
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

before(async () => {
  if (skip) return;
  const out = await esbuild.build({ entryPoints: [path.join(ROOT, 'webview', 'main.ts')], bundle: true, format: 'esm', platform: 'browser', target: 'es2022', write: false, logLevel: 'silent' });
  bundle = out.outputFiles[0].text;
  const req = createRequire(path.join((toolchain as { playwrightCore: string }).playwrightCore, 'package.json'));
  const pw = req((toolchain as { playwrightCore: string }).playwrightCore);
  browser = await pw.chromium.launch({ executablePath: (toolchain as { chromium: string }).chromium, args: ['--no-sandbox', '--disable-gpu'] });
});

after(async () => {
  await browser?.close();
});

interface Harness {
  page: Page;
  writes: { target: string; bytes: Uint8Array }[];
  controller: ScanEditorController;
  session: FakeSession;
  cspViolations: string[];
  pageErrors: string[];
  close(): Promise<void>;
}

interface ViewOptions {
  /** Hold a host message until the promise resolves (messages stay in order: later ones wait too). */
  hold?: (m: Envelope) => Promise<void> | undefined;
  viewMemory?: ScanViewMemory;
  /** Every message the host posted, in order. */
  posted?: Envelope[];
  /** Every message the page sent to the host, in order. */
  received?: Envelope[];
  /** Do not wait for the pass to end (a session that holds its pass open until the test lets it). */
  openInBackground?: boolean;
}

async function openView(open: () => Promise<ScanSessionLike>, savePath?: string, opts: ViewOptions = {}): Promise<Harness> {
  const writes: { target: string; bytes: Uint8Array }[] = [];
  const page = await browser.newPage({ viewport: { width: 1400, height: 1000 } });
  const cspViolations: string[] = [];
  const pageErrors: string[] = [];
  page.on('console', (m: any) => {
    if (/Content Security Policy/i.test(m.text())) cspViolations.push(m.text());
  });
  page.on('pageerror', (e: Error) => pageErrors.push(e.message));
  const html = webviewHtml({ cspSource: ORIGIN, nonce: 'testnonce123', scriptUri: `${ORIGIN}/webview.js`, styleUri: `${ORIGIN}/webview.css` }, 'scan', 'XRF scan test');
  await page.route(`${ORIGIN}/**`, (route: any) => {
    const url: string = route.request().url();
    if (url.endsWith('/webview.js')) return route.fulfill({ contentType: 'text/javascript', body: bundle });
    if (url.endsWith('/webview.css')) return route.fulfill({ contentType: 'text/css', body: readFileSync(path.join(ROOT, 'media', 'webview.css'), 'utf8') });
    return route.fulfill({ contentType: 'text/html', body: html });
  });
  // Host side: the real controller, its endpoint on a port into the page.
  const handlers = new Set<(m: unknown) => void>();
  await page.exposeFunction('__toHost', (m: unknown) => {
    const msg = decode(m);
    opts.received?.push(msg as Envelope);
    for (const h of handlers) h(msg);
  });
  await page.addInitScript(PAGE_BRIDGE);
  // In order, like VS Code's channel; resolves once the page has the message (as webview.postMessage does).
  let chain: Promise<unknown> = Promise.resolve();
  const port: MessagePortLike = {
    post: (m: Envelope) => {
      opts.posted?.push(m);
      const sent = chain
        .then(() => opts.hold?.(m))
        .then(() => page.evaluate((x: unknown) => window.postMessage((window as any).__decode(x), '*'), encode(m)))
        .catch(() => undefined);
      chain = sent;
      return sent;
    },
    listen: (h) => {
      handlers.add(h);
      return () => handlers.delete(h);
    },
  };
  let session!: FakeSession;
  const controller = new ScanEditorController({
    file: '/scans/test.rpl',
    endpoint: new Endpoint<ScanHostSide, ScanWebviewSide>(port, { waitForReady: true }),
    openSession: async () => {
      const s = await open();
      session = s as FakeSession;
      return s;
    },
    settings: () => ({ lines: ['Fe K', 'Pb L'], display: { colormap: 'viridis', scaling: 'linear', lowPercentile: 0, highPercentile: 100 } }),
    trusted: () => true,
    pickSavePath: async (name) => (savePath ? `${savePath}/${name}` : undefined),
    writeFile: async (target, parts) => {
      const bytes = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
      parts.reduce((o, p) => (bytes.set(p, o), o + p.length), 0);
      writes.push({ target, bytes });
    },
    log: { info: () => undefined, warn: () => undefined, error: () => undefined },
    showLog: () => undefined,
    viewMemory: opts.viewMemory,
  });
  await page.goto(`${ORIGIN}/index.html`);
  if (opts.openInBackground) void controller.open();
  else await controller.open();
  return {
    page,
    writes,
    controller,
    get session() {
      return session;
    },
    cspViolations,
    pageErrors,
    close: async () => {
      await controller.dispose();
      await page.close();
    },
  };
}

/** Mean luminance of a canvas region given in fractions of its size. */
async function luminance(page: Page, selector: string, fx0: number, fy0: number, fx1: number, fy1: number): Promise<number> {
  return page.locator(selector).first().evaluate(
    (c: HTMLCanvasElement, [a, b, cc, d]: number[]) => {
      const ctx = c.getContext('2d')!;
      const x0 = Math.floor(a * c.width);
      const y0 = Math.floor(b * c.height);
      const img = ctx.getImageData(x0, y0, Math.max(1, Math.floor(cc * c.width) - x0), Math.max(1, Math.floor(d * c.height) - y0)).data;
      let s = 0;
      for (let i = 0; i < img.length; i += 4) s += 0.299 * img[i] + 0.587 * img[i + 1] + 0.114 * img[i + 2];
      return s / (img.length / 4);
    },
    [fx0, fy0, fx1, fy1],
  );
}

async function canvasHash(page: Page, selector: string): Promise<string> {
  return page.locator(selector).first().evaluate((c: HTMLCanvasElement) => {
    const d = c.getContext('2d')!.getImageData(0, 0, c.width, c.height).data;
    let h = 0;
    for (let i = 0; i < d.length; i += 7) h = (h * 31 + d[i]) | 0;
    return String(h);
  });
}

test('the scan view draws every map, hit-tests pixels, shows spectra and adds energy-window maps', { skip }, async () => {
  const h = await openView(async () => {
    const s = new FakeSession();
    (s.info as ScanSessionLike['info']).storedOrder = { order: 'channels × rows × columns', from: 'shape' };
    return s;
  });
  try {
    const { page } = h;
    await page.locator('[data-state="ready"] canvas[data-line]').first().waitFor({ timeout: 20_000 });
    // An HDF5 axis order decided by the shape alone is shown, so a wrong guess can be noticed.
    assert.equal(await page.locator('[data-field="stored-order"]').innerText(), 'stored as channels × rows × columns (from shape)');
    const lines = await page.locator('canvas[data-line]').evaluateAll((els: Element[]) => els.map((e) => e.getAttribute('data-line')));
    assert.deepEqual(lines, ['Total counts', 'Fe K', 'Pb L']);

    // Values grow to the bottom right; viridis grows in luminance: the canvas shows it.
    const dark = await luminance(page, 'canvas[data-line="Fe K"]', 0, 0, 0.2, 0.2);
    const bright = await luminance(page, 'canvas[data-line="Fe K"]', 0.8, 0.8, 1, 1);
    assert.ok(bright > dark + 80, `top-left ${dark.toFixed(0)} vs bottom-right ${bright.toFixed(0)}`);
    // The canvas has the map's aspect ratio: at zoom 1 the map fills it.
    const box = await page.locator('canvas[data-line="Fe K"]').first().boundingBox();
    assert.ok(Math.abs(box.width / box.height - W / H) < 0.03, `canvas ${box.width}×${box.height} for a ${W}×${H} map`);

    // Hover pixel (row 7, col 11): the host is asked for exactly that pixel, the values line names it.
    const spectrumBefore = await canvasHash(page, 'canvas[data-kind="spectrum"]');
    await page.mouse.move(box.x + ((11 + 0.5) * box.width) / W, box.y + ((7 + 0.5) * box.height) / H);
    await page.locator('#pixel-values', { hasText: 'row 7, col 11' }).waitFor({ timeout: 5000 });
    const values = await page.locator('#pixel-values').innerText();
    assert.match(values, new RegExp(`Fe K ${value(7, 11)}(\\s|$)`), values);
    for (let i = 0; i < 50 && !h.session.pixelsAsked.some(([r, c]) => r === 7 && c === 11); i++) await new Promise((r) => setTimeout(r, 50));
    assert.deepEqual(h.session.pixelsAsked.at(-1), [7, 11]);
    await page.waitForTimeout(300);
    assert.notEqual(await canvasHash(page, 'canvas[data-kind="spectrum"]'), spectrumBefore, 'the spectrum redrew for the pixel');

    // Drag across the spectrum: a new map appears in the grid.
    const sp = await page.locator('canvas[data-kind="spectrum"]').first().boundingBox();
    const y = sp.y + sp.height / 2;
    await page.mouse.move(sp.x + sp.width * 0.4, y);
    await page.mouse.down();
    await page.mouse.move(sp.x + sp.width * 0.45, y, { steps: 3 });
    await page.mouse.move(sp.x + sp.width * 0.5, y, { steps: 3 });
    await page.mouse.up();
    await page.locator('canvas[data-line$="keV"]').first().waitFor({ timeout: 10_000 });
    assert.equal(await page.locator('canvas[data-line]').count(), 4);

    // Keyboard zoom on a focused map changes what it shows; 0 resets it.
    const fe = 'canvas[data-line="Fe K"]';
    const atFit = await canvasHash(page, fe);
    await page.locator(fe).first().focus();
    await page.keyboard.press('+');
    await page.keyboard.press('+');
    await page.waitForTimeout(200);
    assert.notEqual(await canvasHash(page, fe), atFit, 'zoomed in');
    await page.keyboard.press('0');
    await page.waitForTimeout(200);

    // Enter enlarges the focused map; Escape returns to the grid.
    await page.locator(fe).first().focus();
    await page.keyboard.press('Enter');
    await page.locator('#back-to-grid').waitFor({ timeout: 5000 });
    assert.equal(await page.locator('canvas[data-line]').count(), 1);
    await page.locator(fe).first().focus();
    await page.keyboard.press('Escape');
    await page.locator('#back-to-grid').waitFor({ state: 'detached', timeout: 5000 });

    assert.deepEqual(h.cspViolations, [], 'no CSP violations');
    assert.deepEqual(h.pageErrors, [], 'no page errors');
  } finally {
    await h.close();
  }
});

test('a scan that cannot be opened shows the error view with the file and the problem', { skip }, async () => {
  const h = await openView(async () => {
    throw new XrfInputError('/scans/test.raw', 'file is truncated: 1000 of 4096000 bytes');
  });
  try {
    const view = h.page.locator('[data-kind="error"]');
    await view.waitFor({ timeout: 20_000 });
    const text = await view.innerText();
    assert.match(text, /\/scans\/test\.raw/);
    assert.match(text, /file is truncated: 1000 of 4096000 bytes/);
    assert.equal(await h.page.locator('canvas[data-line]').count(), 0);
    assert.equal(await view.getAttribute('data-error-kind'), 'input');
    assert.deepEqual(h.cspViolations, []);
  } finally {
    await h.close();
  }
});

test('export from the enlarged map writes that map\'s values; the calibration editor applies new values', { skip }, async () => {
  const sessions: FakeSession[] = [];
  const calibrations: { offsetKeV: number; gainKeV: number }[] = [];
  const h = await openView(async () => {
    const s = new FakeSession();
    s.setCalibration = async (cal: { offsetKeV: number; gainKeV: number }) => {
      calibrations.push(cal);
      s.info.calibration = { ...cal, source: 'sidecar' as never };
      return s.info.calibration;
    };
    sessions.push(s);
    return s;
  }, '/exports');
  try {
    const { page } = h;
    await page.locator('[data-state="ready"] canvas[data-line]').first().waitFor({ timeout: 20_000 });
    await page.locator('canvas[data-line="Pb L"]').first().focus();
    await page.keyboard.press('Enter');
    await page.locator('xrf-button[data-export="npy"]').click();
    await page.locator('#notice', { hasText: 'Exported Pb L' }).waitFor({ timeout: 5000 });
    assert.equal(h.writes.length, 1);
    assert.equal(h.writes[0].target, '/exports/test_Pb_L.npy');
    const values = new Float32Array(h.writes[0].bytes.buffer.slice(h.writes[0].bytes.byteOffset + 128, h.writes[0].bytes.byteOffset + h.writes[0].bytes.length));
    assert.equal(values.length, H * W);
    assert.equal(values[5 * W + 3], value(5, 3) * 2, 'Pb L is the second window: 2 × the pixel value');

    await page.locator('#cal-edit').click();
    const offset = page.locator('vscode-text-field#cal-offset input');
    await offset.fill('-0.25');
    await offset.press('Enter');
    const gain = page.locator('vscode-text-field#cal-gain input');
    await gain.fill('0.015');
    await gain.press('Enter');
    await page.locator('#cal-apply').click();
    await page.locator('#calibration[data-source="sidecar"]').waitFor({ timeout: 5000 });
    assert.deepEqual(calibrations, [{ offsetKeV: -0.25, gainKeV: 0.015 }]);
    assert.match(await page.locator('#calibration').innerText(), /-0\.25 keV \+ 0\.015 keV/);
    assert.deepEqual(h.cspViolations, []);
    assert.deepEqual(h.pageErrors, []);
  } finally {
    await h.close();
  }
});

function gate() {
  let release!: () => void;
  const promise = new Promise<void>((r) => (release = r));
  return { promise, release };
}

test('the grid lays out placeholders from the summary and fills them map by map; a map of another delivery is dropped', { skip }, async () => {
  const gates = new Map(['total', 'line:Fe K', 'line:Pb L'].map((id) => [id, gate()]));
  const posted: Envelope[] = [];
  const received: Envelope[] = [];
  const h = await openView(async () => new FakeSession(), undefined, {
    posted,
    received,
    hold: (m) => (m.kind === 'event' && m.type === 'map' ? gates.get((m.data as { map: { id: string } }).map.id)?.promise : undefined),
  });
  try {
    const { page } = h;
    await page.locator('#map-grid[data-state="drawing"] canvas[data-line="Pb L"]').waitFor({ timeout: 20_000 });
    const pending = () => page.locator('canvas[data-pending="true"]').evaluateAll((els: Element[]) => els.map((e) => e.getAttribute('data-line')));
    assert.deepEqual(await pending(), ['Total counts', 'Fe K', 'Pb L'], 'three placeholders before any values');
    assert.equal(await page.locator('canvas[data-kind="map"][data-drawn="true"]').count(), 0, 'no map drawn yet');
    // A placeholder has the map's size already: the layout does not jump when the values arrive.
    const box = await page.locator('canvas[data-line="Fe K"]').boundingBox();
    assert.ok(Math.abs(box.width / box.height - W / H) < 0.03, `placeholder ${box.width}×${box.height} for a ${W}×${H} map`);

    gates.get('total')!.release();
    await page.locator('canvas[data-map-id="total"][data-drawn="true"]').waitFor({ timeout: 10_000 });
    assert.deepEqual(await pending(), ['Fe K', 'Pb L'], 'total counts drawn first, the others still on their way');
    assert.equal(await page.locator('#map-grid').getAttribute('data-state'), 'drawing');

    // A map event of another delivery (a superseded pass) reaches the page: the view must not show it.
    const sent = posted.find((m) => m.kind === 'event' && m.type === 'summary');
    const summary = (sent as { data: { pass: number } }).data;
    const stale = { kind: 'event', type: 'map', data: { pass: summary.pass - 1, map: { id: 'line:Fe K', label: 'Fe K', kind: 'line', data: new Float32Array(H * W).fill(7) } } };
    await page.evaluate((x: unknown) => window.postMessage((window as any).__decode(x), '*'), encode(stale));
    await page.waitForTimeout(300);
    assert.deepEqual(await pending(), ['Fe K', 'Pb L'], 'the stale Fe K was dropped');

    gates.get('line:Fe K')!.release();
    gates.get('line:Pb L')!.release();
    await page.locator('#map-grid[data-state="ready"]').waitFor({ timeout: 10_000 });
    assert.deepEqual(await pending(), []);
    // Every map was acknowledged (the host paces its deliveries by these), the dropped stale one too.
    const shown = () => received.filter((m) => m.kind === 'event' && m.type === 'mapShown').map((m) => (m as { data: unknown }).data as { pass: number; id: string });
    for (let i = 0; i < 50 && shown().length < 4; i++) await page.waitForTimeout(20);
    assert.deepEqual(
      shown().map((a) => `${a.pass - summary.pass} ${a.id}`).sort(),
      ['-1 line:Fe K', '0 line:Fe K', '0 line:Pb L', '0 total'],
    );
    const dark = await luminance(page, 'canvas[data-line="Fe K"]', 0, 0, 0.2, 0.2);
    const bright = await luminance(page, 'canvas[data-line="Fe K"]', 0.8, 0.8, 1, 1);
    assert.ok(bright > dark + 80, `Fe K shows its own values: top-left ${dark.toFixed(0)} vs bottom-right ${bright.toFixed(0)}`);
    assert.deepEqual(h.pageErrors, []);
    assert.deepEqual(h.cspViolations, []);
  } finally {
    for (const g of gates.values()) g.release();
    await h.close();
  }
});

test('the colormap, contrast and enlarged map chosen for a scan come back when it is opened again', { skip }, async () => {
  const data = new Map<string, unknown>();
  const memory = new ScanViewMemory({ get: <T>(k: string) => data.get(k) as T | undefined, update: async (k, v) => void data.set(k, structuredClone(v)) });
  const first = await openView(async () => new FakeSession(), undefined, { viewMemory: memory });
  try {
    const { page } = first;
    await page.locator('[data-state="ready"] canvas[data-line]').first().waitFor({ timeout: 20_000 });
    await page.locator('xrf-select#colormap vscode-dropdown').click();
    await page.locator('xrf-select#colormap vscode-option[value="gray"]').click();
    const low = page.locator('vscode-text-field#contrast-low input');
    await low.fill('2');
    await low.press('Enter');
    await page.locator('canvas[data-line="Pb L"]').first().focus();
    await page.keyboard.press('Enter');
    await page.locator('#back-to-grid').waitFor({ timeout: 5000 });
    for (let i = 0; i < 50 && memory.get('/scans/test.rpl')?.selectedMap !== 'line:Pb L'; i++) await page.waitForTimeout(50);
    assert.deepEqual(memory.get('/scans/test.rpl'), {
      display: { colormap: 'gray', scaling: 'linear', lowPercentile: 2, highPercentile: 100 },
      selectedMap: 'line:Pb L',
    });
  } finally {
    await first.close();
  }
  const again = await openView(async () => new FakeSession(), undefined, { viewMemory: memory });
  try {
    const { page } = again;
    await page.locator('#back-to-grid').waitFor({ timeout: 20_000 });
    await page.locator('[data-state="ready"] canvas[data-line="Pb L"]').waitFor({ timeout: 10_000 });
    assert.equal(await page.locator('canvas[data-line]').count(), 1, 'Pb L enlarged, as it was left');
    assert.equal(await page.locator('xrf-select#colormap').evaluate((e: { value: string }) => e.value), 'gray');
    assert.equal(await page.locator('vscode-text-field#contrast-low input').inputValue(), '2');
    const grey = await page.locator('canvas[data-line="Pb L"]').evaluate((c: HTMLCanvasElement) => {
      const d = c.getContext('2d')!.getImageData(0, 0, c.width, c.height).data;
      let off = 0;
      for (let i = 0; i < d.length; i += 4) if (d[i + 3] > 0 && (Math.abs(d[i] - d[i + 1]) > 2 || Math.abs(d[i + 1] - d[i + 2]) > 2)) off++;
      return off;
    });
    assert.equal(grey, 0, 'drawn with the gray colormap');
    assert.deepEqual(again.pageErrors, []);
  } finally {
    await again.close();
  }
});

// ───── maps that fill in during a long pass ─────

type RowsUpdate = { from: number; to: number; totalCounts: Float32Array; roiMaps: Float32Array[] };

/** Rows [0, H/2) of the preview: in every map, column c holds 50 + 50·c/(W−1) (50 … 100). */
const previewValue = (c: number) => 50 + (50 * c) / (W - 1);

/** A session whose pass reports the rows the test releases and ends when the test says so. */
class RowsSession extends FakeSession {
  private onRows: ((u: RowsUpdate) => void) | undefined;
  private lines: string[] = [];
  private finish!: () => void;
  started = false;

  override async summary(lines: string[], opts: { onRows?: (u: RowsUpdate) => void } = {}): Promise<ScanSummary> {
    this.onRows = opts.onRows;
    this.lines = lines;
    this.started = true;
    await new Promise<void>((r) => (this.finish = r));
    return super.summary(lines);
  }

  rows(from: number, to: number): void {
    const band = () => Float32Array.from({ length: (to - from) * W }, (_, i) => previewValue(i % W));
    this.onRows?.({ from, to, totalCounts: band(), roiMaps: this.lines.map(band) });
  }

  end(): void {
    this.finish();
  }
}

/** [r, g, b, a] of a canvas at the centre of map pixel (row, col), the map filling the canvas (zoom 1). */
async function mapPixelRGBA(page: Page, selector: string, row: number, col: number): Promise<number[]> {
  return page.locator(selector).first().evaluate(
    (c: HTMLCanvasElement, [r, cc, h, w]: number[]) => {
      const x = Math.floor(((cc + 0.5) / w) * c.width);
      const y = Math.floor(((r + 0.5) / h) * c.height);
      return Array.from(c.getContext('2d')!.getImageData(x, y, 1, 1).data);
    },
    [row, col, H, W],
  );
}
const lum = (p: number[]) => 0.299 * p[0] + 0.587 * p[1] + 0.114 * p[2];

test('a long pass fills the maps in: filled rows drawn with their own contrast, the rest transparent, exports off until the final maps', { skip }, async () => {
  const received: Envelope[] = [];
  const posted: Envelope[] = [];
  const h = await openView(async () => new RowsSession(), '/exports', { received, posted, openInBackground: true });
  try {
    const { page } = h;
    for (let i = 0; i < 400 && !(h.session as RowsSession | undefined)?.started; i++) await page.waitForTimeout(25);
    const session = h.session as RowsSession;
    assert.ok(session.started, 'the pass started');
    session.rows(0, H / 2);
    const fe = 'canvas[data-line="Fe K"]';
    await page.locator(`${fe}[data-drawn-rows="${H / 2}"]`).waitFor({ timeout: 20_000 });
    assert.equal(await page.locator(fe).getAttribute('data-partial'), 'true');
    assert.equal(await page.locator('#map-grid').getAttribute('data-state'), 'drawing', 'a preview is not the final "ready"');
    assert.ok(await page.locator('#progress').isVisible(), 'the progress bar stays');
    assert.match(await page.locator('#spectrum-pending').innerText(), /Computing/);

    // Top half drawn, opaque; the filled rows' lowest value (50) at the bottom of viridis and the
    // highest (100) at the top. Were the unfilled rows counted as zeros, 50 would be mid-scale (~110).
    const low = await mapPixelRGBA(page, fe, 1, 0);
    const high = await mapPixelRGBA(page, fe, 1, W - 1);
    assert.equal(low[3], 255);
    assert.ok(lum(low) < 50, `value 50 drawn at the bottom of the scale: ${low}`);
    assert.ok(lum(high) > 180, `value 100 drawn at the top of the scale: ${high}`);
    // Bottom half: not computed yet, so transparent (the frame's background), not the colour of 0.
    for (const [r, c] of [[H / 2, 0], [H - 1, W - 1], [H - 2, 3]]) assert.equal((await mapPixelRGBA(page, fe, r, c))[3], 0, `row ${r} col ${c} transparent`);
    const total = await mapPixelRGBA(page, 'canvas[data-map-id="total"]', 2, W - 1);
    assert.ok(total[3] === 255 && lum(total) > 180, 'every map of the preview is filled');

    // The view acknowledged the rows it drew (the host paces by it).
    const acks = () => received.filter((m) => m.kind === 'event' && m.type === 'rowsShown').length;
    for (let i = 0; i < 100 && acks() === 0; i++) await page.waitForTimeout(20);
    assert.ok(acks() >= 1, 'rowsShown sent');

    // Hovering: a filled pixel shows its value, an unfilled one none.
    const box = await page.locator(fe).boundingBox();
    const at = (r: number, c: number) => page.mouse.move(box.x + ((c + 0.5) * box.width) / W, box.y + ((r + 0.5) * box.height) / H);
    await at(2, 0);
    await page.locator('#pixel-values', { hasText: 'row 2, col 0' }).waitFor({ timeout: 5000 });
    assert.match(await page.locator('#pixel-values').innerText(), /Fe K 50(\s|$)/);
    await at(H - 1, 0);
    await page.locator('#pixel-values', { hasText: `row ${H - 1}, col 0` }).waitFor({ timeout: 5000 });
    assert.match(await page.locator('#pixel-values').innerText(), /Fe K …/);
    // The pixel's spectrum is raw data, there before the pass ends: the plot shows it, without sum or max.
    await page.locator('xrf-spectrum xrf-checkbox[data-series="pixel"]', { hasText: `row ${H - 1}, col 0` }).waitFor({ timeout: 5000 });
    await page.locator('canvas[data-kind="spectrum"][data-drawn="true"]').waitFor({ timeout: 5000 });
    assert.equal(await page.locator('xrf-spectrum xrf-checkbox[data-series="mean"]').count(), 0, 'no mean spectrum offered before the pass ends');
    assert.equal(await page.locator('xrf-spectrum xrf-checkbox[data-series="max"]').count(), 0, 'no max spectrum offered before the pass ends');

    // Enlarged, the preview's export buttons are off and say why.
    await page.locator(fe).first().focus();
    await page.keyboard.press('Enter');
    await page.locator('#back-to-grid').waitFor({ timeout: 5000 });
    const npy = page.locator('xrf-button[data-export="npy"]');
    assert.equal(await npy.evaluate((b: { disabled: boolean }) => b.disabled), true);
    assert.match((await npy.getAttribute('title')) ?? '', /when the pass over the scan ends/);

    // Rows of another delivery (a superseded preview) are dropped, and acknowledged all the same.
    const preview = posted.find((m) => m.kind === 'event' && m.type === 'preview') as { data: { pass: number } };
    const staleRows = { kind: 'event', type: 'mapRows', data: { pass: preview.data.pass - 1, from: H - 2, to: H, maps: ['total', 'line:Fe K', 'line:Pb L'].map((id) => ({ id, data: new Float32Array(2 * W).fill(75) })) } };
    const acked = acks();
    await page.evaluate((x: unknown) => window.postMessage((window as any).__decode(x), '*'), encode(staleRows));
    for (let i = 0; i < 100 && acks() === acked; i++) await page.waitForTimeout(20);
    assert.equal(acks(), acked + 1, 'the dropped rows acknowledged');
    assert.equal((await mapPixelRGBA(page, fe, H - 1, 0))[3], 0, 'the stale rows were not drawn');

    // More rows: the enlarged map draws them (a new acknowledgement), then the pass ends.
    const before = acks();
    session.rows(H / 2, H - 2);
    await page.locator(`${fe}[data-drawn-rows="${H - 2}"]`).waitFor({ timeout: 10_000 });
    assert.equal((await mapPixelRGBA(page, fe, H - 3, 0))[3], 255);
    assert.equal((await mapPixelRGBA(page, fe, H - 1, 0))[3], 0);
    // The new rows (drawn onto the tile's image: the range held steady) look like the first ones, value for value.
    for (const c of [0, 3, W - 1]) assert.deepEqual(await mapPixelRGBA(page, fe, H - 3, c), await mapPixelRGBA(page, fe, 1, c), `column ${c}`);
    for (let i = 0; i < 100 && acks() === before; i++) await page.waitForTimeout(20);
    assert.ok(acks() > before, 'the second rows acknowledged');

    session.end();
    await page.locator('#map-grid[data-state="ready"]').waitFor({ timeout: 10_000 });
    assert.equal(await page.locator(`${fe}[data-partial]`).count(), 0);
    // The final Fe K (pixel value r·16 + c + 1) everywhere, bottom row included, opaque.
    const bottom = await mapPixelRGBA(page, fe, H - 1, W - 1);
    const top = await mapPixelRGBA(page, fe, 0, 0);
    assert.equal(bottom[3], 255);
    assert.ok(lum(bottom) > lum(top) + 80, `final map drawn: top-left ${top} bottom-right ${bottom}`);
    assert.equal(await npy.evaluate((b: { disabled: boolean }) => b.disabled), false, 'exports on with the final maps');
    assert.equal(await page.locator('#spectrum-pending').count(), 0);
    await page.locator('canvas[data-kind="spectrum"]').first().waitFor({ timeout: 5000 });
    await page.locator('xrf-spectrum xrf-checkbox[data-series="mean"]').waitFor({ timeout: 5000 });
    assert.deepEqual(h.pageErrors, []);
    assert.deepEqual(h.cspViolations, []);
  } finally {
    (h.session as RowsSession | undefined)?.end();
    await h.close();
  }
});

test('when a complete preview is followed by the final summary, each tile keeps the preview drawn until its final map lands (no empty flash)', { skip }, async () => {
  const gate = { promise: undefined as Promise<void> | undefined, release: () => undefined as void };
  gate.promise = new Promise<void>((r) => (gate.release = r));
  const h = await openView(async () => new RowsSession(), undefined, {
    openInBackground: true,
    hold: (m) => (m.kind === 'event' && m.type === 'map' && (m.data as { map: { id: string } }).map.id === 'line:Fe K' ? gate.promise : undefined),
  });
  try {
    const { page } = h;
    for (let i = 0; i < 400 && !(h.session as RowsSession | undefined)?.started; i++) await page.waitForTimeout(25);
    const session = h.session as RowsSession;
    session.rows(0, H);
    const fe = 'canvas[data-line="Fe K"]';
    await page.locator(`${fe}[data-drawn-rows="${H}"]`).waitFor({ timeout: 20_000 });
    session.end();
    // The final total counts map lands; Fe K's is held back: its tile still shows the preview, opaque.
    await page.locator('canvas[data-map-id="total"]:not([data-partial])[data-drawn="true"]').waitFor({ timeout: 10_000 });
    await page.locator('canvas[data-kind="spectrum"]').first().waitFor({ timeout: 5000 });
    assert.equal(await page.locator(fe).getAttribute('data-partial'), 'true', 'Fe K is still the preview');
    assert.equal(await page.locator(`${fe}[data-pending="true"]`).count(), 0, 'not an empty placeholder');
    for (const [r, c] of [[0, 0], [H - 1, W - 1]]) assert.equal((await mapPixelRGBA(page, fe, r, c))[3], 255, `row ${r} col ${c} drawn`);
    assert.equal(await page.locator('#map-grid').getAttribute('data-state'), 'drawing', 'not ready before every final map');
    gate.release();
    await page.locator('#map-grid[data-state="ready"]').waitFor({ timeout: 10_000 });
    assert.equal(await page.locator(`${fe}[data-partial]`).count(), 0);
    assert.deepEqual(h.pageErrors, []);
  } finally {
    gate.release();
    (h.session as RowsSession | undefined)?.end();
    await h.close();
  }
});
