import { test } from 'node:test';
import assert from 'node:assert/strict';
import { promises as fs } from 'node:fs';
import { spawnSync } from 'node:child_process';
import * as path from 'node:path';
import { openCube, listCubeDatasets } from '../../src/core/cube/open';
import { loadH5wasm, Hdf5Cube } from '../../src/core/cube/hdf5';
import { channelsFirstByShape, decideChannelAxis, isEnergyName } from '../../src/core/cube/hdf5-axes';
import { XrfInputError } from '../../src/core/errors';
import { maxAbsDiff, pythonMissing, readBytes, testValues, withTempDir } from './writers';

const H = 6;
const W = 7;
const C = 40;

type H5 = Awaited<ReturnType<typeof loadH5wasm>>;
type Group = InstanceType<H5['Group']>;

/** Write an HDF5 file with h5wasm; `build` adds groups, datasets and attributes. */
async function writeH5(file: string, build: (root: Group, h5: H5) => void): Promise<string> {
  const h5 = await loadH5wasm();
  const f = new h5.File(file, 'w');
  try {
    build(f as unknown as Group, h5);
  } finally {
    f.close();
  }
  return file;
}

function group(parent: Group, name: string, nxClass?: string): Group {
  const g = parent.create_group(name) as Group;
  if (nxClass) g.create_attribute('NX_class', nxClass);
  return g;
}

async function readBack(file: string, opts: { dataset?: string } = {}) {
  const cube = await openCube(file, opts);
  try {
    return {
      cube,
      rows: await cube.readRows(0, cube.height),
      block: await cube.readRows(2, 3),
      pixel: await cube.readPixel(4, 5),
    };
  } finally {
    await cube.close();
  }
}

function pixelOf(v: Float64Array, r: number, c: number): Float64Array {
  return v.subarray((r * W + c) * C, (r * W + c + 1) * C);
}

test('HDF5: the NXdata signal is chosen over a larger dataset; calibration from the NXdata energy axis', async () => {
  await withTempDir(async (dir) => {
    const v = testValues(H, W, C);
    const energy = Float64Array.from({ length: C }, (_, i) => 0.05 + 0.02 * i);
    const file = await writeH5(path.join(dir, 'nx.nxs'), (root) => {
      const entry = group(root, 'entry', 'NXentry');
      const data = group(entry, 'data', 'NXdata');
      data.create_attribute('signal', 'counts');
      data.create_attribute('axes', ['.', '.', 'energy']);
      data.create_dataset({ name: 'counts', data: Uint16Array.from(v), shape: [H, W, C] });
      data.create_dataset({ name: 'energy', data: energy, shape: [C] });
      // A larger 3-D dataset elsewhere that must not win.
      entry.create_dataset({ name: 'decoy', data: new Float32Array(8 * 8 * 64), shape: [8, 8, 64] });
    });
    const { cube, rows, block, pixel } = await readBack(file);
    assert.deepEqual([cube.format, cube.height, cube.width, cube.channels, cube.dtype, cube.datasetPath], ['hdf5', H, W, C, 'u2', '/entry/data/counts']);
    assert.equal(maxAbsDiff(rows, v), 0);
    assert.equal(maxAbsDiff(block, v.subarray(2 * W * C, 5 * W * C)), 0);
    assert.equal(maxAbsDiff(pixel, pixelOf(v, 4, 5)), 0);
    assert.ok(cube.fileCalibration);
    assert.ok(Math.abs(cube.fileCalibration.offsetKeV - 0.05) < 1e-12 && Math.abs(cube.fileCalibration.gainKeV - 0.02) < 1e-12);
    const list = await listCubeDatasets(file);
    assert.deepEqual(list.map((d) => [d.path, d.preferred]), [['/entry/data/counts', true], ['/entry/decoy', false]]);
    assert.deepEqual(list[1].shape, [8, 8, 64]);
    // The user can pick the other one.
    const other = await openCube(file, { dataset: '/entry/decoy' });
    assert.deepEqual([other.height, other.width, other.channels, other.dtype], [8, 8, 64, 'f4']);
    await other.close();
  });
});

