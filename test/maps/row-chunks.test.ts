/**
 * Blocks of the aggregation pass aligned to the reader's row chunks (Cube.rowChunk): the default
 * block is rounded down to whole chunks where one fits, and a chunked HDF5 scan is then read one
 * band of chunks per block, each row once (Hdf5Cube.bandRowsRead), where a 4-row block over 3-row
 * chunks reads the band it straddles twice. The summary equals the JavaScript pass's.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as path from 'node:path';
import { aggregateScan, defaultRowsPerBlock } from '../../src/core/maps/aggregate';
import type { KernelSamples, KernelStats } from '../../src/core/maps/pass-kernel';
import { loadH5wasm, openHdf5 } from '../../src/core/cube/hdf5';
import type { ScanSummary } from '../../src/core/maps/summary';
import { withTempDir } from '../cube/writers';
import { bruteForce, memoryCube } from './helpers';

function assertSameSummary(a: ScanSummary, b: ScanSummary, what: string): void {
  assert.deepEqual(a.totalCounts, b.totalCounts, `${what}: total counts`);
  a.roiMaps.forEach((m, k) => assert.deepEqual(m, b.roiMaps[k], `${what}: window ${a.windows[k].label}`));
  assert.deepEqual(a.sumSpectrum, b.sumSpectrum, `${what}: sum spectrum`);
  assert.deepEqual(a.maxSpectrum, b.maxSpectrum, `${what}: max spectrum`);
}

test('defaultRowsPerBlock rounds down to whole row chunks where one fits the target block, else leaves it', () => {
  // 256 × 4096 samples a row: the 4 M-sample target is 4 rows.
  const wide = { height: 100, width: 256, channels: 4096 };
  assert.equal(defaultRowsPerBlock(wide), 4);
  assert.equal(defaultRowsPerBlock({ ...wide, rowChunk: 3 }), 3);
  assert.equal(defaultRowsPerBlock({ ...wide, rowChunk: 2 }), 4);
  assert.equal(defaultRowsPerBlock({ ...wide, rowChunk: 4 }), 4);
  assert.equal(defaultRowsPerBlock({ ...wide, rowChunk: 5 }), 4, 'a chunk larger than the target block: left as it was');
  assert.equal(defaultRowsPerBlock({ ...wide, rowChunk: 1 }), 4);
  // 64 × 4096: 16 rows → 15 in 3-row chunks, 16 in 8-row ones.
  assert.equal(defaultRowsPerBlock({ height: 100, width: 64, channels: 4096, rowChunk: 3 }), 15);
  assert.equal(defaultRowsPerBlock({ height: 100, width: 64, channels: 4096, rowChunk: 8 }), 16);
  // The whole scan in one block: nothing to align.
  assert.equal(defaultRowsPerBlock({ height: 4, width: 256, channels: 4096, rowChunk: 3 }), 4);
  assert.equal(defaultRowsPerBlock({ height: 10, width: 10, channels: 10, rowChunk: 3 }), 10);
});

test('an HDF5 scan in 3-row chunks (default block 4 rows) is read one whole band per block, each row once; the summary equals the JavaScript pass', async () => {
  // 7 rows × 256 columns × 4096 channels of u16 (4 rows = the 4 M-sample target block), in chunks of
  // 3 rows (bands [0,3), [3,6), [6,7)). Sparse counts keep the gzip'd file small.
  const [H, W, C] = [7, 256, 4096];
  const data = new Uint16Array(H * W * C);
  for (let i = 0; i < data.length; i += 97) data[i] = (i * 2654435761) % 65536;
  const windows = [
    { label: 'first', loChannel: 0, hiChannel: 1 },
    { label: 'Fe K', loChannel: 620, hiChannel: 663 },
    { label: 'last', loChannel: C - 1, hiChannel: C },
  ];
  await withTempDir(async (dir) => {
    const file = path.join(dir, 'chunked.h5');
    const h5 = await loadH5wasm();
    const f = new h5.File(file, 'w');
    try {
      f.create_dataset({ name: 'cube', data, shape: [H, W, C], chunks: [3, W, C], compression: 'gzip', compression_opts: 1 });
    } finally {
      f.close();
    }
    const cube = await openHdf5(file);
    try {
      assert.equal(cube.rowChunk, 3);
      assert.equal(cube.rawRowDType, 'u2');
      assert.equal(defaultRowsPerBlock({ height: H, width: W, channels: C }), 4, 'without the hint: 4-row blocks');
      const reads = async (run: () => Promise<ScanSummary>) => {
        const before = cube.bandRowsRead;
        const s = await run();
        return { s, rows: cube.bandRowsRead - before };
      };
      let stats: (KernelStats & { samples: KernelSamples }) | undefined;
      const aligned = await reads(() => aggregateScan(cube, windows, { onKernelStats: (st) => (stats = st) }));
      assert.equal(aligned.rows, H, 'each row read once');
      assert.ok(stats?.samples === 'u16' && stats.u16LaneChunks === 3, `3 blocks of whole bands, raw u16 lanes: ${JSON.stringify(stats)}`);
      // The same 4-row blocks the pass used before: [0,4) reads [0,6), [4,7) reads [3,7) again.
      const straddling = await reads(() => aggregateScan(cube, windows, { rowsPerBlock: 4 }));
      assert.equal(straddling.rows, 10, '4-row blocks read the band [3,6) twice');
      const js = await aggregateScan(cube, windows, { engine: 'js' });
      assertSameSummary(aligned.s, js, 'aligned blocks vs the JavaScript pass');
      assertSameSummary(straddling.s, js, '4-row blocks vs the JavaScript pass');
      assert.ok(js.sumSpectrum.some((x) => x > 0) && js.totalCounts.every((x) => x > 0), 'the data are not empty');

      // A band of rows (a share of a parallel pass) starting inside a chunk: blocks [2,3), [3,6),
      // [6,7) follow the whole scan's grid, so each chunk band is read once.
      const band = await reads(() => aggregateScan(cube, windows, { rows: { from: 2, to: 7 } }));
      assert.equal(band.rows, 7, 'bands [0,3), [3,6), [6,7): once each');
      const jsBand = await aggregateScan(cube, windows, { rows: { from: 2, to: 7 }, engine: 'js' });
      assertSameSummary(band.s, jsBand, 'rows 2-7 vs the JavaScript pass');
      assert.deepEqual(band.s.totalCounts, js.totalCounts.subarray(2 * W), 'rows 2-7 are the whole pass\'s rows 2-7');
    } finally {
      await cube.close();
    }
  });
});

test('with a rowChunk, a band of rows shorter than a block is still cut on the whole scan\'s block grid (memory cube; summary equals brute force)', async () => {
  // 20 rows in 3-row chunks, blocks of 6 rows: ranges that start inside a block and are shorter
  // than one. Every block boundary inside a range must be a multiple of 6 (hence of 3).
  const [H, W, C] = [20, 3, 10];
  const v = new Float64Array(H * W * C).map((_, i) => (i * 37) % 101);
  const windows = [{ label: 'a', loChannel: 2, hiChannel: 7 }];
  for (const [from, to] of [[4, 9], [1, 20], [7, 11], [13, 14]] as const) {
    const cube = Object.assign(memoryCube(v, H, W, C), { rowChunk: 3 });
    const blocks: [number, number][] = [];
    const readRows = cube.readRows;
    cube.readRows = (row0, n, out) => {
      blocks.push([row0, row0 + n]);
      return readRows(row0, n, out);
    };
    for (const engine of ['wasm', 'js'] as const) {
      blocks.length = 0;
      const s = await aggregateScan(cube, windows, { rows: { from, to }, rowsPerBlock: 6, engine });
      const what = `rows [${from}, ${to}), ${engine}`;
      assert.equal(blocks[0][0], from, what);
      assert.equal(blocks[blocks.length - 1][1], to, what);
      blocks.forEach(([a, b], i) => {
        assert.ok(b - a <= 6, `${what}: block [${a}, ${b}) longer than 6 rows`);
        if (i > 0) assert.ok(a === blocks[i - 1][1] && a % 6 === 0, `${what}: block [${a}, ${b}) does not start on the grid: ${JSON.stringify(blocks)}`);
      });
      const ref = bruteForce(v.subarray(from * W * C, to * W * C), to - from, W, C, windows);
      assert.deepEqual(s.totalCounts, Float32Array.from(ref.total), `${what}: total counts`);
      assert.deepEqual(s.roiMaps[0], Float32Array.from(ref.rois[0]), `${what}: window`);
    }
  }
});
