/**
 * The aggregation kernel's u32 and float32 paths (pass-kernel.wat: acc_u32, acc_f32_lanes with its
 * float64 redo, NaN/Inf found from the sums) against an exact float64 reference and the plain
 * JavaScript loop (`engine: 'js'`). Which path ran is asserted from the kernel's own counters
 * (`onKernelStats`) and by making the float32 read path fail, never by timing.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { promises as fs } from 'node:fs';
import * as path from 'node:path';
import { aggregateScan, type PassOptions } from '../../src/core/maps/aggregate';
import type { KernelSamples, KernelStats } from '../../src/core/maps/pass-kernel';
import { openCube } from '../../src/core/cube/open';
import type { Cube, DType } from '../../src/core/cube/cube';
import { XrfInputError } from '../../src/core/errors';
import type { RoiWindow, ScanSummary } from '../../src/core/maps/summary';
import { npyOf, withTempDir, writeRpl } from '../cube/writers';

type Stats = KernelStats & { samples: KernelSamples };

/** Windows at the very first and last channel, between vector edges, touching, nested, empty, all. */
function edgeWindows(C: number): RoiWindow[] {
  return [
    { label: 'first', loChannel: 0, hiChannel: 1 },
    { label: 'odd', loChannel: 3, hiChannel: Math.min(C, 10) },
    { label: 'touching', loChannel: Math.min(C, 10), hiChannel: Math.min(C, 19) },
    { label: 'nested', loChannel: 5, hiChannel: Math.min(C, 9) },
    { label: 'empty', loChannel: 7, hiChannel: 7 },
    { label: 'all', loChannel: 0, hiChannel: C },
    { label: 'last', loChannel: C - 1, hiChannel: C },
  ];
}

/**
 * The summary computed exactly: float64 sums of the stored values (exact for integers below 2^53),
 * rounded once to float32 where the summary stores float32 (maps, max spectrum). `stored` turns a
 * value into what the file holds (Math.fround for float32 files, identity for u32 counts).
 */
function exactSummary(values: Float64Array, H: number, W: number, C: number, windows: RoiWindow[], stored: (x: number) => number) {
  const total = new Float64Array(H * W);
  const rois = windows.map(() => new Float64Array(H * W));
  const sum = new Float64Array(C);
  const max = new Float64Array(C).fill(-Infinity);
  for (let p = 0; p < H * W; p++) {
    for (let ch = 0; ch < C; ch++) {
      const x = stored(values[p * C + ch]);
      total[p] += x;
      sum[ch] += x;
      if (x > max[ch]) max[ch] = x;
      windows.forEach((w, k) => {
        if (ch >= w.loChannel && ch < w.hiChannel) rois[k][p] += x;
      });
    }
  }
  return { totalCounts: Float32Array.from(total), roiMaps: rois.map((r) => Float32Array.from(r)), sumSpectrum: sum, maxSpectrum: Float32Array.from(max) };
}

function assertSummaryEquals(got: ScanSummary, want: ReturnType<typeof exactSummary> | ScanSummary, what: string): void {
  assert.deepEqual(got.totalCounts, want.totalCounts, `${what}: total counts`);
  got.roiMaps.forEach((m, k) => assert.deepEqual(m, want.roiMaps[k], `${what}: window ${got.windows[k].label}`));
  assert.deepEqual(got.sumSpectrum, want.sumSpectrum, `${what}: sum spectrum`);
  assert.deepEqual(got.maxSpectrum, want.maxSpectrum, `${what}: max spectrum`);
}

/** Largest relative difference of every map and spectrum from the float64 reference. */
function worstRelative(got: ScanSummary, want: ReturnType<typeof exactSummary>): number {
  const rel = (a: ArrayLike<number>, b: ArrayLike<number>) => {
    let m = 0;
    for (let i = 0; i < a.length; i++) m = Math.max(m, Math.abs(a[i] - b[i]) / Math.max(1, Math.abs(b[i])));
    return m;
  };
  return Math.max(rel(got.totalCounts, want.totalCounts), ...got.roiMaps.map((m, k) => rel(m, want.roiMaps[k])), rel(got.sumSpectrum, want.sumSpectrum), rel(got.maxSpectrum, want.maxSpectrum));
}

/** A deterministic pseudo-random generator in [0, 1). */
function rng(seed: number): () => number {
  let s = seed >>> 0;
  return () => {
    s = (Math.imul(s, 1664525) + 1013904223) >>> 0;
    return s / 4294967296;
  };
}