test('HDF5: chunked + gzip float data read by hyperslabs; offset/gain attributes; PyMca [a, b, c]', async () => {
  await withTempDir(async (dir) => {
    const v = testValues(H, W, C, { fractional: true, signed: true });
    const file = await writeH5(path.join(dir, 'gz.h5'), (root) => {
      const g = group(root, 'scan');
      const ds = g.create_dataset({ name: 'cube', data: Float32Array.from(v), shape: [H, W, C], chunks: [2, 3, 16], compression: 'gzip', compression_opts: 4 });
      ds.create_attribute('offset', -0.1);
      ds.create_attribute('gain', 0.015);
    });
    const { cube, rows, block, pixel } = await readBack(file);
    assert.equal(cube.dtype, 'f4');
    assert.equal(maxAbsDiff(rows, v), 0);
    assert.equal(maxAbsDiff(block, v.subarray(2 * W * C, 5 * W * C)), 0);
    assert.equal(maxAbsDiff(pixel, pixelOf(v, 4, 5)), 0);
    assert.deepEqual(cube.fileCalibration, { offsetKeV: -0.1, gainKeV: 0.015 });

    const pymca = await writeH5(path.join(dir, 'pymca.h5'), (root) => {
      const ds = root.create_dataset({ name: 'data', data: new Int32Array(H * W * C), shape: [H, W, C] });
      ds.create_attribute('calibration', new Float64Array([0.02, 0.0101, 0]));
    });
    const p = await openCube(pymca);
    assert.deepEqual(p.fileCalibration, { offsetKeV: 0.02, gainKeV: 0.0101 });
    assert.equal(p.dtype, 'i4');
    await p.close();
  });
});

test('HDF5: the simulator layout (/entry/data/data + /entry/instrument/detector/calibration), largest 3-D without NXdata', async () => {
  await withTempDir(async (dir) => {
    const v = testValues(H, W, C);
    const file = await writeH5(path.join(dir, 'sim.h5'), (root) => {
      const entry = group(root, 'entry');
      const data = group(entry, 'data');
      data.create_dataset({ name: 'data', data: Uint32Array.from(v), shape: [H, W, C], chunks: [1, W, C], compression: 'gzip' });
      data.create_dataset({ name: 'small', data: new Uint16Array(2 * 2 * 4), shape: [2, 2, 4] });
      data.create_dataset({ name: 'map', data: new Float32Array(H * W), shape: [H, W] });
      const det = group(group(entry, 'instrument'), 'detector');
      det.create_dataset({ name: 'calibration', data: new Float64Array([-0.03, 0.0099, 0]) });
    });
    const { cube, rows, pixel } = await readBack(file);
    assert.equal(cube.datasetPath, '/entry/data/data');
    assert.equal(maxAbsDiff(rows, v), 0);
    assert.equal(maxAbsDiff(pixel, pixelOf(v, 4, 5)), 0);
    assert.deepEqual(cube.fileCalibration, { offsetKeV: -0.03, gainKeV: 0.0099 });
  });
});

async function expectInputError(p: Promise<unknown>, file: string, problem: RegExp): Promise<void> {
  await assert.rejects(p, (e: unknown) => {
    assert.ok(e instanceof XrfInputError, `expected XrfInputError, got ${String(e)}`);
    assert.equal(e.file, file);
    assert.match(e.problem, problem);
    return true;
  });
}

test('HDF5 bad input: not HDF5 but named .h5, no 3-D dataset, unknown dataset, truncated file, NaN in float data', async () => {
  await withTempDir(async (dir) => {
    const fake = path.join(dir, 'fake.h5');
    await fs.writeFile(fake, 'this is a text file, not HDF5\n'.repeat(40));
    await expectInputError(openCube(fake), fake, /not an HDF5 file/);
    await expectInputError(listCubeDatasets(fake), fake, /not an HDF5 file/);

    const flat = await writeH5(path.join(dir, 'flat.h5'), (root) => {
      root.create_dataset({ name: 'map', data: new Float32Array(H * W), shape: [H, W] });
      root.create_dataset({ name: 'names', data: ['a', 'b'] });
    });
    await expectInputError(openCube(flat), flat, /no 3-D numeric dataset/);
    await expectInputError(openCube(flat, { dataset: '/map' }), flat, /shape \(6, 7\).*3-D/);
    await expectInputError(openCube(flat, { dataset: '/nope' }), flat, /no dataset \/nope/);

    const v = testValues(H, W, C);
    const good = await writeH5(path.join(dir, 'good.h5'), (root) => {
      root.create_dataset({ name: 'cube', data: Uint16Array.from(v), shape: [H, W, C] });
    });
    const bytes = await readBytes(good);
    const cut = path.join(dir, 'cut.h5');
    await fs.writeFile(cut, bytes.subarray(0, Math.floor(bytes.length / 2)));
    await assert.rejects(async () => {
      const cube = await openCube(cut);
      try {
        await cube.readRows(0, H);
      } finally {
        await cube.close();
      }
    }, (e: unknown) => e instanceof XrfInputError && e.file === cut);

    const nanV = testValues(H, W, C, { fractional: true });
    nanV[(1 * W + 6) * C + 33] = NaN;
    const nan = await writeH5(path.join(dir, 'nan.h5'), (root) => {
      root.create_dataset({ name: 'cube', data: Float64Array.from(nanV), shape: [H, W, C] });
    });
    const cube = await openCube(nan);
    await expectInputError(cube.readRows(0, H), nan, /NaN value at row 1, column 6, channel 33/);
    await expectInputError(cube.readPixel(1, 6), nan, /NaN value at row 1, column 6, channel 33/);
    await cube.close();
  });
});

