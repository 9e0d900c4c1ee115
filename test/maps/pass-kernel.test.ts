/**
 * The WebAssembly SIMD kernel of the aggregation pass against the brute-force reference and the
 * plain JavaScript loop: raw u16 counts (vectors plus odd tails, chunks of pixels, sums past 2^32),
 * raw float32, and float32 from readRows (every other layout). The u32 and float32-lane paths in
 * detail: pass-kernel-types.test.ts.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import * as path from 'node:path';
import { aggregateScan, windowMap } from '../../src/core/maps/aggregate';
import { passKernelAvailable } from '../../src/core/maps/pass-kernel';
import { openCube } from '../../src/core/cube/open';
import { XrfInputError } from '../../src/core/errors';
import { testValues, withTempDir, writeRpl } from '../cube/writers';
import { bruteForce, relDiff } from './helpers';
import type { ScanSummary } from '../../src/core/maps/summary';

/** Windows whose edges fall between SIMD vectors (not multiples of 8 or 4), touching, nested, empty. */
function oddWindows(C: number) {
  return [
    { label: 'first', loChannel: 0, hiChannel: 1 },
    { label: 'odd', loChannel: 3, hiChannel: Math.min(C, 21) },
    { label: 'touching', loChannel: Math.min(C, 21), hiChannel: Math.min(C, 38) },
    { label: 'nested', loChannel: 5, hiChannel: Math.min(C, 9) },
    { label: 'empty', loChannel: 7, hiChannel: 7 },
    { label: 'all', loChannel: 0, hiChannel: C },
    { label: 'last', loChannel: C - 1, hiChannel: C },
  ];
}

function assertSameSummary(a: ScanSummary, b: ScanSummary, what: string): void {
  assert.deepEqual(a.totalCounts, b.totalCounts, `${what}: total counts`);
  a.roiMaps.forEach((m, k) => assert.deepEqual(m, b.roiMaps[k], `${what}: window ${a.windows[k].label}`));
  assert.deepEqual(a.sumSpectrum, b.sumSpectrum, `${what}: sum spectrum`);
  assert.deepEqual(a.maxSpectrum, b.maxSpectrum, `${what}: max spectrum`);
}

test('the kernel is available here (Node has WebAssembly SIMD), and its committed bytes match pass-kernel.wat', () => {
  assert.ok(passKernelAvailable());
  const script = path.join(__dirname, '..', '..', 'scripts', 'build-pass-kernel.mjs');
  const r = spawnSync(process.execPath, [script, '--check'], { encoding: 'utf8' });
  assert.equal(r.status, 0, `build-pass-kernel --check: ${r.stderr}`);
});

test('raw u16: equals brute force and the JavaScript loop exactly, over chunks, odd tails and sums beyond 2^32', async () => {
  // 280 × 256 = 71,680 pixels (> 65,536: the u32 sum spectrum must be flushed in time; > 4096: several
  // chunks per block) of 13 channels (one vector of 8 and a tail of 5), counts up to 65,535.
  const H = 280;
  const W = 256;
  const C = 13;
  const v = testValues(H, W, C, { max: 251 }).map((x, i) => (i % 13 === 0 ? x * 250 : 65535 - x));
  const windows = oddWindows(C);
  await withTempDir(async (dir) => {
    const rpl = await writeRpl(dir, 'u16', v, H, W, C, { dtype: 'u2' });
    const cube = await openCube(rpl);
    try {
      assert.equal(cube.rawRowDType, 'u2');
      // Prove the raw path is taken: the float path is made to fail.
      const readRows = cube.readRows.bind(cube);
      (cube as { readRows: unknown }).readRows = () => Promise.reject(new Error('float path used'));
      // One block of all 71,680 pixels (the default block size), and blocks of 97 rows.
      const wasm = await aggregateScan(cube, windows);
      const wasm97 = await aggregateScan(cube, windows, { rowsPerBlock: 97 });
      (cube as { readRows: unknown }).readRows = readRows;
      const js = await aggregateScan(cube, windows, { rowsPerBlock: 97, engine: 'js' });
      assertSameSummary(wasm, js, 'wasm (one block) vs js');
      assertSameSummary(wasm97, js, 'wasm (97 rows a block) vs js');
      const ref = bruteForce(v, H, W, C, windows);
      assert.equal(relDiff(wasm.totalCounts, ref.total), 0);
      windows.forEach((w, k) => assert.equal(relDiff(wasm.roiMaps[k], ref.rois[k]), 0, w.label));
      assert.equal(relDiff(wasm.sumSpectrum, ref.sum), 0);
      assert.ok(Math.max(...wasm.sumSpectrum) > 2 ** 32, 'the test reaches sums beyond 2^32');
      assert.equal(relDiff(wasm.maxSpectrum, ref.max), 0);
    } finally {
      await cube.close();
    }
  });
});

