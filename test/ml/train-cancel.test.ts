import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { promises as fs } from 'node:fs';
import * as path from 'node:path';
import { trainModel } from '../../src/core/ml/train';
import { predictScan } from '../../src/core/ml/predict';
import { loadModelDir, readModelMetadata } from '../../src/core/ml/model-dir';
import { initBackend } from '../../src/core/ml/backend';
import { writeNpy } from '../../src/core/io/npy-write';
import { prepareTrainingData } from '../../src/core/ml/dataset';
import { aL1Numbers } from '../../src/core/ml/loss';
import type { Tensor } from '@tensorflow/tfjs';
import { tokenFromSignal } from '../../src/core/util/progress';
import type { TrainJobInput } from '../../src/core/ml/jobs';
import { countingToken, makePainting, predictCancelledAt, tempDir, readPrediction, TEST_LINES, type Painting } from './synthetic';

let dir: string;
let a: Painting;
let b: Painting;

before(async () => {
  dir = await tempDir();
  a = await makePainting(dir, { seed: 21, height: 10, width: 10 });
  b = await makePainting(dir, { seed: 22, height: 10, width: 10 });
});

after(async () => {
  await fs.rm(dir, { recursive: true, force: true });
});

function input(outName: string, over: Partial<TrainJobInput> = {}): TrainJobInput {
  return {
    model: 'FCN+',
    train: [a, b].map((p) => ({ scan: p.scan, groundTruth: p.truth })),
    outDir: path.join(dir, outName),
    epochs: 50,
    patience: 50,
    stride: 1,
    valShare: 0.2,
    batch: 32,
    seed: 4,
    backend: 'wasm',
    ...over,
  };
}

test('cancelling mid-epoch stops at the next batch, keeps the best epoch and writes a loadable model', async () => {
  // 160 training samples in batches of 32 = 5 reads per epoch, plus 1 for the validation batch:
  // the 9th read is the 3rd batch of epoch 2.
  const token = countingToken(9);
  const r = await trainModel(input('cancelled-mid'), { token });
  assert.equal(token.reads, 9, 'no batch ran after the cancel was seen');
  assert.equal(r.cancelled, true);
  assert.equal(r.epochsRun, 1);
  assert.equal(r.bestEpoch, 1);
  assert.deepEqual(r.history.val, [r.bestValLoss]);
  const meta = await readModelMetadata(r.modelDir);
  assert.equal(meta.cancelled, true);
  assert.equal(meta.bestEpoch, 1);
  const { tf } = await initBackend('wasm');
  const loaded = await loadModelDir(tf, r.modelDir);
  loaded.model.dispose();
  const out = path.join(dir, 'from-cancelled.npy');
  await predictScan({ modelDir: r.modelDir, scan: a.scan, out, backend: 'wasm' });
  assert.ok((await readPrediction(out)).data.every(Number.isFinite));
});

test('cancelling before the first epoch ends still saves a loadable model (the initial weights)', async () => {
  const ac = new AbortController();
  const r = await trainModel(input('cancelled-early'), {
    token: tokenFromSignal(ac.signal),
    onEvent: (e) => {
      if (e.kind === 'data') ac.abort();
    },
  });
  assert.equal(r.cancelled, true);
  assert.equal(r.epochsRun, 0);
  assert.equal(r.bestEpoch, 0);
  assert.ok(Number.isNaN(r.bestValLoss));
  const meta = await readModelMetadata(r.modelDir);
  assert.equal(meta.bestValLoss, null);
  assert.deepEqual(meta.history, { train: [], val: [], trainObjective: [] });
  const { tf } = await initBackend('wasm');
  (await loadModelDir(tf, r.modelDir)).model.dispose();
});

test('early stopping ends the run after `patience` epochs without a better validation loss', async () => {
  const r = await trainModel(input('patient', { epochs: 40, patience: 2 }));
  assert.equal(r.cancelled, false);
  assert.ok(r.epochsRun < 40, `ran ${r.epochsRun} epochs`);
  assert.equal(r.epochsRun - r.bestEpoch, 2, 'stopped exactly `patience` epochs after the best');
  assert.equal(r.bestValLoss, Math.min(...r.history.val));
  const meta = await readModelMetadata(r.modelDir);
  assert.equal(meta.stoppedEarly, true);

  // The saved weights are the best epoch's, not the last one's: recompute the validation aL1 of the
  // saved model on the same (seeded) validation pixels.
  const data = await prepareTrainingData({ train: input('x').train, stride: 1, valShare: 0.2, seed: 4 });
  const { tf } = await initBackend('wasm');
  const loaded = await loadModelDir(tf, r.modelDir);
  try {
    const { store, split } = data;
    const d = store.channels;
    const k = store.outputs;
    const rec = await store.read(split.val, 0, split.val.length, new Float32Array(split.val.length * store.recordFloats));
    const x = new Float32Array(split.val.length * d);
    const y = new Float32Array(split.val.length * k);
    for (let i = 0; i < split.val.length; i++) {
      for (let c = 0; c < d; c++) x[i * d + c] = rec[i * (d + k) + c] * meta.preprocessing.input.scale;
      for (let j = 0; j < k; j++) y[i * k + j] = rec[i * (d + k) + d + j];
    }
    const out = tf.tidy(() => (loaded.model.predict(tf.tensor2d(x, [split.val.length, d])) as Tensor).dataSync() as Float32Array);
    for (let i = 0; i < out.length; i++) out[i] *= meta.preprocessing.target.scale[i % k];
    const saved = aL1Numbers(y, out);
    assert.ok(Math.abs(saved - r.bestValLoss) < 1e-3 * r.bestValLoss, `saved model's validation aL1 ${saved} vs best ${r.bestValLoss}`);
    assert.ok(Math.abs(saved - r.history.val.at(-1)!) > 1e-3 * saved, 'differs from the last epoch');
  } finally {
    loaded.model.dispose();
    await data.store.dispose();
  }
});

