/**
 * The tiled aggregation pass over chunked HDF5 scans whose band of whole chunk rows is over the
 * reader's band budget (Hdf5Cube.tileShape, Cube.readRawTile / readTile). The budget is an option
 * (maxBandBytes), so the files stay tiny: 11 × 13 pixels × 37 channels in chunks of 4 rows × 5
 * columns (× 16 channels where the channel axis is chunked): no size is a multiple of a chunk.
 * Files are written by h5wasm in every stored order (channels last, first, in the middle), gzip'd,
 * and for one case by h5py with the shuffle filter as well.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as path from 'node:path';
import { spawnSync } from 'node:child_process';
import { promises as fs } from 'node:fs';
import { loadH5wasm, openHdf5, type Hdf5Cube } from '../../src/core/cube/hdf5';
import type { ChannelAxis } from '../../src/core/cube/hdf5-axes';
import type { SlabSamples } from '../../src/core/cube/transpose';
import { aggregateScan } from '../../src/core/maps/aggregate';
import type { KernelSamples } from '../../src/core/maps/pass-kernel';
import type { RoiWindow, ScanSummary } from '../../src/core/maps/summary';
import { XrfInputError, isCancelled } from '../../src/core/errors';
import { tokenFromSignal } from '../../src/core/util/progress';
import { bruteForce } from '../maps/helpers';
import { pythonMissing, withTempDir } from './writers';

const [H, W, C] = [11, 13, 37];
/** Chunk rows and columns; the band of 4 rows is 4 · 13 · 37 samples (1924 · sample bytes) > BAND. */
const [CR, CC] = [4, 5];
const BAND = 1000;
/** Two chunk columns of 4 × 5 pixels per tile: tiles [0, 10) and [10, 13) along a band. */
const TILE_SAMPLES = 2 * CR * CC * C;
const TILES_PER_PASS = 3 * 2;

type DTypeUnderTest = 'u2' | 'u4' | 'f4' | 'i2';
const ARRAYS = { u2: Uint16Array, u4: Uint32Array, f4: Float32Array, i2: Int16Array } as const;

const WINDOWS: RoiWindow[] = [
  { label: 'first', loChannel: 0, hiChannel: 1 },
  { label: 'middle', loChannel: 5, hiChannel: 23 },
  { label: 'all', loChannel: 0, hiChannel: C },
  { label: 'last', loChannel: C - 1, hiChannel: C },
];

/** Integer values in each type's range (so every sum is exact in float64 and float32 alike), distinct per position. */
function valueOf(dtype: DTypeUnderTest, r: number, c: number, ch: number): number {
  const k = (r * W + c) * C + ch;
  if (dtype === 'u2') return (k * 2654435761) % 65536;
  if (dtype === 'u4') return 65536 + ((k * 2654435761) % (2 ** 24 - 65536)); // past u16, below 2^24: exact as float32 too (the JavaScript pass reads float32)
  if (dtype === 'i2') return ((k * 40503) % 65536) - 32768;
  return ((k * 7919) % 100003) - 50000;
}

/** Pixel-major values (the brute-force reference's input). */
function pixelMajor(dtype: DTypeUnderTest): Float64Array {
  const v = new Float64Array(H * W * C);
  for (let r = 0; r < H; r++) for (let c = 0; c < W; c++) for (let ch = 0; ch < C; ch++) v[(r * W + c) * C + ch] = valueOf(dtype, r, c, ch);
  return v;
}

function storedShape(channelAxis: ChannelAxis): number[] {
  return channelAxis === 2 ? [H, W, C] : channelAxis === 0 ? [C, H, W] : [H, C, W];
}

function chunksOf(channelAxis: ChannelAxis): number[] {
  return channelAxis === 2 ? [CR, CC, 16] : channelAxis === 0 ? [16, CR, CC] : [CR, 16, CC];
}

