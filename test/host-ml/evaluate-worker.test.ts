/**
 * The `evaluate` worker end to end on small generated maps (NPY + sidecar, as predict writes them):
 * metrics, z-score maps and maps come back through a real worker thread. Numbers are checked on
 * hand-computable cases (ŷ = 2y: α = 2, r = 1; z = |ŷ − y| / σ(y) recomputed here); errors keep their name.
 */
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { runWorkerJob } from '../../src/workers/launch';
import { mapsJob, modelNames, transferablesOf, type MapsJobInput, type MapsJobResult, type EvaluateJobResult, type ReadMapsResult } from '../../src/host/evaluate/job';
import { zBinShares } from '../../webview/lib/zscore';
import { tokenFromSignal } from '../../src/core/util/progress';
import { H, W, truthMap, writeStack, std } from './helpers';

let dir: string;
const LINES = ['Ca K', 'Fe K', 'Pb L'];
const truth = LINES.map((_, k) => truthMap(k));

before(async () => {
  dir = await mkdtemp(path.join(tmpdir(), 'xrf-evaluate-'));
  await writeStack(path.join(dir, 'truth.npy'), ['Ca_K', 'Fe-K', 'PbL'], truth);
  // FCN: exact Ca K, Fe K doubled, Pb L shifted by one σ-ish constant.
  const pbShift = std(truth[2]) * 1.5;
  await writeStack(path.join(dir, 'p.fcn.npy'), LINES, [truth[0], truth[1].map((v) => 2 * v), truth[2].map((v) => v + pbShift)], { model: { name: 'fcn-run', architecture: 'FCN' } });
  // FCN+: only Fe K and Zn K (not in the truth).
  await writeStack(path.join(dir, 'p.fcnplus.npy'), ['Fe K', 'Zn K'], [truth[1].map((v) => v + 1), truth[0]], { model: { name: 'fcn-plus-run', architecture: 'FCN+' } });
  const withNaN = truth[1].slice();
  withNaN[5 * W + 3] = NaN;
  await writeStack(path.join(dir, 'nan.npy'), ['Fe K'], [withNaN]);
  await writeStack(path.join(dir, 'small.npy'), ['Fe K'], [new Float32Array(10 * 10).fill(1)], {}, 10, 10);
});

after(async () => {
  await rm(dir, { recursive: true, force: true });
});

const job = (input: MapsJobInput) => runWorkerJob<MapsJobInput, MapsJobResult>('evaluate', input, {});

test('evaluate in the worker: reports, truth, prediction and z-score maps per family, model names from sidecars', async () => {
  const progress: number[] = [];
  const r = (await runWorkerJob<MapsJobInput, MapsJobResult>(
    'evaluate',
    { op: 'evaluate', gt: path.join(dir, 'truth.npy'), predictions: [{ path: path.join(dir, 'p.fcn.npy') }, { path: path.join(dir, 'p.fcnplus.npy') }] },
    { onProgress: (p) => progress.push(p.done / p.total) },
  )) as EvaluateJobResult;
  assert.equal(r.op, 'evaluate');
  assert.deepEqual(r.models, ['FCN', 'FCN+']);
  assert.deepEqual(r.lines, LINES, 'line names normalized, in ground-truth order');
  assert.deepEqual(r.gt, { path: path.join(dir, 'truth.npy'), height: H, width: W, lines: LINES });
  assert.equal(progress.at(-1), 1);

  const [fcn, plus] = r.reports;
  assert.equal(fcn.families['Ca K'].ssim, 1);
  assert.equal(fcn.families['Ca K'].slope, 1);
  assert.ok(Math.abs(fcn.families['Fe K'].slope! - 2) < 1e-12, `α of ŷ = 2y is 2, got ${fcn.families['Fe K'].slope}`);
  assert.ok(Math.abs(fcn.families['Fe K'].pearson! - 1) < 1e-9);
  assert.deepEqual(plus.lines, ['Fe K']);
  assert.deepEqual(plus.extra, { inPred: ['Zn K'], inGt: ['Ca K', 'Pb L'] });

  // Maps: truth as written; FCN+ has no Ca K / Pb L.
  assert.deepEqual([...r.gtMaps[1]], [...truth[1]]);
  assert.deepEqual([...r.predMaps[0][1]!], [...truth[1].map((v) => 2 * v)]);
  assert.equal(r.predMaps[1][0], null);
  assert.equal(r.predMaps[1][2], null);
  assert.ok(r.predMaps[1][1] instanceof Float32Array);

  // z = |ŷ − y| / σ(y): for ŷ = 2y that is y / σ(y); for the Pb L shift of 1.5 σ it is 1.5 everywhere.
  const s = std(truth[1]);
  const zFe = r.zMaps[0][1]!;
  for (const i of [0, 17, H * W - 1]) assert.ok(Math.abs(zFe[i] - truth[1][i] / s) < 1e-4 * (1 + zFe[i]), `pixel ${i}`);
  const zPb = r.zMaps[0][2]!;
  assert.ok(zPb.every((v) => Math.abs(v - 1.5) < 1e-3), 'a constant shift of 1.5 σ is |z| = 1.5 everywhere');
  assert.deepEqual(fcn.families['Pb L'].z, { le1: 0, le2: 1, le3: 0, gt3: 0 });
  // The view's bin count of each z map agrees with the report's shares.
  for (const [j, line] of LINES.entries()) {
    const v = zBinShares(r.zMaps[0][j]!);
    const z = fcn.families[line].z;
    assert.deepEqual([v.le1, v.le2, v.le3, v.gt3].map((x) => x.toFixed(12)), [z.le1, z.le2, z.le3, z.gt3].map((x) => x.toFixed(12)), line);
  }
});

