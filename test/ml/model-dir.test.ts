import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { promises as fs } from 'node:fs';
import * as path from 'node:path';
import { initBackend, type TF } from '../../src/core/ml/backend';
import { buildModel, isPriorArch, MODEL_ARCHS, type ModelArch } from '../../src/core/ml/models';
import { priorMatrix } from '../../src/core/physics/index';
import { openCube } from '../../src/core/cube/open';
import {
  loadModelDir,
  writeModelDir,
  readModelMetadata,
  calibrationsAgree,
  MODEL_FORMAT,
  MODEL_FORMAT_VERSION,
  PRIOR_FILE,
  type ModelMetadata,
} from '../../src/core/ml/model-dir';
import { predictRows, predictScan, sidecarPath } from '../../src/core/ml/predict';
import { defaultPredictionPath } from '../../src/core/ml/predict-path';
import { readNpy } from '../../src/core/io/npy-read';
import type { Preprocessing } from '../../src/core/ml/preprocess';
import { makePainting, tempDir, readPrediction, TEST_CAL, TEST_CHANNELS, TEST_LINES, type Painting } from './synthetic';

let tf: TF;
let dir: string;
let painting: Painting;

const PRE: Preprocessing = { input: { kind: 'scaled-counts', scale: 0.25 }, target: { kind: 'scaled-counts', scale: [10, 200, 30, 400] }, negativeTargets: 'clamped-to-zero' };

/** A complete metadata record for a model built here (not trained). */
function metaFor(arch: ModelArch, name: string): ModelMetadata {
  return {
    format: MODEL_FORMAT,
    formatVersion: MODEL_FORMAT_VERSION,
    name,
    architecture: arch,
    lines: [...TEST_LINES],
    channels: TEST_CHANNELS,
    calibration: { ...TEST_CAL },
    preprocessing: PRE,
    prior: isPriorArch(arch) ? { lines: [...TEST_LINES], rows: TEST_LINES.length, file: PRIOR_FILE, source: 'test' } : null,
    training: { epochs: 0, patience: 1, stride: 1, valShare: 0.2, batch: 1, seed: 3, optimizer: 'adam', learningRate: 1e-3, loss: 'aL1', trainSamples: 0, valSamples: 0, negativeTargetsClamped: 0 },
    history: { train: [], val: [] },
    epochsRun: 0,
    bestEpoch: 0,
    bestValLoss: null,
    stoppedEarly: false,
    cancelled: false,
    backend: { name: 'wasm', reason: 'test' },
    versions: { xrfmaps: '0', tfjs: '0', node: process.versions.node },
    data: [],
    created: new Date().toISOString(),
  };
}

before(async () => {
  tf = (await initBackend('wasm')).tf;
  dir = await tempDir();
  painting = await makePainting(dir, { seed: 11, height: 6, width: 5 });
});

after(async () => {
  await fs.rm(dir, { recursive: true, force: true });
});

for (const arch of MODEL_ARCHS) {
  test(`${arch}: save → load → predict gives identical maps`, async () => {
    const prior = isPriorArch(arch) ? priorMatrix(TEST_LINES, TEST_CAL, TEST_CHANNELS) : undefined;
    const model = buildModel(tf, { arch, channels: TEST_CHANNELS, outputs: TEST_LINES.length, prior: prior && { matrix: prior, rows: TEST_LINES.length }, seed: 3 });
    const modelDir = path.join(dir, `model-${arch.replace('+', 'plus')}`);
    const meta = metaFor(arch, path.basename(modelDir));
    await writeModelDir(modelDir, model, meta, prior);
    const cube = await openCube(painting.scan);
    try {
      const before = await predictRows(tf, { model, meta }, cube, 0, cube.height);
      const loaded = await loadModelDir(tf, modelDir);
      try {
        assert.deepEqual(loaded.meta, JSON.parse(JSON.stringify(meta)));
        const again = await predictRows(tf, loaded, cube, 0, cube.height);
        assert.equal(again.length, cube.height * cube.width * TEST_LINES.length);
        assert.ok(again.every(Number.isFinite));
        assert.deepEqual(again, before, 'the reloaded model predicts bit-identical maps');
      } finally {
        loaded.model.dispose();
      }
      // The file predict writes holds the same numbers, in H×W×k order, with the sidecar naming the lines.
      const out = path.join(dir, `pred-${arch.replace('+', 'plus')}.npy`);
      const r = await predictScan({ modelDir, scan: painting.scan, out, backend: 'wasm' }, { blockRows: 4 });
      assert.deepEqual([r.height, r.width, r.lines], [6, 5, TEST_LINES]);
      const file = await readPrediction(out);
      assert.deepEqual(file.shape, [6, 5, TEST_LINES.length]);
      assert.deepEqual(file.data, before);
      const side = JSON.parse(await fs.readFile(sidecarPath(out), 'utf8'));
      assert.deepEqual(side.lines, TEST_LINES);
      assert.equal(side.model.architecture, arch);
      if (prior) {
        const saved = await readNpy(path.join(modelDir, PRIOR_FILE));
        assert.deepEqual(saved.header.shape, [TEST_LINES.length, TEST_CHANNELS]);
        assert.deepEqual(saved.data, prior);
      }
    } finally {
      model.dispose();
      await cube.close();
    }
  });
}