/** The stored array for `channelAxis` from pixel-major values. */
function stored(dtype: DTypeUnderTest, channelAxis: ChannelAxis, v: Float64Array): SlabSamples {
  const data = new ARRAYS[dtype](H * W * C);
  for (let r = 0; r < H; r++)
    for (let c = 0; c < W; c++)
      for (let ch = 0; ch < C; ch++) {
        const i = channelAxis === 2 ? (r * W + c) * C + ch : channelAxis === 0 ? (ch * H + r) * W + c : (r * C + ch) * W + c;
        data[i] = v[(r * W + c) * C + ch];
      }
  return data;
}

async function writeCube(file: string, data: SlabSamples, shape: number[], chunks: number[]): Promise<string> {
  const h5 = await loadH5wasm();
  const f = new h5.File(file, 'w');
  try {
    f.create_dataset({ name: 'cube', data, shape, chunks, compression: 'gzip', compression_opts: 1 });
  } finally {
    f.close();
  }
  return file;
}

function openTiled(file: string, channelAxis: ChannelAxis, extra: Parameters<typeof openHdf5>[1] = {}): Promise<Hdf5Cube> {
  return openHdf5(file, { channelAxis, maxBandBytes: BAND, passTileSamples: TILE_SAMPLES, ...extra });
}

function assertSameSummary(got: ScanSummary, want: ScanSummary, what: string): void {
  assert.deepEqual(got.totalCounts, want.totalCounts, `${what}: total counts`);
  got.roiMaps.forEach((m, k) => assert.deepEqual(m, want.roiMaps[k], `${what}: window ${got.windows[k].label}`));
  assert.deepEqual(got.sumSpectrum, want.sumSpectrum, `${what}: sum spectrum`);
  assert.deepEqual(got.maxSpectrum, want.maxSpectrum, `${what}: max spectrum`);
}

/** Brute force over pixel-major values, rows [from, to). */
function assertBruteForce(s: ScanSummary, v: Float64Array, from: number, to: number, what: string): void {
  const ref = bruteForce(v.subarray(from * W * C, to * W * C), to - from, W, C, WINDOWS);
  assert.deepEqual(s.totalCounts, Float32Array.from(ref.total), `${what}: total counts vs brute force`);
  s.roiMaps.forEach((m, k) => assert.deepEqual(m, Float32Array.from(ref.rois[k]), `${what}: window ${WINDOWS[k].label} vs brute force`));
  assert.deepEqual(Array.from(s.sumSpectrum), Array.from(ref.sum), `${what}: sum spectrum vs brute force`);
  assert.deepEqual(s.maxSpectrum, Float32Array.from(ref.max), `${what}: max spectrum vs brute force`);
}

type TileCall = [row0: number, nRows: number, col0: number, nCols: number];

/** Record the tiles the pass reads (raw or float32) on `cube`. */
function recordTiles(cube: Hdf5Cube): TileCall[] {
  const calls: TileCall[] = [];
  const raw = cube.readRawTile.bind(cube);
  const f32 = cube.readTile.bind(cube);
  cube.readRawTile = (r0, nr, c0, nc, into, check) => {
    calls.push([r0, nr, c0, nc]);
    return raw(r0, nr, c0, nc, into, check);
  };
  cube.readTile = (r0, nr, c0, nc, out) => {
    calls.push([r0, nr, c0, nc]);
    return f32(r0, nr, c0, nc, out);
  };
  return calls;
}

/** Every tile starts on the chunk grid, ends on it or at the edge, and together they cover rows [from, to) once. */
function assertChunkAlignedCover(calls: TileCall[], from: number, to: number, what: string): void {
  const seen = new Uint8Array(H * W);
  for (const [r0, nr, c0, nc] of calls) {
    assert.ok(c0 % CC === 0 && (c0 + nc === W || (c0 + nc) % CC === 0), `${what}: tile columns [${c0}, ${c0 + nc}) off the chunk grid`);
    assert.ok((r0 === from || r0 % CR === 0) && (r0 + nr === to || (r0 + nr) % CR === 0), `${what}: tile rows [${r0}, ${r0 + nr}) off the chunk grid`);
    for (let r = r0; r < r0 + nr; r++) for (let c = c0; c < c0 + nc; c++) seen[r * W + c]++;
  }
  for (let r = 0; r < H; r++) {
    for (let c = 0; c < W; c++) assert.equal(seen[r * W + c], r >= from && r < to ? 1 : 0, `${what}: pixel (${r}, ${c}) read by ${seen[r * W + c]} tiles`);
  }
}

