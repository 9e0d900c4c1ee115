/**
 * The scan editor's host half over the real ScanSession (worker thread, real readers) on small scans
 * written by the test: maps and spectra reach the view, a pixel answers, an energy window maps, a
 * broken file gives the error view, the calibration edit writes the sidecar, never the scan, and a
 * scan rewritten on disk is read again (the watcher is a fake the test fires; the files are real).
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { promises as fs } from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { Endpoint } from '../../src/protocol';
import type { ErrorViewData, MapData, ScanHostSide, ScanInfoData, ScanWebviewSide, SpectraData } from '../../src/protocol';
import { ScanEditorController, type ScanControllerDeps } from '../../src/host/scan-editor/controller';
import { ScanSession } from '../../src/workers/scan-session-client';
import { writeNpy } from '../../src/core/io/npy-write';
import { fakePortPair, settle } from './fake-port';

/** Let deliveries and the worker run until `cond` holds (gives up after ~10 s). */
async function until(cond: () => boolean, what = 'the condition'): Promise<void> {
  for (let i = 0; i < 1000 && !cond(); i++) await new Promise((r) => setTimeout(r, 10));
  assert.ok(cond(), `timed out waiting for ${what}`);
}

const H = 6;
const W = 5;
const C = 256;

/** Pixel (r, c) has (r + 1)·(c + 1) counts in each channel of [100, 110) and 1 count elsewhere. */
function cube(): Uint16Array {
  const a = new Uint16Array(H * W * C);
  for (let r = 0; r < H; r++)
    for (let c = 0; c < W; c++)
      for (let k = 0; k < C; k++) a[(r * W + c) * C + k] = k >= 100 && k < 110 ? (r + 1) * (c + 1) : 1;
  return a;
}

interface Shown {
  /** Deliveries so far (one per summary). */
  count: number;
  maps: MapData[];
  spectra: SpectraData;
}

async function withEditor(
  file: string,
  body: (t: {
    view: Endpoint<ScanWebviewSide, ScanHostSide>;
    controller: ScanEditorController;
    /** The last summary with all its maps, once every map event of it has arrived. */
    summary: () => Shown | undefined;
    error: () => ErrorViewData | undefined;
    info: () => ScanInfoData | undefined;
    notices: string[];
    logs: string[];
  }) => Promise<void>,
  extra: Partial<ScanControllerDeps> = {},
): Promise<void> {
  const ports = fakePortPair();
  const host = new Endpoint<ScanHostSide, ScanWebviewSide>(ports.host, { waitForReady: true });
  const view = new Endpoint<ScanWebviewSide, ScanHostSide>(ports.webview, { timeoutMs: 20_000 });
  let listed: { pass: number; ids: string[]; spectra: SpectraData; count: number } | undefined;
  let values = new Map<string, MapData>();
  let error: ErrorViewData | undefined;
  let info: ScanInfoData | undefined;
  const notices: string[] = [];
  view.on('summary', (s) => {
    listed = { pass: s.pass, ids: s.maps.map((m) => m.id), spectra: s.spectra, count: (listed?.count ?? 0) + 1 };
    values = new Map();
  });
  view.on('map', (m) => {
    if (m.pass === listed?.pass) values.set(m.map.id, m.map);
  });
  const summary = (): Shown | undefined =>
    listed && listed.ids.every((id) => values.has(id)) ? { count: listed.count, maps: listed.ids.map((id) => values.get(id)!), spectra: listed.spectra } : undefined;
  view.on('error', (e) => (error = e));
  view.on('info', (i) => (info = i));
  view.on('notice', (n) => notices.push(n.message));
  const logs: string[] = [];
  const controller = new ScanEditorController({
    file,
    endpoint: host,
    openSession: (f, o) => ScanSession.open(f, o),
    settings: () => ({ lines: ['Fe K'], calibration: { offsetKeV: 0, gainKeV: 0.064 }, display: { colormap: 'viridis', scaling: 'linear', lowPercentile: 0.5, highPercentile: 99.5 } }),
    trusted: () => true,
    pickSavePath: async () => undefined,
    writeFile: async () => undefined,
    log: { info: (m) => logs.push(m), warn: (m) => logs.push(m), error: (m) => logs.push(m) },
    showLog: () => undefined,
    ...extra,
  });
  view.ready();
  await settle();
  try {
    await controller.open();
    await until(() => summary() !== undefined || error !== undefined);
    await body({ view, controller, summary, error: () => error, info: () => info, notices, logs });
  } finally {
    await controller.dispose();
  }
}

