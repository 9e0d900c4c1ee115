/**
 * Maps that fill in during a long pass, host side: the controller turns the session's `onRows`
 * updates into a `preview` and paced `mapRows` events, re-sends them to a reloaded view, drops them
 * when the pass is superseded, and leaves the final `summary` + `map` delivery as it was. Driven
 * through a fake port pair with a fake session whose rows the test releases band by band.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Endpoint } from '../../src/protocol';
import type { DisplaySettings, MapData, MapMeta, ScanHostSide, ScanWebviewSide } from '../../src/protocol';
import { ScanEditorController, type ScanControllerDeps, type ScanSessionLike } from '../../src/host/scan-editor/controller';
import { PreviewMaps, previewMetas } from '../../src/host/scan-editor/preview-rows';
import { CancelledError } from '../../src/core/errors';
import { normalizeLineName } from '../../src/core/lines';
import type { ScanSummary } from '../../src/core/maps/summary';
import type { Progress } from '../../src/core/util/progress';
import { fakePortPair, settle } from './fake-port';

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

const FILE = '/scans/long.npy';
const H = 8;
const W = 3;
const C = 16;
/** Pixel (r, c) of map k (0: total counts, k ≥ 1: the k-th line): distinct per map, row and column. */
const value = (k: number, r: number, c: number) => (k + 1) * 1000 + r * 10 + c;

type RowsUpdate = { from: number; to: number; totalCounts: Float32Array; roiMaps: Float32Array[] };

/** A session whose pass reports rows only when the test says so, and ends when it says so. */
class RowsSession implements ScanSessionLike {
  info = { format: 'npy', height: H, width: W, channels: C, dtype: 'u2', calibration: { offsetKeV: 0, gainKeV: 0.5, source: 'default' as const } };
  /** False: a cancelled pass lingers (a real one ends only after its current block). */
  rejectOnAbort = true;
  passes: { lines: string[]; onRows?: (u: RowsUpdate) => void; finish(): void; fail(e: Error): void; signal?: AbortSignal }[] = [];

  summary(lines: string[], opts: { onProgress?: (p: Progress) => void; signal?: AbortSignal; onRows?: (u: RowsUpdate) => void }): Promise<ScanSummary> {
    return new Promise((resolve, reject) => {
      const full = (k: number) => Float32Array.from({ length: H * W }, (_, i) => value(k, Math.floor(i / W), i % W));
      // Labelled as the worker labels them (windowsForLines normalizes the names).
      const windows = lines.map((raw, k) => ({ label: normalizeLineName(raw), loChannel: k, hiChannel: k + 1 }));
      opts.signal?.addEventListener('abort', () => this.rejectOnAbort && reject(new CancelledError()));
      this.passes.push({
        lines,
        onRows: opts.onRows,
        signal: opts.signal,
        finish: () =>
          resolve({
            height: H,
            width: W,
            channels: C,
            windows,
            totalCounts: full(0),
            roiMaps: windows.map((_, k) => full(k + 1)),
            sumSpectrum: new Float64Array(C).fill(1),
            maxSpectrum: new Float32Array(C).fill(2),
          }),
        fail: reject,
      });
    });
  }

  /** The current pass reports rows [from, to) of every map (as the worker's RowsUpdate). */
  rows(from: number, to: number, pass = this.passes.at(-1)!): void {
    const band = (k: number) => Float32Array.from({ length: (to - from) * W }, (_, i) => value(k, from + Math.floor(i / W), i % W));
    pass.onRows?.({ from, to, totalCounts: band(0), roiMaps: pass.lines.map((_, k) => band(k + 1)) });
  }

  async pixel() {
    return new Float32Array(C);
  }
  async windowMap() {
    return new Float32Array(H * W).fill(5);
  }
  async setCalibration() {
    return undefined;
  }
  async close() {}
}

const DISPLAY: DisplaySettings = { colormap: 'viridis', scaling: 'linear', lowPercentile: 0, highPercentile: 100 };

type Event =
  | { type: 'preview'; pass: number; maps: MapMeta[] }
  | { type: 'mapRows'; pass: number; from: number; to: number; maps: { id: string; data: Float32Array }[] }
  | { type: 'summary'; pass: number; maps: MapMeta[] }
  | { type: 'map'; pass: number; map: MapData };