const skipH5py = pythonMissing(['h5py', 'numpy']);

test('cross-check: a NeXus file written by h5py (chunked, gzip, big-endian, energy axis in eV) reads back its values', { skip: skipH5py }, async () => {
  await withTempDir(async (dir) => {
    const script = `
import h5py, numpy as np, sys
d = sys.argv[1]
r = np.arange(9*8*64, dtype=np.int64).reshape(9, 8, 64)
a = ((r * 53) % 4001).astype('>u2')
with h5py.File(d + '/py.nxs', 'w') as f:
    e = f.create_group('entry'); e.attrs['NX_class'] = 'NXentry'
    g = e.create_group('measurement'); g.attrs['NX_class'] = 'NXdata'; g.attrs['signal'] = 'spectra'
    g.attrs['axes'] = ['y', 'x', 'energy']
    g.create_dataset('spectra', data=a, chunks=(3, 8, 32), compression='gzip')
    en = g.create_dataset('energy', data=-20.0 + 10.0 * np.arange(64)); en.attrs['units'] = 'eV'
    f.create_dataset('bigger', data=np.zeros((10, 10, 100), dtype='<f4'))
np.savetxt(d + '/expected.txt', a.reshape(-1), fmt='%d')
`;
    const r = spawnSync('/usr/bin/python3', ['-c', script, dir], { encoding: 'utf8' });
    assert.equal(r.status, 0, r.stderr);
    const expected = Float64Array.from((await fs.readFile(path.join(dir, 'expected.txt'), 'utf8')).trim().split('\n').map(Number));
    const cube = await openCube(path.join(dir, 'py.nxs'));
    try {
      assert.deepEqual([cube.datasetPath, cube.height, cube.width, cube.channels, cube.dtype], ['/entry/measurement/spectra', 9, 8, 64, 'u2']);
      assert.equal(maxAbsDiff(await cube.readRows(0, 9), expected), 0);
      assert.equal(maxAbsDiff(await cube.readPixel(7, 3), expected.subarray((7 * 8 + 3) * 64, (7 * 8 + 4) * 64)), 0);
      assert.ok(cube.fileCalibration);
      assert.ok(Math.abs(cube.fileCalibration.offsetKeV + 0.02) < 1e-12 && Math.abs(cube.fileCalibration.gainKeV - 0.01) < 1e-12);
    } finally {
      await cube.close();
    }
  });
});

// ---- Axis order: channels first (or anywhere) ----------------------------------------------

type Axis = 'r' | 'c' | 'ch';

/**
 * Pixel-major H×W×C values laid out in another stored order, one element at a time from its own
 * strides (independent of the reader's tiled transpose). Returns the data and its stored shape.
 */
function stored(v: Float64Array, h: number, w: number, ch: number, order: [Axis, Axis, Axis]): { data: Float64Array; shape: number[] } {
  const size: Record<Axis, number> = { r: h, c: w, ch };
  const shape = order.map((a) => size[a]);
  const stride: Record<string, number> = {};
  stride[order[2]] = 1;
  stride[order[1]] = shape[2];
  stride[order[0]] = shape[1] * shape[2];
  const data = new Float64Array(v.length);
  for (let r = 0; r < h; r++)
    for (let c = 0; c < w; c++)
      for (let k = 0; k < ch; k++) data[r * stride.r + c * stride.c + k * stride.ch] = v[(r * w + c) * ch + k];
  return { data, shape };
}

function pixelOfShape(v: Float64Array, w: number, ch: number, r: number, c: number): Float64Array {
  return v.subarray((r * w + c) * ch, (r * w + c + 1) * ch);
}

/** Every row, every row block split, and every pixel of `file` equal `v` (pixel-major H×W×C). */
async function expectCube(file: string, v: Float64Array, h: number, w: number, ch: number, opts: { dataset?: string } = {}): Promise<Hdf5Cube> {
  const cube = (await openCube(file, opts)) as Hdf5Cube;
  try {
    assert.deepEqual([cube.height, cube.width, cube.channels], [h, w, ch]);
    assert.equal(maxAbsDiff(await cube.readRows(0, h), v), 0, 'whole cube');
    for (let r = 0; r < h; r++) assert.equal(maxAbsDiff(await cube.readRows(r, 1), v.subarray(r * w * ch, (r + 1) * w * ch)), 0, `row ${r}`);
    for (let r = 0; r < h; r++) for (let c = 0; c < w; c++) assert.equal(maxAbsDiff(await cube.readPixel(r, c), pixelOfShape(v, w, ch, r, c)), 0, `pixel ${r},${c}`);
  } finally {
    await cube.close();
  }
  return cube;
}