test('predicting a scan of another calibration or channel count is an error naming both values', async () => {
  const modelDir = path.join(dir, 'model-FCN');
  await fs.access(path.join(modelDir, 'metadata.json')); // written by the FCN test above
  const shifted = await makePainting(dir, { seed: 12, height: 3, width: 3, name: 'shifted', calibration: { offsetKeV: 0, gainKeV: 0.016 } });
  await assert.rejects(predictScan({ modelDir, scan: shifted.scan, out: path.join(dir, 'x.npy'), backend: 'wasm' }), (e: Error) => {
    assert.equal(e.name, 'XrfInputError');
    assert.ok(e.message.startsWith(shifted.scan), e.message);
    assert.match(e.message, /gain 16 eV\/channel/);
    assert.match(e.message, /gain 15 eV\/channel/);
    return true;
  });
  const narrow = await makePainting(dir, { seed: 13, height: 3, width: 3, name: 'narrow', channels: 1300 });
  await assert.rejects(predictScan({ modelDir, scan: narrow.scan, out: path.join(dir, 'y.npy'), backend: 'wasm' }), (e: Error) => {
    assert.equal(e.name, 'XrfInputError');
    assert.match(e.message, /1300 channels/);
    assert.match(e.message, /trained on 1400/);
    return true;
  });
  // Within half a channel is the same calibration; without a file calibration the fallback is used.
  const close = await makePainting(dir, { seed: 14, height: 3, width: 3, name: 'close', calibration: { offsetKeV: 0.002, gainKeV: 0.015 } });
  await predictScan({ modelDir, scan: close.scan, out: path.join(dir, 'z.npy'), backend: 'wasm' });
  const bare = await makePainting(dir, { seed: 15, height: 3, width: 3, name: 'bare', sidecarCalibration: null });
  await assert.rejects(predictScan({ modelDir, scan: bare.scan, out: path.join(dir, 'w.npy'), backend: 'wasm' }), /gain 10 eV\/channel/);
  await predictScan({ modelDir, scan: bare.scan, out: path.join(dir, 'w.npy'), backend: 'wasm', calibration: TEST_CAL });
  for (const f of ['x.npy', 'x.json', 'y.npy']) await assert.rejects(fs.access(path.join(dir, f)), `${f} must not exist`);
  assert.ok(calibrationsAgree({ offsetKeV: 0, gainKeV: 0.01 }, { offsetKeV: 0.004, gainKeV: 0.01 }, 4096));
  assert.ok(!calibrationsAgree({ offsetKeV: 0, gainKeV: 0.01 }, { offsetKeV: 0, gainKeV: 0.01001 }, 4096), '4096 × 0.01 eV = 41 eV at the top');
});

test('a model folder is never overwritten, and broken folders are clear errors', async () => {
  const model = buildModel(tf, { arch: 'FCN', channels: 8, outputs: 1 });
  try {
    const target = path.join(dir, 'existing');
    await fs.mkdir(target);
    await fs.writeFile(path.join(target, 'keep.txt'), 'mine');
    const meta = { ...metaFor('FCN', 'existing'), channels: 8, lines: ['Fe K'], preprocessing: { ...PRE, target: { kind: 'scaled-counts' as const, scale: [1] } } };
    await assert.rejects(writeModelDir(target, model, meta), /already exists/);
    assert.equal(await fs.readFile(path.join(target, 'keep.txt'), 'utf8'), 'mine');
    const empty = path.join(dir, 'empty-existing');
    await fs.mkdir(empty);
    await assert.rejects(writeModelDir(empty, model, meta), /already exists/);
    assert.deepEqual(await fs.readdir(empty), []);
    // No temporary folders are left beside the targets.
    assert.deepEqual((await fs.readdir(dir)).filter((n) => n.endsWith('.tmp')), []);

    await assert.rejects(readModelMetadata(target), /not an xrfmaps model folder/);
    await fs.writeFile(path.join(target, 'metadata.json'), '{"format": "xrfmaps-model", "formatVersion": 99}');
    await assert.rejects(readModelMetadata(target), /format version 99/);
    const good = path.join(dir, 'good');
    await writeModelDir(good, model, meta);
    await fs.truncate(path.join(good, 'weights.bin'), 10);
    await assert.rejects(loadModelDir(tf, good), (e: Error) => e.name === 'XrfInputError' && /weights/.test(e.message));
  } finally {
    model.dispose();
  }
});

test('defaultPredictionPath names the prediction after scan and model, beside the scan, never over a file', async () => {
  const scan = path.join(dir, 'sub', 'painting 4.npy');
  await fs.mkdir(path.dirname(scan), { recursive: true });
  const first = await defaultPredictionPath(scan, '/models/fcn-plus/');
  assert.equal(first, path.join(dir, 'sub', 'painting 4.fcn-plus.npy'));
  await fs.writeFile(first, '');
  assert.equal(await defaultPredictionPath(scan, '/models/fcn-plus'), path.join(dir, 'sub', 'painting 4.fcn-plus (2).npy'));
  assert.equal(await defaultPredictionPath(path.join(dir, 'a.h5') + '::/entry/data', '/m/1dcnn'), path.join(dir, 'a.1dcnn.npy'));
});