function setup(opts: { ackRows?: boolean; lines?: () => string[]; extra?: Partial<ScanControllerDeps> } = {}) {
  const ports = fakePortPair();
  const hostEnd = new Endpoint<ScanHostSide, ScanWebviewSide>(ports.host, { waitForReady: true });
  const view = new Endpoint<ScanWebviewSide, ScanHostSide>(ports.webview, { timeoutMs: 2000 });
  const sessions: RowsSession[] = [];
  const events: Event[] = [];
  const logs: string[] = [];
  let ackRows = opts.ackRows ?? true;
  view.on('preview', (d) => events.push({ type: 'preview', ...d }));
  view.on('mapRows', (d) => {
    events.push({ type: 'mapRows', ...d });
    if (ackRows) view.emit('rowsShown', { pass: d.pass });
  });
  view.on('summary', (d) => events.push({ type: 'summary', pass: d.pass, maps: d.maps }));
  view.on('map', (d) => {
    events.push({ type: 'map', ...d });
    view.emit('mapShown', { pass: d.pass, id: d.map.id });
  });
  const controller = new ScanEditorController({
    file: FILE,
    endpoint: hostEnd,
    openSession: async () => {
      const s = new RowsSession();
      sessions.push(s);
      return s;
    },
    settings: () => ({ lines: opts.lines?.() ?? ['Fe K', 'Pb_L'], display: DISPLAY }),
    trusted: () => true,
    pickSavePath: async () => undefined,
    writeFile: async () => undefined,
    log: { info: (m) => logs.push(`info ${m}`), warn: (m) => logs.push(`warn ${m}`), error: (m) => logs.push(`error ${m}`) },
    showLog: () => undefined,
    ...opts.extra,
  });
  const rowsEvents = () => events.filter((e): e is Extract<Event, { type: 'mapRows' }> => e.type === 'mapRows');
  const ack = (pass: number) => view.emit('rowsShown', { pass });
  return {
    ports,
    view,
    controller,
    sessions,
    events,
    logs,
    rowsEvents,
    ack,
    setAckRows: (on: boolean) => (ackRows = on),
    session: () => sessions.at(-1)!,
  };
}

async function until(cond: () => boolean, what = 'the condition'): Promise<void> {
  const deadline = Date.now() + 10_000;
  for (let i = 0; !cond() && Date.now() < deadline; i++) await (i < 200 ? settle(1) : sleep(5));
  assert.ok(cond(), `timed out waiting for ${what}`);
}

/** Open the scan and wait until its pass is running (the view is ready from the start). */
async function started(t: ReturnType<typeof setup>): Promise<void> {
  t.view.ready();
  await settle();
  void t.controller.open();
  await until(() => t.sessions.length > 0 && t.session().passes.length > 0, 'the pass to start');
}

/** Check a mapRows carries rows [from, to) of each listed map with the session's values. */
function assertRows(e: Extract<Event, { type: 'mapRows' }>, from: number, to: number, ids: string[]): void {
  assert.deepEqual([e.from, e.to], [from, to]);
  assert.deepEqual(e.maps.map((m) => m.id), ids);
  e.maps.forEach((m, k) => {
    assert.ok(m.data instanceof Float32Array, 'rows travel as Float32Array');
    assert.equal(m.data.length, (to - from) * W, `${m.id}: W values per row`);
    for (let r = from; r < to; r++) for (let c = 0; c < W; c++) assert.equal(m.data[(r - from) * W + c], value(k, r, c), `${m.id} (${r}, ${c})`);
  });
}

const IDS = ['total', 'line:Fe K', 'line:Pb L'];