test('a cancelled prediction leaves no output file, sidecar or temporary file', async () => {
  const model = await trainModel(input('for-predict', { epochs: 1, model: 'FCN' }));
  const outDir = path.join(dir, 'predictions');
  await fs.mkdir(outDir);
  const seen = await predictCancelledAt({ modelDir: model.modelDir, scan: a.scan, out: path.join(outDir, 'p.npy'), backend: 'wasm' }, 2, 4);
  assert.deepEqual(seen, [0, 2, 4], 'rows are reported per block and the cancel takes effect at the next block');
  assert.deepEqual(await fs.readdir(outDir), []);
});

test('a prediction whose final rename fails leaves no sidecar and no temporary file; the folder in its way is untouched', async () => {
  const model = await trainModel(input('for-predict-rename', { epochs: 1, model: 'FCN' }));
  const outDir = path.join(dir, 'predictions-blocked');
  // A folder named like the output makes the .npy's rename fail, after the sidecar has been written.
  const out = path.join(outDir, 'p.npy');
  await fs.mkdir(out, { recursive: true });
  await fs.writeFile(path.join(out, 'keep'), 'keep');
  await assert.rejects(predictScan({ modelDir: model.modelDir, scan: a.scan, out, backend: 'wasm' }));
  assert.deepEqual(await fs.readdir(outDir), ['p.npy'], 'neither the sidecar nor a temporary file is left');
  assert.deepEqual(await fs.readdir(out), ['keep']);
});

test("a prediction's sidecar is in place before its .npy appears", async () => {
  const model = await trainModel(input('for-predict-order', { epochs: 1, model: 'FCN' }));
  const outDir = path.join(dir, 'predictions-order');
  await fs.mkdir(outDir);
  const out = path.join(outDir, 'p.npy');
  // Polls every turn of the event loop: with the .npy first, there is a window in which it exists alone.
  let alone = false;
  let running = true;
  const watch = (async () => {
    while (running) {
      const names = await fs.readdir(outDir);
      if (names.includes('p.npy') && !names.includes('p.json')) alone = true;
      await new Promise((r) => setImmediate(r));
    }
  })();
  await predictScan({ modelDir: model.modelDir, scan: a.scan, out, backend: 'wasm' });
  running = false;
  await watch;
  assert.equal(alone, false, 'the .npy was seen without its sidecar');
  assert.deepEqual((await fs.readdir(outDir)).sort(), ['p.json', 'p.npy']);
});

test('an existing output folder is refused before any training, and left untouched', async () => {
  const target = path.join(dir, 'taken');
  await fs.mkdir(target);
  await fs.writeFile(path.join(target, 'x'), 'keep');
  const t0 = Date.now();
  await assert.rejects(trainModel(input('taken')), (e: Error) => e.name === 'XrfInputError' && /already exists/.test(e.message));
  assert.ok(Date.now() - t0 < 5000);
  assert.deepEqual(await fs.readdir(target), ['x']);
});

test('a line that is 0 in every training pixel trains without NaN and predicts finite maps', async () => {
  const truth = path.join(dir, 'zero-cu.npy');
  const k = TEST_LINES.length;
  const cu = TEST_LINES.indexOf('Cu K');
  const maps = new Float32Array(100 * k);
  for (let p = 0; p < 100; p++) for (let j = 0; j < k; j++) maps[p * k + j] = j === cu ? 0 : a.maps[j][p];
  await writeNpy(truth, maps, [10, 10, k]);
  await fs.writeFile(path.join(dir, 'zero-cu.json'), JSON.stringify({ lines: TEST_LINES }));
  const r = await trainModel(input('zero-line', { epochs: 3, train: [{ scan: a.scan, groundTruth: truth }] }));
  assert.ok([...r.history.train, ...r.history.val].every(Number.isFinite));
  const meta = await readModelMetadata(r.modelDir);
  assert.equal(meta.preprocessing.target.scale[cu], 1, 'an all-zero line keeps outputs in counts');
  const out = path.join(dir, 'zero-line.npy');
  await predictScan({ modelDir: r.modelDir, scan: a.scan, out, backend: 'wasm' });
  assert.ok((await readPrediction(out)).data.every(Number.isFinite));
});

test('a cancel while the training data is read rejects with CancelledError and writes nothing', async () => {
  const ac = new AbortController();
  const out = path.join(dir, 'cancelled-while-reading');
  await assert.rejects(
    trainModel(input('cancelled-while-reading'), {
      token: tokenFromSignal(ac.signal),
      onEvent: (e) => {
        if (e.kind === 'log' && /reading training scan 1\//.test(e.message)) ac.abort();
      },
    }),
    (e: Error) => e.name === 'CancelledError',
  );
  await assert.rejects(fs.access(out));
  assert.deepEqual((await fs.readdir(dir)).filter((n) => n.endsWith('.tmp')), []);
});