test('HDF5 channels first: NXdata axes ["energy","y","x"] with an energy axis; shape, calibration, values, pixels; a channels-last twin reads the same', async () => {
  await withTempDir(async (dir) => {
    const v = testValues(H, W, C);
    const energy = Float64Array.from({ length: C }, (_, i) => 0.05 + 0.02 * i);
    const cf = stored(v, H, W, C, ['ch', 'r', 'c']);
    assert.deepEqual(cf.shape, [C, H, W]);
    const first = await writeH5(path.join(dir, 'cf.nxs'), (root) => {
      const data = group(group(root, 'entry', 'NXentry'), 'data', 'NXdata');
      data.create_attribute('signal', 'counts');
      data.create_attribute('axes', ['energy', 'y', 'x']);
      data.create_dataset({ name: 'counts', data: Uint16Array.from(cf.data), shape: cf.shape });
      data.create_dataset({ name: 'energy', data: energy, shape: [C] });
      data.create_dataset({ name: 'y', data: Float64Array.from({ length: H }, (_, i) => i), shape: [H] });
      data.create_dataset({ name: 'x', data: Float64Array.from({ length: W }, (_, i) => i), shape: [W] });
    });
    const last = await writeH5(path.join(dir, 'cl.nxs'), (root) => {
      const data = group(group(root, 'entry', 'NXentry'), 'data', 'NXdata');
      data.create_attribute('signal', 'counts');
      data.create_attribute('axes', ['y', 'x', 'energy']);
      data.create_dataset({ name: 'counts', data: Uint16Array.from(v), shape: [H, W, C] });
      data.create_dataset({ name: 'energy', data: energy, shape: [C] });
    });
    const cube = await expectCube(first, v, H, W, C);
    assert.deepEqual([cube.channelAxis, cube.axesFrom, cube.dtype], [0, 'NXdata axes', 'u2']);
    assert.ok(cube.fileCalibration);
    assert.ok(Math.abs(cube.fileCalibration.offsetKeV - 0.05) < 1e-12 && Math.abs(cube.fileCalibration.gainKeV - 0.02) < 1e-12);
    const twin = await expectCube(last, v, H, W, C);
    assert.deepEqual([twin.channelAxis, twin.axesFrom], [2, 'NXdata axes']);
    assert.deepEqual(twin.fileCalibration, cube.fileCalibration);
    // The two files give the same cube, block by block.
    const a = await openCube(first);
    const b = await openCube(last);
    assert.deepEqual(await a.readRows(1, 4), await b.readRows(1, 4));
    await a.close();
    await b.close();

    const [cand] = await listCubeDatasets(first);
    assert.deepEqual(
      [cand.path, cand.shape, cand.storedShape, cand.channelAxis, cand.axesFrom, cand.preferred],
      ['/entry/data/counts', [H, W, C], [C, H, W], 0, 'NXdata axes', true],
    );
  });
});