test('the first rows bring a preview of total counts and the lines, then mapRows with those rows of each map; the final delivery follows as before', async () => {
  const t = setup();
  await started(t);
  assert.equal(t.events.length, 0, 'nothing before the first rows');
  t.session().rows(0, 2);
  await until(() => t.rowsEvents().length === 1, 'the first mapRows');
  const preview = t.events[0];
  assert.equal(preview.type, 'preview');
  assert.deepEqual(
    (preview as { maps: MapMeta[] }).maps.map((m) => `${m.id}|${m.label}|${m.kind}`),
    ['total|Total counts|total', 'line:Fe K|Fe K|line', 'line:Pb L|Pb L|line'],
    'ids and labels as the final summary names them ("Pb_L" normalized)',
  );
  const first = t.rowsEvents()[0];
  assert.equal(first.pass, preview.pass);
  assertRows(first, 0, 2, IDS);

  t.session().rows(2, 5);
  await until(() => t.rowsEvents().length === 2, 'the second mapRows');
  assertRows(t.rowsEvents()[1], 2, 5, IDS);
  t.session().rows(5, 8);
  await until(() => t.rowsEvents().length === 3, 'the third mapRows');

  t.session().passes[0].finish();
  await until(() => t.events.filter((e) => e.type === 'map').length === 3, 'the final maps');
  const at = t.events.findIndex((e) => e.type === 'summary');
  const summary = t.events[at] as Extract<Event, { type: 'summary' }>;
  assert.ok(summary.pass > preview.pass, 'the final delivery supersedes the preview');
  assert.deepEqual(
    t.events.slice(at).map((e) => (e.type === 'map' ? `map ${e.pass - summary.pass} ${e.map.id}` : e.type)),
    ['summary', 'map 0 total', 'map 0 line:Fe K', 'map 0 line:Pb L'],
    'the usual summary and one map per map after it, no rows',
  );
  const total = (t.events.find((e) => e.type === 'map') as Extract<Event, { type: 'map' }>).map;
  assert.equal(total.data.length, H * W);
  assert.equal(total.data[7 * W + 2], value(0, 7, 2));
  assert.equal(t.controller.state, 'ready');
  await t.controller.dispose();
});

test('mapRows are paced: the next one only after rowsShown, with every row that arrived meanwhile coalesced', async () => {
  const t = setup({ ackRows: false });
  await started(t);
  t.session().rows(0, 1);
  await until(() => t.rowsEvents().length === 1, 'the first mapRows');
  const pass = t.rowsEvents()[0].pass;
  t.session().rows(1, 2);
  t.session().rows(2, 4);
  await settle(20);
  assert.equal(t.rowsEvents().length, 1, 'nothing more while the first is not acknowledged');
  t.ack(pass + 1); // another delivery's acknowledgement: ignored
  await settle(20);
  assert.equal(t.rowsEvents().length, 1);
  t.ack(pass);
  await until(() => t.rowsEvents().length === 2, 'the coalesced rows');
  assertRows(t.rowsEvents()[1], 1, 4, IDS);

  // A parallel pass fills bands out of order: separate intervals, lowest first, one per acknowledgement.
  t.session().rows(6, 8);
  t.session().rows(4, 5);
  await settle(20);
  assert.equal(t.rowsEvents().length, 2);
  t.ack(pass);
  await until(() => t.rowsEvents().length === 3, 'the band at row 4');
  assertRows(t.rowsEvents()[2], 4, 5, IDS);
  await settle(20);
  assert.equal(t.rowsEvents().length, 3, 'the band at row 6 waits for the next acknowledgement');
  t.ack(pass);
  await until(() => t.rowsEvents().length === 4, 'the band at row 6');
  assertRows(t.rowsEvents()[3], 6, 8, IDS);
  const sent = t.rowsEvents().flatMap((e) => Array.from({ length: e.to - e.from }, (_, i) => e.from + i));
  assert.deepEqual(sent.sort((a, b) => a - b), [0, 1, 2, 3, 4, 6, 7], 'every reported row once');
  await t.controller.dispose();
});

test('a view that never acknowledges gets the rows unpaced after the time-out', async () => {
  const t = setup({ ackRows: false, extra: { mapAckTimeoutMs: 400 } });
  await started(t);
  t.session().rows(0, 1);
  await until(() => t.rowsEvents().length === 1, 'the first mapRows');
  t.session().rows(1, 2);
  await settle(10);
  assert.equal(t.rowsEvents().length, 1, 'held while the first is unacknowledged');
  await until(() => t.rowsEvents().length === 2, 'the rows after the time-out');
  assertRows(t.rowsEvents()[1], 1, 2, IDS);
  t.session().rows(2, 3);
  t.session().rows(5, 6);
  await until(() => t.rowsEvents().length === 4, 'later rows without waiting');
  assert.deepEqual(t.rowsEvents().slice(2).map((e) => [e.from, e.to]), [[2, 3], [5, 6]]);
  assert.match(t.logs.join('\n'), /did not acknowledge preview rows/);
  await t.controller.dispose();
});

