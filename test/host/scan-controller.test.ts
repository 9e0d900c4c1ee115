/**
 * The scan editor's host half, driven as the webview drives it: through a fake port pair, with a
 * fake ScanSession (fast, scriptable failures), a fake file watcher and an in-memory display store.
 * The real session is exercised in scan-editor-real.test.ts.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Endpoint } from '../../src/protocol';
import type { DisplaySettings, ErrorViewData, MapData, MapMeta, ScanHostSide, ScanInfoData, ScanInitData, ScanWebviewSide } from '../../src/protocol';
import { ScanEditorController, type OpenOptions, type ScanControllerDeps, type ScanSessionLike } from '../../src/host/scan-editor/controller';
import { ScanViewMemory } from '../../src/host/scan-editor/view-memory';
import { XrfInputError, CancelledError } from '../../src/core/errors';
import type { ScanSummary } from '../../src/core/maps/summary';
import type { Calibration } from '../../src/core/cube/cube';
import { fakePortPair, settle } from './fake-port';
import { scanToPredict } from '../../src/host/predict/model-folder';

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

const FILE = '/scans/painting.npy';
const H = 4;
const W = 3;
const C = 32;

/** A cube whose pixel (r, c) holds value r*10 + c + 1 in every channel. */
class FakeSession implements ScanSessionLike {
  info = { format: 'npy', height: H, width: W, channels: C, dtype: 'u2', calibration: { offsetKeV: 0, gainKeV: 0.5, source: 'default' as const } };
  closed = false;
  passes = 0;
  calibrations: Calibration[] = [];
  /** Resolve to let the next summary finish (tests that need a pass in flight). */
  gate: Promise<void> | undefined;

  value(r: number, c: number) {
    return r * 10 + c + 1;
  }

  async summary(lines: string[], opts: { onProgress?: (p: { done: number; total: number }) => void; signal?: AbortSignal }): Promise<ScanSummary> {
    this.passes++;
    for (let r = 0; r < H; r++) opts.onProgress?.({ done: r, total: H });
    if (this.gate) await this.gate;
    if (opts.signal?.aborted) throw new CancelledError();
    const per = (lo: number, hi: number) => Float32Array.from({ length: H * W }, (_, i) => this.value(Math.floor(i / W), i % W) * (hi - lo));
    const windows = lines.map((label, k) => ({ label, loChannel: k, hiChannel: k + 2 }));
    return {
      height: H,
      width: W,
      channels: C,
      windows,
      totalCounts: per(0, C),
      roiMaps: windows.map((w) => per(w.loChannel, w.hiChannel)),
      sumSpectrum: new Float64Array(C).fill(1),
      maxSpectrum: new Float32Array(C).fill(2),
    };
  }
  async pixel(r: number, c: number) {
    return new Float32Array(C).fill(this.value(r, c));
  }
  async windowMap(lo: number, hi: number, opts: { onProgress?: (p: { done: number; total: number }) => void }) {
    opts.onProgress?.({ done: 1, total: 2 });
    return Float32Array.from({ length: H * W }, (_, i) => this.value(Math.floor(i / W), i % W) * (hi - lo));
  }
  async setCalibration(cal: Calibration) {
    this.calibrations.push(cal);
    this.info.calibration = { ...cal, source: 'sidecar' as never };
    return this.info.calibration;
  }
  async close() {
    this.closed = true;
  }
}

const DEFAULT_DISPLAY: DisplaySettings = { colormap: 'viridis', scaling: 'linear', lowPercentile: 0.5, highPercentile: 99.5 };

/** What reached the view, in order: summaries (lists without values) and map events. */
type Seen = { type: 'summary'; pass: number; maps: MapMeta[] } | { type: 'map'; pass: number; map: MapData };

