/**
 * Data-parallel training (src/core/ml/parallel-train.ts): one step over 2 or 3 threads must equal one
 * full-batch step on one thread (the same Adam update), training on 2 threads must train and record it,
 * and cancel, completion and a failing helper must all leave no helper thread running.
 */
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { promises as fs } from 'node:fs';
import { createHash } from 'node:crypto';
import * as path from 'node:path';
import type * as tfTypes from '@tensorflow/tfjs';
import { initBackend, type TF } from '../../src/core/ml/backend';
import { buildModel, type BuildModelOptions } from '../../src/core/ml/models';
import { aL1 } from '../../src/core/ml/loss';
import { DataParallelTrainer, trainShardFaults } from '../../src/core/ml/parallel-train';
import { shardLoss } from '../../src/core/ml/train-step';
import { liveHelperThreads } from '../../src/core/ml/helper-pool';
import { TRAIN_AL1_EPSILON, trainModel } from '../../src/core/ml/train';
import { predictScan } from '../../src/core/ml/predict';
import { readModelMetadata } from '../../src/core/ml/model-dir';
import { mulberry32 } from '../../src/core/ml/dataset-sampling';
import { resolveThreads, shardBounds } from '../../src/core/ml/threads';
import type { TrainJobInput } from '../../src/core/ml/jobs';
import { countingToken, makePainting, readPrediction, tempDir, type Painting } from './synthetic';

let tf: TF;
let dir: string;
let a: Painting;
let b: Painting;

before(async () => {
  tf = (await initBackend('wasm')).tf;
  dir = await tempDir();
  a = await makePainting(dir, { seed: 41, height: 10, width: 10 });
  b = await makePainting(dir, { seed: 42, height: 10, width: 10 });
});

after(async () => {
  await fs.rm(dir, { recursive: true, force: true });
});

const rand = mulberry32(5);
const uniform = (n: number, hi: number) => Float32Array.from({ length: n }, () => rand() * hi);

/** The reference: the optimizer's own full-batch step, as the one-thread trainer always did it. */
function referenceStep(model: tfTypes.LayersModel, opt: tfTypes.Optimizer, x: Float32Array, y: Float32Array, n: number, scale: tfTypes.Tensor): number {
  const vars = model.trainableWeights.map((w) => w.read() as tfTypes.Variable);
  return tf.tidy(() => {
    const xs = tf.tensor2d(x, [n, x.length / n]);
    const ys = tf.tensor2d(y, [n, y.length / n]);
    const loss = opt.minimize(() => aL1(tf, ys, tf.mul(model.apply(xs, { training: true }) as tfTypes.Tensor, scale), TRAIN_AL1_EPSILON), true, vars)!;
    return loss.dataSync()[0];
  });
}

function maxDiff(p: tfTypes.LayersModel, q: tfTypes.LayersModel): { abs: number } {
  let abs = 0;
  const pw = p.getWeights();
  const qw = q.getWeights();
  pw.forEach((w, i) => {
    const u = w.dataSync();
    const v = qw[i].dataSync();
    for (let j = 0; j < u.length; j++) abs = Math.max(abs, Math.abs(u[j] - v[j]));
  });
  return { abs };
}

function specFor(arch: 'FCN' | '1DCNN+'): BuildModelOptions {
  if (arch === 'FCN') return { arch, channels: 256, outputs: 4, seed: 3 };
  const channels = 1400;
  const rows = 3;
  return { arch, channels, outputs: rows, seed: 3, noDropout: true, prior: { matrix: uniform(rows * channels, 0.05), rows } };
}