test('tileShape: set only for filtered chunks whose band of whole chunk rows exceeds maxBandBytes; whole chunk columns up to passTileSamples; a chunk column over it is cut at a divisor of the chunk rows', async () => {
  await withTempDir(async (dir) => {
    const v = pixelMajor('u2');
    const file = await writeCube(path.join(dir, 'c.h5'), stored('u2', 2, v), [H, W, C], [6, CC, 16]);
    const shapeWith = async (opts: Parameters<typeof openHdf5>[1]) => {
      const cube = await openHdf5(file, opts);
      try {
        return { tiles: cube.tileShape, rowChunk: cube.rowChunk };
      } finally {
        await cube.close();
      }
    };
    // A band of 6 rows is 6 · 13 · 37 · 2 = 5772 bytes.
    assert.deepEqual(await shapeWith({}), { tiles: undefined, rowChunk: 6 }, 'the band fits the default 64 MiB: row bands, no tiles');
    assert.deepEqual(await shapeWith({ maxBandBytes: 5772 }), { tiles: undefined, rowChunk: 6 }, 'exactly at the budget: still a band');
    assert.deepEqual(await shapeWith({ maxBandBytes: 5771 }), { tiles: { rows: 6, cols: W }, rowChunk: undefined }, 'over it: tiles, as wide as the budget allows (the whole width)');
    assert.deepEqual(await shapeWith({ maxBandBytes: 1000, passTileSamples: 6 * CC * C * 2 }), { tiles: { rows: 6, cols: 10 }, rowChunk: undefined }, 'two chunk columns per tile');
    assert.deepEqual(await shapeWith({ maxBandBytes: 1000, passTileSamples: 6 * CC * C * 2 - 1 }), { tiles: { rows: 6, cols: CC }, rowChunk: undefined }, 'one chunk column per tile');
    assert.deepEqual(await shapeWith({ maxBandBytes: 1000, passTileSamples: 5 * CC * C }), { tiles: { rows: 3, cols: CC }, rowChunk: undefined }, 'a chunk column over the budget: 5 rows fit, 3 divides 6');
    assert.deepEqual(await shapeWith({ maxBandBytes: 1000, passTileSamples: 2 * CC * C }), { tiles: { rows: 2, cols: CC }, rowChunk: undefined }, '2 rows fit and divide 6');
    assert.deepEqual(await shapeWith({ maxBandBytes: 1000, passTileSamples: 1 }), { tiles: { rows: 1, cols: CC }, rowChunk: undefined }, 'never less than one row');
    assert.deepEqual(await shapeWith({ maxBandBytes: 1000, passTileSamples: 0 }), { tiles: undefined, rowChunk: undefined }, 'passTileSamples 0 turns tiles off');
    const contiguous = path.join(dir, 'contiguous.h5');
    const h5 = await loadH5wasm();
    const f = new h5.File(contiguous, 'w');
    f.create_dataset({ name: 'cube', data: stored('u2', 2, v), shape: [H, W, C] });
    f.close();
    const unfiltered = path.join(dir, 'unfiltered.h5');
    const g = new h5.File(unfiltered, 'w');
    g.create_dataset({ name: 'cube', data: stored('u2', 2, v), shape: [H, W, C], chunks: [6, CC, 16] });
    g.close();
    for (const [file, why] of [[contiguous, 'a contiguous dataset has no chunks to tile'], [unfiltered, 'unfiltered chunks are read in place: row blocks cost nothing extra']]) {
      const cube = await openHdf5(file, { maxBandBytes: 10 });
      assert.equal(cube.tileShape, undefined, why);
      await cube.close();
    }
  });
});