test('HDF5 axis order from <name>_indices (channels in the middle too), the dataset\'s own axes, old NeXus axis=k, dimension scales, interpretation', async () => {
  await withTempDir(async (dir) => {
    const v = testValues(H, W, C, { fractional: true });
    // (rows, channels, cols) said by energy_indices = 1: exercises the general reorder, not only channels-first.
    const mid = stored(v, H, W, C, ['r', 'ch', 'c']);
    const indices = await writeH5(path.join(dir, 'indices.nxs'), (root) => {
      const data = group(group(root, 'entry', 'NXentry'), 'data', 'NXdata');
      data.create_attribute('signal', 'spectra');
      data.create_attribute('energy_indices', 1);
      data.create_attribute('y_indices', 0);
      data.create_attribute('x_indices', 2);
      data.create_dataset({ name: 'spectra', data: Float32Array.from(mid.data), shape: mid.shape, chunks: [2, 16, 3] });
      const e = data.create_dataset({ name: 'energy', data: Float64Array.from({ length: C }, (_, i) => 100 + 10 * i), shape: [C] });
      e.create_attribute('units', 'eV');
    });
    const m = await expectCube(indices, v, H, W, C);
    assert.deepEqual([m.channelAxis, m.axesFrom, m.dtype], [1, 'NXdata indices', 'f4']);
    assert.ok(m.fileCalibration && Math.abs(m.fileCalibration.offsetKeV - 0.1) < 1e-12 && Math.abs(m.fileCalibration.gainKeV - 0.01) < 1e-12);

    // Channels first, said by the axis dataset's units alone (its name "q" says nothing).
    const cf = stored(v, H, W, C, ['ch', 'r', 'c']);
    const units = await writeH5(path.join(dir, 'units.nxs'), (root) => {
      const data = group(root, 'data', 'NXdata');
      data.create_attribute('signal', 'counts');
      data.create_attribute('axes', ['q', '.', '.']);
      data.create_dataset({ name: 'counts', data: Float64Array.from(cf.data), shape: cf.shape });
      const q = data.create_dataset({ name: 'q', data: Float64Array.from({ length: C }, (_, i) => 1 + 0.01 * i), shape: [C] });
      q.create_attribute('units', 'keV');
    });
    const u = await expectCube(units, v, H, W, C);
    assert.deepEqual([u.channelAxis, u.axesFrom], [0, 'NXdata axes']);
    assert.ok(u.fileCalibration && Math.abs(u.fileCalibration.offsetKeV - 1) < 1e-12);

    // Old NeXus: the dataset's own colon-separated axes attribute.
    const own = await writeH5(path.join(dir, 'own.h5'), (root) => {
      const ds = root.create_dataset({ name: 'cube', data: Float32Array.from(cf.data), shape: cf.shape });
      ds.create_attribute('axes', 'channel:row:column');
    });
    const o = await expectCube(own, v, H, W, C);
    assert.deepEqual([o.channelAxis, o.axesFrom], [0, 'dataset axes attribute']);

    // Old NeXus: signal = 1 and sibling axis datasets with axis = k (1-based).
    const old = await writeH5(path.join(dir, 'old.h5'), (root) => {
      const g = group(root, 'scan');
      const ds = g.create_dataset({ name: 'cube', data: Float32Array.from(cf.data), shape: cf.shape });
      ds.create_attribute('signal', 1);
      g.create_dataset({ name: 'energy', data: new Float64Array(C), shape: [C] }).create_attribute('axis', 1);
      g.create_dataset({ name: 'ypos', data: new Float64Array(H), shape: [H] }).create_attribute('axis', 2);
      g.create_dataset({ name: 'xpos', data: new Float64Array(W), shape: [W] }).create_attribute('axis', 3);
    });
    const od = await expectCube(old, v, H, W, C);
    assert.deepEqual([od.channelAxis, od.axesFrom], [0, 'axis datasets']);

    // HDF5 dimension scales (h5py's dims[0].attach_scale / dims[i].label).
    const scales = await writeH5(path.join(dir, 'scales.h5'), (root) => {
      const ds = root.create_dataset({ name: 'cube', data: Float32Array.from(cf.data), shape: cf.shape });
      const e = root.create_dataset({ name: 'en', data: new Float64Array(C), shape: [C] });
      e.create_attribute('units', 'keV');
      e.make_scale('en');
      ds.attach_scale(0, '/en');
      ds.set_dimension_label(1, 'y');
    });
    const sc = await expectCube(scales, v, H, W, C);
    assert.deepEqual([sc.channelAxis, sc.axesFrom], [0, 'dimension scales']);

    // interpretation = "spectrum" keeps the last axis even where the shape alone would say channels first.
    const [h2, w2, c2] = [300, 2, 40];
    assert.equal(channelsFirstByShape([h2, w2, c2]), true);
    const v2 = testValues(h2, w2, c2);
    const interp = await writeH5(path.join(dir, 'interp.h5'), (root) => {
      root.create_dataset({ name: 'cube', data: Uint16Array.from(v2), shape: [h2, w2, c2] }).create_attribute('interpretation', 'spectrum');
    });
    const it = (await openCube(interp)) as Hdf5Cube;
    assert.deepEqual([it.height, it.width, it.channels, it.channelAxis, it.axesFrom], [h2, w2, c2, 2, 'interpretation']);
    assert.equal(maxAbsDiff(await it.readRows(0, h2), v2), 0);
    await it.close();
  });
});

