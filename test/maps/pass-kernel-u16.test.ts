/**
 * The kernel's 4-pixel u16 path (acc_u16_lanes, the last pixels % 4 through acc_u16) against an
 * exact float64 reference, the plain JavaScript loop and the one-pixel kernel (`u16Lanes: false`):
 * pixel counts that leave 1-3 pixels over, channel counts that leave a tail after the 8-sample
 * vectors, counts up to 65,535, windows at the first and last channel, and C = 65,536 (a pixel's
 * total just below 2^32). Which path ran is asserted from the kernel's counters (onKernelStats).
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { aggregateScan, type PassOptions } from '../../src/core/maps/aggregate';
import type { KernelSamples, KernelStats } from '../../src/core/maps/pass-kernel';
import { openCube } from '../../src/core/cube/open';
import type { Cube } from '../../src/core/cube/cube';
import type { RoiWindow, ScanSummary } from '../../src/core/maps/summary';
import { withTempDir, writeRpl } from '../cube/writers';
import { bruteForce } from './helpers';

type Stats = KernelStats & { samples: KernelSamples };

/** Windows at the very first and last channel, across vector edges, touching, nested, empty, all. */
function edgeWindows(C: number): RoiWindow[] {
  return [
    { label: 'first', loChannel: 0, hiChannel: 1 },
    { label: 'odd', loChannel: 3, hiChannel: Math.min(C, 12) },
    { label: 'touching', loChannel: Math.min(C, 12), hiChannel: Math.min(C, 29) },
    { label: 'nested', loChannel: 5, hiChannel: Math.min(C, 9) },
    { label: 'empty', loChannel: 7, hiChannel: 7 },
    { label: 'all', loChannel: 0, hiChannel: C },
    { label: 'last', loChannel: C - 1, hiChannel: C },
  ];
}

/** The summary as the pass stores it, from float64 sums (exact for these integers). */
function exact(values: Float64Array, H: number, W: number, C: number, windows: RoiWindow[]) {
  const r = bruteForce(values, H, W, C, windows);
  return { totalCounts: Float32Array.from(r.total), roiMaps: r.rois.map((m) => Float32Array.from(m)), sumSpectrum: r.sum, maxSpectrum: Float32Array.from(r.max) };
}

function assertSummaryEquals(got: ScanSummary, want: ReturnType<typeof exact> | ScanSummary, what: string): void {
  assert.deepEqual(got.totalCounts, want.totalCounts, `${what}: total counts`);
  got.roiMaps.forEach((m, k) => assert.deepEqual(m, want.roiMaps[k], `${what}: window ${got.windows[k].label}`));
  assert.deepEqual(got.sumSpectrum, want.sumSpectrum, `${what}: sum spectrum`);
  assert.deepEqual(got.maxSpectrum, want.maxSpectrum, `${what}: max spectrum`);
}

/** A deterministic pseudo-random generator in [0, 1). */
function rng(seed: number): () => number {
  let s = seed >>> 0;
  return () => {
    s = (Math.imul(s, 1664525) + 1013904223) >>> 0;
    return s / 4294967296;
  };
}

/** u16 counts over the whole range: a third at 65,535 − (0…99), the rest anywhere in 0…65,535. */
function u16Values(n: number, seed: number): Float64Array {
  const r = rng(seed);
  return new Float64Array(n).map((_, i) => (i % 3 === 0 ? 65535 - Math.floor(r() * 100) : Math.floor(r() * 65536)));
}

/** The kernel pass with its stats; the float32 read path made to fail, so the raw u16 path must serve. */
async function rawPass(cube: Cube, windows: RoiWindow[], opts: PassOptions = {}): Promise<{ s: ScanSummary; stats: Stats }> {
  let stats: Stats | undefined;
  const readRows = cube.readRows;
  (cube as { readRows: unknown }).readRows = () => Promise.reject(new Error('float32 read path used'));
  try {
    const s = await aggregateScan(cube, windows, { ...opts, onKernelStats: (st) => (stats = st) });
    assert.ok(stats, 'the kernel ran');
    return { s, stats };
  } finally {
    (cube as { readRows: unknown }).readRows = readRows;
  }
}

async function withU16<T>(values: Float64Array, H: number, W: number, C: number, fn: (cube: Cube) => Promise<T>): Promise<T> {
  return withTempDir(async (dir) => {
    const cube = await openCube(await writeRpl(dir, 'u16', values, H, W, C, { dtype: 'u2' }));
    try {
      assert.equal(cube.rawRowDType, 'u2');
      return await fn(cube);
    } finally {
      await cube.close();
    }
  });
}