test('a real scan: maps, spectra, a pixel and an energy-window map reach the view', async () => {
  const dir = await fs.mkdtemp(path.join(os.tmpdir(), 'xrf-editor-'));
  try {
    const file = path.join(dir, 'painting.npy');
    await writeNpy(file, cube(), [H, W, C]);
    await withEditor(file, async ({ view, controller, summary, error }) => {
      assert.equal(error(), undefined, JSON.stringify(error()));
      assert.equal(controller.state, 'ready');
      const s = summary()!;
      assert.deepEqual(s.maps.map((m) => m.label), ['Total counts', 'Fe K']);
      const total = s.maps[0].data;
      assert.ok(total instanceof Float32Array);
      assert.equal(total[2 * W + 3], 10 * 3 * 4 + (C - 10), 'total counts of pixel (2, 3)');
      assert.equal(s.spectra.pixelCount, H * W);
      assert.equal(s.spectra.sumSpectrum[0], H * W);
      const px = await view.request('pixel', { row: 4, col: 2 });
      assert.equal(px.spectrum.length, C);
      assert.equal(px.spectrum[105], 15);
      assert.equal(px.spectrum[0], 1);
      const m = await view.request('windowMap', { loChannel: 100, hiChannel: 110 });
      assert.equal(m.data[4 * W + 2], 10 * 15);
      assert.equal(m.label, '6.40–6.98 keV');
    });
  } finally {
    await fs.rm(dir, { recursive: true, force: true });
  }
});

test('editing the calibration writes the sidecar JSON and leaves the scan untouched', async () => {
  const dir = await fs.mkdtemp(path.join(os.tmpdir(), 'xrf-editor-'));
  try {
    const file = path.join(dir, 'painting.npy');
    await writeNpy(file, cube(), [H, W, C]);
    const before = await fs.readFile(file);
    await withEditor(file, async ({ view }) => {
      await view.request('setCalibration', { offsetKeV: -0.1, gainKeV: 0.05 });
    });
    const sidecar = JSON.parse(await fs.readFile(path.join(dir, 'painting.json'), 'utf8'));
    assert.deepEqual(sidecar.calibration, { offsetKeV: -0.1, gainKeV: 0.05 });
    assert.ok(Buffer.compare(new Uint8Array(before), new Uint8Array(await fs.readFile(file))) === 0, 'the scan is byte-for-byte unchanged');
  } finally {
    await fs.rm(dir, { recursive: true, force: true });
  }
});

test('a truncated scan opens to the error view naming the file and the problem', async () => {
  const dir = await fs.mkdtemp(path.join(os.tmpdir(), 'xrf-editor-'));
  try {
    const file = path.join(dir, 'broken.npy');
    await writeNpy(file, cube(), [H, W, C]);
    const full = await fs.readFile(file);
    await fs.writeFile(file, new Uint8Array(full).subarray(0, full.length - 1000));
    await withEditor(file, async ({ controller, error, summary, logs }) => {
      assert.equal(controller.state, 'error');
      const e = error();
      assert.ok(e, 'error view shown');
      assert.equal(e.kind, 'input');
      assert.equal(e.file, file);
      assert.match(e.problem, /truncat|short|bytes/i);
      assert.equal(summary(), undefined);
      assert.ok(logs.some((l) => l.includes(file)), 'logged with the file name');
    });
  } finally {
    await fs.rm(dir, { recursive: true, force: true });
  }
});

test('a file that is not HDF5 but named .h5 gives the error view, not a crash', async () => {
  const dir = await fs.mkdtemp(path.join(os.tmpdir(), 'xrf-editor-'));
  try {
    const file = path.join(dir, 'fake.h5');
    await fs.writeFile(file, 'this is not an HDF5 file\n'.repeat(40));
    await withEditor(file, async ({ controller, error }) => {
      assert.equal(controller.state, 'error');
      assert.equal(error()?.kind, 'input', JSON.stringify(error()));
      assert.equal(error()?.file, file);
    });
  } finally {
    await fs.rm(dir, { recursive: true, force: true });
  }
});