function setup(
  opts: {
    open?: (file: string, o: OpenOptions) => Promise<ScanSessionLike>;
    savePath?: string | undefined;
    lines?: () => string[];
    file?: string;
    extra?: Partial<ScanControllerDeps>;
    /** Whether the fake view acknowledges each map as the real one does (default true). */
    ackMaps?: boolean;
  } = {},
) {
  const ports = fakePortPair();
  const hostEnd = new Endpoint<ScanHostSide, ScanWebviewSide>(ports.host, { waitForReady: true });
  const view = new Endpoint<ScanWebviewSide, ScanHostSide>(ports.webview, { timeoutMs: 2000 });
  const sessions: FakeSession[] = [];
  const logs: string[] = [];
  const writes: { target: string; bytes: number }[] = [];
  const seen = {
    info: [] as ScanInfoData[],
    summaries: [] as { pass: number; maps: MapMeta[] }[],
    /** Summaries and map events in arrival order. */
    stream: [] as Seen[],
    inits: [] as ScanInitData[],
    errors: [] as ErrorViewData[],
    progress: [] as string[],
    notices: [] as string[],
    opening: 0,
    init: 0,
  };
  view.on('info', (d) => seen.info.push(d));
  view.on('summary', (d) => {
    seen.summaries.push(d);
    seen.stream.push({ type: 'summary', pass: d.pass, maps: d.maps });
  });
  view.on('map', (d) => {
    seen.stream.push({ type: 'map', pass: d.pass, map: d.map });
    if (opts.ackMaps !== false) view.emit('mapShown', { pass: d.pass, id: d.map.id });
  });
  view.on('error', (d) => seen.errors.push(d));
  view.on('progress', (d) => seen.progress.push(d.label));
  view.on('notice', (d) => seen.notices.push(d.message));
  view.on('opening', () => seen.opening++);
  view.on('init', (d) => {
    seen.init++;
    seen.inits.push(d);
  });
  view.handle('displayOf', () => ({ display: { colormap: 'gray', scaling: 'linear', lowPercentile: 0, highPercentile: 100 }, lo: 0, hi: 50 }));
  let shownLog = 0;
  const controller = new ScanEditorController({
    file: opts.file ?? FILE,
    endpoint: hostEnd,
    openSession:
      opts.open ??
      (async () => {
        const s = new FakeSession();
        sessions.push(s);
        return s;
      }),
    settings: () => ({ lines: opts.lines?.() ?? ['Fe K', 'Pb L'], display: DEFAULT_DISPLAY }),
    trusted: () => false,
    pickSavePath: async (name) => ('savePath' in opts ? opts.savePath : `/out/${name}`),
    writeFile: async (target, parts) => {
      writes.push({ target, bytes: parts.reduce((n, p) => n + p.length, 0) });
    },
    log: { info: (m) => logs.push(`info ${m}`), warn: (m) => logs.push(`warn ${m}`), error: (m) => logs.push(`error ${m}`) },
    showLog: () => shownLog++,
    ...opts.extra,
  });
  /** The maps of the last summary, filled from the map events of its delivery (in the summary's order). */
  const shown = (): (MapMeta & { data?: Float32Array })[] => {
    const at = seen.stream.map((e) => e.type).lastIndexOf('summary');
    if (at < 0) return [];
    const sum = seen.stream[at] as Extract<Seen, { type: 'summary' }>;
    const values = new Map<string, Float32Array>();
    for (const e of seen.stream.slice(at + 1)) if (e.type === 'map' && e.pass === sum.pass) values.set(e.map.id, e.map.data);
    return sum.maps.map((m) => ({ ...m, data: values.get(m.id) }));
  };
  /** Wait until every map of the last summary has arrived. */
  const allMaps = async (): Promise<MapData[]> => {
    await until(() => shown().length > 0 && shown().every((m) => m.data));
    return shown() as MapData[];
  };
  return { ports, view, controller, sessions, logs, writes, seen, shown, allMaps, shownLog: () => shownLog };
}

/**
 * Let deliveries run until `cond` holds. Spins on setImmediate first (fast deliveries), then polls, so
 * that real file-system work (the watcher looks for an RPL's .raw in its folder) can finish under load;
 * fails the test after 10 s.
 */
async function until(cond: () => boolean, what = 'the condition'): Promise<void> {
  const deadline = Date.now() + 10_000;
  for (let i = 0; !cond() && Date.now() < deadline; i++) await (i < 200 ? settle(1) : sleep(5));
  assert.ok(cond(), `timed out waiting for ${what}`);
}

test('open: the view gets init, info, progress, then total counts and one map per line in order', async () => {
  const t = setup();
  t.view.ready();
  await settle();
  await t.controller.open();
  await settle();
  assert.equal(t.seen.init, 1);
  assert.equal(t.seen.info.length, 1);
  assert.deepEqual([t.seen.info[0].height, t.seen.info[0].width, t.seen.info[0].channels, t.seen.info[0].fileName], [H, W, C, 'painting.npy']);
  assert.ok(t.seen.progress.includes('Computing maps…'));
  const maps = await t.allMaps();
  assert.equal(t.seen.summaries.length, 1);
  assert.deepEqual(maps.map((m) => m.label), ['Total counts', 'Fe K', 'Pb L']);
  assert.ok(maps[0].data instanceof Float32Array, 'maps travel as Float32Array');
  assert.equal(maps[0].data[1 * W + 2], (10 + 2 + 1) * C, 'total counts of pixel (1, 2)');
  assert.equal(maps[2].data[0], 1 * 2, 'Pb L window [1, 3) of pixel (0, 0)');
  assert.equal(t.controller.state, 'ready');
  assert.match(t.logs.join('\n'), /opened \/scans\/painting\.npy: npy 4×3×32 u2/);
});