for (const channelAxis of [2, 0, 1] as const) {
  for (const dtype of ['u2', 'u4', 'f4', 'i2'] as const) {
    test(`tiled pass, ${dtype}, channel axis ${channelAxis}: equals brute force and the JavaScript row pass exactly; each chunk-aligned tile read once, no row band`, async () => {
      await withTempDir(async (dir) => {
        const v = pixelMajor(dtype);
        const file = await writeCube(path.join(dir, 'c.h5'), stored(dtype, channelAxis, v), storedShape(channelAxis), chunksOf(channelAxis));
        const cube = await openTiled(file, channelAxis);
        try {
          assert.deepEqual(cube.tileShape, { rows: CR, cols: 2 * CC });
          const calls = recordTiles(cube);
          let samples: KernelSamples | undefined;
          const s = await aggregateScan(cube, WINDOWS, { onKernelStats: (st) => (samples = st.samples) });
          const want: Record<DTypeUnderTest, KernelSamples> = { u2: 'u16', u4: 'u32', f4: 'f32', i2: 'f32' };
          assert.equal(samples, want[dtype], 'the kernel summed the tiles as stored (i2: float32 from readTile)');
          assert.equal(cube.tileSlabsRead, TILES_PER_PASS, 'one hyperslab per tile');
          assert.equal(calls.length, TILES_PER_PASS);
          assert.equal(cube.bandRowsRead, 0, 'no row band read');
          assertChunkAlignedCover(calls, 0, H, 'whole pass');
          assertBruteForce(s, v, 0, H, 'tiled kernel pass');

          const jsTiles = await aggregateScan(cube, WINDOWS, { engine: 'js' });
          assertSameSummary(jsTiles, s, 'tiled JavaScript pass vs tiled kernel pass');
          assert.equal(cube.tileSlabsRead, 2 * TILES_PER_PASS);
          assertSameSummary(await aggregateScan(cube, WINDOWS, { tiles: false }), s, 'the kernel\'s row pass vs its tiled pass');
          const jsRows = await aggregateScan(cube, WINDOWS, { engine: 'js', tiles: false });
          assertSameSummary(s, jsRows, 'tiled kernel pass vs the JavaScript row pass');
          assert.equal(cube.tileSlabsRead, 2 * TILES_PER_PASS, 'tiles: false reads row blocks');
          assert.ok(cube.bandRowsRead >= H, 'the row pass read rows');
          assert.ok(s.totalCounts.some((x) => x !== 0), 'the data are not empty');
        } finally {
          await cube.close();
        }
      });
    });
  }
}

test('tiled pass: onRows reports each band once, in order, with its final values; progress is whole rows, monotone, and ends at the total; a row range reads only its rows and equals the whole pass\'s rows', async () => {
  await withTempDir(async (dir) => {
    const v = pixelMajor('u2');
    const file = await writeCube(path.join(dir, 'c.h5'), stored('u2', 0, v), storedShape(0), chunksOf(0));
    const cube = await openTiled(file, 0);
    try {
      for (const engine of ['wasm', 'js'] as const) {
        const bands: { from: number; to: number; total: Float32Array; roi: Float32Array }[] = [];
        const progress: number[] = [];
        const s = await aggregateScan(cube, WINDOWS, {
          engine,
          onRows: (from, to, maps) => bands.push({ from, to, total: maps.totalCounts.slice(from * W, to * W), roi: maps.roiMaps[1].slice(from * W, to * W) }),
          onProgress: (p) => {
            assert.equal(p.total, H);
            progress.push(p.done);
          },
        });
        assert.deepEqual(bands.map((b) => [b.from, b.to]), [[0, 4], [4, 8], [8, 11]], `${engine}: one onRows per band`);
        for (const b of bands) {
          assert.deepEqual(b.total, s.totalCounts.subarray(b.from * W, b.to * W), `${engine}: rows ${b.from}-${b.to} final when reported`);
          assert.deepEqual(b.roi, s.roiMaps[1].subarray(b.from * W, b.to * W), `${engine}: window rows ${b.from}-${b.to} final when reported`);
        }
        assert.ok(progress.every((d, i) => Number.isInteger(d) && (i === 0 || d > progress[i - 1])), `${engine}: progress ${progress}`);
        assert.equal(progress[progress.length - 1], H);
        assert.ok(progress.length > bands.length, `${engine}: progress finer than bands: ${progress}`);

        const before = cube.tileSlabsRead;
        const rows = await aggregateScan(cube, WINDOWS, { engine, rows: { from: 2, to: 9 } });
        assert.equal(cube.tileSlabsRead - before, TILES_PER_PASS, `${engine}: bands [2,4), [4,8), [8,9), two tiles each`);
        assert.equal(rows.height, 7);
        assert.deepEqual(rows.totalCounts, s.totalCounts.subarray(2 * W, 9 * W), `${engine}: rows 2-9`);
        assert.deepEqual(rows.roiMaps[1], s.roiMaps[1].subarray(2 * W, 9 * W), `${engine}: window rows 2-9`);
        assertBruteForce(rows, v, 2, 9, `${engine}, rows 2-9`);
      }
    } finally {
      await cube.close();
    }
  });
});

