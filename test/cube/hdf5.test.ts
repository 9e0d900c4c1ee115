import { test } from 'node:test';
import assert from 'node:assert/strict';
import { promises as fs } from 'node:fs';
import { spawnSync } from 'node:child_process';
import * as path from 'node:path';
import { openCube, listCubeDatasets } from '../../src/core/cube/open';
import { loadH5wasm } from '../../src/core/cube/hdf5';
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