test('the host says nothing until the webview is ready; a reloaded webview gets the whole state again', async () => {
  const t = setup();
  await t.controller.open();
  await settle();
  assert.equal(t.ports.log.filter(([from]) => from === 'host').length, 0);
  t.view.ready();
  await t.allMaps();
  assert.equal(t.seen.summaries.length, 1, 'queued summary delivered after ready');
  t.view.ready(); // the webview reloaded
  await until(() => t.seen.summaries.length === 2);
  assert.equal(t.seen.init, 2);
  assert.deepEqual((await t.allMaps()).map((m) => m.id), ['total', 'line:Fe K', 'line:Pb L'], 'the reload gets every map again');
  assert.equal(t.sessions[0].passes, 1, 'a reload does not re-read the scan');
});

test('a pixel request returns that pixel\'s spectrum; a pixel outside the scan is an error reply', async () => {
  const t = setup();
  t.view.ready();
  await settle();
  await t.controller.open();
  const r = await t.view.request('pixel', { row: 3, col: 1 });
  assert.ok(r.spectrum instanceof Float32Array);
  assert.equal(r.spectrum.length, C);
  assert.equal(r.spectrum[5], 32);
  await assert.rejects(t.view.request('pixel', { row: H, col: 0 }), /outside the 4×3 scan/);
});

test('an energy window becomes a new map labelled in keV, computed once per window', async () => {
  const t = setup();
  t.view.ready();
  await settle();
  await t.controller.open();
  const m = await t.view.request('windowMap', { loChannel: 12, hiChannel: 4 }); // a right-to-left drag
  assert.equal(m.kind, 'window');
  assert.deepEqual([m.loChannel, m.hiChannel], [4, 12]);
  assert.equal(m.label, '2.00–5.50 keV', 'channels 4 … 11 at 0.5 keV/channel');
  assert.equal(m.data[0], 1 * 8);
  const again = await t.view.request('windowMap', { loChannel: 4, hiChannel: 12 });
  assert.equal(again.id, m.id);
  await assert.rejects(t.view.request('windowMap', { loChannel: 40, hiChannel: 50 }), /energy window is empty/);
});

test('editing the calibration writes it through the session, re-runs the pass and relabels window maps', async () => {
  const t = setup();
  t.view.ready();
  await settle();
  await t.controller.open();
  await t.view.request('windowMap', { loChannel: 4, hiChannel: 12 });
  await t.view.request('setCalibration', { offsetKeV: -1, gainKeV: 0.25 });
  await until(() => t.seen.summaries.length === 2);
  assert.deepEqual(t.sessions[0].calibrations, [{ offsetKeV: -1, gainKeV: 0.25 }]);
  assert.equal(t.sessions[0].passes, 2);
  const last = t.seen.info.at(-1)!;
  assert.deepEqual(last.calibration, { offsetKeV: -1, gainKeV: 0.25, source: 'sidecar' });
  const maps = t.seen.summaries.at(-1)!.maps;
  assert.equal(maps.at(-1)!.label, '0.00–1.75 keV', 'the same channels named by their new energies');
  await assert.rejects(t.view.request('setCalibration', { offsetKeV: 0, gainKeV: 0 }), /positive gain/);
});

test('export asks for a path, writes the encoded map there and says so; a cancelled dialog writes nothing', async () => {
  const t = setup();
  t.view.ready();
  await settle();
  await t.controller.open();
  const display = { colormap: 'gray' as const, scaling: 'log' as const, lowPercentile: 1, highPercentile: 99 };
  const r = await t.view.request('exportMap', { mapId: 'line:Fe K', format: 'npy', display, lo: 0, hi: 10 });
  assert.equal(r.path, '/out/painting_Fe_K.npy');
  assert.equal(t.writes.length, 1);
  assert.equal(t.writes[0].bytes, 128 + H * W * 4, 'NPY header + float32 values');
  await settle();
  assert.match(t.seen.notices.join(), /Exported Fe K to \/out\/painting_Fe_K\.npy/);
  await assert.rejects(t.view.request('exportMap', { mapId: 'nope', format: 'png', display, lo: 0, hi: 1 }), /no map "nope"/);

  const c = setup({ savePath: undefined });
  c.view.ready();
  await settle();
  await c.controller.open();
  assert.deepEqual(await c.view.request('exportMap', { mapId: 'total', format: 'csv', display, lo: 0, hi: 1 }), {});
  assert.equal(c.writes.length, 0);
});

