import { test } from 'node:test';
import assert from 'node:assert/strict';
import { promises as fs } from 'node:fs';
import * as path from 'node:path';
import { readGroundTruth, listGroundTruthLines } from '../../src/core/groundtruth/read';
import { readNpy } from '../../src/core/io/npy-read';
import { writeNpy } from '../../src/core/io/npy-write';
import { XrfInputError } from '../../src/core/errors';
import { withTempDir, npyBytes, f8be, pythonHas, runPython } from './helpers';

test('NPY H×W×k float32 + sidecar reads as maps with normalized names', async () => {
  await withTempDir(async (dir) => {
    const h = 2, w = 3, k = 2;
    const data = new Float32Array(h * w * k).map((_, i) => i * 0.5);
    const p = path.join(dir, 'truth.npy');
    await writeNpy(p, data, [h, w, k]);
    await fs.writeFile(path.join(dir, 'truth.json'), JSON.stringify({ lines: ['Fe_K', 'pb-l'], calibration: { offsetKeV: 0, gainKeV: 0.01 } }));
    const before = await fs.readFile(p);
    const s = await readGroundTruth(p);
    assert.deepEqual(s.lines, ['Fe K', 'Pb L']);
    assert.equal(s.height, 2);
    assert.equal(s.width, 3);
    // Map j at pixel p is element p*k + j of the H×W×k array.
    assert.deepEqual([...s.maps[0]], [0, 1, 2, 3, 4, 5]);
    assert.deepEqual([...s.maps[1]], [0.5, 1.5, 2.5, 3.5, 4.5, 5.5]);
    assert.deepEqual(await listGroundTruthLines(p), ['Fe K', 'Pb L']);
    assert.deepEqual(await fs.readFile(p), before, 'input untouched');
  });
});

test('NPY big-endian float64 in Fortran order converts to C-order float32', async () => {
  await withTempDir(async (dir) => {
    // Logical array a[r][c][j] = 100r + 10c + j, stored first-index-fastest.
    const h = 2, w = 3, k = 2;
    const fortran: number[] = [];
    for (let j = 0; j < k; j++) for (let c = 0; c < w; c++) for (let r = 0; r < h; r++) fortran.push(100 * r + 10 * c + j);
    const p = path.join(dir, 'm.npy');
    await fs.writeFile(p, npyBytes('>f8', [h, w, k], f8be(fortran), true, 2));
    await fs.writeFile(path.join(dir, 'm.json'), JSON.stringify({ lines: ['Ca K', 'Hg L'] }));
    const s = await readGroundTruth(p);
    for (let r = 0; r < h; r++) for (let c = 0; c < w; c++) {
      assert.equal(s.maps[0][r * w + c], 100 * r + 10 * c);
      assert.equal(s.maps[1][r * w + c], 100 * r + 10 * c + 1);
    }
  });
});

test('NPY H×W with a one-line sidecar is one map; uint16 converts', async () => {
  await withTempDir(async (dir) => {
    const p = path.join(dir, 'one.npy');
    await writeNpy(p, new Uint16Array([1, 2, 3, 65535]), [2, 2]);
    await fs.writeFile(path.join(dir, 'one.json'), JSON.stringify({ lines: ['ZnK'] }));
    const s = await readGroundTruth(p);
    assert.deepEqual(s.lines, ['Zn K']);
    assert.deepEqual([...s.maps[0]], [1, 2, 3, 65535]);
  });
});

test('NPY bad inputs are XrfInputErrors naming the file and the problem', async () => {
  await withTempDir(async (dir) => {
    const p = path.join(dir, 'x.npy');
    const side = path.join(dir, 'x.json');
    const expectErr = async (re: RegExp, file = p, opts?: { height?: number; width?: number }) => {
      await assert.rejects(readGroundTruth(p, opts), (e: unknown) => {
        assert.ok(e instanceof XrfInputError, String(e));
        assert.equal(e.file, file);
        assert.match(e.message, re);
        return true;
      });
    };
    await writeNpy(p, new Float32Array(12), [2, 3, 2]);
    await expectErr(/no sidecar .*x\.json/);
    await fs.writeFile(side, '{"lines": [');
    await expectErr(/not valid JSON/, side);
    await fs.writeFile(side, JSON.stringify({ lines: ['Fe K'] }));
    await expectErr(/has 2 maps .* sidecar names 1/);
    await fs.writeFile(side, JSON.stringify({ lines: ['Fe K', 'chisq'] }));
    await expectErr(/"chisq" is not a line-family name/, side);
    await fs.writeFile(side, JSON.stringify({ lines: ['Fe K', 'Fe_K'] }));
    await expectErr(/Fe K appears twice/);
    await fs.writeFile(side, JSON.stringify({ lines: ['Fe K', 'Pb L'] }));
    await expectErr(/maps are 2×3 .* 4×3 was expected/, p, { height: 4 });
    // Truncated data.
    const full = new Uint8Array(await fs.readFile(p));
    await fs.writeFile(p, full.subarray(0, full.length - 5));
    await expectErr(/truncated/);
    // Corrupt header.
    await fs.writeFile(p, 'not numpy at all');
    await expectErr(/not an NPY file/);
    // Unknown dtype.
    await fs.writeFile(p, npyBytes('<c8', [2, 3, 2], new Uint8Array(96)));
    await expectErr(/unsupported NPY dtype "<c8"/);
    // NaN is refused with family and pixel, unless the caller only wants to look.
    const d = new Float32Array(12);
    d[1 * 3 * 2 + 2 * 2 + 1] = Number.NaN; // row 1, column 2, second family
    await writeNpy(p, d, [2, 3, 2]);
    await expectErr(/Pb L is NaN at pixel \(row 1, column 2\)/);
    const s = await readGroundTruth(p, { allowNonFinite: true });
    assert.ok(Number.isNaN(s.maps[1][5]));
  });
});

test('NPY reader agrees with numpy on a file numpy wrote (optional)', { skip: pythonHas('numpy') ? false : '/usr/bin/python3 has no numpy' }, async () => {
  await withTempDir(async (dir) => {
    const p = path.join(dir, 'np.npy');
    runPython(
      'import numpy as np, sys; a=(np.arange(60, dtype=">i4").reshape(3,4,5)-7); np.save(sys.argv[1], np.asfortranarray(a))',
      [p],
    );
    const arr = await readNpy(p);
    assert.deepEqual(arr.header.shape, [3, 4, 5]);
    assert.equal(arr.header.fortranOrder, true);
    assert.deepEqual([...arr.data], Array.from({ length: 60 }, (_, i) => i - 7));
  });
});
