import { test } from 'node:test';
import assert from 'node:assert/strict';
import { promises as fs } from 'node:fs';
import { spawnSync } from 'node:child_process';
import * as path from 'node:path';
import { openCube } from '../../src/core/cube/open';
import { npzLimits } from '../../src/core/cube/npz';
import type { DType } from '../../src/core/cube/cube';
import { XrfInputError } from '../../src/core/errors';
import { maxAbsDiff, npyBytes, npyOf, pythonMissing, testValues, withTempDir, zipOf } from './writers';

const H = 6;
const W = 5;
const C = 23;

async function checkCube(file: string, v: Float64Array, what: string, format = 'npy'): Promise<void> {
  const cube = await openCube(file);
  try {
    assert.deepEqual([cube.format, cube.height, cube.width, cube.channels], [format, H, W, C], what);
    assert.equal(maxAbsDiff(await cube.readRows(0, H), v), 0, `${what}: all rows`);
    assert.equal(maxAbsDiff(await cube.readRows(2, 3), v.subarray(2 * W * C, 5 * W * C)), 0, `${what}: rows 2..4`);
    for (const [r, c] of [[0, 0], [4, 3], [5, 4]]) {
      const px = await cube.readPixel(r, c);
      assert.equal(maxAbsDiff(px, v.subarray((r * W + c) * C, (r * W + c + 1) * C)), 0, `${what}: pixel (${r}, ${c})`);
    }
  } finally {
    await cube.close();
  }
}

const DTYPES: DType[] = ['u1', 'u2', 'u4', 'u8', 'i1', 'i2', 'i4', 'i8', 'f4', 'f8'];

test('NPY: versions 1–3 × every dtype × byte order × C/Fortran order', async () => {
  await withTempDir(async (dir) => {
    for (const dtype of DTYPES) {
      const v = testValues(H, W, C, { signed: dtype[0] !== 'u', fractional: dtype[0] === 'f', max: dtype === 'i1' ? 128 : 251 });
      for (const littleEndian of [true, false]) {
        for (const fortran of [false, true]) {
          for (const version of [1, 2, 3] as const) {
            const file = path.join(dir, `a-${dtype}-${littleEndian}-${fortran}-${version}.npy`);
            await fs.writeFile(file, npyOf(v, H, W, C, dtype, { littleEndian, fortran, version }));
            const cube = await openCube(file);
            assert.equal(cube.dtype, dtype);
            await cube.close();
            await checkCube(file, v, `${dtype} ${littleEndian ? '<' : '>'} ${fortran ? 'F' : 'C'} v${version}`);
          }
        }
      }
    }
  });
});