for (const arch of ['FCN', '1DCNN+'] as const) {
  for (const threads of [2, 3]) {
    test(`${arch}: two data-parallel steps on ${threads} threads (uneven shards) equal two full-batch steps on one thread`, async () => {
      const spec = specFor(arch);
      const n = 11; // 2 threads: 6 + 5; 3 threads: 4 + 3 + 4
      const d = spec.channels;
      const k = spec.outputs;
      const batches = [0, 1].map(() => ({ x: uniform(n * d, 1), y: uniform(n * k, 200) }));
      const scale = tf.tensor1d(uniform(k, 100).map((v) => v + 10));
      const ref = buildModel(tf, spec);
      const par = buildModel(tf, spec);
      const refOpt = tf.train.adam(1e-3);
      const parOpt = tf.train.adam(1e-3);
      assert.equal(maxDiff(ref, par).abs, 0, 'the same seed builds the same weights');
      const before = ref.getWeights().map((w) => w.dataSync().slice());
      const trainer = await DataParallelTrainer.start(tf, par, parOpt, spec, scale, threads, 'wasm');
      try {
        assert.equal(trainer.threads, threads);
        assert.equal(liveHelperThreads(), threads - 1);
        for (const batch of batches) {
          const refLoss = referenceStep(ref, refOpt, batch.x, batch.y, n, scale);
          const [, objective] = await trainer.step(n, batch.x, batch.y);
          assert.ok(Math.abs(objective - refLoss) <= 1e-5 * refLoss, `objective ${objective} vs full batch ${refLoss}`);
        }
      } finally {
        await trainer.close();
      }
      assert.equal(liveHelperThreads(), 0, 'no helper thread left after close()');
      // Each Adam step moves a weight by up to ~1e-3; the shards' float32 rounding must stay far below that.
      const { abs } = maxDiff(ref, par);
      assert.ok(abs < 2e-6, `largest weight difference ${abs}`);
      const after = ref.getWeights().map((w) => w.dataSync());
      const changed = after.reduce((s, w, i) => s + w.filter((v, j) => Math.abs(v - before[i][j]) > 1e-4).length, 0);
      assert.ok(changed > 100, `the steps moved the weights (${changed} moved by > 1e-4)`);
      tf.dispose([scale]);
      ref.dispose();
      par.dispose();
      refOpt.dispose();
      parOpt.dispose();
    });
  }
}

test('validation loss on 2 and 3 threads equals the one-thread loss, with the weights after a step and dropout in the model', async () => {
  const spec = { ...specFor('1DCNN+'), noDropout: false };
  const n = 13;
  const x = uniform(n * spec.channels, 1);
  const y = uniform(n * spec.outputs, 300);
  const scale = tf.tensor1d(uniform(spec.outputs, 100).map((v) => v + 10));
  for (const threads of [2, 3]) {
    const model = buildModel(tf, spec);
    const opt = tf.train.adam(1e-3);
    const trainer = await DataParallelTrainer.start(tf, model, opt, spec, scale, threads, 'wasm');
    try {
      const before = await trainer.loss(n, x, y);
      await trainer.step(n, x, y); // the helpers must validate with these weights, not their initial ones
      const loss = await trainer.loss(n, x, y);
      const alone = shardLoss(tf, model, x, y, n, scale);
      assert.ok(Math.abs(loss - alone) <= 1e-5 * alone, `${threads} threads: ${loss} vs one thread ${alone}`);
      assert.notEqual(loss, before, 'the step changed the loss (so stale helper weights would show)');
      assert.equal(await trainer.loss(n, x, y), loss, 'inference mode: no dropout, the same loss again');
    } finally {
      await trainer.close();
      model.dispose();
      opt.dispose();
    }
  }
  assert.equal(liveHelperThreads(), 0);
  scale.dispose();
});

test('shards are contiguous, non-empty and cover the batch; threads resolve as documented', () => {
  assert.deepEqual(shardBounds(11, 3), [0, 4, 7, 11]);
  assert.deepEqual(shardBounds(2, 3), [0, 1, 2], 'never an empty shard');
  assert.deepEqual(shardBounds(64, 1), [0, 64]);
  assert.equal(resolveThreads(undefined, 'tensorflow', 16), 1);
  assert.equal(resolveThreads(0, 'wasm', 16), 8);
  assert.equal(resolveThreads(0, 'cpu', 2), 2);
  assert.equal(resolveThreads(3, 'tensorflow', 2), 3, 'an explicit count is used as given');
  assert.equal(resolveThreads(0, 'wasm', 4, '1DCNN+'), 4);
  assert.equal(resolveThreads(0, 'wasm', 4, 'FCN'), 1, 'FCN trains on one thread unless asked');
  assert.equal(resolveThreads(2, 'wasm', 4, 'FCN+'), 2);
  assert.throws(() => resolveThreads(-1, 'wasm'), /whole number/);
  assert.throws(() => resolveThreads(1.5, 'wasm'), /whole number/);
});

function input(outName: string, over: Partial<TrainJobInput> = {}): TrainJobInput {
  return {
    model: 'FCN+',
    train: [a, b].map((p) => ({ scan: p.scan, groundTruth: p.truth })),
    outDir: path.join(dir, outName),
    epochs: 6,
    patience: 50,
    stride: 1,
    valShare: 0.2,
    batch: 16,
    seed: 4,
    backend: 'wasm',
    threads: 2,
    ...over,
  };
}