/** Run the pass with the kernel, recording which path ran; readRows is made to fail when `rawOnly`. */
async function kernelPass(cube: Cube, windows: RoiWindow[], opts: PassOptions & { rawOnly?: boolean } = {}): Promise<{ s: ScanSummary; stats: Stats }> {
  let stats: Stats | undefined;
  const readRows = cube.readRows;
  if (opts.rawOnly) (cube as { readRows: unknown }).readRows = () => Promise.reject(new Error('float32 read path used'));
  try {
    const s = await aggregateScan(cube, windows, { ...opts, onKernelStats: (st) => (stats = st) });
    assert.ok(stats, 'the kernel ran');
    return { s, stats };
  } finally {
    (cube as { readRows: unknown }).readRows = readRows;
  }
}

async function withCube<T>(file: string, fn: (cube: Cube) => Promise<T>): Promise<T> {
  const cube = await openCube(file);
  try {
    return await fn(cube);
  } finally {
    await cube.close();
  }
}

const U32_MAX = 2 ** 32 - 1;

test('raw u32 (RPL data-length 4): counts up to 2^32 − 1 and totals past 2^32 equal the exact sums; several chunks, odd tails', async () => {
  // 70 × 61 = 4270 pixels (two kernel chunks of ≤ 4096, a block boundary every 9 rows) of 13
  // channels (3 vectors and a tail of 1). A third of the samples within 1000 of 2^32 − 1.
  const H = 70;
  const W = 61;
  const C = 13;
  const r = rng(1);
  const v = new Float64Array(H * W * C).map((_, i) => (i % 3 === 0 ? U32_MAX - Math.floor(r() * 1000) : Math.floor(r() * 2 ** 32)));
  v[5] = U32_MAX;
  v[v.length - 1] = 0;
  const windows = edgeWindows(C);
  await withTempDir(async (dir) => {
    await withCube(await writeRpl(dir, 'u32', v, H, W, C, { dtype: 'u4' }), async (cube) => {
      assert.equal(cube.rawRowDType, 'u4');
      const want = exactSummary(v, H, W, C, windows, (x) => x);
      for (const rowsPerBlock of [9, H]) {
        const { s, stats } = await kernelPass(cube, windows, { rowsPerBlock, rawOnly: true });
        assert.equal(stats.samples, 'u32');
        // Counts this large end the u32 lanes after the first chunk (M · C ≥ 2^32): 64-bit sums.
        assert.ok(stats.u32RedoneChunks === 1 && stats.u32LaneChunks === 0 && stats.u32Chunks >= 2, JSON.stringify(stats));
        assertSummaryEquals(s, want, `u32, ${rowsPerBlock} rows a block`);
      }
      // The test reaches what a float32 or u32 sum would get wrong.
      assert.ok(want.sumSpectrum.some((x) => x > 2 ** 40) && want.totalCounts.every((x) => x > 2 ** 32));
      assert.ok(want.sumSpectrum.some((x) => x % 2 === 1), 'odd sums: an inexact float path would round them');
    });
  });
});

test('raw u32 with counts just below 2^24 (pixel totals past 2^32: no u32 lanes) equals the JavaScript loop exactly; so does the old float32 path', async () => {
  // 300 channels of counts in [2^24 − 2^20, 2^24): every pixel's total passes 2^32, so after the first
  // chunk (M · C ≥ 2^32) the pass sums in 64 bits. float32 holds these counts exactly: the
  // JavaScript loop is exact too.
  const H = 7;
  const W = 9;
  const C = 300;
  const r = rng(2);
  const v = new Float64Array(H * W * C).map(() => 2 ** 24 - 1 - Math.floor(r() * 2 ** 20));
  const windows = edgeWindows(C);
  await withTempDir(async (dir) => {
    await withCube(await writeRpl(dir, 'u32small', v, H, W, C, { dtype: 'u4' }), async (cube) => {
      const { s, stats } = await kernelPass(cube, windows, { rowsPerBlock: 3, rawOnly: true });
      assert.ok(stats.samples === 'u32' && stats.u32RedoneChunks === 1 && stats.u32LaneChunks === 0, JSON.stringify(stats));
      const js = await aggregateScan(cube, windows, { rowsPerBlock: 3, engine: 'js' });
      assertSummaryEquals(s, js, 'u32 kernel vs js');
      const old = await kernelPass(cube, windows, { rowsPerBlock: 3, kernel: { rawU32: false } });
      assert.equal(old.stats.samples, 'f32', 'rawU32: false reads float32');
      assertSummaryEquals(old.s, js, 'float32 path vs js');
    });
  });
});