test('"Export Map…" from the palette uses the display the view reports for that map', async () => {
  const t = setup();
  t.view.ready();
  await settle();
  await t.controller.open();
  assert.deepEqual(t.controller.mapList().map((m) => m.id), ['total', 'line:Fe K', 'line:Pb L']);
  const r = await t.controller.exportFromCommand('total', 'png');
  assert.equal(r.path, '/out/painting_Total_counts.png');
  assert.equal(t.writes.length, 1);
});

test('a scan that cannot be opened shows the error view naming the file and problem, and logs it', async () => {
  let attempts = 0;
  const t = setup({
    open: async () => {
      attempts++;
      if (attempts === 1) throw new XrfInputError(FILE, 'NaN in float data at pixel (2, 1)');
      return new FakeSession();
    },
  });
  t.view.ready();
  await settle();
  await t.controller.open();
  await settle();
  assert.equal(t.controller.state, 'error');
  assert.equal(t.seen.errors.length, 1);
  assert.deepEqual([t.seen.errors[0].kind, t.seen.errors[0].file, t.seen.errors[0].problem], ['input', FILE, 'NaN in float data at pixel (2, 1)']);
  assert.match(t.logs.join('\n'), /error \/scans\/painting\.npy: NaN in float data/);
  await assert.rejects(t.view.request('pixel', { row: 0, col: 0 }), /could not be opened/);
  await t.view.request('showLog', {});
  assert.equal(t.shownLog(), 1);

  // The user fixed the file and pressed Reopen.
  await t.view.request('reopen', {});
  for (let i = 0; i < 20 && (t.controller.state as string) !== 'ready'; i++) await settle();
  await settle();
  assert.equal(t.controller.state, 'ready');
  assert.equal(t.seen.summaries.length, 1);
});

test('an unexpected failure in the pass is an internal error view with the stack in the log', async () => {
  const t = setup({
    open: async () => {
      const s = new FakeSession();
      s.summary = async () => {
        throw new RangeError('offset out of bounds');
      };
      return s;
    },
  });
  t.view.ready();
  await settle();
  await t.controller.open();
  await settle();
  assert.equal(t.seen.errors[0].kind, 'internal');
  assert.equal(t.seen.errors[0].problem, 'offset out of bounds');
  assert.match(t.logs.join('\n'), /RangeError: offset out of bounds\n\s+at /);
});

test('closing the editor cancels the running pass and closes the session', async () => {
  const t = setup();
  t.view.ready();
  await settle();
  let release!: () => void;
  const opened = t.controller.open();
  // Hold the first pass open.
  for (let i = 0; i < 10 && t.sessions.length === 0; i++) await settle();
  t.sessions[0].gate = new Promise((r) => (release = r));
  await t.controller.dispose();
  release();
  await opened;
  await settle();
  assert.ok(t.sessions[0].closed);
  assert.equal(t.seen.errors.length, 0, 'a cancelled pass is not an error');
});

test('choosing another HDF5 dataset reopens the scan with it', async () => {
  const asked: (string | undefined)[] = [];
  const t = setup({
    open: async (_f, o) => {
      asked.push(o.dataset);
      const s = new FakeSession();
      (s.info as ScanSessionLike['info']).datasets = ['/entry/data/cube', '/entry/other'];
      (s.info as ScanSessionLike['info']).storedOrder = { order: 'channels × rows × columns', from: 'NXdata axes' };
      return s;
    },
  });
  t.view.ready();
  await settle();
  await t.controller.open();
  await settle();
  assert.deepEqual(t.seen.info[0].datasets, ['/entry/data/cube', '/entry/other']);
  assert.deepEqual(t.seen.info[0].storedOrder, { order: 'channels × rows × columns', from: 'NXdata axes' }, 'the view is told how the axes were read');
  await t.view.request('chooseDataset', { datasetPath: '/entry/other' });
  for (let i = 0; i < 20 && asked.length < 2; i++) await settle();
  assert.deepEqual(asked, [undefined, '/entry/other']);
});

test('the controller tells Predict which HDF5 dataset the tab shows: the reader\'s pick, then the one chosen', async () => {
  const t = setup({
    open: async (_f, o) => {
      const s = new FakeSession();
      (s.info as ScanSessionLike['info']).datasets = ['/entry/data/cube', '/entry/other'];
      (s.info as ScanSessionLike['info']).datasetPath = o.dataset ?? '/entry/data/cube';
      return s;
    },
  });
  t.view.ready();
  await settle();
  assert.equal(t.controller.datasetPath, undefined, 'nothing before the scan is open');
  await t.controller.open();
  assert.equal(t.controller.datasetPath, '/entry/data/cube');
  await t.view.request('chooseDataset', { datasetPath: '/entry/other' });
  assert.equal(t.controller.datasetPath, '/entry/other', 'the choice, even while the scan reopens');
  for (let i = 0; i < 20 && t.seen.info.length < 2; i++) await settle();
  assert.equal(t.seen.info[1].datasetPath, '/entry/other');
  assert.equal(t.controller.datasetPath, '/entry/other');
});