test('a reload mid-pass re-sends the preview and every row so far under a new delivery; the old one stops', async () => {
  const t = setup({ ackRows: false });
  await started(t);
  t.session().rows(0, 2);
  await until(() => t.rowsEvents().length === 1, 'the first mapRows');
  const oldPass = t.rowsEvents()[0].pass;
  t.session().rows(4, 6); // waits for an acknowledgement that never comes: the page reloads
  await settle(10);
  t.events.length = 0;
  t.setAckRows(true);
  t.view.ready(); // the webview reloaded
  await until(() => t.rowsEvents().length === 2, 'both filled intervals again');
  const preview = t.events.find((e) => e.type === 'preview')!;
  assert.ok(preview.pass > oldPass, 'a new delivery number');
  assert.deepEqual((preview as { maps: MapMeta[] }).maps.map((m) => m.id), IDS);
  assert.ok(t.events.indexOf(preview) < t.events.indexOf(t.rowsEvents()[0]), 'the preview before its rows');
  assertRows(t.rowsEvents()[0], 0, 2, IDS);
  assertRows(t.rowsEvents()[1], 4, 6, IDS);
  t.ack(oldPass); // the old page's late acknowledgement changes nothing
  t.session().rows(2, 4);
  await until(() => t.rowsEvents().length === 3, 'new rows after the reload');
  assert.ok(t.rowsEvents().every((e) => e.pass === preview.pass), 'no rows of the old delivery after the new preview');
  assertRows(t.rowsEvents()[2], 2, 4, IDS);
  await t.controller.dispose();
});

test('a new pass drops the old preview: none of its rows after the new pass starts, nor any rows the cancelled pass still reports', async () => {
  let lines = ['Fe K', 'Pb L'];
  const t = setup({ ackRows: false, lines: () => lines });
  await started(t);
  const s = t.session();
  assert.deepEqual(t.controller.mapList(), [], 'nothing to export while the first pass runs');
  s.rows(0, 2);
  await until(() => t.rowsEvents().length === 1, 'the first mapRows');
  const oldPass = t.rowsEvents()[0].pass;
  s.rows(2, 4); // unsent: waits for an acknowledgement
  s.rejectOnAbort = false; // the old pass is still finishing its block when the new one starts
  lines = ['Zn K'];
  t.controller.settingsChanged({ lines: true, calibration: false });
  await until(() => s.passes.length === 2, 'the new pass');
  assert.equal(s.passes[0].signal?.aborted, true, 'the old pass was cancelled');
  const mark = t.events.length;
  t.ack(oldPass);
  s.rows(4, 6, s.passes[0]); // a late report of the cancelled pass
  await settle(20);
  assert.deepEqual(t.events.slice(mark), [], 'nothing of the old pass after the new one started');

  t.setAckRows(true);
  s.rows(0, 3);
  await until(() => t.rowsEvents().length === 2, 'the new pass\'s rows');
  const preview = t.events.slice(mark).find((e) => e.type === 'preview')!;
  assert.ok(preview.pass > oldPass);
  assert.deepEqual((preview as { maps: MapMeta[] }).maps.map((m) => m.id), ['total', 'line:Zn K']);
  assertRows(t.rowsEvents()[1], 0, 3, ['total', 'line:Zn K']);
  assert.deepEqual(t.controller.mapList(), [], 'nothing to export while a pass runs');
  s.passes[1].finish();
  await until(() => t.events.some((e) => e.type === 'summary'), 'the summary');
  assert.deepEqual(t.controller.mapList().map((m) => m.id), ['total', 'line:Zn K'], 'the new pass\'s maps once it ended');
  const at = t.events.findIndex((e) => e.type === 'summary');
  s.rows(3, 5, s.passes[1]); // after the pass settled: must not start a preview again
  await settle(20);
  assert.deepEqual(t.events.slice(at).filter((e) => e.type === 'preview' || e.type === 'mapRows'), [], 'no preview or rows after the final summary');
  await t.controller.dispose();
});

