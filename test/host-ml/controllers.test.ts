/**
 * The host halves of the results view and the maps editor, driven through a fake webview port with
 * the real job functions run in-process (the worker plumbing is tested in evaluate-worker.test.ts).
 */
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { Endpoint, type ErrorViewData } from '../../src/protocol';
import type { MapsHostSide, MapsWebviewSide, MapsInfo, ResultsHostSide, ResultsWebviewSide, ResultsData, Notice } from '../../src/protocol-ml';
import { ResultsController, resultsTitle, type MapsJobRunner } from '../../src/host/evaluate/controller';
import { MapsEditorController } from '../../src/host/groundtruth/controller';
import { mapsJob } from '../../src/host/evaluate/job';
import { savePng, isPng, safeFileName } from '../../src/host/evaluate/png-save';
import { encodePng } from '../../src/core/io/png';
import { tokenFromSignal } from '../../src/core/util/progress';
import { fakePortPair, settle } from '../host/fake-port';
import { H, W, truthMap, writeStack } from './helpers';

let dir: string;
const DISPLAY = { colormap: 'inferno' as const, scaling: 'sqrt' as const, lowPercentile: 1, highPercentile: 99 };
const runJob: MapsJobRunner = (input, opts) => mapsJob(input, { token: tokenFromSignal(opts.signal), onProgress: opts.onProgress });
const quietLog = { info: () => undefined, warn: () => undefined, error: () => undefined };

before(async () => {
  dir = await mkdtemp(path.join(tmpdir(), 'xrf-ml-ui-'));
  await writeStack(path.join(dir, 'truth.npy'), ['Fe K', 'Pb L'], [truthMap(0), truthMap(1)]);
  await writeStack(path.join(dir, 'pred.npy'), ['Fe K', 'Pb L'], [truthMap(0).map((v) => v * 1.1), truthMap(1)], { model: { name: 'cnn', architecture: '1DCNN+' } });
  await writeStack(path.join(dir, 'wrong-size.npy'), ['Fe K'], [new Float32Array(9 * 9)], {}, 9, 9);
});

after(async () => {
  await rm(dir, { recursive: true, force: true });
});

function resultsHarness(request: ConstructorParameters<typeof ResultsController>[0]) {
  const pair = fakePortPair();
  const copied: string[] = [];
  const saved: { target: string; bytes: Uint8Array }[] = [];
  const controller = new ResultsController(request, {
    endpoint: new Endpoint<ResultsHostSide, ResultsWebviewSide>(pair.host, { waitForReady: true }),
    runJob,
    display: () => DISPLAY,
    copy: async (t) => void copied.push(t),
    savePng: (p) => savePng(p, { pickSavePath: async (n) => path.join('/out', n), writeFile: async (target, parts) => void saved.push({ target, bytes: parts[0] }) }),
    log: quietLog,
    showLog: () => undefined,
  });
  const view = new Endpoint<ResultsWebviewSide, ResultsHostSide>(pair.webview);
  const seen: { results?: ResultsData; error?: ErrorViewData; notices: Notice[]; init?: { title: string } } = { notices: [] };
  view.on('results', (d) => (seen.results = d));
  view.on('error', (e) => (seen.error = e));
  view.on('notice', (n) => seen.notices.push(n));
  view.on('init', (i) => (seen.init = i));
  return { controller, view, seen, copied, saved };
}