test('raw u32 counts of MA-XRF size go through u32 lanes (4 pixels at a time, any remainder): equal to the JavaScript loop', async () => {
  // 11 × 13 = 143 pixels; blocks of 3 rows (39 pixels: 9 quads and 3 over), 2 rows (26: 2 over),
  // all (143: 3 over); 4096 channels, like a real scan, with the default lines-sized windows.
  const H = 11;
  const W = 13;
  const C = 4096;
  const r = rng(8);
  const v = new Float64Array(H * W * C).map(() => Math.floor(r() * 65536));
  const windows = [
    { label: 'Fe K', loChannel: 620, hiChannel: 663 },
    { label: 'Pb L', loChannel: 1037, hiChannel: 1071 },
    { label: 'wide', loChannel: 101, hiChannel: 3999 },
    ...edgeWindows(C),
  ];
  await withTempDir(async (dir) => {
    await withCube(await writeRpl(dir, 'u32c', v, H, W, C, { dtype: 'u4' }), async (cube) => {
      const want = exactSummary(v, H, W, C, windows, (x) => x);
      for (const rowsPerBlock of [3, 2, H]) {
        const { s, stats } = await kernelPass(cube, windows, { rowsPerBlock, rawOnly: true });
        assert.ok(stats.u32LaneChunks > 0 && stats.u32RedoneChunks === 0 && stats.u32Chunks === 0, JSON.stringify(stats));
        assertSummaryEquals(s, want, `${rowsPerBlock} rows a block`);
      }
      assertSummaryEquals(await aggregateScan(cube, windows, { rowsPerBlock: 3, engine: 'js' }), want, 'the JavaScript loop');
    });
  });
});

test('raw u32 lanes near 2^32: a chunk whose sum spectrum would pass 2^32 is redone in 64 bits and the chunks shrink; exact', async () => {
  // 4 × 1700 = 6800 pixels, 13 channels; channel 2 holds 2^20 + 1 everywhere: 4096 of them sum past
  // 2^32 (a u32 lane would wrap), 2048 do not. Expected: the first chunk redone, then lanes again.
  const H = 4;
  const W = 1700;
  const C = 13;
  const v = new Float64Array(H * W * C).map((_, i) => (i % C === 2 ? 2 ** 20 + 1 : (i * 7) % 1000));
  const windows = edgeWindows(C);
  await withTempDir(async (dir) => {
    await withCube(await writeRpl(dir, 'u32edge', v, H, W, C, { dtype: 'u4' }), async (cube) => {
      const { s, stats } = await kernelPass(cube, windows, { rawOnly: true });
      assert.ok(stats.u32RedoneChunks === 1 && stats.u32Chunks === 1 && stats.u32LaneChunks === 2, JSON.stringify(stats));
      const want = exactSummary(v, H, W, C, windows, (x) => x);
      assertSummaryEquals(s, want, 'near 2^32');
      assert.ok(4096 * (2 ** 20 + 1) > 2 ** 32 && want.sumSpectrum[2] > 2 ** 32);
    });
  });
});

test('an .npy <u4 goes the raw u32 path and equals the exact sums; a big-endian u4 (RPL, .npy) is converted and equals the JavaScript loop', async () => {
  const H = 5;
  const W = 6;
  const C = 11;
  const r = rng(3);
  const big = new Float64Array(H * W * C).map(() => U32_MAX - Math.floor(r() * 2 ** 20));
  const small = new Float64Array(H * W * C).map(() => Math.floor(r() * 60000));
  const windows = edgeWindows(C);
  await withTempDir(async (dir) => {
    const npy = path.join(dir, 'le.npy');
    await fs.writeFile(npy, npyOf(big, H, W, C, 'u4'));
    await withCube(npy, async (cube) => {
      assert.equal(cube.rawRowDType, 'u4');
      const { s, stats } = await kernelPass(cube, windows, { rowsPerBlock: 2, rawOnly: true });
      assert.equal(stats.samples, 'u32');
      assertSummaryEquals(s, exactSummary(big, H, W, C, windows, (x) => x), '.npy <u4');
    });
    const benpy = path.join(dir, 'be.npy');
    await fs.writeFile(benpy, npyOf(small, H, W, C, 'u4', { littleEndian: false }));
    for (const file of [benpy, await writeRpl(dir, 'be', small, H, W, C, { dtype: 'u4', littleEndian: false })]) {
      await withCube(file, async (cube) => {
        assert.equal(cube.rawRowDType, undefined, `${file}: not in host byte order`);
        const { s, stats } = await kernelPass(cube, windows, { rowsPerBlock: 2 });
        assert.equal(stats.samples, 'f32');
        assertSummaryEquals(s, await aggregateScan(cube, windows, { rowsPerBlock: 2, engine: 'js' }), `${file} vs js`);
        assertSummaryEquals(s, exactSummary(small, H, W, C, windows, (x) => x), `${file} exact`);
      });
    }
  });
});

