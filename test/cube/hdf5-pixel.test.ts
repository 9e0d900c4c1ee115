/**
 * readPixel on chunked HDF5 datasets: the chunk-aligned pixel tile cache (one hyperslab per tile,
 * kept in an LRU) and pixels cut from the kept row band. Values are checked against what was
 * written, element by element from independent strides; slab reads through `pixelSlabsRead`.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { promises as fs } from 'node:fs';
import { spawnSync } from 'node:child_process';
import * as path from 'node:path';
import { loadH5wasm, openHdf5, type Hdf5Cube, type Hdf5CubeOptions } from '../../src/core/cube/hdf5';
import type { ChannelAxis } from '../../src/core/cube/hdf5-axes';
import { XrfInputError } from '../../src/core/errors';
import { maxAbsDiff, pythonMissing, testValues, withTempDir } from './writers';

type Axis = 'r' | 'c' | 'ch';
const ORDERS: Record<ChannelAxis, [Axis, Axis, Axis]> = { 0: ['ch', 'r', 'c'], 1: ['r', 'ch', 'c'], 2: ['r', 'c', 'ch'] };

/** Pixel-major H×W×C values laid out in the stored order of `channelAxis`, one element at a time from its own strides. */
function stored(v: ArrayLike<number>, h: number, w: number, ch: number, channelAxis: ChannelAxis): { data: Float64Array; shape: number[] } {
  const order = ORDERS[channelAxis];
  const size: Record<Axis, number> = { r: h, c: w, ch };
  const shape = order.map((a) => size[a]);
  const stride = {} as Record<Axis, number>;
  stride[order[2]] = 1;
  stride[order[1]] = shape[2];
  stride[order[0]] = shape[1] * shape[2];
  const data = new Float64Array(v.length);
  for (let r = 0; r < h; r++)
    for (let c = 0; c < w; c++)
      for (let k = 0; k < ch; k++) data[r * stride.r + c * stride.c + k * stride.ch] = v[(r * w + c) * ch + k];
  return { data, shape };
}

/** Chunk sizes in stored order from (rows, columns, channels). */
function chunksFor(channelAxis: ChannelAxis, rows: number, cols: number, chans: number): number[] {
  const size: Record<Axis, number> = { r: rows, c: cols, ch: chans };
  return ORDERS[channelAxis].map((a) => size[a]);
}

type Sample = 'u2' | 'f4' | 'i8';
const ARRAYS = { u2: Uint16Array, f4: Float32Array, i8: BigInt64Array } as const;

/** A chunked dataset "cube" written by h5wasm (pixel-major `v` stored with channels on `channelAxis`). */
async function writeChunked(
  file: string,
  v: ArrayLike<number>,
  [h, w, ch]: [number, number, number],
  o: { channelAxis: ChannelAxis; chunks: [number, number, number]; gzip: boolean; sample: Sample },
): Promise<string> {
  const { data, shape } = stored(v, h, w, ch, o.channelAxis);
  const typed = o.sample === 'i8' ? BigInt64Array.from(data, (x) => BigInt(x)) : ARRAYS[o.sample].from(data);
  const h5 = await loadH5wasm();
  const f = new h5.File(file, 'w');
  try {
    f.create_dataset({
      name: 'cube',
      data: typed,
      shape,
      chunks: chunksFor(o.channelAxis, ...o.chunks),
      ...(o.gzip ? { compression: 'gzip' as const, compression_opts: 1 } : {}),
    });
  } finally {
    f.close();
  }
  return file;
}

function pixelOf(v: ArrayLike<number>, w: number, ch: number, r: number, c: number): number[] {
  return Array.from({ length: ch }, (_, k) => v[(r * w + c) * ch + k]);
}

async function withCube<T>(file: string, opts: { channelAxis: ChannelAxis } & Hdf5CubeOptions, fn: (cube: Hdf5Cube) => Promise<T>): Promise<T> {
  const cube = await openHdf5(file, opts);
  try {
    return await fn(cube);
  } finally {
    await cube.close();
  }
}

async function expectInputError(p: Promise<unknown>, file: string, problem: RegExp): Promise<void> {
  await assert.rejects(p, (e: unknown) => {
    assert.ok(e instanceof XrfInputError, `expected XrfInputError, got ${String(e)}`);
    assert.equal(e.file, file);
    assert.match(e.problem, problem);
    return true;
  });
}