test('HDF5 with no axis metadata: 512 × 6 × 7 is read channels first (by shape); 6 × 7 × 512 and an energy axis beside a short first axis decide too', async () => {
  await withTempDir(async (dir) => {
    const C2 = 512;
    const v = testValues(H, W, C2, { max: 60000 });
    const cf = stored(v, H, W, C2, ['ch', 'r', 'c']);
    const first = await writeH5(path.join(dir, 'first.h5'), (root) => {
      group(root, 'entry').create_dataset({ name: 'data', data: Uint16Array.from(cf.data), shape: cf.shape });
    });
    const a = await expectCube(first, v, H, W, C2);
    assert.deepEqual([a.channelAxis, a.axesFrom], [0, 'shape']);
    const [listed] = await listCubeDatasets(first);
    assert.deepEqual([listed.shape, listed.storedShape, listed.channelAxis], [[H, W, C2], [C2, H, W], 0]);

    // 64-bit integers take the BigInt path of the same reorder.
    const big = await writeH5(path.join(dir, 'big.h5'), (root) => {
      root.create_dataset({ name: 'data', data: BigInt64Array.from(cf.data, (x) => BigInt(x)), shape: cf.shape });
    });
    const b = await expectCube(big, v, H, W, C2);
    assert.deepEqual([b.dtype, b.channelAxis], ['i8', 0]);

    // The same values channels last, with a small first axis: not transposed.
    const last = await writeH5(path.join(dir, 'last.h5'), (root) => {
      root.create_dataset({ name: 'data', data: Uint16Array.from(v), shape: [H, W, C2] });
    });
    const l = await expectCube(last, v, H, W, C2);
    assert.deepEqual([l.channelAxis, l.axesFrom], [2, 'default']);

    // 40 × 6 × 7: too short for the shape rule, but an energy axis of length 40 beside it says channels first.
    const v40 = testValues(H, W, C);
    const cf40 = stored(v40, H, W, C, ['ch', 'r', 'c']);
    const withAxis = await writeH5(path.join(dir, 'axis.h5'), (root) => {
      const g = group(root, 'scan');
      g.create_dataset({ name: 'cube', data: Uint16Array.from(cf40.data), shape: cf40.shape });
      g.create_dataset({ name: 'energy', data: Float64Array.from({ length: C }, (_, i) => 0.2 + 0.01 * i), shape: [C] });
    });
    const e = await expectCube(withAxis, v40, H, W, C);
    assert.deepEqual([e.channelAxis, e.axesFrom], [0, 'energy axis length']);
    assert.ok(e.fileCalibration && Math.abs(e.fileCalibration.offsetKeV - 0.2) < 1e-12 && Math.abs(e.fileCalibration.gainKeV - 0.01) < 1e-12);
  });
});

test('the channel-axis rules: shape thresholds on both sides, evidence order, names that are and are not energy', () => {
  // Channels first by shape: first axis much the longest, last axis not a spectrum (< 256) ...
  for (const s of [[4096, 300, 200], [512, 6, 7], [256, 64, 10], [4096, 1, 200]]) assert.equal(channelsFirstByShape(s), true, `${s}`);
  // ... or first ≥ 8× both others, both ≥ 16.
  for (const s of [[4096, 300, 300], [2048, 256, 256], [4096, 512, 512]]) assert.equal(channelsFirstByShape(s), true, `${s}`);
  // Not: ordinary channels-last scans, toy cubes, channels-first files too close to call, line scans.
  for (const s of [[6, 7, 4096], [1000, 800, 4096], [300, 200, 64], [255, 8, 8], [1024, 300, 200], [4096, 600, 800], [4096, 1, 512], [5000, 20, 1024], [4096, 520, 300]]) {
    assert.equal(channelsFirstByShape(s), false, `${s}`);
  }
  const shape = [512, 6, 7];
  const base = { shape, labels: [], energyAxisLengths: [] };
  assert.deepEqual(decideChannelAxis(base), { channelAxis: 0, from: 'shape' });
  assert.deepEqual(decideChannelAxis({ ...base, shape: [6, 7, 512] }), { channelAxis: 2, from: 'default' });
  // Metadata beats interpretation beats the energy axis length beats the shape.
  const meta = { source: 'NXdata axes' as const, labels: [{ dim: 1, name: 'energy' }] };
  assert.deepEqual(decideChannelAxis({ ...base, labels: [meta], interpretation: 'spectrum', energyAxisLengths: [512] }), { channelAxis: 1, from: 'NXdata axes' });
  assert.deepEqual(decideChannelAxis({ ...base, interpretation: 'spectrum', energyAxisLengths: [512] }), { channelAxis: 2, from: 'interpretation' });
  assert.deepEqual(decideChannelAxis({ ...base, energyAxisLengths: [7] }), { channelAxis: 2, from: 'energy axis length' });
  // Inconclusive evidence falls through: two axes called energy, an axis dataset of the wrong length, an ambiguous length.
  const two = { source: 'NXdata axes' as const, labels: [{ dim: 0, name: 'energy' }, { dim: 2, name: 'channel' }] };
  assert.deepEqual(decideChannelAxis({ ...base, labels: [two] }), { channelAxis: 0, from: 'shape' });
  const wrongLength = { source: 'NXdata axes' as const, labels: [{ dim: 2, name: 'energy', length: 100 }] };
  assert.deepEqual(decideChannelAxis({ ...base, labels: [wrongLength] }), { channelAxis: 0, from: 'shape' });
  const binEdges = { source: 'NXdata axes' as const, labels: [{ dim: 2, name: 'energy', length: 8 }] };
  assert.deepEqual(decideChannelAxis({ ...base, labels: [binEdges] }), { channelAxis: 2, from: 'NXdata axes' });
  assert.deepEqual(decideChannelAxis({ shape: [64, 64, 64], labels: [], energyAxisLengths: [64] }), { channelAxis: 2, from: 'default' });
  assert.deepEqual(decideChannelAxis({ ...base, labels: [{ source: 'NXdata axes', labels: [{ dim: 2, name: 'q', units: 'eV' }] }] }), { channelAxis: 2, from: 'NXdata axes' });

  for (const n of ['energy', 'Energy_keV', 'channel', 'channels', 'chan', 'E', 'e', 'keV', 'mca_chan', 'photon energy']) assert.equal(isEnergyName(n), true, n);
  for (const n of ['x', 'y', 'row', 'column', 'level', 'exchange', 'time', 'sample_x', 'ypos', 'mechanical']) assert.equal(isEnergyName(n), false, n);
});