/** Write `values` as a little-endian float32 RPL and run `fn` on it. */
async function withF32<T>(values: Float64Array, H: number, W: number, C: number, fn: (cube: Cube) => Promise<T>): Promise<T> {
  return withTempDir(async (dir) => withCube(await writeRpl(dir, 'f32', values, H, W, C, { dtype: 'f4' as DType }), fn));
}

test('float32 holding integer counts: summed in float32 lanes, exact (equal to the JavaScript loop and the exact sums)', async () => {
  // 67 × 71 = 4757 pixels (two chunks; 4757 = 4·1189 + 1, and blocks of 5 rows = 355 pixels leave
  // 3 over: the 4-pixel loop's remainder) of 23 channels (5 vectors and a tail of 3).
  const H = 67;
  const W = 71;
  const C = 23;
  const r = rng(4);
  const v = new Float64Array(H * W * C).map(() => Math.floor(r() * 3000));
  const windows = edgeWindows(C);
  await withF32(v, H, W, C, async (cube) => {
    const want = exactSummary(v, H, W, C, windows, Math.fround);
    const js = await aggregateScan(cube, windows, { rowsPerBlock: 5, engine: 'js' });
    for (const rowsPerBlock of [5, H]) {
      const { s, stats } = await kernelPass(cube, windows, { rowsPerBlock, rawOnly: true });
      assert.equal(stats.samples, 'f32');
      assert.ok(stats.laneChunks >= 2 && stats.redoneChunks === 0 && stats.float64Chunks === 0, JSON.stringify(stats));
      assertSummaryEquals(s, want, `lanes, ${rowsPerBlock} rows a block`);
      assertSummaryEquals(s, js, `lanes vs js, ${rowsPerBlock} rows a block`);
    }
  });
});

test('float32 integers near 2^24: a chunk whose sum spectrum would pass 2^24 is redone in float64 and the chunks shrink; still exact', async () => {
  // 4 × 1700 = 6800 pixels in one block. Channel 2 holds 4099 everywhere: 4096 of them sum to
  // 16,789,504 > 2^24, and partial sums k·4099 with k odd are odd, so float32 lanes would round.
  // 2048 · 4099 < 2^24: after one redo (the first chunk, in float64) the halved chunks (2048, 656)
  // are exact in float32 again. Channel 5 holds 4095 (4096 · 4095 < 2^24: no redo needed for it).
  const H = 4;
  const W = 1700;
  const C = 9;
  const v = new Float64Array(H * W * C).map((_, i) => (i % C === 2 ? 4099 : i % C === 5 ? 4095 : (i * 7) % 50));
  const windows = edgeWindows(C);
  await withF32(v, H, W, C, async (cube) => {
    const { s, stats } = await kernelPass(cube, windows, { rawOnly: true });
    assert.ok(stats.redoneChunks === 1 && stats.float64Chunks === 1 && stats.laneChunks === 2, JSON.stringify(stats));
    assertSummaryEquals(s, exactSummary(v, H, W, C, windows, Math.fround), 'near 2^24 in the sum spectrum');
    assert.ok(s.sumSpectrum[2] > 2 ** 24 && s.sumSpectrum[2] % 2 === 0);
    // The rounding a float32 lane would have made is real: the reference sum is not what float32 gives.
    let f = 0;
    for (let i = 0; i < H * W; i++) f = Math.fround(f + 4099);
    assert.notEqual(f, s.sumSpectrum[2], 'a float32 running sum of this channel is inexact');
  });
});