// 11 × 13 pixels in 4 × 5-pixel chunks (3 × 3 tiles, the last row and column of tiles cut short), 37 channels in chunks of 16.
const [H, W, C] = [11, 13, 37];
const CHUNKS: [number, number, number] = [4, 5, 16];
const TILES = Math.ceil(H / CHUNKS[0]) * Math.ceil(W / CHUNKS[1]);

const CASES: { channelAxis: ChannelAxis; gzip: boolean; sample: Sample }[] = [];
for (const channelAxis of [2, 0, 1] as ChannelAxis[]) for (const gzip of [false, true]) CASES.push({ channelAxis, gzip, sample: 'u2' });
CASES.push({ channelAxis: 0, gzip: true, sample: 'f4' }, { channelAxis: 1, gzip: true, sample: 'i8' }, { channelAxis: 2, gzip: true, sample: 'i8' });

test('HDF5 pixel tiles: every pixel (every corner and edge tile) equals the values written, channels last/first/middle, gzip or not, u2/f4/i8; one slab read per tile when compressed, one per pixel unfiltered', async () => {
  await withTempDir(async (dir) => {
    const v = testValues(H, W, C, { max: 4001 });
    for (const o of CASES) {
      const what = `channel axis ${o.channelAxis}, ${o.sample}${o.gzip ? ', gzip' : ''}`;
      const file = await writeChunked(path.join(dir, `a${o.channelAxis}-${o.sample}-${o.gzip}.h5`), v, [H, W, C], { ...o, chunks: CHUNKS });
      await withCube(file, { channelAxis: o.channelAxis }, async (cube) => {
        assert.deepEqual([cube.height, cube.width, cube.channels, cube.dtype], [H, W, C, o.sample], what);
        // Column-major walk, so tiles are left and come back to (the LRU holds them all at this size).
        for (let c = 0; c < W; c++)
          for (let r = 0; r < H; r++) assert.equal(maxAbsDiff(await cube.readPixel(r, c), pixelOf(v, W, C, r, c)), 0, `${what}: pixel ${r},${c}`);
        // Unfiltered: HDF5 reads a spectrum's samples alone, so no tiles; compressed: one slab read per
        // tile, and every tile held (3 × 3 tiles of all 11 × 13 pixels).
        const tiled = o.gzip;
        assert.equal(cube.pixelSlabsRead, tiled ? TILES : H * W, `${what}: slab reads`);
        assert.equal(cube.pixelTileBytesHeld, tiled ? H * W * C * { u2: 2, f4: 4, i8: 8 }[o.sample] : 0, what);
      });
      // With the tile cache off, each pixel is its own hyperslab, with the same values.
      await withCube(file, { channelAxis: o.channelAxis, pixelTileBytes: 0 }, async (cube) => {
        for (const [r, c] of [[0, 0], [10, 12], [3, 4], [4, 5], [8, 12]])
          assert.equal(maxAbsDiff(await cube.readPixel(r, c), pixelOf(v, W, C, r, c)), 0, `${what}, tiles off: pixel ${r},${c}`);
        assert.equal(cube.pixelSlabsRead, 5);
        assert.equal(cube.pixelTileBytesHeld, 0);
      });
    }
  });
});