function fakeWatcher() {
  const w = {
    files: [] as string[],
    fire: (_file: string, _kind: 'change' | 'delete'): void => undefined,
    watch: (files: string[], onEvent: (file: string, kind: 'change' | 'delete') => void) => {
      w.files = files;
      w.fire = onEvent;
      return { dispose: () => undefined };
    },
  };
  return w;
}

test('a scan rewritten on disk is read again (not served from the cache) once the watcher reports it', async () => {
  const dir = await fs.mkdtemp(path.join(os.tmpdir(), 'xrf-editor-'));
  try {
    const file = path.join(dir, 'painting.npy');
    await writeNpy(file, cube(), [H, W, C]);
    const watcher = fakeWatcher();
    const extra = { watchFiles: watcher.watch, reopenDelayMs: 30, cacheDir: path.join(dir, 'cache') };
    await withEditor(
      file,
      async ({ summary, notices }) => {
        assert.equal(summary()!.maps[0].data[2 * W + 3], 10 * 3 * 4 + (C - 10));
        await until(() => watcher.files.length > 0, 'the watcher');
        assert.deepEqual(watcher.files, [file, path.join(dir, 'painting.json')]);
        // The scanner rewrites the file: every sample doubled.
        await writeNpy(file, cube().map((v) => v * 2), [H, W, C]);
        watcher.fire(file, 'change');
        await until(() => summary()?.count === 2, 'the maps of the rewritten scan');
        assert.equal(summary()!.maps[0].data[2 * W + 3], 2 * (10 * 3 * 4 + (C - 10)), 'total counts of the new content');
        assert.ok(notices.includes('painting.npy changed on disk; reopened.'), notices.join(' | '));
      },
      extra,
    );
  } finally {
    await fs.rm(dir, { recursive: true, force: true });
  }
});

test('the editor\'s own sidecar write does not reopen the scan; any edit of the sidecar by hand does', async () => {
  const dir = await fs.mkdtemp(path.join(os.tmpdir(), 'xrf-editor-'));
  try {
    const file = path.join(dir, 'painting.npy');
    const sidecar = path.join(dir, 'painting.json');
    await writeNpy(file, cube(), [H, W, C]);
    const watcher = fakeWatcher();
    await withEditor(
      file,
      async ({ view, summary, info, logs }) => {
        await until(() => watcher.files.length > 0, 'the watcher');
        await view.request('setCalibration', { offsetKeV: -0.1, gainKeV: 0.05 });
        await until(() => summary()?.count === 2, 'the recomputed maps');
        const opened = () => logs.filter((l) => l.startsWith(`opened ${file}`)).length;
        assert.equal(opened(), 1);
        watcher.fire(sidecar, 'change'); // what our own write looks like to the watcher
        await new Promise((r) => setTimeout(r, 200));
        assert.equal(opened(), 1, 'our own sidecar write: no reopen');

        await fs.writeFile(sidecar, JSON.stringify({ calibration: { offsetKeV: 0.2, gainKeV: 0.02 } }));
        watcher.fire(sidecar, 'change');
        await until(() => info()?.calibration.gainKeV === 0.02, 'the hand-written calibration');
        assert.equal(opened(), 2);
        // Any other edit of the sidecar reopens too: its other keys can change how the scan is read.
        await fs.writeFile(sidecar, JSON.stringify({ calibration: { offsetKeV: 0.2, gainKeV: 0.02 }, note: 'checked' }));
        watcher.fire(sidecar, 'change');
        await until(() => opened() === 3, 'the reopen after another edit');
        assert.deepEqual(info()!.calibration, { offsetKeV: 0.2, gainKeV: 0.02, source: 'sidecar' });
      },
      { watchFiles: watcher.watch, reopenDelayMs: 30 },
    );
  } finally {
    await fs.rm(dir, { recursive: true, force: true });
  }
});