test('results view: reports sent on ready, one family of maps on request, copy and PNG export through the host', async () => {
  const h = resultsHarness({ gt: path.join(dir, 'truth.npy'), predictions: [{ path: path.join(dir, 'pred.npy') }] });
  await h.controller.run();
  h.view.ready();
  await settle();
  assert.equal(h.controller.state, 'ready');
  const d = h.seen.results!;
  assert.deepEqual(d.models, ['1DCNN+']);
  assert.deepEqual(d.lines, ['Fe K', 'Pb L']);
  assert.deepEqual([d.height, d.width], [H, W]);
  assert.equal(d.title, 'Results: 1DCNN+ on truth');
  assert.equal(h.seen.init?.title, 'Results: 1DCNN+ on truth');
  assert.ok(Math.abs(d.reports[0].families['Fe K'].slope! - 1.1) < 1e-6);
  assert.equal(d.reports[0].families['Pb L'].ssim, 1);
  assert.equal((d.reports[0] as unknown as { gtMaps?: unknown }).gtMaps, undefined, 'maps are not pushed with the reports');

  const fam = await h.view.request('family', { line: 'Fe K' });
  assert.ok(fam.gt instanceof Float32Array && fam.gt.length === H * W);
  assert.ok(Math.abs(fam.preds[0]![7] - fam.gt[7] * 1.1) < 1e-3);
  assert.equal(fam.zMaps[0]!.length, H * W);
  await assert.rejects(h.view.request('family', { line: 'Zn K' }), /no line family "Zn K" in these results \(they have Fe K, Pb L\)/);

  await h.view.request('copy', { text: '| a |', what: 'SSIM (Markdown)' });
  await settle();
  assert.deepEqual(h.copied, ['| a |']);
  assert.equal(h.seen.notices.at(-1)?.message, 'Copied SSIM (Markdown) to the clipboard.');

  const png = encodePng(new Uint8ClampedArray(4 * 4).fill(200), 2, 2);
  const r = await h.view.request('savePng', { defaultName: 'Fe K / 1DCNN+ zscore', png });
  assert.equal(r.path, path.join('/out', 'Fe_K_1DCNN+_zscore.png'));
  assert.ok(isPng(h.saved[0].bytes));
  await assert.rejects(h.view.request('savePng', { defaultName: 'x', png: new Uint8Array([1, 2, 3]) }), /could not be encoded as PNG/);
  assert.equal(h.saved.length, 1, 'bytes that are not a PNG are never written');
  h.controller.dispose();
});

test('results view: a prediction of another size shows the error view naming both sizes; a reloaded view gets it again', async () => {
  const h = resultsHarness({ gt: path.join(dir, 'truth.npy'), predictions: [{ path: path.join(dir, 'wrong-size.npy') }], title: 'My run' });
  await h.controller.run();
  h.view.ready();
  await settle();
  assert.equal(h.controller.state, 'error');
  assert.equal(h.seen.error?.kind, 'input');
  assert.equal(h.seen.error?.title, 'The prediction cannot be evaluated');
  assert.match(h.seen.error!.problem, /prediction is 9×9 \(H×W\) but the ground truth .*truth\.npy is 12×14/);
  assert.equal(h.seen.init?.title, 'My run');
  h.seen.error = undefined;
  h.view.ready();
  await settle();
  assert.ok(h.seen.error, 'resent on reload');
  h.controller.dispose();
});

test('results titles', () => {
  assert.equal(resultsTitle({ gt: '/a/painting_4_truth.npy', predictions: [] }), 'Results: painting_4_truth');
  assert.equal(resultsTitle({ gt: '/a/t.csv', predictions: [] }, ['FCN', 'FCN+']), 'Results: FCN, FCN+ on t');
  assert.equal(safeFileName('  ../a:b  '), 'a_b');
});

function mapsHarness(file: string) {
  const pair = fakePortPair();
  const writes: { target: string; bytes: Buffer }[] = [];
  const compared: string[] = [];
  const controller = new MapsEditorController({
    file,
    endpoint: new Endpoint<MapsHostSide, MapsWebviewSide>(pair.host, { waitForReady: true }),
    runJob,
    display: () => DISPLAY,
    trusted: () => false,
    pickSavePath: async (name) => path.join('/exports', name),
    writeFile: async (target, parts) => void writes.push({ target, bytes: Buffer.concat(parts) }),
    compare: async (f, info) => void compared.push(`${path.basename(f)} ${info.model ? 'prediction' : 'truth'}`),
    log: quietLog,
    showLog: () => undefined,
  });
  const view = new Endpoint<MapsWebviewSide, MapsHostSide>(pair.webview);
  const seen: { info?: MapsInfo; maps?: { id: string; label: string; data: Float32Array }[]; error?: ErrorViewData; trusted?: boolean } = {};
  view.on('init', (i) => (seen.trusted = i.trusted));
  view.on('info', (i) => (seen.info = i));
  view.on('maps', (m) => (seen.maps = m.maps));
  view.on('error', (e) => (seen.error = e));
  return { controller, view, seen, writes, compared };
}