test('float32 integers near 2^24 in one pixel: a segment lane at 2^24 sends the pass to float64; exact', async () => {
  // Pixel 1 holds 2^23 + 1 in every channel: its lanes pass 2^24 within a segment (17 channels
  // between window edges 19 and 36), where a float32 sum loses the +1s. The other pixels are small,
  // so no channel of the sum spectrum reaches 2^24: only the segment check can send this to float64.
  const H = 2;
  const W = 5;
  const C = 37;
  const v = new Float64Array(H * W * C).map((_, i) => (i * 13) % 97);
  for (let ch = 0; ch < C; ch++) v[C + ch] = 2 ** 23 + 1;
  const windows = edgeWindows(C);
  await withF32(v, H, W, C, async (cube) => {
    const { s, stats } = await kernelPass(cube, windows, { rawOnly: true });
    assert.ok(stats.redoneChunks === 1 && stats.laneChunks === 0 && stats.float64Chunks === 1, JSON.stringify(stats));
    const want = exactSummary(v, H, W, C, windows, Math.fround);
    assertSummaryEquals(s, want, 'near 2^24 in a pixel');
    assert.equal(want.roiMaps[1][1], Math.fround(7 * (2 ** 23 + 1)));
  });
});

test('float32 with fractions: lanes given up after one chunk; every output within 1e-6 of float64 and equal to the float64 kernel', async () => {
  const H = 40;
  const W = 130;
  const C = 31;
  const r = rng(5);
  const v = new Float64Array(H * W * C).map(() => r() * 1000);
  const windows = edgeWindows(C);
  await withF32(v, H, W, C, async (cube) => {
    const { s, stats } = await kernelPass(cube, windows, { rowsPerBlock: 7, rawOnly: true });
    assert.ok(stats.redoneChunks === 1 && stats.laneChunks === 0 && stats.float64Chunks >= 2, JSON.stringify(stats));
    const want = exactSummary(v, H, W, C, windows, Math.fround);
    const worst = worstRelative(s, want);
    assert.ok(worst < 1e-6, `worst relative difference ${worst}`);
    assert.deepEqual(s.maxSpectrum, want.maxSpectrum);
    const f64 = await kernelPass(cube, windows, { rowsPerBlock: 7, kernel: { float32Lanes: false } });
    assert.equal(f64.stats.laneChunks + f64.stats.redoneChunks, 0);
    assertSummaryEquals(s, f64.s, 'after the redo: the float64 kernel exactly');
  });
});

test('float32 integers with negative values and zeros: float64 path, exact; zeros (and one 2^24 − 1) stay in lanes, exact', async () => {
  const H = 6;
  const W = 7;
  const C = 18;
  const r = rng(6);
  const v = new Float64Array(H * W * C).map((_, i) => (i % 5 === 0 ? 0 : Math.floor(r() * 2000) - 1000));
  v[3] = -0;
  const windows = edgeWindows(C);
  await withF32(v, H, W, C, async (cube) => {
    const { s, stats } = await kernelPass(cube, windows, { rowsPerBlock: 4, rawOnly: true });
    assert.ok(stats.redoneChunks === 1 && stats.laneChunks === 0, JSON.stringify(stats));
    assertSummaryEquals(s, exactSummary(v, H, W, C, windows, Math.fround), 'negative integers');
    assertSummaryEquals(s, await aggregateScan(cube, windows, { rowsPerBlock: 4, engine: 'js' }), 'negative integers vs js');
    assert.ok(s.maxSpectrum.some((x) => x < 0) || s.totalCounts.some((x) => x < 0), 'the data reach below zero');
  });
  // Zeros, and zeros with one 2^24 − 1 (the largest integer a float32 lane can hold exactly).
  const zeros = new Float64Array(3 * 5 * 10);
  const edge = zeros.slice();
  edge[4 * 10 + 9] = 2 ** 24 - 1;
  for (const [name, values] of [['zeros', zeros], ['2^24 − 1', edge]] as const) {
    await withF32(values, 3, 5, 10, async (cube) => {
      const { s, stats } = await kernelPass(cube, edgeWindows(10), { rawOnly: true });
      assert.ok(stats.laneChunks === 1 && stats.redoneChunks === 0, `${name}: ${JSON.stringify(stats)}`);
      assertSummaryEquals(s, exactSummary(values, 3, 5, 10, edgeWindows(10), Math.fround), name);
    });
  }
});