test('HDF5 pixel tiles: 10 pixels in one chunk cost one slab read; the LRU drops the least recently used tile past its budget; tiles over the tile budget are not kept', async () => {
  await withTempDir(async (dir) => {
    const v = testValues(H, W, C);
    const file = await writeChunked(path.join(dir, 'lru.h5'), v, [H, W, C], { channelAxis: 2, chunks: CHUNKS, gzip: true, sample: 'u2' });
    const tileBytes = CHUNKS[0] * CHUNKS[1] * C * 2;
    await withCube(file, { channelAxis: 2, pixelCacheBytes: 2 * tileBytes }, async (cube) => {
      const inFirstTile = [[0, 0], [0, 1], [1, 0], [1, 1], [2, 2], [3, 4], [3, 0], [0, 4], [2, 3], [1, 1]];
      for (const [r, c] of inFirstTile) assert.equal(maxAbsDiff(await cube.readPixel(r, c), pixelOf(v, W, C, r, c)), 0);
      assert.equal(cube.pixelSlabsRead, 1, '10 pixels of one chunk: one slab read');
      assert.equal(cube.pixelTileBytesHeld, tileBytes);
      const A = [1, 1];
      const B = [1, 6]; // the tile to the right
      const Cc = [5, 1]; // the tile below
      const reads: number[] = [];
      for (const [r, c] of [B, Cc, B, A, Cc, Cc]) {
        assert.equal(maxAbsDiff(await cube.readPixel(r, c), pixelOf(v, W, C, r, c)), 0, `pixel ${r},${c}`);
        reads.push(cube.pixelSlabsRead);
        assert.ok(cube.pixelTileBytesHeld <= 2 * tileBytes, 'never more than the budget held');
      }
      // A B: held [A, B]; C evicts A: [B, C]; B hit: [C, B]; A evicts C: [B, A]; C evicts B: [A, C]; C hit.
      assert.deepEqual(reads, [2, 3, 3, 4, 5, 5]);
      assert.equal(cube.pixelTileBytesHeld, 2 * tileBytes);
    });
    // A tile budget below one tile: read as before, one hyperslab per pixel, nothing held.
    await withCube(file, { channelAxis: 2, pixelTileBytes: tileBytes - 1 }, async (cube) => {
      for (const [r, c] of [[0, 0], [0, 1], [1, 1]]) assert.equal(maxAbsDiff(await cube.readPixel(r, c), pixelOf(v, W, C, r, c)), 0);
      assert.equal(cube.pixelSlabsRead, 3);
      assert.equal(cube.pixelTileBytesHeld, 0);
    });
    // Contiguous datasets have no tiles: one hyperslab per pixel.
    const flat = path.join(dir, 'flat.h5');
    const h5 = await loadH5wasm();
    const f = new h5.File(flat, 'w');
    f.create_dataset({ name: 'cube', data: Uint16Array.from(v), shape: [H, W, C] });
    f.close();
    await withCube(flat, { channelAxis: 2 }, async (cube) => {
      for (const [r, c] of [[2, 3], [2, 4]]) assert.equal(maxAbsDiff(await cube.readPixel(r, c), pixelOf(v, W, C, r, c)), 0);
      assert.equal(cube.pixelSlabsRead, 2);
    });
  });
});

test('HDF5 pixels inside the kept row band are cut from it (channels last, no read, band untouched); a channels-first band is left to the pass and the tile is read', async () => {
  await withTempDir(async (dir) => {
    const v = testValues(H, W, C);
    for (const channelAxis of [2, 0] as ChannelAxis[]) {
      const file = await writeChunked(path.join(dir, `band${channelAxis}.h5`), v, [H, W, C], { channelAxis, chunks: CHUNKS, gzip: true, sample: 'u2' });
      await withCube(file, { channelAxis }, async (cube) => {
        const rows = await cube.readRows(4, 2); // the band of chunk rows 4..7
        assert.equal(maxAbsDiff(rows, v.subarray(4 * W * C, 6 * W * C)), 0);
        const bandRows = cube.bandRowsRead;
        for (const [r, c] of [[4, 0], [7, 12], [5, 6]]) assert.equal(maxAbsDiff(await cube.readPixel(r, c), pixelOf(v, W, C, r, c)), 0, `pixel ${r},${c}`);
        assert.equal(cube.pixelSlabsRead, channelAxis === 2 ? 0 : 3, channelAxis === 2 ? 'cut from the band' : 'three tiles (columns 0, 10, 5)');
        // Outside the band: a tile.
        assert.equal(maxAbsDiff(await cube.readPixel(0, 0), pixelOf(v, W, C, 0, 0)), 0);
        assert.equal(cube.pixelSlabsRead, channelAxis === 2 ? 1 : 4);
        // The pass's band is still the one kept: rows inside it are not read again.
        assert.equal(maxAbsDiff(await cube.readRows(6, 2), v.subarray(6 * W * C, 8 * W * C)), 0);
        assert.equal(cube.bandRowsRead, bandRows);
      });
    }
  });
});