test('tiled pass: a cancel takes effect before the next tile is read, and the cube still passes afterwards', async () => {
  await withTempDir(async (dir) => {
    const v = pixelMajor('u2');
    const file = await writeCube(path.join(dir, 'c.h5'), stored('u2', 2, v), storedShape(2), chunksOf(2));
    const cube = await openTiled(file, 2);
    try {
      for (const engine of ['wasm', 'js'] as const) {
        const before = cube.tileSlabsRead;
        const ac = new AbortController();
        const rowsSeen: number[] = [];
        await assert.rejects(
          aggregateScan(cube, WINDOWS, { engine, token: tokenFromSignal(ac.signal), onProgress: () => ac.abort(), onRows: (from) => rowsSeen.push(from) }),
          (e) => isCancelled(e),
        );
        assert.equal(cube.tileSlabsRead - before, 1, `${engine}: cancelled after the first tile`);
        assert.deepEqual(rowsSeen, [], `${engine}: no band finished`);
        // Cancelled while the next tile is being read: that tile is not summed.
        const ac2 = new AbortController();
        let reads = 0;
        const read = cube.readRawTile;
        const readF = cube.readTile;
        cube.readRawTile = async (...a) => {
          if (++reads === 3) ac2.abort();
          return read.apply(cube, a);
        };
        cube.readTile = async (...a) => {
          if (++reads === 3) ac2.abort();
          return readF.apply(cube, a);
        };
        const progress: number[] = [];
        await assert.rejects(aggregateScan(cube, WINDOWS, { engine, token: tokenFromSignal(ac2.signal), onProgress: (p) => progress.push(p.done) }), (e) => isCancelled(e));
        delete (cube as Partial<Hdf5Cube>).readRawTile;
        delete (cube as Partial<Hdf5Cube>).readTile;
        assert.equal(reads, 3, `${engine}: no tile read after the cancel`);
        assert.deepEqual(progress, [2, 4], `${engine}: two tiles summed, the third not`);
      }
      assertBruteForce(await aggregateScan(cube, WINDOWS), v, 0, H, 'a pass after the cancels');
    } finally {
      await cube.close();
    }
  });
});

test('tiled pass over float32 with a NaN: XrfInputError naming its row, column and channel (kernel, JavaScript, readTile, readRawTile)', async () => {
  await withTempDir(async (dir) => {
    const v = pixelMajor('f4');
    const [r, c, ch] = [9, 11, 30]; // in the last band's second tile
    v[(r * W + c) * C + ch] = NaN;
    v[((r + 1) * W + 12) * C + 3] = -Infinity; // a later pixel of the same tile (its rows come in order)
    for (const channelAxis of [2, 0] as const) {
      const file = await writeCube(path.join(dir, `nan-${channelAxis}.h5`), stored('f4', channelAxis, v), storedShape(channelAxis), chunksOf(channelAxis));
      const cube = await openTiled(file, channelAxis);
      try {
        const want = (e: unknown) => e instanceof XrfInputError && e.message === `${file}: NaN value at row ${r}, column ${c}, channel ${ch}`;
        for (const engine of ['wasm', 'js'] as const) {
          await assert.rejects(aggregateScan(cube, WINDOWS, { engine }), want, `${engine}, channel axis ${channelAxis}`);
        }
        await assert.rejects(aggregateScan(cube, WINDOWS, { kernel: { finiteFromSums: false } }), want, 'the reader\'s own check');
        await assert.rejects(cube.readTile(8, 3, 10, 3, new Float32Array(9 * C)), want, 'readTile');
        await assert.rejects(cube.readRawTile(8, 3, 10, 3, new Uint8Array(9 * C * 4)), want, 'readRawTile');
        await cube.readRawTile(8, 3, 10, 3, new Uint8Array(9 * C * 4), false); // unchecked: no throw
      } finally {
        await cube.close();
      }
    }
  });
});