test('Predict takes the editor\'s dataset only for the scan that editor shows', () => {
  const active = { file: '/scans/a.h5', dataset: '/entry/other' };
  assert.deepEqual(scanToPredict(undefined, active), { scan: '/scans/a.h5', dataset: '/entry/other' });
  assert.deepEqual(scanToPredict('/scans/x/../a.h5', active), { scan: '/scans/x/../a.h5', dataset: '/entry/other' }, 'the same file invoked from the explorer');
  assert.deepEqual(scanToPredict('/scans/b.h5', active), { scan: '/scans/b.h5' }, 'another file: its reader picks the dataset');
  assert.deepEqual(scanToPredict(undefined, { file: '/scans/a.npy' }), { scan: '/scans/a.npy' });
  assert.equal(scanToPredict(undefined, undefined), undefined);
});

test('changed settings: new lines re-run the pass; a new fallback calibration reopens a scan that has none of its own', async () => {
  let lines = ['Fe K', 'Pb L'];
  let opens = 0;
  let source: 'default' | 'file' = 'default';
  const sessions: FakeSession[] = [];
  const t = setup({
    lines: () => lines,
    open: async () => {
      opens++;
      const s = new FakeSession();
      s.info.calibration = { ...s.info.calibration, source: source as never };
      sessions.push(s);
      return s;
    },
  });
  t.view.ready();
  await settle();
  await t.controller.open();
  lines = ['Ca K'];
  t.controller.settingsChanged({ lines: true, calibration: false });
  for (let i = 0; i < 20 && t.seen.summaries.length < 2; i++) await settle();
  assert.deepEqual(t.seen.summaries.at(-1)!.maps.map((m) => m.label), ['Total counts', 'Ca K']);
  assert.equal(opens, 1, 'new lines: same session, new pass');
  assert.equal(sessions[0].passes, 2);

  t.controller.settingsChanged({ lines: false, calibration: true });
  for (let i = 0; i < 20 && t.seen.summaries.length < 3; i++) await settle();
  assert.equal(opens, 2, 'the default calibration was in use: reopened with the new setting');

  source = 'file';
  await t.controller.open();
  const before = opens;
  t.controller.settingsChanged({ lines: false, calibration: true });
  await settle();
  assert.equal(opens, before, 'the file has its own calibration: the setting does not apply, nothing reopens');
});

// ───────────────────────── maps delivered one by one ─────────────────────────

/** Float32Arrays of one map's size (H·W) anywhere in a message. */
function mapsIn(v: unknown): number {
  if (v instanceof Float32Array) return v.length === H * W ? 1 : 0;
  if (ArrayBuffer.isView(v)) return 0;
  if (Array.isArray(v)) return v.reduce((n: number, x) => n + mapsIn(x), 0);
  if (v && typeof v === 'object') return Object.values(v).reduce((n: number, x) => n + mapsIn(x), 0);
  return 0;
}

test('the summary lists the maps without values; each map follows in its own event, in grid order, as a Float32Array', async () => {
  const t = setup();
  t.view.ready();
  await settle();
  await t.controller.open();
  await t.allMaps();
  const first = t.seen.stream[0];
  assert.equal(first.type, 'summary');
  assert.deepEqual(
    first.maps.map((m) => Object.keys(m).sort().join(',')),
    ['id,kind,label', 'hiChannel,id,kind,label,loChannel', 'hiChannel,id,kind,label,loChannel'],
    'metadata only: no values in the summary',
  );
  const events = t.seen.stream.slice(1);
  assert.deepEqual(
    events.map((e) => (e.type === 'map' ? `${e.pass}:${e.map.id}` : 'summary')),
    [`${first.pass}:total`, `${first.pass}:line:Fe K`, `${first.pass}:line:Pb L`],
  );
  for (const e of events) assert.ok(e.type === 'map' && e.map.data instanceof Float32Array && e.map.data.length === H * W);
  const hostMessages = t.ports.log.filter(([from]) => from === 'host').map(([, m]) => m);
  assert.equal(Math.max(...hostMessages.map(mapsIn)), 1, 'no message carries more than one map');
  assert.equal(mapsIn(hostMessages.find((m) => m.kind === 'event' && m.type === 'summary')), 0);
});