test('NPY: an unknown extension is recognised by its magic', async () => {
  await withTempDir(async (dir) => {
    const v = testValues(H, W, C);
    const file = path.join(dir, 'scan.dat');
    await fs.writeFile(file, npyOf(v, H, W, C, 'u2'));
    await checkCube(file, v, 'sniffed');
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

test('NPY bad input: short/corrupt header, bad magic, not 3-D, zero dims, truncated data, unsupported dtype, NaN', async () => {
  await withTempDir(async (dir) => {
    const v = testValues(H, W, C);
    const good = npyOf(v, H, W, C, 'u2');
    const cases: [string, Uint8Array, RegExp][] = [
      ['short.npy', good.subarray(0, 7), /truncated/],
      ['cut-header.npy', good.subarray(0, 40), /truncated/],
      ['magic.npy', new Uint8Array([1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12]), /not an NPY file/],
      ['dict.npy', good.map((b, i) => (i >= 10 && i < 74 ? 0x20 : b)), /not a valid dictionary/],
      ['2d.npy', npyBytes('<u2', [H * W, C], new Uint8Array(H * W * C * 2)), /must be 3-D/],
      ['zero.npy', npyBytes('<u2', [H, 0, C], new Uint8Array(0)), /zero dimension/],
      ['trunc.npy', good.subarray(0, good.length - 3), /truncated/],
      ['complex.npy', npyBytes('<c8', [H, W, C], new Uint8Array(H * W * C * 8)), /unsupported NPY dtype "<c8"/],
      ['half.npy', npyBytes('<f2', [H, W, C], new Uint8Array(H * W * C * 2)), /unsupported NPY dtype "<f2"/],
    ];
    for (const [name, bytes, problem] of cases) {
      const file = path.join(dir, name);
      await fs.writeFile(file, bytes);
      await expectInputError(openCube(file), file, problem);
    }
    const nan = testValues(H, W, C, { fractional: true });
    nan[(4 * W + 2) * C + 9] = NaN;
    const file = path.join(dir, 'nan.npy');
    await fs.writeFile(file, npyOf(nan, H, W, C, 'f8'));
    const cube = await openCube(file);
    await expectInputError(cube.readRows(0, H), file, /NaN value at row 4, column 2, channel 9/);
    await expectInputError(cube.readPixel(4, 2), file, /NaN value at row 4, column 2, channel 9/);
    await cube.close();
  });
});

test('NPZ: one stored member (np.savez) is read positionally; deflated (np.savez_compressed) in memory and streamed', async () => {
  await withTempDir(async (dir) => {
    const v = testValues(H, W, C);
    const npy = npyOf(v, H, W, C, 'u2');
    const stored = path.join(dir, 'stored.npz');
    await fs.writeFile(stored, zipOf([{ name: 'arr_0.npy', data: npy }]));
    await checkCube(stored, v, 'stored', 'npz');
    const deflated = path.join(dir, 'deflated.npz');
    await fs.writeFile(deflated, zipOf([{ name: 'counts.npy', data: npy, deflate: true }]));
    await checkCube(deflated, v, 'deflated (in memory)', 'npz');
    const fortran = path.join(dir, 'fortran.npz');
    await fs.writeFile(fortran, zipOf([{ name: 'arr_0.npy', data: npyOf(v, H, W, C, 'f4', { fortran: true }), deflate: true }]));
    await checkCube(fortran, v, 'deflated Fortran (in memory)', 'npz');
    const saved = npzLimits.inflateInMemoryBytes;
    npzLimits.inflateInMemoryBytes = 100; // force the streaming path
    try {
      await checkCube(deflated, v, 'deflated (streamed)', 'npz');
      // Backwards after forwards: the cursor restarts and still reads the right rows.
      const cube = await openCube(deflated);
      assert.equal(maxAbsDiff(await cube.readRows(4, 2), v.subarray(4 * W * C)), 0);
      assert.equal(maxAbsDiff(await cube.readRows(0, 1), v.subarray(0, W * C)), 0);
      // Two reads in flight at once (the pass double-buffers) are served in order.
      const [a, b] = await Promise.all([cube.readRows(0, 3), cube.readRows(3, 3)]);
      assert.equal(maxAbsDiff(a, v.subarray(0, 3 * W * C)), 0);
      assert.equal(maxAbsDiff(b, v.subarray(3 * W * C)), 0);
      await cube.close();
      await expectInputError(openCube(fortran), fortran, /Fortran-order/);
    } finally {
      npzLimits.inflateInMemoryBytes = saved;
    }
  });
});

test('NPZ bad input: no arrays, two arrays, corrupt archive, truncated deflate stream', async () => {
  await withTempDir(async (dir) => {
    const v = testValues(H, W, C);
    const npy = npyOf(v, H, W, C, 'u2');
    const none = path.join(dir, 'none.npz');
    await fs.writeFile(none, zipOf([{ name: 'readme.txt', data: new TextEncoder().encode('hi') }]));
    await expectInputError(openCube(none), none, /holds no arrays/);
    const two = path.join(dir, 'two.npz');
    await fs.writeFile(two, zipOf([{ name: 'a.npy', data: npy }, { name: 'b.npy', data: npy }]));
    await expectInputError(openCube(two), two, /holds 2 arrays \(a, b\)/);
    const junk = path.join(dir, 'junk.npz');
    await fs.writeFile(junk, new Uint8Array(500).fill(7));
    await expectInputError(openCube(junk), junk, /not a ZIP\/NPZ archive/);
    const cut = path.join(dir, 'cut.npz');
    const whole = zipOf([{ name: 'arr_0.npy', data: npy }]);
    await fs.writeFile(cut, whole.subarray(0, whole.length - 30));
    await expectInputError(openCube(cut), cut, /not a ZIP|truncated/);
    // A deflate stream whose data ends early: the central directory is intact, the data is not.
    const bad = zipOf([{ name: 'arr_0.npy', data: npy, deflate: true }]);
    const dv = new DataView(bad.buffer);
    const compressedSize = dv.getUint32(18, true);
    bad.fill(0, 30 + 'arr_0.npy'.length + Math.floor(compressedSize / 2), 30 + 'arr_0.npy'.length + compressedSize);
    const badFile = path.join(dir, 'bad-deflate.npz');
    await fs.writeFile(badFile, bad);
    await assert.rejects(async () => {
      const cube = await openCube(badFile);
      try {
        await cube.readRows(0, H);
      } finally {
        await cube.close();
      }
    }, (e: unknown) => e instanceof XrfInputError && e.file === badFile);
  });
});

const skipNumpy = pythonMissing(['numpy']);

test('cross-check: .npy, .npz and compressed .npz written by numpy read back the values numpy holds', { skip: skipNumpy }, async () => {
  await withTempDir(async (dir) => {
    const script = `
import numpy as np, sys
d = sys.argv[1]
r = np.arange(7*6*50, dtype=np.int64).reshape(7, 6, 50)
a = ((r * 37) % 1009).astype('>u2')
np.save(d + '/be.npy', a)
np.save(d + '/f.npy', np.asfortranarray(a.astype('<f4') / 3))
np.savez(d + '/s.npz', counts=a.astype('<i4'))
np.savez_compressed(d + '/c.npz', a.astype('<u4'))
np.savetxt(d + '/expected.txt', a.reshape(-1), fmt='%d')
`;
    const r = spawnSync('/usr/bin/python3', ['-c', script, dir], { encoding: 'utf8' });
    assert.equal(r.status, 0, r.stderr);
    const expected = Float64Array.from((await fs.readFile(path.join(dir, 'expected.txt'), 'utf8')).trim().split('\n').map(Number));
    for (const [name, scale, fmt] of [['be.npy', 1, 'npy'], ['f.npy', 3, 'npy'], ['s.npz', 1, 'npz'], ['c.npz', 1, 'npz']] as const) {
      const cube = await openCube(path.join(dir, name));
      try {
        assert.deepEqual([cube.format, cube.height, cube.width, cube.channels], [fmt, 7, 6, 50], name);
        const all = await cube.readRows(0, 7);
        const got = Float64Array.from(all, (x) => x * scale);
        assert.ok(maxAbsDiff(got, expected) < 1e-3, `${name}: values match numpy's`);
        const px = await cube.readPixel(5, 4);
        assert.ok(maxAbsDiff(Float64Array.from(px, (x) => x * scale), expected.subarray((5 * 6 + 4) * 50, (5 * 6 + 5) * 50)) < 1e-3, `${name}: pixel`);
      } finally {
        await cube.close();
      }
    }
  });
});


