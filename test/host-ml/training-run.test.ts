/** Step 2 of "Train …": a TrainJobInput run with progress text, loss chart events, backend, cancel. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Endpoint } from '../../src/protocol';
import type { TrainingHostSide, TrainingWebviewSide, TrainingStatus } from '../../src/protocol-ml';
import { TrainingRun, epochMessage, resultMessage, type TrainJobRunner } from '../../src/host/training/run';
import type { TrainJobInput, TrainJobResult, TrainEvent } from '../../src/core/ml/jobs';
import { CancelledError } from '../../src/core/errors';
import { fakePortPair, settle } from '../host/fake-port';

const INPUT: TrainJobInput = {
  model: 'FCN+',
  train: [{ scan: '/d/p1.rpl', groundTruth: '/d/p1_truth.npy', name: 'p1' }],
  outDir: '/ws/models/fcn-plus-1',
  epochs: 5,
  patience: 2,
  stride: 10,
  valShare: 0.2,
  batch: 64,
  seed: 0,
  backend: 'auto',
};

const epoch = (n: number, trainLoss: number, valLoss: number, best: boolean): TrainEvent => ({ kind: 'epoch', epoch: n, epochs: 5, trainLoss, valLoss, samplesPerSec: 1234.4, etaSec: 185, best });

function harness(job: TrainJobRunner) {
  const reports: [string, number][] = [];
  const backends: string[] = [];
  const logs: string[] = [];
  const run = new TrainingRun(INPUT, {
    runJob: job,
    report: (m, p) => reports.push([m, p]),
    setBackend: (n, r) => backends.push(`${n}: ${r}`),
    savePng: async () => ({}),
    showLog: () => undefined,
    log: { info: (m) => logs.push(m), warn: (m) => logs.push(m), error: (m) => logs.push(`ERROR ${m}`) },
  });
  const pair = fakePortPair();
  const host = new Endpoint<TrainingHostSide, TrainingWebviewSide>(pair.host, { waitForReady: true });
  run.attach(host);
  const view = new Endpoint<TrainingWebviewSide, TrainingHostSide>(pair.webview);
  const seen: { epochs: number[]; statuses: TrainingStatus[]; history?: { train: number[]; val: number[] }; init?: unknown } = { epochs: [], statuses: [] };
  view.on('epoch', (e) => seen.epochs.push(e.epoch));
  view.on('status', (s) => seen.statuses.push(s));
  view.on('history', (h) => (seen.history = h));
  view.on('init', (i) => (seen.init = i));
  view.ready();
  return { run, reports, backends, logs, view, seen };
}

test('epoch events become the notification line, the chart points and the status; the result its history', async () => {
  const result: TrainJobResult = { modelDir: INPUT.outDir, epochsRun: 3, bestEpoch: 2, bestValLoss: 0.2, cancelled: false, history: { train: [1, 0.5, 0.4], val: [0.8, 0.2, 0.3] }, backend: 'wasm' };
  const h = harness(async (input, opts) => {
    assert.equal(input, INPUT);
    opts.onEvent({ kind: 'backend', name: 'wasm', reason: 'tfjs-node is not installed' });
    opts.onEvent({ kind: 'data', trainSamples: 800, valSamples: 200 });
    await settle();
    opts.onEvent(epoch(1, 1, 0.8, true));
    opts.onEvent(epoch(2, 0.5, 0.2, true));
    opts.onEvent(epoch(3, 0.4, 0.3, false));
    await settle();
    return result;
  });
  await settle();
  assert.deepEqual(h.seen.init, { model: 'FCN+', outDir: INPUT.outDir, paintings: ['p1'], maxEpochs: 5 });
  const r = await h.run.start();
  await settle();
  assert.equal(r, result);
  assert.deepEqual(h.backends, ['wasm: tfjs-node is not installed']);
  assert.ok(h.logs.some((l) => l.includes('backend wasm (tfjs-node is not installed)')), 'the backend and why are logged');
  assert.deepEqual(h.reports.at(-1), ['epoch 3/5 · train aL1 0.4000 · val aL1 0.3000 · 1234 samples/s · ETA 3 min 5 s', 60]);
  assert.deepEqual(h.reports[2], ['epoch 1/5 · train aL1 1.0000 · val aL1 0.8000 (best) · 1234 samples/s · ETA 3 min 5 s', 20]);
  assert.deepEqual(h.seen.epochs, [1, 2, 3]);
  assert.deepEqual(h.seen.history, { train: [1, 0.5, 0.4], val: [0.8, 0.2, 0.3] });
  const last = h.seen.statuses.at(-1)!;
  assert.equal(last.state, 'done');
  assert.equal(last.bestEpoch, 2);
  assert.deepEqual(last.samples, { train: 800, val: 200 });
  assert.equal(last.message, resultMessage(result, 'FCN+'));
  assert.match(last.message, /FCN\+ trained and saved to \/ws\/models\/fcn-plus-1 \(best epoch 2 of 3, validation aL1 0\.2000\)/);
  assert.equal(h.run.state, 'done');
});

test('Cancel (from the chart or the notification) aborts the job signal; the kept model is reported', async () => {
  let signal: AbortSignal | undefined;
  const h = harness(async (_input, opts) => {
    signal = opts.signal;
    opts.onEvent({ kind: 'data', trainSamples: 10, valSamples: 2 });
    opts.onEvent(epoch(1, 0.9, 0.7, true));
    await new Promise<void>((resolve) => opts.signal.addEventListener('abort', () => resolve()));
    return { modelDir: INPUT.outDir, epochsRun: 1, bestEpoch: 1, bestValLoss: 0.7, cancelled: true, history: { train: [0.9], val: [0.7] }, backend: 'cpu' };
  });
  const started = h.run.start();
  await settle();
  assert.equal(signal?.aborted, false);
  await h.view.request('cancel', {});
  const r = await started;
  assert.equal(signal?.aborted, true);
  assert.equal(r?.cancelled, true);
  await settle();
  const last = h.seen.statuses.at(-1)!;
  assert.equal(last.state, 'cancelled');
  assert.match(last.message, /cancelled; the best model so far is saved to \/ws\/models\/fcn-plus-1 \(best epoch 1 of 1/);
});

test('a cancel before the data is read ends with nothing written; a failure is logged, shown and rethrown', async () => {
  const early = harness(async () => {
    throw new CancelledError();
  });
  assert.equal(await early.run.start(), undefined);
  assert.equal(early.run.state, 'cancelled');

  const failing = harness(async () => {
    throw Object.assign(new Error('/d/p1_truth.npy: maps are 10×12 but the scan is 10×10'), { name: 'XrfInputError' });
  });
  await assert.rejects(failing.run.start(), /maps are 10×12 but the scan is 10×10/);
  await settle();
  assert.equal(failing.run.state, 'failed');
  assert.match(failing.seen.statuses.at(-1)!.message, /^Training failed: \/d\/p1_truth\.npy: maps are 10×12/);
  assert.ok(failing.logs.some((l) => l.startsWith('ERROR training FCN+ failed')));
});

test('a reloaded chart gets the whole history and the current status', async () => {
  const h = harness(async (_i, opts) => {
    opts.onEvent(epoch(1, 0.9, 0.8, true));
    opts.onEvent(epoch(2, 0.7, 0.6, true));
    return new Promise(() => undefined); // still training
  });
  void h.run.start();
  await settle();
  h.seen.history = undefined;
  h.view.ready(); // the webview reloaded
  await settle();
  assert.deepEqual(h.seen.history, { train: [0.9, 0.7], val: [0.8, 0.6] });
  assert.equal(h.seen.statuses.at(-1)!.bestEpoch, 2);
  assert.equal(epochMessage({ kind: 'epoch', epoch: 2, epochs: 9, trainLoss: NaN, valLoss: 0.5, samplesPerSec: 10, etaSec: Infinity, best: false }), 'epoch 2/9 · train aL1 n/a · val aL1 0.5000 · 10 samples/s · ETA ?');
});
