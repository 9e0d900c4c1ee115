/**
 * Prediction over 2-3 threads (src/core/ml/predict.ts with src/workers/predict-shard.worker.ts) must write
 * exactly the maps of one thread, and a cancel must leave no output and no helper thread.
 */
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { promises as fs } from 'node:fs';
import * as path from 'node:path';
import { trainModel } from '../../src/core/ml/train';
import { predictScan } from '../../src/core/ml/predict';
import { liveHelperThreads } from '../../src/core/ml/helper-pool';
import type { ModelArch } from '../../src/core/ml/models';
import { makePainting, predictCancelledAt, readPrediction, tempDir, type Painting } from './synthetic';

let dir: string;
let scan: Painting;
const models = new Map<ModelArch, string>();

before(async () => {
  dir = await tempDir();
  // 24×24 = 576 spectra: more than two forward passes of 256, so up to 3 threads share the work.
  scan = await makePainting(dir, { seed: 51, height: 24, width: 24 });
  for (const model of ['FCN+', '1DCNN+'] as const) {
    const r = await trainModel({
      model,
      train: [{ scan: scan.scan, groundTruth: scan.truth }],
      outDir: path.join(dir, model.replace('+', 'plus')),
      epochs: 1,
      patience: 1,
      stride: 6,
      valShare: 0.2,
      batch: 32,
      seed: 2,
      backend: 'wasm',
      threads: 1,
    });
    models.set(model, r.modelDir);
  }
});

after(async () => {
  await fs.rm(dir, { recursive: true, force: true });
});

for (const model of ['FCN+', '1DCNN+'] as const) {
  test(`${model}: prediction on 2 and 3 threads writes the same maps as on 1 thread, bit for bit`, async () => {
    const outs: Float32Array[] = [];
    for (const threads of [1, 2, 3]) {
      const out = path.join(dir, `${model}-${threads}.npy`);
      // 5-row blocks (120 spectra): the last block is short and the pixel ranges uneven.
      const r = await predictScan({ modelDir: models.get(model)!, scan: scan.scan, out, backend: 'wasm', threads }, { blockRows: 5 });
      assert.deepEqual([r.height, r.width], [24, 24]);
      assert.equal(liveHelperThreads(), 0);
      const pred = await readPrediction(out);
      assert.deepEqual(pred.shape, [24, 24, 4]);
      outs.push(pred.data);
    }
    assert.ok(outs[0].some((v) => v !== 0) && outs[0].every(Number.isFinite));
    for (const other of outs.slice(1)) {
      const differing = other.reduce((s, v, i) => s + (Object.is(v, outs[0][i]) ? 0 : 1), 0);
      assert.equal(differing, 0, `${differing} values differ from one thread's`);
    }
  });
}

test('a cancelled 3-thread prediction leaves no output file, no sidecar and no helper thread', async () => {
  const outDir = path.join(dir, 'cancelled');
  await fs.mkdir(outDir);
  const seen = await predictCancelledAt({ modelDir: models.get('FCN+')!, scan: scan.scan, out: path.join(outDir, 'p.npy'), backend: 'wasm', threads: 3 }, 5, 10);
  assert.deepEqual(seen, [0, 5, 10], 'the cancel takes effect at the next block');
  assert.equal(liveHelperThreads(), 0);
  assert.deepEqual(await fs.readdir(outDir), []);
});