test('HDF5 pixel tiles: NaN/Inf in a float tile is an error naming the file, pixel and channel (a clean neighbour in the same tile reads fine); a closed cube refuses cached pixels', async () => {
  await withTempDir(async (dir) => {
    for (const channelAxis of [2, 0] as ChannelAxis[]) {
      const v = testValues(H, W, C, { fractional: true });
      v[(1 * W + 6) * C + 33] = NaN;
      v[(9 * W + 12) * C + 0] = -Infinity;
      const file = await writeChunked(path.join(dir, `nan${channelAxis}.h5`), v, [H, W, C], { channelAxis, chunks: CHUNKS, gzip: true, sample: 'f4' });
      const cube = await openHdf5(file, { channelAxis });
      try {
        assert.equal(maxAbsDiff(await cube.readPixel(1, 5), pixelOf(v, W, C, 1, 5)), 0);
        await expectInputError(cube.readPixel(1, 6), file, /NaN value at row 1, column 6, channel 33/);
        await expectInputError(cube.readPixel(9, 12), file, /-Inf value at row 9, column 12, channel 0/);
        assert.equal(maxAbsDiff(await cube.readPixel(9, 11), pixelOf(v, W, C, 9, 11)), 0);
        assert.equal(cube.pixelSlabsRead, 2, 'the bad pixels were cut from the same two tiles');
      } finally {
        await cube.close();
      }
      await assert.rejects(cube.readPixel(1, 5), /cube is closed/);
      assert.equal(cube.pixelTileBytesHeld, 0, 'closing drops the tiles');
    }
  });
});

const skipH5py = pythonMissing(['h5py', 'numpy']);

test('cross-check: chunked scans written by h5py (gzip + shuffle, big-endian, chunks not dividing the shape, each channel axis; one unfiltered) read back every pixel, through tiles when compressed', { skip: skipH5py }, async () => {
  await withTempDir(async (dir) => {
    const script = `
import h5py, numpy as np, sys
d = sys.argv[1]
H, W, C = 9, 14, 50
r = np.arange(H * W * C, dtype=np.int64).reshape(H, W, C)
a = ((r * 53) % 4001).astype('>u2')
with h5py.File(d + '/last.h5', 'w') as f:
    f.create_dataset('cube', data=a, chunks=(4, 6, 50), compression='gzip', shuffle=True)
with h5py.File(d + '/first.h5', 'w') as f:
    f.create_dataset('cube', data=np.ascontiguousarray(a.transpose(2, 0, 1)), chunks=(20, 4, 6), compression='gzip')
with h5py.File(d + '/middle.h5', 'w') as f:
    f.create_dataset('cube', data=np.ascontiguousarray(a.transpose(0, 2, 1)).astype('<f8'), chunks=(2, 50, 5), compression='gzip', compression_opts=9)
with h5py.File(d + '/plain.h5', 'w') as f:
    f.create_dataset('cube', data=np.ascontiguousarray(a.transpose(2, 0, 1)), chunks=(50, 4, 6))
np.savetxt(d + '/expected.txt', a.reshape(-1), fmt='%d')
`;
    const py = spawnSync('/usr/bin/python3', ['-c', script, dir], { encoding: 'utf8' });
    assert.equal(py.status, 0, py.stderr);
    const expected = Float64Array.from((await fs.readFile(path.join(dir, 'expected.txt'), 'utf8')).trim().split('\n').map(Number));
    const [h, w, ch] = [9, 14, 50];
    // Slab reads: one per tile when compressed; one per pixel unfiltered (no tiles).
    const cases: [string, ChannelAxis, number][] = [['last.h5', 2, 3 * 3], ['first.h5', 0, 3 * 3], ['middle.h5', 1, 5 * 3], ['plain.h5', 0, h * w]];
    for (const [name, channelAxis, tiles] of cases) {
      await withCube(path.join(dir, name), { channelAxis }, async (cube) => {
        assert.deepEqual([cube.height, cube.width, cube.channels], [h, w, ch], name);
        for (let r = 0; r < h; r++)
          for (let c = 0; c < w; c++) assert.equal(maxAbsDiff(await cube.readPixel(r, c), pixelOf(expected, w, ch, r, c)), 0, `${name}: pixel ${r},${c}`);
        assert.equal(cube.pixelSlabsRead, tiles, `${name}: slab reads`);
      });
    }
  });
});