test('each map is posted only once the previous one was taken by the transport (paced, not queued all at once)', async () => {
  const t = setup();
  let release!: () => void;
  const held = new Promise<void>((r) => (release = r));
  // Hold the first map in the transport: nothing after it may be posted meanwhile.
  t.ports.holdToWebview = (m) => (m.kind === 'event' && m.type === 'map' ? held : undefined);
  t.view.ready();
  await settle();
  await t.controller.open();
  await settle(20);
  const posted = () => t.ports.log.filter(([from, m]) => from === 'host' && m.kind === 'event' && m.type === 'map').length;
  assert.equal(posted(), 1, 'one map posted while the transport has not taken it');
  t.ports.holdToWebview = undefined;
  release();
  await t.allMaps();
  assert.equal(posted(), 3);
});

test('a webview reload during the delivery restarts it: the full sequence again, nothing of the old delivery after the new summary', async () => {
  const t = setup();
  let release!: () => void;
  const held = new Promise<void>((r) => (release = r));
  t.ports.holdToWebview = (m) => (m.kind === 'event' && m.type === 'map' && (m.data as { map: MapData }).map.id === 'line:Fe K' ? held : undefined);
  t.view.ready();
  await settle();
  await t.controller.open();
  await until(() => t.seen.stream.some((e) => e.type === 'map'), 'the first map');
  t.view.ready(); // reloaded while "Fe K" of the first delivery is in flight
  await settle(10);
  t.ports.holdToWebview = undefined;
  release();
  await until(() => t.seen.summaries.length === 2);
  const maps = await t.allMaps();
  assert.deepEqual(maps.map((m) => m.id), ['total', 'line:Fe K', 'line:Pb L']);
  const [p1, p2] = t.seen.summaries.map((s) => s.pass);
  assert.notEqual(p1, p2);
  const second = t.seen.stream.findIndex((e) => e.type === 'summary' && e.pass === p2);
  assert.deepEqual(t.seen.stream.slice(second + 1).map((e) => e.type === 'map' && e.pass), [p2, p2, p2], 'after the new summary: only its own three maps');
  const oldMaps = t.seen.stream.filter((e) => e.type === 'map' && e.pass === p1).length;
  assert.equal(oldMaps, 2, 'the first delivery stopped after the map that was in flight');
});

test('a new pass during the delivery supersedes it: no map of the old pass arrives after the new summary', async () => {
  let lines = ['Fe K', 'Pb L', 'Ca K'];
  const t = setup({ lines: () => lines });
  let release!: () => void;
  const held = new Promise<void>((r) => (release = r));
  t.ports.holdToWebview = (m) => (m.kind === 'event' && m.type === 'map' && (m.data as { map: MapData }).map.id === 'line:Fe K' ? held : undefined);
  t.view.ready();
  await settle();
  await t.controller.open();
  await until(() => t.seen.stream.some((e) => e.type === 'map'), 'the first map');
  lines = ['Zn K'];
  t.controller.settingsChanged({ lines: true, calibration: false });
  await settle(10);
  t.ports.holdToWebview = undefined;
  release();
  await until(() => t.seen.summaries.length === 2);
  const maps = await t.allMaps();
  assert.deepEqual(maps.map((m) => m.label), ['Total counts', 'Zn K']);
  const [p1, p2] = t.seen.summaries.map((s) => s.pass);
  const at = t.seen.stream.findIndex((e) => e.type === 'summary' && e.pass === p2);
  const late = t.seen.stream.slice(at + 1).filter((e) => e.type === 'map' && e.pass !== p2);
  assert.deepEqual(late, [], 'maps of the old pass after the new summary');
  const old = t.seen.stream.filter((e) => e.type === 'map' && e.pass === p1).map((e) => (e as { map: MapData }).map.id);
  assert.deepEqual(old, ['total', 'line:Fe K'], 'the old delivery stopped: Pb L and Ca K of the old pass were never sent');
  assert.equal(maps[1].data[0], 1 * 2, 'Zn K of the new pass: window [0, 2) of pixel (0, 0)');
});

test('energy-window maps are answered as before and belong to every later delivery, after the line maps', async () => {
  const t = setup();
  t.view.ready();
  await settle();
  await t.controller.open();
  await t.allMaps();
  const w = await t.view.request('windowMap', { loChannel: 4, hiChannel: 12 });
  assert.ok(w.data instanceof Float32Array, 'the request still returns the map with its values');
  t.view.ready(); // reload
  await until(() => t.seen.summaries.length === 2);
  const maps = await t.allMaps();
  assert.deepEqual(maps.map((m) => m.id), ['total', 'line:Fe K', 'line:Pb L', 'window:4-12']);
  assert.equal(maps[3].data[1 * W + 2], (10 + 2 + 1) * 8);
  assert.deepEqual([maps[3].loChannel, maps[3].hiChannel], [4, 12]);
});