test('u16 lanes: 1, 2, 3, 5 and 8 pixels of 13 and 37 channels (1-3 pixels over, vector tails) equal the exact sums, the JavaScript loop and the one-pixel kernel', async () => {
  for (const C of [13, 37]) {
    for (const W of [1, 2, 3, 5, 8]) {
      const H = 1;
      const v = u16Values(H * W * C, 100 * C + W);
      const windows = edgeWindows(C);
      await withU16(v, H, W, C, async (cube) => {
        const what = `${W} pixels × ${C} channels`;
        const { s, stats } = await rawPass(cube, windows);
        assert.equal(stats.samples, 'u16', what);
        assert.ok(stats.u16LaneChunks === 1 && stats.u16Chunks === 0 && stats.u16LeftoverPixels === W % 4, `${what}: ${JSON.stringify(stats)}`);
        assertSummaryEquals(s, exact(v, H, W, C, windows), `${what}, lanes vs exact`);
        assertSummaryEquals(s, await aggregateScan(cube, windows, { engine: 'js' }), `${what}, lanes vs js`);
        const one = await rawPass(cube, windows, { kernel: { u16Lanes: false } });
        assert.ok(one.stats.u16Chunks === 1 && one.stats.u16LaneChunks === 0, `${what}, lanes off: ${JSON.stringify(one.stats)}`);
        assertSummaryEquals(s, one.s, `${what}, lanes vs one pixel at a time`);
      });
    }
  }
});

test('u16 lanes over several chunks and blocks (4757 pixels, blocks of 355 with 3 over) equal the exact sums', async () => {
  // 67 × 71 = 4757 pixels: one block of all (two chunks, 4096 + 661: 1 over) and blocks of 5 rows
  // (355 pixels, 3 over each; the last block 2 rows, 142 pixels, 2 over). 23 channels: 2 vectors and
  // a tail of 7, and every window edge off the 8-channel grid.
  const H = 67;
  const W = 71;
  const C = 23;
  const v = u16Values(H * W * C, 7);
  const windows = edgeWindows(C);
  await withU16(v, H, W, C, async (cube) => {
    const want = exact(v, H, W, C, windows);
    for (const [rowsPerBlock, chunks, over] of [
      [H, 2, 1],
      [5, 14, 13 * 3 + 2],
    ] as const) {
      const { s, stats } = await rawPass(cube, windows, { rowsPerBlock });
      assert.ok(stats.u16LaneChunks === chunks && stats.u16Chunks === 0 && stats.u16LeftoverPixels === over, `${rowsPerBlock} rows a block: ${JSON.stringify(stats)}`);
      assertSummaryEquals(s, want, `${rowsPerBlock} rows a block`);
    }
    assert.ok(want.sumSpectrum.every((x) => x > 2 ** 24), 'sums a float32 lane could not hold exactly');
  });
});

test('u16 lanes at C = 65,536 with every count 65,535: pixel totals 2^32 − 65,536, exact; C = 65,537 leaves the u16 path', async () => {
  // 5 pixels: one quad and one over, each total 65,536 · 65,535 = 2^32 − 2^16 (the largest a u32
  // running sum meets). One sample per pixel lowered so that the pixels differ.
  const H = 1;
  const W = 5;
  const C = 65536;
  const v = new Float64Array(H * W * C).fill(65535);
  for (let p = 0; p < W; p++) v[p * C + 1000 * p + 3] = 65535 - 1000 * (p + 1);
  const windows = [...edgeWindows(C), { label: 'top half', loChannel: 32768, hiChannel: C }];
  await withU16(v, H, W, C, async (cube) => {
    const { s, stats } = await rawPass(cube, windows);
    assert.ok(stats.samples === 'u16' && stats.u16LaneChunks === 1 && stats.u16LeftoverPixels === 1, JSON.stringify(stats));
    const want = exact(v, H, W, C, windows);
    assertSummaryEquals(s, want, 'C = 65536');
    // The totals themselves, exactly (the map rounds them to float32 once).
    for (let p = 0; p < W; p++) assert.equal(s.totalCounts[p], Math.fround(2 ** 32 - 2 ** 16 - 1000 * (p + 1)), `pixel ${p}`);
  });
  const C1 = 65537;
  const w = new Float64Array(C1).fill(1);
  await withU16(w, 1, 1, C1, async (cube) => {
    let stats: Stats | undefined;
    const s = await aggregateScan(cube, edgeWindows(C1), { onKernelStats: (st) => (stats = st) });
    assert.equal(stats?.samples, 'f32', 'a u32 running sum could overflow: read as float32');
    assert.equal(s.totalCounts[0], C1);
  });
});