test('float32 from readRows (an .npy <f4 in Fortran order, not raw): lanes too, exact for integers', async () => {
  const H = 5;
  const W = 9;
  const C = 14;
  const r = rng(7);
  const v = new Float64Array(H * W * C).map(() => Math.floor(r() * 500));
  const windows = edgeWindows(C);
  await withTempDir(async (dir) => {
    const npy = path.join(dir, 'fortran.npy');
    await fs.writeFile(npy, npyOf(v, H, W, C, 'f4', { fortran: true }));
    await withCube(npy, async (cube) => {
      assert.equal(cube.rawRowDType, undefined);
      const { s, stats } = await kernelPass(cube, windows, { rowsPerBlock: 2 });
      assert.ok(stats.samples === 'f32' && stats.laneChunks > 0 && stats.redoneChunks === 0, JSON.stringify(stats));
      assertSummaryEquals(s, exactSummary(v, H, W, C, windows, Math.fround), 'fortran f4');
    });
  });
});

test('raw float32 NaN/±Inf are found from the kernel sums (the reader skips its scan) and named like the reader names them', async () => {
  const H = 5;
  const W = 6;
  const C = 11;
  const cases: { name: string; put: [number, number, number, number][]; message: RegExp; fractional?: boolean }[] = [
    // A NaN in a tail channel (10) of the last pixel of the second block (rows 2–3 at 2 rows a block).
    { name: 'nan-tail', put: [[3, 5, 10, NaN]], message: /NaN value at row 3, column 5, channel 10/ },
    { name: 'pinf', put: [[0, 2, 0, Infinity]], message: /\+Inf value at row 0, column 2, channel 0/ },
    // +Inf and −Inf in one pixel sum to NaN; the first in the file is named.
    { name: 'both', put: [[4, 1, 3, -Infinity], [4, 1, 7, Infinity]], message: /-Inf value at row 4, column 1, channel 3/ },
    // In fractional data (the float64 path), the first bad pixel of a block is named.
    { name: 'frac', put: [[2, 4, 6, Infinity], [3, 0, 1, NaN]], message: /\+Inf value at row 2, column 4, channel 6/, fractional: true },
  ];
  for (const c of cases) {
    const v = new Float64Array(H * W * C).map((_, i) => (i % 17) + (c.fractional ? 0.5 : 0));
    for (const [row, col, ch, x] of c.put) v[(row * W + col) * C + ch] = x;
    await withTempDir(async (dir) => {
      await withCube(await writeRpl(dir, c.name, v, H, W, C, { dtype: 'f4' }), async (cube) => {
        const checks: (boolean | undefined)[] = [];
        const readRawRows = cube.readRawRows!.bind(cube);
        (cube as { readRawRows: unknown }).readRawRows = (r0: number, n: number, into: Uint8Array, checkFinite?: boolean) => {
          checks.push(checkFinite);
          return readRawRows(r0, n, into, checkFinite);
        };
        await assert.rejects(aggregateScan(cube, edgeWindows(C), { rowsPerBlock: 2 }), (e: unknown) => {
          assert.ok(e instanceof XrfInputError, String(e));
          assert.match(e.message, new RegExp(`${c.name}\\.rpl`));
          assert.match(e.message, c.message);
          return true;
        });
        assert.ok(checks.length > 0 && checks.every((x) => x === false), `the reader was asked not to scan: ${checks}`);
        // The reader's own scan (finiteFromSums off) names the same sample.
        await assert.rejects(aggregateScan(cube, edgeWindows(C), { rowsPerBlock: 2, kernel: { finiteFromSums: false } }), c.message);
      });
    });
  }
});

test('finite float32 values near the float32 limit are not mistaken for Inf (float64 sums cannot overflow)', async () => {
  const H = 2;
  const W = 3;
  const C = 9;
  const v = new Float64Array(H * W * C).fill(3e38);
  const windows = edgeWindows(C);
  await withF32(v, H, W, C, async (cube) => {
    const { s } = await kernelPass(cube, windows, { rawOnly: true });
    const want = exactSummary(v, H, W, C, windows, Math.fround);
    assert.deepEqual(s.sumSpectrum, want.sumSpectrum);
    // Totals past the float32 range are +Inf in the float32 maps, as in the JavaScript loop.
    assertSummaryEquals(s, await aggregateScan(cube, windows, { engine: 'js' }), 'near the float32 limit vs js');
  });
});