// ───────────────────────── changes on disk ─────────────────────────

function fakeWatcher() {
  const w = {
    files: [] as string[],
    disposed: 0,
    fire: (_file: string, _kind: 'change' | 'delete') => undefined as void,
    watch: (files: string[], onEvent: (file: string, kind: 'change' | 'delete') => void) => {
      w.files = files;
      w.fire = onEvent;
      return { dispose: () => void w.disposed++ };
    },
  };
  return w;
}


test('the scan changes on disk: after the writes settle, one reopen and a notice', async () => {
  const watcher = fakeWatcher();
  let opens = 0;
  const t = setup({
    open: async () => {
      opens++;
      return new FakeSession();
    },
    extra: { watchFiles: watcher.watch, fileExists: async () => true, reopenDelayMs: 40 },
  });
  t.view.ready();
  await settle();
  await t.controller.open();
  await t.allMaps();
  const openingBefore = t.seen.opening;
  await until(() => watcher.files.length > 0, 'the watcher');
  assert.deepEqual(watcher.files, [FILE, '/scans/painting.json'], 'the scan and its sidecar are watched');
  for (let i = 0; i < 5; i++) {
    watcher.fire(FILE, 'change'); // a scanner writing the file in pieces
    await sleep(10);
  }
  assert.equal(opens, 1, 'nothing before the writes settle');
  await sleep(120);
  await until(() => t.seen.summaries.length === 2, 'the reopened maps');
  assert.equal(opens, 2, 'one reopen for five changes');
  assert.ok(t.seen.notices.includes('painting.npy changed on disk; reopened.'), t.seen.notices.join(' | '));
  assert.equal(t.seen.opening, openingBefore + 1, 'the view was told the scan is opening again');
  await t.controller.dispose();
  assert.equal(watcher.disposed, 1, 'closing the editor stops watching');
});

test('the scan is deleted: the error view names it; when it is back the scan reopens', async () => {
  const watcher = fakeWatcher();
  let exists = true;
  const t = setup({ extra: { watchFiles: watcher.watch, fileExists: async (f) => f !== FILE || exists, reopenDelayMs: 20 } });
  t.view.ready();
  await settle();
  await t.controller.open();
  await t.allMaps();
  await until(() => watcher.files.length > 0, 'the watcher');
  exists = false;
  watcher.fire(FILE, 'delete');
  await sleep(60);
  await until(() => t.seen.errors.length === 1, 'the error view');
  assert.equal(t.controller.state, 'error');
  assert.equal(t.seen.errors[0].kind, 'input');
  assert.equal(t.seen.errors[0].file, FILE);
  assert.match(t.seen.errors[0].problem, /deleted or moved/);
  assert.ok(t.sessions[0].closed, 'the session of the deleted file is closed');
  await assert.rejects(t.view.request('pixel', { row: 0, col: 0 }), /could not be opened/);

  exists = true;
  watcher.fire(FILE, 'change');
  await sleep(60);
  await until(() => t.controller.state === 'ready' && t.seen.summaries.length === 2, 'the reopened scan');
  assert.equal(t.sessions.length, 2);
});

test('an RPL scan watches its .raw too; a change of the .raw alone reopens it', async () => {
  const watcher = fakeWatcher();
  let opens = 0;
  const rpl = '/scans/no-such-folder/painting.rpl';
  const t = setup({
    file: rpl,
    open: async () => {
      opens++;
      return new FakeSession();
    },
    extra: { watchFiles: watcher.watch, fileExists: async () => true, reopenDelayMs: 20 },
  });
  t.view.ready();
  await settle();
  await t.controller.open();
  await t.allMaps();
  await until(() => watcher.files.length > 0, 'the watcher'); // finding the .raw reads the folder first
  assert.deepEqual(watcher.files, [rpl, '/scans/no-such-folder/painting.raw', '/scans/no-such-folder/painting.json']);
  watcher.fire('/scans/no-such-folder/painting.raw', 'change');
  await sleep(60);
  await until(() => opens === 2, 'the reopen');
});

// ───────────────────────── display remembered per file ─────────────────────────

function memoryStore() {
  const data = new Map<string, unknown>();
  return { get: <T>(k: string) => data.get(k) as T | undefined, update: async (k: string, v: unknown) => void data.set(k, structuredClone(v)) };
}