test('read in the worker: the maps editor gets normalized lines, maps, the model of a prediction; NaN is counted, not refused', async () => {
  const r = (await job({ op: 'read', path: path.join(dir, 'p.fcn.npy') })) as ReadMapsResult;
  assert.equal(r.format, 'npy');
  assert.deepEqual([r.height, r.width], [H, W]);
  assert.deepEqual(r.lines, LINES);
  assert.deepEqual(r.model, { name: 'fcn-run', architecture: 'FCN' });
  assert.deepEqual([...r.maps[0]], [...truth[0]]);
  assert.equal(r.nonFinite, 0);
  const n = (await job({ op: 'read', path: path.join(dir, 'nan.npy') })) as ReadMapsResult;
  assert.equal(n.nonFinite, 1);
  assert.equal(n.model, undefined);
});

test('bad inputs fail with XrfInputError naming the file and the problem, across the worker boundary', async () => {
  await assert.rejects(job({ op: 'evaluate', gt: path.join(dir, 'truth.npy'), predictions: [{ path: path.join(dir, 'small.npy') }] }), (e: Error) => {
    assert.equal(e.name, 'XrfInputError');
    assert.match(e.message, /small\.npy: prediction is 10×10 \(H×W\) but the ground truth .*truth\.npy is 12×14/);
    return true;
  });
  await assert.rejects(job({ op: 'evaluate', gt: path.join(dir, 'truth.npy'), predictions: [{ path: path.join(dir, 'nan.npy') }] }), (e: Error) => {
    assert.equal(e.name, 'XrfInputError');
    assert.match(e.message, /nan\.npy: (prediction of )?Fe K is NaN at pixel \(row 5, column 3\)/);
    return true;
  });
  await assert.rejects(job({ op: 'read', path: path.join(dir, 'missing.npy') }), (e: Error) => e.name === 'XrfInputError' && /missing\.npy: file not found/.test(e.message));
});

test('a cancelled evaluation stops with CancelledError', async () => {
  const ac = new AbortController();
  ac.abort();
  await assert.rejects(
    mapsJob({ op: 'evaluate', gt: path.join(dir, 'truth.npy'), predictions: [{ path: path.join(dir, 'p.fcn.npy') }] }, { token: tokenFromSignal(ac.signal) }),
    (e: Error) => e.name === 'CancelledError',
  );
});

test('column names: given, else a unique architecture, else the model folder, else the file; repeats numbered', () => {
  assert.deepEqual(
    modelNames(
      [{ path: '/a/x.npy', model: 'Mine' }, { path: '/a/p.fcn.npy' }, { path: '/a/q.npy' }, { path: '/a/r.npy' }, { path: '/a/s.npy' }],
      [undefined, { name: 'fcn-1', architecture: 'FCN' }, { name: 'cnn-a', architecture: '1DCNN' }, { name: 'cnn-b', architecture: '1DCNN' }, undefined],
    ),
    ['Mine', 'FCN', 'cnn-a', 'cnn-b', 's'],
  );
  assert.deepEqual(modelNames([{ path: '/a/x.npy' }, { path: '/b/x.npy' }], [undefined, undefined]), ['x', 'x (2)']);
});

test('only buffers a map owns whole are moved to the host, each once', () => {
  const own = new Float32Array(4);
  const shared = new ArrayBuffer(64);
  const view = new Float32Array(shared, 16, 4);
  const list = transferablesOf({ op: 'read', path: 'x', format: 'npy', height: 2, width: 2, lines: ['A', 'B', 'C'], maps: [own, view, own], ignored: [], withUncertainties: [], nonFinite: 0 });
  assert.deepEqual(list, [own.buffer]);
});