test('while a recompute runs, "Export Map…" offers none of the previous pass\'s maps, and the view\'s export request is refused', async () => {
  let lines = ['Fe K', 'Pb L'];
  const t = setup({ lines: () => lines });
  await started(t);
  t.session().rows(0, H);
  t.session().passes[0].finish();
  await until(() => t.events.filter((e) => e.type === 'map').length === 3, 'the first maps');
  assert.deepEqual(t.controller.mapList().map((m) => m.id), IDS);
  lines = ['Zn K'];
  t.controller.settingsChanged({ lines: true, calibration: false });
  await until(() => t.session().passes.length === 2, 'the recompute');
  assert.deepEqual(t.controller.mapList(), [], 'the old maps (other lines) are not offered');
  await assert.rejects(
    t.view.request('exportMap', { mapId: 'line:Fe K', format: 'npy', display: DISPLAY, lo: 0, hi: 1 }),
    /being computed/,
  );
  t.session().passes[1].finish();
  await until(() => t.controller.state === 'ready', 'the new maps');
  assert.deepEqual(t.controller.mapList().map((m) => m.id), ['total', 'line:Zn K']);
  await t.controller.dispose();
});

test('closing the editor mid-pass stops the rows; the user\'s window maps are left out of a preview and come back with the final maps', async () => {
  const t = setup();
  await started(t);
  t.session().passes[0].finish();
  await until(() => t.events.filter((e) => e.type === 'map').length === 3, 'the first maps');
  await t.view.request('windowMap', { loChannel: 2, hiChannel: 6 });
  t.controller.settingsChanged({ lines: true, calibration: false });
  await until(() => t.session().passes.length === 2, 'the recomputing pass');
  t.events.length = 0;
  t.session().rows(0, 4);
  await until(() => t.rowsEvents().length === 1, 'rows of the new pass');
  assert.deepEqual((t.events[0] as { maps: MapMeta[] }).maps.map((m) => m.id), IDS, 'no window map in the preview');
  t.session().passes[1].finish();
  await until(() => t.events.filter((e) => e.type === 'map').length === 4, 'the final maps');
  assert.deepEqual(
    t.events.filter((e) => e.type === 'map').map((e) => (e as { map: MapData }).map.id),
    ['total', 'line:Fe K', 'line:Pb L', 'window:2-6'],
  );

  // A third pass, closed while rows are waiting: nothing more reaches the view.
  t.setAckRows(false);
  t.controller.settingsChanged({ lines: true, calibration: false });
  await until(() => t.session().passes.length === 3, 'the third pass');
  t.session().rows(0, 1);
  await until(() => t.rowsEvents().length === 2, 'its first rows');
  t.session().rows(1, 2);
  const mark = t.ports.log.length;
  await t.controller.dispose();
  t.session().rows(2, 3, t.session().passes[2]);
  await settle(20);
  assert.deepEqual(t.ports.log.slice(mark).filter(([from]) => from === 'host'), [], 'nothing posted after the close');
  assert.equal(t.session().passes[2].signal?.aborted, true);
});

test('an update that does not fit the scan is skipped with a warning; the preview goes on', async () => {
  const t = setup();
  await started(t);
  const pass = t.session().passes[0];
  pass.onRows?.({ from: 6, to: 10, totalCounts: new Float32Array(12), roiMaps: [new Float32Array(12), new Float32Array(12)] });
  pass.onRows?.({ from: 0, to: 1, totalCounts: new Float32Array(W), roiMaps: [new Float32Array(W)] });
  await settle(20);
  assert.equal(t.events.length, 0, 'no preview from bad updates');
  assert.match(t.logs.join('\n'), /rows \[6, 10\) are outside the 8 rows/);
  assert.match(t.logs.join('\n'), /2 maps in a rows update, 3 listed/);
  t.session().rows(0, 1);
  await until(() => t.rowsEvents().length === 1, 'a good update');
  assertRows(t.rowsEvents()[0], 0, 1, IDS);
  await t.controller.dispose();
});

test('PreviewMaps merges touching and overlapping intervals, and lists every filled interval again for a reload', () => {
  const p = new PreviewMaps(previewMetas([]), 10, 1);
  const band = (from: number, to: number) => ({ from, to, totalCounts: new Float32Array(to - from).fill(from + 1), roiMaps: [] });
  assert.equal(p.add(band(2, 3)), undefined);
  p.add(band(5, 6));
  p.add(band(3, 5)); // bridges both
  p.add(band(8, 9));
  assert.equal(p.filledRows, 5);
  assert.deepEqual(p.takeUnsent(), { from: 2, to: 6 });
  assert.deepEqual(p.takeUnsent(), { from: 8, to: 9 });
  assert.equal(p.takeUnsent(), undefined);
  p.add(band(0, 1));
  p.resendAll();
  const all = [];
  for (let iv = p.takeUnsent(); iv; iv = p.takeUnsent()) all.push([iv.from, iv.to]);
  assert.deepEqual(all, [[0, 1], [2, 6], [8, 9]]);
  assert.deepEqual(Array.from(p.rows(2, 6)[0].data), [3, 4, 4, 6], 'each band\'s values where it was put');
  assert.deepEqual(Array.from(p.data[0]), [1, 0, 3, 4, 4, 6, 0, 0, 9, 0], 'unfilled rows hold 0');
});