test('display and enlarged map are remembered per file: reopening the same scan restores them, another scan gets the defaults', async () => {
  const memory = new ScanViewMemory(memoryStore());
  const a = setup({ extra: { viewMemory: memory } });
  a.view.ready();
  await settle();
  await a.controller.open();
  await a.allMaps();
  assert.deepEqual(a.seen.inits[0].display, DEFAULT_DISPLAY, 'a file never opened: the settings');
  assert.equal(a.seen.inits[0].selectedMap, undefined);
  const chosen: DisplaySettings = { colormap: 'inferno', scaling: 'log', lowPercentile: 2, highPercentile: 98 };
  a.view.emit('viewState', { display: chosen, selectedMap: 'line:Pb L' });
  await settle();
  await a.controller.dispose();

  const again = setup({ extra: { viewMemory: memory } });
  again.view.ready();
  await settle();
  assert.deepEqual(again.seen.inits[0].display, chosen);
  assert.equal(again.seen.inits[0].selectedMap, 'line:Pb L');
  // The settings change later: this file keeps its own display.
  again.controller.settingsChanged({ lines: false, calibration: false });
  await settle();
  assert.deepEqual(again.seen.inits.at(-1)!.display, chosen);
  await again.controller.dispose();

  const other = setup({ file: '/scans/other.npy', extra: { viewMemory: memory } });
  other.view.ready();
  await settle();
  assert.deepEqual(other.seen.inits[0].display, DEFAULT_DISPLAY);
  assert.equal(other.seen.inits[0].selectedMap, undefined);
  await other.controller.dispose();
});

test('maps are paced by the view: at most two unacknowledged; a view that never acknowledges gets the rest after the time-out', async () => {
  const t = setup({ ackMaps: false, lines: () => ['S K', 'Ca K', 'Fe K', 'Cu K', 'Zn K', 'Pb L'], extra: { mapAckTimeoutMs: 300 } });
  t.view.ready();
  await settle();
  await t.controller.open();
  await until(() => t.shown().length > 0, 'the summary');
  const total = t.shown().length;
  assert.ok(total >= 5, `${total} maps to deliver`);
  const arrived = () => t.shown().filter((m) => m.data).length;
  await until(() => arrived() === 2, 'the first two maps');
  await sleep(60);
  assert.equal(arrived(), 2, 'nothing more until the view acknowledges');
  const pass = t.seen.summaries.at(-1)!.pass;
  const ids = t.shown().map((m) => m.id);
  t.view.emit('mapShown', { pass: pass + 1, id: ids[0] }); // another delivery's: ignored
  await sleep(40);
  assert.equal(arrived(), 2);
  t.view.emit('mapShown', { pass, id: ids[0] });
  await until(() => arrived() === 3, 'the third map, once the first was shown');
  await sleep(40);
  assert.equal(arrived(), 3);
  // No more acknowledgements: after the time-out the rest come unpaced (an older webview still works).
  await until(() => arrived() === total, 'every map after the time-out');
  assert.deepEqual(t.shown().map((m) => m.id), ids, 'in grid order');
  await t.controller.dispose();
});

test('a burst of display changes (a contrast drag) is written once, when it pauses; closing at once still keeps the last', async () => {
  const store = memoryStore();
  let writes = 0;
  const counting = { get: store.get, update: async (k: string, v: unknown) => (writes++, store.update(k, v)) };
  const memory = new ScanViewMemory(counting);
  const a = setup({ extra: { viewMemory: memory, rememberDelayMs: 30 } });
  a.view.ready();
  await settle();
  const at = (high: number): DisplaySettings => ({ colormap: 'gray', scaling: 'sqrt', lowPercentile: 1, highPercentile: high });
  for (let h = 60; h <= 99; h++) a.view.emit('viewState', { display: at(h) });
  await settle();
  assert.equal(writes, 0, 'nothing is written while the changes keep coming');
  await sleep(80);
  assert.equal(writes, 1);
  assert.deepEqual(memory.get(FILE)?.display, at(99));

  a.view.emit('viewState', { display: at(90), selectedMap: 'line:Fe K' });
  await settle();
  await a.controller.dispose(); // before the quiet time is over
  assert.equal(writes, 2);
  assert.deepEqual(memory.get(FILE), { display: at(90), selectedMap: 'line:Fe K' });
  await sleep(60);
  assert.equal(writes, 2, 'no late write after the editor closed');
});

test('a view state that is not one (bad colormap, reversed percentiles) is not remembered', async () => {
  const memory = new ScanViewMemory(memoryStore());
  const a = setup({ extra: { viewMemory: memory } });
  a.view.ready();
  await settle();
  a.view.emit('viewState', { display: { colormap: 'jet' as never, scaling: 'linear', lowPercentile: 1, highPercentile: 99 } });
  a.view.emit('viewState', { display: { colormap: 'gray', scaling: 'linear', lowPercentile: 99, highPercentile: 1 } });
  await settle();
  assert.equal(memory.get(FILE), undefined);
  await a.controller.dispose();
});