test('HDF5 channels first, chunked + gzip, float: row blocks of every size equal the whole; NaN is reported at its pixel and channel', async () => {
  await withTempDir(async (dir) => {
    const [h, w, ch] = [9, 11, 301]; // 301 channels, 11 columns: not multiples of the transpose's 4 × 4 blocks
    const v = testValues(h, w, ch, { fractional: true, signed: true, max: 997 });
    const cf = stored(v, h, w, ch, ['ch', 'r', 'c']);
    const file = await writeH5(path.join(dir, 'gz.h5'), (root) => {
      root.create_dataset({ name: 'cube', data: Float32Array.from(cf.data), shape: cf.shape, chunks: [64, 4, 5], compression: 'gzip', compression_opts: 4 });
    });
    const cube = (await openCube(file)) as Hdf5Cube;
    try {
      assert.deepEqual([cube.height, cube.width, cube.channels, cube.channelAxis, cube.axesFrom], [h, w, ch, 0, 'shape']);
      const whole = await cube.readRows(0, h);
      assert.equal(maxAbsDiff(whole, v), 0);
      for (const block of [1, 2, 4, 5]) {
        const out = new Float32Array(block * w * ch + 17); // a reused, larger buffer: only its start is written
        for (let r0 = 0; r0 < h; r0 += block) {
          const n = Math.min(block, h - r0);
          const got = await cube.readRows(r0, n, out);
          assert.equal(got, out);
          assert.deepEqual(got.subarray(0, n * w * ch), whole.subarray(r0 * w * ch, (r0 + n) * w * ch), `block ${block} at ${r0}`);
        }
      }
      assert.equal(maxAbsDiff(await cube.readPixel(8, 10), pixelOfShape(v, w, ch, 8, 10)), 0);
    } finally {
      await cube.close();
    }

    const nanV = testValues(H, W, 512, { fractional: true });
    nanV[(3 * W + 2) * 512 + 300] = NaN;
    const nanCf = stored(nanV, H, W, 512, ['ch', 'r', 'c']);
    const nan = await writeH5(path.join(dir, 'nan.h5'), (root) => {
      root.create_dataset({ name: 'cube', data: Float64Array.from(nanCf.data), shape: nanCf.shape });
    });
    const n = await openCube(nan);
    await expectInputError(n.readRows(0, H), nan, /NaN value at row 3, column 2, channel 300/);
    await expectInputError(n.readRows(3, 1), nan, /NaN value at row 3, column 2, channel 300/);
    await expectInputError(n.readPixel(3, 2), nan, /NaN value at row 3, column 2, channel 300/);
    await n.close();
  });
});