test('readTile and readRawTile: any tile (not only the pass\'s) equals the pixels read one by one; bad ranges and small buffers are refused', async () => {
  await withTempDir(async (dir) => {
    const v = pixelMajor('u2');
    for (const channelAxis of [2, 0, 1] as const) {
      const file = await writeCube(path.join(dir, `c-${channelAxis}.h5`), stored('u2', channelAxis, v), storedShape(channelAxis), chunksOf(channelAxis));
      const cube = await openTiled(file, channelAxis);
      try {
        for (const [r0, nr, c0, nc] of [[0, H, 0, W], [3, 5, 2, 9], [10, 1, 12, 1], [1, 2, 0, 13]] as const) {
          const f32 = new Float32Array(nr * nc * C + 5).fill(-1);
          await cube.readTile(r0, nr, c0, nc, f32);
          const raw = new Uint8Array(nr * nc * C * 2);
          await cube.readRawTile(r0, nr, c0, nc, raw);
          const u16 = new Uint16Array(raw.buffer);
          for (let r = 0; r < nr; r++)
            for (let c = 0; c < nc; c++) {
              const want = v.subarray(((r0 + r) * W + c0 + c) * C, ((r0 + r) * W + c0 + c + 1) * C);
              const at = (r * nc + c) * C;
              assert.deepEqual(Array.from(f32.subarray(at, at + C)), Array.from(want), `axis ${channelAxis}: readTile pixel (${r0 + r}, ${c0 + c})`);
              assert.deepEqual(Array.from(u16.subarray(at, at + C)), Array.from(want), `axis ${channelAxis}: readRawTile pixel (${r0 + r}, ${c0 + c})`);
            }
          assert.deepEqual(Array.from(f32.subarray(nr * nc * C)), [-1, -1, -1, -1, -1], 'nothing written past the tile');
        }
        // Rows read after a tile (the transposer is shared with the row band) are still right.
        const rows = await cube.readRows(2, 3);
        assert.deepEqual(Array.from(rows), Array.from(v.subarray(2 * W * C, 5 * W * C)), `axis ${channelAxis}: readRows after tiles`);
        await cube.readTile(0, 1, 0, 1, new Float32Array(C));
        assert.deepEqual(Array.from(await cube.readRows(3, 1)), Array.from(v.subarray(3 * W * C, 4 * W * C)), `axis ${channelAxis}: readRows after a tile, inside the band read before`);
        await assert.rejects(cube.readTile(0, 1, 10, 4, new Float32Array(4 * C)), RangeError);
        await assert.rejects(cube.readTile(10, 2, 0, 1, new Float32Array(2 * C)), RangeError);
        await assert.rejects(cube.readTile(0, 1, 0, 0, new Float32Array(C)), RangeError);
        await assert.rejects(cube.readTile(0, 2, 0, 2, new Float32Array(4 * C - 1)), RangeError);
        await assert.rejects(cube.readRawTile(0, 2, 0, 2, new Uint8Array(8 * C - 1)), RangeError);
      } finally {
        await cube.close();
      }
    }
  });
});