test('maps editor: a prediction shows one map per family with its model; export and compare go to the host', async () => {
  const h = mapsHarness(path.join(dir, 'pred.npy'));
  h.view.ready();
  await h.controller.open();
  await settle();
  assert.equal(h.seen.trusted, false);
  assert.deepEqual(h.seen.info, {
    file: path.join(dir, 'pred.npy'),
    fileName: 'pred.npy',
    format: 'npy',
    height: H,
    width: W,
    lines: ['Fe K', 'Pb L'],
    ignored: [],
    withUncertainties: [],
    model: { name: 'cnn', architecture: '1DCNN+' },
  });
  assert.deepEqual(h.seen.maps!.map((m) => [m.id, m.label]), [['line:Fe K', 'Fe K'], ['line:Pb L', 'Pb L']]);
  assert.ok(Math.abs(h.seen.maps![1].data[20] - truthMap(1)[20]) < 1e-4);

  const r = await h.view.request('exportMap', { mapId: 'line:Pb L', format: 'csv', display: DISPLAY, lo: 0, hi: 1 });
  assert.equal(r.path, '/exports/pred_Pb_L.csv');
  const rows = h.writes[0].bytes.toString('utf8').trimEnd().split('\n');
  assert.equal(rows.length, H);
  assert.equal(rows[1].split(',').length, W);
  assert.ok(Math.abs(Number(rows[1].split(',')[3]) - truthMap(1)[W + 3]) < 1e-3);
  await h.view.request('compare', {});
  assert.deepEqual(h.compared, ['pred.npy prediction']);
  h.controller.dispose();
});

test('maps editor: an NPY without its sidecar shows the error view naming the missing sidecar', async () => {
  const h = mapsHarness(path.join(dir, 'nowhere.npy'));
  h.view.ready();
  await h.controller.open();
  await settle();
  assert.equal(h.controller.state, 'error');
  assert.equal(h.seen.error?.kind, 'input');
  assert.equal(h.seen.error?.title, 'These maps cannot be opened');
  assert.match(h.seen.error!.problem, /file not found|no sidecar/);
  assert.equal(h.seen.maps, undefined);
  h.controller.dispose();
});

test('maps editor reads every PyMca layout (CSV, one EDF of the entry, TIFF, HDF5): families, uncertainties, what is ignored', async () => {
  const images = path.resolve(__dirname, '..', 'fixtures', 'metrics', 'pymca');
  for (const [file, format] of [
    ['IMAGES/scan1.csv', 'csv'],
    ['IMAGES/scan1_Fe_K.edf', 'edf'],
    ['IMAGES/scan1_Ca_K.tif', 'tiff'],
    ['root.h5', 'hdf5'],
  ] as const) {
    const h = mapsHarness(path.join(images, file));
    h.view.ready();
    await h.controller.open();
    await settle();
    assert.equal(h.controller.state, 'ready', file);
    assert.equal(h.seen.info?.format, format, file);
    assert.deepEqual(h.seen.info?.lines, ['Ca K', 'Fe K', 'Pb L'], file);
    assert.deepEqual(h.seen.info?.withUncertainties, ['Ca K', 'Fe K', 'Pb L'], file);
    assert.ok(h.seen.info!.ignored.some((x) => /Scatter_Compton000/.test(x)), `${file}: the scatter peak is listed as ignored`);
    assert.deepEqual(h.seen.maps?.map((m) => m.label), ['Ca K', 'Fe K', 'Pb L'], file);
    assert.equal(h.seen.maps![0].data.length, h.seen.info!.height * h.seen.info!.width);
    h.controller.dispose();
  }
});
