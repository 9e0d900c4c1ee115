/**
 * The scan editor's host half over the real ScanSession (worker thread, real readers) on small scans
 * written by the test: maps and spectra reach the view, a pixel answers, an energy window maps, a
 * broken file gives the error view, and the calibration edit writes the sidecar, never the scan.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { promises as fs } from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { Endpoint } from '../../src/protocol';
import type { ErrorViewData, MapData, ScanHostSide, ScanWebviewSide, SpectraData } from '../../src/protocol';
import { ScanEditorController } from '../../src/host/scan-editor/controller';
import { ScanSession } from '../../src/workers/scan-session-client';
import { writeNpy } from '../../src/core/io/npy-write';
import { fakePortPair, settle } from './fake-port';

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

async function withEditor(file: string, body: (t: {
  view: Endpoint<ScanWebviewSide, ScanHostSide>;
  controller: ScanEditorController;
  summary: () => { maps: MapData[]; spectra: SpectraData } | undefined;
  error: () => ErrorViewData | undefined;
  logs: string[];
}) => Promise<void>): Promise<void> {
  const ports = fakePortPair();
  const host = new Endpoint<ScanHostSide, ScanWebviewSide>(ports.host, { waitForReady: true });
  const view = new Endpoint<ScanWebviewSide, ScanHostSide>(ports.webview, { timeoutMs: 20_000 });
  let summary: { maps: MapData[]; spectra: SpectraData } | undefined;
  let error: ErrorViewData | undefined;
  view.on('summary', (s) => (summary = s));
  view.on('error', (e) => (error = e));
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
  });
  view.ready();
  await settle();
  try {
    await controller.open();
    await settle();
    await body({ view, controller, summary: () => summary, error: () => error, logs });
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