test('training on 2 threads trains (loss falls), records threads = 2, and the model predicts', async () => {
  const r = await trainModel(input('two-threads'));
  assert.equal(liveHelperThreads(), 0);
  assert.equal(r.cancelled, false);
  assert.ok(r.history.train.at(-1)! < 0.8 * r.history.train[0], `train aL1 ${r.history.train.join(', ')}`);
  assert.ok(r.bestValLoss < r.history.val[0], `val aL1 ${r.history.val.join(', ')}`);
  const meta = await readModelMetadata(r.modelDir);
  assert.equal(meta.training.threads, 2);
  const out = path.join(dir, 'two-threads.npy');
  await predictScan({ modelDir: r.modelDir, scan: a.scan, out, backend: 'wasm', threads: 1 });
  const pred = await readPrediction(out);
  assert.deepEqual(pred.shape, [10, 10, 4]);
  assert.ok(pred.data.every(Number.isFinite));
});

test('a CNN run is repeatable: the same seed and thread count give the same weights (dropout seeded per step and shard), another seed does not', async () => {
  const weightsOf = async (name: string, over: Partial<TrainJobInput>) => {
    const r = await trainModel(input(name, { model: '1DCNN', epochs: 2, batch: 32, ...over }));
    const model = await fs.readFile(path.join(r.modelDir, 'model.json'), 'utf8');
    assert.match(model, /"class_name":"Dropout","config":\{[^}]*"seed":null/, 'the saved dropout layer is unseeded');
    return { history: JSON.stringify(r.history), bin: await readWeights(r.modelDir) };
  };
  for (const threads of [1, 2]) {
    const first = await weightsOf(`repeat-${threads}-a`, { threads });
    const again = await weightsOf(`repeat-${threads}-b`, { threads });
    assert.equal(again.history, first.history, `${threads} thread(s): the same training curve`);
    assert.equal(again.bin, first.bin, `${threads} thread(s): the same weights, byte for byte`);
    const other = await weightsOf(`repeat-${threads}-c`, { threads, seed: 5 });
    assert.notEqual(other.history, first.history, 'another seed trains differently');
  }
  assert.equal(liveHelperThreads(), 0);
});

/** SHA-256 of the weight files of a model folder (tfjs writes them as *.bin beside model.json). */
async function readWeights(modelDir: string): Promise<string> {
  const bins = (await fs.readdir(modelDir)).filter((f) => f.endsWith('.bin')).sort();
  assert.ok(bins.length > 0, 'the model folder has weight files');
  const hash = createHash('sha256');
  for (const f of bins) hash.update(new Uint8Array(await fs.readFile(path.join(modelDir, f))));
  return hash.digest('hex');
}

test('cancelling a 2-thread training stops at the next batch, writes a loadable model and stops the helper', async () => {
  // 160 training samples in batches of 32 = 5 reads per epoch, plus 1 for validation: the 9th read is
  // the 3rd batch of epoch 2.
  const token = countingToken(9);
  const r = await trainModel(input('two-threads-cancelled', { batch: 32, epochs: 50 }), { token });
  assert.equal(token.reads, 9, 'no batch ran after the cancel was seen');
  assert.equal(liveHelperThreads(), 0, 'the helper thread has exited');
  assert.equal(r.cancelled, true);
  assert.equal(r.bestEpoch, 1);
  const out = path.join(dir, 'from-two-threads-cancelled.npy');
  await predictScan({ modelDir: r.modelDir, scan: a.scan, out, backend: 'wasm', threads: 1 });
  assert.ok((await readPrediction(out)).data.every(Number.isFinite));
});

test('a helper that fails mid-training rejects the run with its message, writes nothing and leaves no thread', async () => {
  trainShardFaults.helper = 1;
  trainShardFaults.step = 7; // in the second epoch
  try {
    await assert.rejects(trainModel(input('helper-fails', { threads: 3 })), (e: Error) => /training helper thread 1 failed: fault injected at step 7/.test(e.message));
  } finally {
    delete trainShardFaults.helper;
    delete trainShardFaults.step;
  }
  assert.equal(liveHelperThreads(), 0);
  await assert.rejects(fs.access(path.join(dir, 'helper-fails')));
  assert.deepEqual((await fs.readdir(dir)).filter((f) => f.includes('helper-fails')), []);
});
