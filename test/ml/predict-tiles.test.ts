/**
 * Prediction over a compressed HDF5 scan that offers tiles (Cube.tileShape: a band of its chunk rows
 * is over the band budget) reads tile by tile and writes the same maps as the row path over the
 * same values stored as .npy.
 */
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { promises as fs } from 'node:fs';
import * as path from 'node:path';
import { initBackend, type TF } from '../../src/core/ml/backend';
import { loadModelDir } from '../../src/core/ml/model-dir';
import { predictCubeToNpy, predictScan } from '../../src/core/ml/predict';
import { trainModel } from '../../src/core/ml/train';
import { loadH5wasm, openHdf5 } from '../../src/core/cube/hdf5';
import { readNpy } from '../../src/core/io/npy-read';
import { tokenFromSignal } from '../../src/core/util/progress';
import { makePainting, readPrediction, tempDir, TEST_CHANNELS, type Painting } from './synthetic';

let tf: TF;
let dir: string;
let p: Painting;
let h5: string;
const [H, W] = [9, 11];

before(async () => {
  tf = (await initBackend('wasm')).tf;
  dir = await tempDir();
  p = await makePainting(dir, { seed: 31, height: H, width: W });
  const npy = await readNpy(p.scan);
  const lib = await loadH5wasm();
  h5 = path.join(dir, 'painting.h5');
  const f = new lib.File(h5, 'w');
  try {
    f.create_dataset({ name: 'cube', data: Float32Array.from(npy.data as ArrayLike<number>), shape: [H, W, TEST_CHANNELS], chunks: [4, 3, TEST_CHANNELS], compression: 'gzip', compression_opts: 1 });
  } finally {
    f.close();
  }
});

after(async () => {
  await fs.rm(dir, { recursive: true, force: true });
});

test('prediction over a tiled HDF5 scan reads tiles and writes the maps the row path writes over the same values', async () => {
  const model = await trainModel({ model: 'FCN', train: [{ scan: p.scan, groundTruth: p.truth }], outDir: path.join(dir, 'model'), epochs: 1, patience: 1, stride: 1, valShare: 0.2, batch: 32, seed: 2, backend: 'wasm' });
  const rowsOut = path.join(dir, 'rows.npy');
  await predictScan({ modelDir: model.modelDir, scan: p.scan, out: rowsOut, backend: 'wasm' });
  const loaded = await loadModelDir(tf, model.modelDir);
  // A band of 4 chunk rows (4 · 11 · 1400 · 4 bytes) is over this budget: the cube offers tiles.
  const cube = await openHdf5(h5, { maxBandBytes: 1000, passTileSamples: 4 * 3 * TEST_CHANNELS });
  try {
    assert.deepEqual(cube.tileShape, { rows: 4, cols: 3 });
    let tileReads = 0;
    const readTile = cube.readTile!.bind(cube);
    cube.readTile = async (...a) => {
      tileReads++;
      return readTile(...a);
    };
    cube.readRows = async () => {
      throw new Error('the tiled prediction must not read rows');
    };
    const tilesOut = path.join(dir, 'tiles.npy');
    const seen: number[] = [];
    await predictCubeToNpy(tf, loaded, cube, tilesOut, tokenFromSignal(new AbortController().signal), (pr) => seen.push(pr.done));
    assert.equal(tileReads, Math.ceil(H / 4) * Math.ceil(W / 3), 'one read per tile');
    assert.deepEqual(seen, [0, 4, 8, 9], 'progress per band of chunk rows');
    const a = await readPrediction(rowsOut);
    const b = await readPrediction(tilesOut);
    assert.deepEqual(b.shape, a.shape);
    for (let i = 0; i < a.data.length; i++) assert.ok(Math.abs(a.data[i] - b.data[i]) <= 1e-5 * Math.max(1, Math.abs(a.data[i])), `value ${i}: ${a.data[i]} vs ${b.data[i]}`);

    // A cancel between tiles leaves no output and no sidecar.
    const ac = new AbortController();
    let n = 0;
    cube.readTile = async (...args) => {
      if (++n === 3) ac.abort();
      return readTile(...args);
    };
    const cut = path.join(dir, 'cut.npy');
    await assert.rejects(predictCubeToNpy(tf, loaded, cube, cut, tokenFromSignal(ac.signal)), (e: Error) => e.name === 'CancelledError');
    assert.deepEqual((await fs.readdir(dir)).filter((f) => f.startsWith('cut')), []);
  } finally {
    loaded.model.dispose();
    await cube.close();
  }
});