test('over the real ScanSession: the preview\'s rows are the final maps\' rows, each sent at most once', async () => {
  const { promises: fs } = await import('node:fs');
  const os = await import('node:os');
  const path = await import('node:path');
  const { ScanSession } = await import('../../src/workers/scan-session-client');
  const { writeNpy } = await import('../../src/core/io/npy-write');
  const dir = await fs.mkdtemp(path.join(os.tmpdir(), 'xrf-rows-'));
  const [h, w, ch] = [12, 5, 64];
  const file = path.join(dir, 'scan.npy');
  const cube = new Uint16Array(h * w * ch);
  for (let r = 0; r < h; r++) for (let c = 0; c < w; c++) for (let k = 0; k < ch; k++) cube[(r * w + c) * ch + k] = (r * w + c + 1) * (k % 3 === 0 ? 2 : 1);
  await writeNpy(file, cube, [h, w, ch]);
  const ports = fakePortPair();
  const view = new Endpoint<ScanWebviewSide, ScanHostSide>(ports.webview, { timeoutMs: 20_000 });
  const events: Event[] = [];
  view.on('preview', (d) => events.push({ type: 'preview', ...d }));
  view.on('mapRows', (d) => {
    events.push({ type: 'mapRows', ...d });
    view.emit('rowsShown', { pass: d.pass });
  });
  view.on('summary', (d) => events.push({ type: 'summary', pass: d.pass, maps: d.maps }));
  view.on('map', (d) => {
    events.push({ type: 'map', ...d });
    view.emit('mapShown', { pass: d.pass, id: d.map.id });
  });
  const controller = new ScanEditorController({
    file,
    endpoint: new Endpoint<ScanHostSide, ScanWebviewSide>(ports.host, { waitForReady: true }),
    // One row per block and one thread: the pass reports rows while it runs.
    openSession: (f, o) => ScanSession.open(f, { ...o, rowsPerBlock: 1, passThreads: 1 }),
    settings: () => ({ lines: ['Fe K', 'Ca K'], display: DISPLAY }),
    trusted: () => true,
    pickSavePath: async () => undefined,
    writeFile: async () => undefined,
    log: { info: () => undefined, warn: () => undefined, error: () => undefined },
    showLog: () => undefined,
  });
  try {
    view.ready();
    await settle();
    await controller.open();
    await until(() => events.filter((e) => e.type === 'map').length === 3, 'the final maps');
    const preview = events.find((e) => e.type === 'preview');
    assert.ok(preview, 'a preview while the pass ran');
    const rows = events.filter((e): e is Extract<Event, { type: 'mapRows' }> => e.type === 'mapRows');
    assert.ok(rows.length >= 1, 'at least the first rows');
    const finals = new Map(events.filter((e): e is Extract<Event, { type: 'map' }> => e.type === 'map').map((e) => [e.map.id, e.map.data]));
    const seenRows = new Set<number>();
    for (const e of rows) {
      assert.equal(e.pass, preview.pass);
      for (let r = e.from; r < e.to; r++) {
        assert.ok(!seenRows.has(r), `row ${r} sent once`);
        seenRows.add(r);
      }
      for (const m of e.maps) assert.deepEqual(Array.from(m.data), Array.from(finals.get(m.id)!.subarray(e.from * w, e.to * w)), `${m.id} rows [${e.from}, ${e.to})`);
    }
    const firstMap = events.findIndex((e) => e.type === 'summary');
    assert.ok(events.slice(firstMap).every((e) => e.type !== 'mapRows' && e.type !== 'preview'), 'nothing of the preview after the summary');
  } finally {
    await controller.dispose();
    await fs.rm(dir, { recursive: true, force: true });
  }
});