test('cross-check: a channels-first NeXus file written by h5py (energy, y, x; gzip; energy in eV) reads back numpy\'s transpose', { skip: skipH5py }, async () => {
  await withTempDir(async (dir) => {
    const script = `
import h5py, numpy as np, sys
d = sys.argv[1]
r = np.arange(9*8*300, dtype=np.int64).reshape(9, 8, 300)
a = ((r * 53) % 4001).astype('<u2')            # rows, cols, channels
with h5py.File(d + '/cf.nxs', 'w') as f:
    e = f.create_group('entry'); e.attrs['NX_class'] = 'NXentry'
    g = e.create_group('data'); g.attrs['NX_class'] = 'NXdata'; g.attrs['signal'] = 'counts'
    g.attrs['axes'] = ['energy', 'y', 'x']
    g.attrs['energy_indices'] = 0; g.attrs['y_indices'] = 1; g.attrs['x_indices'] = 2
    g.create_dataset('counts', data=np.ascontiguousarray(a.transpose(2, 0, 1)), chunks=(100, 3, 8), compression='gzip')
    en = g.create_dataset('energy', data=500.0 + 10.0 * np.arange(300)); en.attrs['units'] = 'eV'
    g.create_dataset('y', data=np.arange(9.0)); g.create_dataset('x', data=np.arange(8.0))
# an unlabelled channels-first twin in another file (shape rule: 4096 x 5 x 6)
b = ((np.arange(5*6*4096).reshape(5, 6, 4096) * 7) % 1009).astype('<f4')
with h5py.File(d + '/bare.h5', 'w') as f:
    f.create_dataset('spectra', data=np.ascontiguousarray(b.transpose(2, 0, 1)))
np.savetxt(d + '/expected.txt', a.reshape(-1), fmt='%d')
np.savetxt(d + '/bare.txt', b.reshape(-1), fmt='%g')
`;
    const r = spawnSync('/usr/bin/python3', ['-c', script, dir], { encoding: 'utf8' });
    assert.equal(r.status, 0, r.stderr);
    const load = async (name: string) => Float64Array.from((await fs.readFile(path.join(dir, name), 'utf8')).trim().split('\n').map(Number));
    const expected = await load('expected.txt');
    const cube = (await openCube(path.join(dir, 'cf.nxs'))) as Hdf5Cube;
    try {
      assert.deepEqual([cube.datasetPath, cube.height, cube.width, cube.channels, cube.dtype, cube.channelAxis, cube.axesFrom], ['/entry/data/counts', 9, 8, 300, 'u2', 0, 'NXdata axes']);
      assert.equal(maxAbsDiff(await cube.readRows(0, 9), expected), 0);
      assert.equal(maxAbsDiff(await cube.readRows(4, 3), expected.subarray(4 * 8 * 300, 7 * 8 * 300)), 0);
      assert.equal(maxAbsDiff(await cube.readPixel(7, 3), expected.subarray((7 * 8 + 3) * 300, (7 * 8 + 4) * 300)), 0);
      assert.ok(cube.fileCalibration);
      assert.ok(Math.abs(cube.fileCalibration.offsetKeV - 0.5) < 1e-12 && Math.abs(cube.fileCalibration.gainKeV - 0.01) < 1e-12);
    } finally {
      await cube.close();
    }
    const bare = (await openCube(path.join(dir, 'bare.h5'))) as Hdf5Cube;
    try {
      assert.deepEqual([bare.height, bare.width, bare.channels, bare.channelAxis, bare.axesFrom], [5, 6, 4096, 0, 'shape']);
      assert.equal(maxAbsDiff(await bare.readRows(0, 5), await load('bare.txt')), 0);
    } finally {
      await bare.close();
    }
  });
});

test('xrfmaps info on a channels-first HDF5 scan: shape [H, W, C], the stored order and what decided it', async () => {
  await withTempDir(async (dir) => {
    const file = await writeH5(path.join(dir, 'cf.nxs'), (root) => {
      const data = group(root, 'data', 'NXdata');
      data.create_attribute('signal', 'counts');
      data.create_attribute('axes', ['energy', 'y', 'x']);
      data.create_dataset({ name: 'counts', data: new Uint16Array(C * H * W), shape: [C, H, W] });
    });
    const main = path.resolve(__dirname, '../../src/cli/main.ts');
    const run = (args: string[]) => spawnSync(process.execPath, ['--import', 'tsx', main, 'info', file, ...args], { encoding: 'utf8', cwd: path.resolve(__dirname, '../..') });
    const json = run(['--json']);
    assert.equal(json.status, 0, json.stderr);
    const info = JSON.parse(json.stdout);
    assert.deepEqual([info.shape, info.storedOrder, info.storedOrderFrom], [[H, W, C], 'channels × rows × columns', 'NXdata axes']);
    const human = run([]);
    assert.match(human.stdout, /stored as\s+channels × rows × columns \(from NXdata axes\)/);
    assert.match(human.stdout, new RegExp(`${H} × ${W} pixels × ${C} channels`));
  });
});

test('HDF5 channel axis the file does not make clear: the sidecar JSON\'s "channelAxis" says which; a bad value is an error naming the sidecar', async () => {
  await withTempDir(async (dir) => {
    // 40 × 6 × 7 channels first, no metadata, no energy axis: read channels last by default.
    const v = testValues(H, W, C);
    const cf = stored(v, H, W, C, ['ch', 'r', 'c']);
    const file = await writeH5(path.join(dir, 'plain.h5'), (root) => {
      root.create_dataset({ name: 'data', data: Uint16Array.from(cf.data), shape: cf.shape });
    });
    const before = await openCube(file);
    try {
      assert.deepEqual([before.height, before.width, before.channels], [C, H, W]);
    } finally {
      await before.close();
    }
    const sidecar = path.join(dir, 'plain.json');
    await fs.writeFile(sidecar, JSON.stringify({ channelAxis: 0 }));
    const c = await expectCube(file, v, H, W, C);
    assert.deepEqual([c.channelAxis, c.axesFrom], [0, 'user']);
    // The option wins over the sidecar.
    const opt = await openCube(file, { channelAxis: 2 });
    try {
      assert.deepEqual([opt.height, opt.width, opt.channels], [C, H, W]);
    } finally {
      await opt.close();
    }
    await fs.writeFile(sidecar, JSON.stringify({ channelAxis: 'first' }));
    await assert.rejects(openCube(file), (e: unknown) => e instanceof XrfInputError && e.file === sidecar && /"channelAxis" must be 0, 1 or 2/.test(e.message));
  });
});
