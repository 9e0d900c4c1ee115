import { test } from 'node:test';
import assert from 'node:assert/strict';
import { promises as fs } from 'node:fs';
import {
  epochOrder,
  mulberry32,
  splitTrainVal,
  stridedCount,
  stridedPixelIndices,
} from '../../src/core/ml/dataset-sampling';
import { prepareTrainingData } from '../../src/core/ml/dataset';
import { makePainting, tempDir, TEST_LINES } from './synthetic';

test('strided sampling takes every stride-th pixel in raster order, across row ends', () => {
  // 3×7 = 21 pixels, stride 4: raster indices 0, 4, 8, 12, 16, 20.
  assert.deepEqual([...stridedPixelIndices(3, 7, 4)], [0, 4, 8, 12, 16, 20]);
  assert.equal(stridedCount(3, 7, 4), 6);
  // (row, column) of index 8 in a 7-wide scan is (1, 1): the sampled column shifts from row to row.
  assert.deepEqual([...stridedPixelIndices(2, 3, 1)], [0, 1, 2, 3, 4, 5]);
  assert.equal(stridedCount(428, 564, 10), Math.ceil((428 * 564) / 10));
  assert.throws(() => stridedPixelIndices(2, 2, 0), /stride/);
  assert.throws(() => stridedPixelIndices(2, 2, 1.5), /stride/);
});

test('the train/validation split is 80/20, disjoint, complete, and seeded', () => {
  const n = 1003;
  const a = splitTrainVal(n, 0.2, 42);
  assert.equal(a.train.length, Math.round(n * 0.8));
  assert.equal(a.val.length, n - a.train.length);
  const all = new Set([...a.train, ...a.val]);
  assert.equal(all.size, n, 'every sample is in exactly one part');
  for (const v of a.val) assert.ok(!a.train.includes(v));
  const again = splitTrainVal(n, 0.2, 42);
  assert.deepEqual([...again.train], [...a.train], 'same seed, same split');
  const other = splitTrainVal(n, 0.2, 43);
  assert.notDeepEqual([...other.val], [...a.val], 'another seed, another split');
  // Shuffled, not the first 80 % in order.
  assert.notDeepEqual([...a.train.slice(0, 20)], Array.from({ length: 20 }, (_, i) => i));
  assert.throws(() => splitTrainVal(1, 0.2, 0), /cannot be split/);
  assert.throws(() => splitTrainVal(10, 0, 0), /between 0 and 1/);
  assert.throws(() => splitTrainVal(10, 1, 0), /between 0 and 1/);
});

test('each epoch gets its own seeded permutation of the training samples', () => {
  const train = Uint32Array.from({ length: 50 }, (_, i) => i * 3);
  const e1 = epochOrder(train, 7, 1);
  const e2 = epochOrder(train, 7, 2);
  assert.deepEqual([...e1].sort((a, b) => a - b), [...train]);
  assert.notDeepEqual([...e1], [...e2]);
  assert.deepEqual([...epochOrder(train, 7, 1)], [...e1]);
  const r = mulberry32(1);
  const xs = Array.from({ length: 1000 }, r);
  assert.ok(xs.every((x) => x >= 0 && x < 1));
  assert.ok(Math.abs(xs.reduce((a, b) => a + b) / 1000 - 0.5) < 0.05);
});

test('extraction stores exactly the strided pixels of every training scan, with their targets, and never others', async () => {
  const dir = await tempDir();
  try {
    const p1 = await makePainting(dir, { seed: 1, height: 5, width: 7, channels: 32, pixelIndexInChannel0: true });
    const p2 = await makePainting(dir, { seed: 2, height: 4, width: 6, channels: 32, pixelIndexInChannel0: true });
    const heldOut = await makePainting(dir, { seed: 3, height: 4, width: 4, channels: 32 });
    const stride = 3;
    const data = await prepareTrainingData({
      train: [p1, p2].map((p) => ({ scan: p.scan, groundTruth: p.truth })),
      stride,
      valShare: 0.2,
      seed: 5,
    });
    try {
      const n1 = Math.ceil(35 / 3);
      const n2 = Math.ceil(24 / 3);
      assert.equal(data.store.count, n1 + n2);
      assert.deepEqual(data.lines, TEST_LINES, "default lines: the ground truth's thesis lines, in the thesis's order");
      assert.deepEqual(data.scans.map((s) => s.sampled), [n1, n2]);
      assert.ok(!data.scans.some((s) => s.scan === heldOut.scan));
      const all = Uint32Array.from({ length: data.store.count }, (_, i) => i);
      const rec = await data.store.read(all, 0, all.length, new Float32Array(all.length * data.store.recordFloats));
      const rf = data.store.recordFloats;
      for (let i = 0; i < all.length; i++) {
        const [painting, local] = i < n1 ? [p1, i] : [p2, i - n1];
        const pixel = local * stride;
        assert.equal(rec[i * rf], pixel, `sample ${i} is raster pixel ${pixel}`);
        for (let j = 0; j < data.lines.length; j++) {
          assert.equal(rec[i * rf + 32 + j], painting.maps[j][pixel]);
        }
      }
      // The target scales come from the training share only.
      for (let j = 0; j < data.lines.length; j++) {
        let ss = 0;
        for (const s of data.split.train) ss += rec[s * rf + 32 + j] ** 2;
        const rms = Math.sqrt(ss / data.split.train.length);
        assert.ok(Math.abs(data.preprocessing.target.scale[j] - rms) < 1e-6 * rms, `target scale of ${data.lines[j]}`);
      }
    } finally {
      await data.store.dispose();
    }
    await assert.rejects(fs.access(data.store.dir), 'the temporary sample folder is removed');
  } finally {
    await fs.rm(dir, { recursive: true, force: true });
  }
});