test('a channels-first tile of more pixels than one transpose piece (1024) equals brute force', async () => {
  await withTempDir(async (dir) => {
    const [h, w] = [9, 150]; // tiles of 8 × 150 = 1200 pixels, then 1 × 150
    const v = new Float64Array(h * w * C).map((_, i) => (i * 2654435761) % 65536);
    const data = new Uint16Array(h * w * C);
    for (let p = 0; p < h * w; p++) for (let ch = 0; ch < C; ch++) data[ch * h * w + p] = v[p * C + ch];
    const file = await writeCube(path.join(dir, 'wide.h5'), data, [C, h, w], [16, 8, w]);
    const cube = await openHdf5(file, { channelAxis: 0, maxBandBytes: BAND });
    try {
      assert.deepEqual(cube.tileShape, { rows: 8, cols: w });
      const s = await aggregateScan(cube, WINDOWS);
      assert.equal(cube.tileSlabsRead, 2);
      const ref = bruteForce(v, h, w, C, WINDOWS);
      assert.deepEqual(s.totalCounts, Float32Array.from(ref.total));
      s.roiMaps.forEach((m, k) => assert.deepEqual(m, Float32Array.from(ref.rois[k]), WINDOWS[k].label));
      assert.deepEqual(s.maxSpectrum, Float32Array.from(ref.max));
    } finally {
      await cube.close();
    }
  });
});

const noH5py = pythonMissing(['h5py', 'numpy']);

test('tiled pass over an h5py-written file (shuffle + gzip, u2, chunks of 3 rows × 4 columns) equals brute force', { skip: noH5py }, async () => {
  await withTempDir(async (dir) => {
    const v = pixelMajor('u2');
    const raw = path.join(dir, 'v.u2');
    await fs.writeFile(raw, new Uint8Array(Uint16Array.from(v).buffer));
    const file = path.join(dir, 'h5py.h5');
    const script = [
      'import sys, numpy as np, h5py',
      `a = np.fromfile(sys.argv[1], dtype="<u2").reshape(${H}, ${W}, ${C})`,
      'with h5py.File(sys.argv[2], "w") as f:',
      '    g = f.create_group("entry/data"); g.attrs["NX_class"] = "NXdata"; g.attrs["signal"] = "data"',
      `    g.create_dataset("data", data=a, chunks=(3, 4, ${C}), compression="gzip", shuffle=True)`,
    ].join('\n');
    const r = spawnSync('/usr/bin/python3', ['-c', script, raw, file], { encoding: 'utf8' });
    assert.equal(r.status, 0, r.stderr);
    const cube = await openHdf5(file, { maxBandBytes: BAND, passTileSamples: 3 * 8 * C });
    try {
      assert.deepEqual(cube.tileShape, { rows: 3, cols: 8 });
      const s = await aggregateScan(cube, WINDOWS);
      assert.equal(cube.tileSlabsRead, 4 * 2, '4 bands of 3 rows (the last 2), 2 tiles each');
      assertBruteForce(s, v, 0, H, 'h5py file');
    } finally {
      await cube.close();
    }
  });
});

test('row reads of compressed chunks use bands up to readBandBytes: blocks inside one band of whole chunk rows read it once, even over the pass\'s budget', async () => {
  await withTempDir(async (dir) => {
    const v = pixelMajor('u2');
    for (const channelAxis of [2, 0] as const) {
      const file = await writeCube(path.join(dir, `rows-${channelAxis}.h5`), stored('u2', channelAxis, v), storedShape(channelAxis), chunksOf(channelAxis));
      const twoChunkRows = 2 * CR * W * C * 2; // bytes of rows [0, 8): over BAND, so the pass takes tiles
      for (const [readBandBytes, rowsRead] of [[twoChunkRows, 2 * CR], [BAND, 4]] as const) {
        const cube = await openTiled(file, channelAxis, { readBandBytes });
        try {
          assert.ok(cube.tileShape, 'the pass takes tiles: a band is over maxBandBytes');
          // Rows [3, 5) straddle chunk rows 0 and 1; [5, 7) lies in the band those made.
          for (const r0 of [3, 5]) {
            const out = new Float32Array(2 * W * C);
            await cube.readRows(r0, 2, out);
            assert.deepEqual(Array.from(out), Array.from(v.subarray(r0 * W * C, (r0 + 2) * W * C)), `axis ${channelAxis}: rows ${r0}-${r0 + 2}`);
          }
          assert.equal(cube.bandRowsRead, rowsRead, `axis ${channelAxis}, readBandBytes ${readBandBytes}: rows read`);
        } finally {
          await cube.close();
        }
      }
    }
  });
});
