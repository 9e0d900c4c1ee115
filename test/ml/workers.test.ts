import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { promises as fs } from 'node:fs';
import * as path from 'node:path';
import { runWorkerJob } from '../../src/workers/launch';
import type { Progress } from '../../src/core/util/progress';
import type { PredictJobInput, PredictJobResult, TrainEvent, TrainJobInput, TrainJobResult } from '../../src/core/ml/jobs';
import { makePainting, tempDir, readPrediction, TEST_LINES, type Painting } from './synthetic';

let dir: string;
let a: Painting;
let b: Painting;

before(async () => {
  dir = await tempDir();
  a = await makePainting(dir, { seed: 31, height: 8, width: 8 });
  b = await makePainting(dir, { seed: 32, height: 8, width: 8 });
});

after(async () => {
  await fs.rm(dir, { recursive: true, force: true });
});

function trainInput(out: string, epochs: number): TrainJobInput {
  return {
    model: 'FCN+',
    train: [a, b].map((p) => ({ scan: p.scan, groundTruth: p.truth })),
    outDir: path.join(dir, out),
    epochs,
    patience: 100,
    stride: 1,
    valShare: 0.2,
    batch: 16,
    seed: 9,
    backend: 'wasm',
  };
}

test('the train worker emits backend, data, then epoch events in order, and returns the model folder', async () => {
  const events: TrainEvent[] = [];
  const progress: Progress[] = [];
  const r = await runWorkerJob<TrainJobInput, TrainJobResult>('train', trainInput('worker-model', 4), {
    onEvent: (e) => events.push(e as TrainEvent),
    onProgress: (p) => progress.push(p),
  });
  const kinds = events.filter((e) => e.kind !== 'log').map((e) => e.kind);
  assert.deepEqual(kinds, ['backend', 'data', 'epoch', 'epoch', 'epoch', 'epoch']);
  const epochs = events.filter((e): e is Extract<TrainEvent, { kind: 'epoch' }> => e.kind === 'epoch');
  assert.deepEqual(epochs.map((e) => e.epoch), [1, 2, 3, 4]);
  for (const e of epochs) {
    assert.equal(e.epochs, 4);
    assert.ok(Number.isFinite(e.trainLoss) && Number.isFinite(e.valLoss) && e.samplesPerSec > 0 && e.etaSec >= 0);
  }
  assert.equal(epochs[3].etaSec, 0);
  assert.ok(epochs[0].best, 'the first epoch is always the best so far');
  const backend = events[0] as Extract<TrainEvent, { kind: 'backend' }>;
  assert.equal(backend.name, 'wasm');
  assert.match(backend.reason, /wasm/);
  const data = events.find((e) => e.kind === 'data') as Extract<TrainEvent, { kind: 'data' }>;
  assert.deepEqual([data.trainSamples, data.valSamples], [102, 26]);
  assert.equal(progress.at(-1)?.done, 4);
  assert.equal(progress.at(-1)?.total, 4);
  for (let i = 1; i < progress.length; i++) assert.ok(progress[i].done >= progress[i - 1].done);
  assert.equal(r.cancelled, false);
  assert.equal(r.backend, 'wasm');
  assert.deepEqual(r.history.val, epochs.map((e) => e.valLoss));
  await fs.access(path.join(r.modelDir, 'metadata.json'));
});

test('the predict worker writes the maps; cancelling it rejects with CancelledError and writes nothing', async () => {
  const model = path.join(dir, 'worker-model');
  await fs.access(model); // trained by the test above
  const out = path.join(dir, 'worker-pred.npy');
  const progress: Progress[] = [];
  const r = await runWorkerJob<PredictJobInput, PredictJobResult>('predict', { modelDir: model, scan: a.scan, out, backend: 'wasm' }, { onProgress: (p) => progress.push(p) });
  assert.deepEqual([r.height, r.width, r.lines], [8, 8, TEST_LINES]);
  assert.deepEqual((await readPrediction(out)).shape, [8, 8, TEST_LINES.length]);
  assert.deepEqual(progress.at(-1), { done: 8, total: 8, message: 'row 8 of 8' });

  const ac = new AbortController();
  ac.abort();
  const cancelledOut = path.join(dir, 'cancelled-pred.npy');
  await assert.rejects(
    runWorkerJob('predict', { modelDir: model, scan: a.scan, out: cancelledOut, backend: 'wasm' } satisfies PredictJobInput, { signal: ac.signal }),
    (e: Error) => e.name === 'CancelledError',
  );
  await assert.rejects(fs.access(cancelledOut));
  assert.deepEqual((await fs.readdir(dir)).filter((n) => n.includes('cancelled-pred')), []);
});

test('a worker error keeps its name and the message naming the file', async () => {
  await assert.rejects(
    runWorkerJob('train', { ...trainInput('bad-model', 1), train: [{ scan: a.scan, groundTruth: path.join(dir, 'missing.npy') }] }),
    (e: Error) => e.name === 'XrfInputError' && e.message.includes('missing.npy'),
  );
});