test('raw u16 with 4096 channels and the default lines-sized windows: equals the JavaScript loop; windowMap too', async () => {
  const H = 5;
  const W = 11;
  const C = 4096;
  const v = testValues(H, W, C, { max: 4000 });
  const windows = [
    { label: 'Fe K', loChannel: 620, hiChannel: 663 },
    { label: 'Pb L', loChannel: 1037, hiChannel: 1071 },
    { label: 'wide', loChannel: 101, hiChannel: 3999 },
  ];
  await withTempDir(async (dir) => {
    const cube = await openCube(await writeRpl(dir, 'c4096', v, H, W, C));
    try {
      for (const rowsPerBlock of [1, 2, 5]) {
        assertSameSummary(await aggregateScan(cube, windows, { rowsPerBlock }), await aggregateScan(cube, windows, { rowsPerBlock, engine: 'js' }), `${rowsPerBlock} rows/block`);
      }
      const ref = bruteForce(v, H, W, C, windows);
      assert.equal(relDiff(await windowMap(cube, 101, 3999), ref.rois[2]), 0);
    } finally {
      await cube.close();
    }
  });
});

test('raw float32 (fractional, negative): equals brute force within float64 rounding; max exact', async () => {
  const H = 6;
  const W = 9;
  const C = 37;
  const v = testValues(H, W, C, { fractional: true, signed: true });
  const windows = oddWindows(C);
  await withTempDir(async (dir) => {
    const cube = await openCube(await writeRpl(dir, 'f4', v, H, W, C, { dtype: 'f4' }));
    try {
      assert.equal(cube.rawRowDType, 'f4');
      const s = await aggregateScan(cube, windows, { rowsPerBlock: 4 });
      const ref = bruteForce(v, H, W, C, windows);
      assert.ok(relDiff(s.totalCounts, ref.total) < 1e-6);
      windows.forEach((w, k) => assert.ok(relDiff(s.roiMaps[k], ref.rois[k]) < 1e-6, w.label));
      assert.ok(relDiff(s.sumSpectrum, ref.sum) < 1e-12);
      assert.equal(relDiff(s.maxSpectrum, ref.max), 0);
    } finally {
      await cube.close();
    }
  });
});

test('raw float32 with a NaN: the pass fails naming the file and the pixel', async () => {
  const H = 3;
  const W = 4;
  const C = 8;
  const v = testValues(H, W, C);
  v[(2 * W + 1) * C + 5] = NaN;
  await withTempDir(async (dir) => {
    const rpl = await writeRpl(dir, 'nan', v, H, W, C, { dtype: 'f4' });
    const cube = await openCube(rpl);
    try {
      await assert.rejects(aggregateScan(cube, oddWindows(C)), (e: unknown) => {
        assert.ok(e instanceof XrfInputError);
        assert.match(e.message, /nan\.rpl/);
        assert.match(e.message, /NaN value at row 2, column 1, channel 5/);
        return true;
      });
    } finally {
      await cube.close();
    }
  });
});

test('big-endian u16 and u32 (read as float32 by readRows) go through the kernel and equal the JavaScript loop', async () => {
  // (Little-endian u32 goes the raw u32 path: pass-kernel-types.test.ts.)
  const H = 4;
  const W = 5;
  const C = 29;
  const v = testValues(H, W, C, { max: 60000 });
  const windows = oddWindows(C);
  await withTempDir(async (dir) => {
    for (const [name, o] of [
      ['be', { dtype: 'u2' as const, littleEndian: false }],
      ['u4', { dtype: 'u4' as const, littleEndian: false }],
    ] as const) {
      const cube = await openCube(await writeRpl(dir, name, v, H, W, C, o));
      try {
        assert.equal(cube.rawRowDType, undefined, `${name} is not raw`);
        const wasm = await aggregateScan(cube, windows, { rowsPerBlock: 3 });
        assertSameSummary(wasm, await aggregateScan(cube, windows, { rowsPerBlock: 3, engine: 'js' }), name);
        assert.equal(relDiff(wasm.totalCounts, bruteForce(v, H, W, C, windows).total), 0, name);
      } finally {
        await cube.close();
      }
    }
  });
});
