/**
 * The HDF5 raw row path (readRawRows), the whole-chunk row bands behind it, and the SIMD transpose
 * against the JavaScript one. Files are written by h5wasm in every stored order (channels last,
 * first, in the middle), chunked + gzip and contiguous, with sizes that are multiples of nothing
 * (C = 37: not a multiple of the 8-sample SIMD block; W = 7: not of 4; H = 10 rows in 4-row chunks).
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as path from 'node:path';
import { loadH5wasm, openHdf5, type Hdf5Cube } from '../../src/core/cube/hdf5';
import type { ChannelAxis } from '../../src/core/cube/hdf5-axes';
import { createTransposer, JsTransposer, type SlabSamples } from '../../src/core/cube/transpose';
import { transposeKernelAvailable } from '../../src/core/cube/transpose-kernel';
import { aggregateScan } from '../../src/core/maps/aggregate';
import type { Cube, DType } from '../../src/core/cube/cube';
import type { ScanSummary } from '../../src/core/maps/summary';
import { XrfInputError } from '../../src/core/errors';
import { withTempDir } from './writers';

const [H, W, C] = [10, 7, 37];

type RawDType = 'u2' | 'u4' | 'f4';
const ARRAYS = { u2: Uint16Array, u4: Uint32Array, f4: Float32Array } as const;

/** value(r, c, ch) for each sample type: spread over the type's range, distinct per position. */
function valueOf(dtype: RawDType, r: number, c: number, ch: number): number {
  const k = (r * W + c) * C + ch;
  if (dtype === 'u2') return (k * 2654435761) % 65536;
  if (dtype === 'u4') return (k * 2654435761) % 4294967296;
  return Math.fround(((k * 7919) % 100003) / 7 - 3000.25);
}

/** The stored array for `channelAxis` (rows before columns, the channel axis where it says). */
function storedOf(dtype: RawDType, channelAxis: ChannelAxis): { data: SlabSamples; shape: number[] } {
  const shape = channelAxis === 2 ? [H, W, C] : channelAxis === 0 ? [C, H, W] : [H, C, W];
  const data = new ARRAYS[dtype](H * W * C);
  for (let r = 0; r < H; r++)
    for (let c = 0; c < W; c++)
      for (let ch = 0; ch < C; ch++) {
        const i = channelAxis === 2 ? (r * W + c) * C + ch : channelAxis === 0 ? (ch * H + r) * W + c : (r * C + ch) * W + c;
        data[i] = valueOf(dtype, r, c, ch);
      }
  return { data, shape };
}

/** Chunks of 4 rows × 3 columns × 16 channels in the stored order (partial chunks at every edge). */
function chunksOf(channelAxis: ChannelAxis): number[] {
  return channelAxis === 2 ? [4, 3, 16] : channelAxis === 0 ? [16, 4, 3] : [4, 16, 3];
}

async function writeCube(file: string, data: SlabSamples, shape: number[], chunks?: number[]): Promise<string> {
  const h5 = await loadH5wasm();
  const f = new h5.File(file, 'w');
  try {
    f.create_dataset({ name: 'cube', data, shape, ...(chunks ? { chunks, compression: 'gzip' as const, compression_opts: 1 } : {}) });
  } finally {
    f.close();
  }
  return file;
}

/** The expected pixel-major rows [row0, row0 + n), as numbers. */
function expectedRows(dtype: RawDType, row0: number, n: number): number[] {
  const out: number[] = [];
  for (let r = row0; r < row0 + n; r++) for (let c = 0; c < W; c++) for (let ch = 0; ch < C; ch++) out.push(valueOf(dtype, r, c, ch));
  return out;
}

/** Row requests in an order that jumps back and across chunk edges (rows 4 and 8 start chunks). */
const REQUESTS: [number, number][] = [
  [9, 1],
  [2, 1],
  [3, 3],
  [0, 10],
  [5, 2],
  [4, 1],
  [7, 3],
  [1, 8],
];

for (const dtype of ['u2', 'u4', 'f4'] as const) {
  test(`HDF5 raw rows (${dtype}): readRawRows equals readRows and the written values, channels last / first / middle, chunked+gzip and contiguous, both transposes`, async () => {
    await withTempDir(async (dir) => {
      for (const channelAxis of [2, 0, 1] as const) {
        const { data, shape } = storedOf(dtype, channelAxis);
        for (const chunked of [true, false]) {
          const file = await writeCube(path.join(dir, `c${channelAxis}-${chunked ? 'gz' : 'flat'}-${dtype}.h5`), data, shape, chunked ? chunksOf(channelAxis) : undefined);
          for (const transpose of ['wasm', 'js'] as const) {
            const what = `${dtype}, channel axis ${channelAxis}, ${chunked ? 'chunked+gzip' : 'contiguous'}, ${transpose} transpose`;
            const cube = await openHdf5(file, { channelAxis, transpose });
            try {
              assert.deepEqual([cube.height, cube.width, cube.channels], [H, W, C], what);
              assert.equal(cube.rawRowDType, dtype, what);
              assert.equal(cube.chunkRows, chunked ? 4 : 1, what);
              if (channelAxis !== 2) assert.equal(cube.transposeEngine, transpose === 'wasm' && transposeKernelAvailable() ? 'wasm' : 'js', what);
              for (const [row0, n] of REQUESTS) {
                const count = n * W * C;
                // Raw bytes land at an offset inside a larger buffer, as in the pass kernel's slots.
                const into = new Uint8Array(16 + count * 4 + 8).subarray(16);
                await cube.readRawRows(row0, n, into);
                const raw = Array.from(new ARRAYS[dtype](into.buffer, into.byteOffset, count));
                const floats = Array.from(await cube.readRows(row0, n));
                const want = expectedRows(dtype, row0, n);
                assert.deepEqual(raw, want, `${what}: raw rows [${row0}, ${row0 + n})`);
                // readRows is float32: u32 beyond 2^24 rounds, exactly as Math.fround rounds.
                assert.deepEqual(floats, want.map(Math.fround), `${what}: float rows [${row0}, ${row0 + n})`);
              }
            } finally {
              await cube.close();
            }
          }
        }
      }
    });
  });
}

test('HDF5 raw rows: NaN or Inf in float data is an XrfInputError naming the file, the pixel and the channel, in every stored order', async () => {
  await withTempDir(async (dir) => {
    for (const channelAxis of [2, 0, 1] as const) {
      for (const [bad, word] of [
        [NaN, 'NaN'],
        [-Infinity, '-Inf'],
      ] as const) {
        const { data, shape } = storedOf('f4', channelAxis);
        // Pixel (6, 5), channel 33: find its stored index by the value written there.
        const at = Array.prototype.indexOf.call(data, valueOf('f4', 6, 5, 33));
        assert.ok(at >= 0);
        data[at] = bad;
        const file = await writeCube(path.join(dir, `bad-${channelAxis}-${word}.h5`), data, shape, chunksOf(channelAxis));
        const cube = await openHdf5(file, { channelAxis });
        try {
          await cube.readRawRows(0, 6, new Uint8Array(6 * W * C * 4)); // rows before it are fine
          await cube.readRawRows(0, H, new Uint8Array(H * W * C * 4), false); // the caller checks (checkFinite = false)
          for (const [row0, n] of [
            [6, 1],
            [4, 4],
            [0, H],
          ]) {
            await assert.rejects(cube.readRawRows(row0, n, new Uint8Array(n * W * C * 4)), (e: unknown) => {
              assert.ok(e instanceof XrfInputError, `expected XrfInputError, got ${String(e)}`);
              assert.equal(e.file, file);
              assert.match(e.problem, new RegExp(`${word.replace('+', '\\+')} value at row 6, column 5, channel 33`));
              return true;
            });
          }
        } finally {
          await cube.close();
        }
      }
    }
  });
});

test('HDF5 raw rows: no raw path for other sample types; a short or misaligned buffer is a RangeError', async () => {
  await withTempDir(async (dir) => {
    const i2 = Int16Array.from({ length: H * W * C }, (_, k) => (k % 300) - 150);
    const file = await writeCube(path.join(dir, 'i2.h5'), i2, [H, W, C]);
    const cube = await openHdf5(file);
    try {
      assert.equal(cube.dtype, 'i2');
      assert.equal(cube.rawRowDType, undefined);
      await assert.rejects(cube.readRawRows(0, 1, new Uint8Array(W * C * 2)), /no raw row path/);
      assert.deepEqual(Array.from(await cube.readRows(1, 1)), Array.from(i2.subarray(W * C, 2 * W * C)));
    } finally {
      await cube.close();
    }
    const { data, shape } = storedOf('u2', 0);
    const u2 = await openHdf5(await writeCube(path.join(dir, 'u2.h5'), data, shape), { channelAxis: 0 });
    try {
      await assert.rejects(u2.readRawRows(0, 2, new Uint8Array(2 * W * C * 2 - 1)), RangeError);
      await assert.rejects(u2.readRawRows(0, 1, new Uint8Array(W * C * 2 + 1).subarray(1)), RangeError);
    } finally {
      await u2.close();
    }
  });
});

function assertSameSummary(a: ScanSummary, b: ScanSummary, what: string): void {
  assert.deepEqual(a.totalCounts, b.totalCounts, `${what}: total counts`);
  a.roiMaps.forEach((m, k) => assert.deepEqual(m, b.roiMaps[k], `${what}: window ${a.windows[k].label}`));
  assert.deepEqual(a.sumSpectrum, b.sumSpectrum, `${what}: sum spectrum`);
  assert.deepEqual(a.maxSpectrum, b.maxSpectrum, `${what}: max spectrum`);
}

/** `cube` with its readRawRows counted (everything else passed through). */
function counted(cube: Hdf5Cube): { cube: Cube; rawReads: () => number } {
  let n = 0;
  const spy = Object.create(cube) as Hdf5Cube;
  spy.readRawRows = (row0, nRows, into, checkFinite) => {
    n++;
    return cube.readRawRows(row0, nRows, into, checkFinite);
  };
  return { cube: spy, rawReads: () => n };
}

test('aggregateScan over HDF5 through the raw path gives the JavaScript pass\'s summary (u2, f4; channels last and first; 1-, 3- and 10-row blocks)', async () => {
  await withTempDir(async (dir) => {
    const windows = [
      { label: 'a', loChannel: 0, hiChannel: 5 },
      { label: 'b', loChannel: 3, hiChannel: 20 },
      { label: 'c', loChannel: 20, hiChannel: 37 },
    ];
    for (const dtype of ['u2', 'f4'] as const satisfies readonly DType[]) {
      for (const channelAxis of [2, 0] as const) {
        const { data, shape } = storedOf(dtype, channelAxis);
        const file = await writeCube(path.join(dir, `agg-${dtype}-${channelAxis}.h5`), data, shape, chunksOf(channelAxis));
        const cube = await openHdf5(file, { channelAxis });
        try {
          for (const rowsPerBlock of [1, 3, 10]) {
            const what = `${dtype}, channel axis ${channelAxis}, ${rowsPerBlock}-row blocks`;
            const { cube: spy, rawReads } = counted(cube);
            const raw = await aggregateScan(spy, windows, { rowsPerBlock });
            assert.equal(rawReads(), Math.ceil(H / rowsPerBlock), `${what}: every block read raw`);
            const js = await aggregateScan(cube, windows, { rowsPerBlock, engine: 'js' });
            if (dtype === 'u2') assertSameSummary(raw, js, what);
            else {
              // float32 samples: the kernel sums in float64 in another order than the JS loop's.
              const close = (a: ArrayLike<number>, b: ArrayLike<number>, label: string) => {
                assert.equal(a.length, b.length);
                for (let i = 0; i < a.length; i++) assert.ok(Math.abs(a[i] - b[i]) <= 1e-3 * (1 + Math.abs(b[i])), `${what}: ${label}[${i}] ${a[i]} vs ${b[i]}`);
              };
              close(raw.totalCounts, js.totalCounts, 'total counts');
              raw.roiMaps.forEach((m, k) => close(m, js.roiMaps[k], `window ${windows[k].label}`));
              close(raw.sumSpectrum, js.sumSpectrum, 'sum spectrum');
              assert.deepEqual(raw.maxSpectrum, js.maxSpectrum, `${what}: max spectrum`);
            }
          }
        } finally {
          await cube.close();
        }
      }
    }
  });
});

test('the SIMD transpose equals the JavaScript one: u16, i16, u32, i32, f32 (NaN and -0 included), odd shapes, strides and offsets, raw and into float32', () => {
  assert.ok(transposeKernelAvailable(), 'Node has WebAssembly SIMD: the kernel must load');
  const shapes: [number, number, number, number, number][] = [
    // C, inner, stride, source offset, destination offset
    [1, 1, 1, 0, 0],
    [8, 8, 8, 0, 0],
    [37, 7, 7, 0, 0],
    [37, 21, 70, 14, 5],
    [4096, 16, 64, 8, 0],
    [13, 131, 131, 0, 3],
    [64, 64, 65, 1, 0],
    [130, 67, 200, 3, 1],
    [3, 200, 203, 0, 0],
  ];
  const types = [Uint16Array, Int16Array, Uint32Array, Int32Array, Float32Array] as const;
  for (const T of types) {
    for (const [Cn, inner, stride, sOff, dOff] of shapes) {
      const what = `${T.name} ${Cn} × ${inner}, stride ${stride}, offsets ${sOff}/${dOff}`;
      const slab = new T(sOff + (Cn - 1) * stride + inner + 5);
      for (let i = 0; i < slab.length; i++) slab[i] = T === Float32Array ? (i % 17 === 3 ? NaN : i % 19 === 4 ? -0 : (i * 0.37) % 1000) : (i * 2654435761) % 4294967296;
      const simd = createTransposer(T.BYTES_PER_ELEMENT);
      assert.equal(simd.engine, 'wasm', what);
      const js = new JsTransposer();
      simd.load(slab);
      js.load(slab);
      const a = new T(dOff + Cn * inner + 2).fill(7);
      const b = new T(dOff + Cn * inner + 2).fill(7);
      simd.transpose(sOff, stride, Cn, inner, a, dOff);
      js.transpose(sOff, stride, Cn, inner, b, dOff);
      // Compare bit patterns (NaN ≠ NaN as numbers; -0 vs 0), and against the definition.
      assert.deepEqual(new Uint8Array(a.buffer), new Uint8Array(b.buffer), `${what}: SIMD vs JS`);
      for (let i = 0; i < inner; i++)
        for (let ch = 0; ch < Cn; ch++) assert.ok(Object.is(a[dOff + i * Cn + ch], slab[sOff + ch * stride + i]), `${what}: (${ch}, ${i})`);
      assert.ok(a[dOff - 1] === 7 || dOff === 0, `${what}: nothing written before the target`);
      assert.equal(a[dOff + Cn * inner], 7, `${what}: nothing written past the target`);
      const fa = new Float32Array(Cn * inner);
      const fb = new Float32Array(Cn * inner);
      simd.transpose(sOff, stride, Cn, inner, fa, 0);
      js.transpose(sOff, stride, Cn, inner, fb, 0);
      assert.deepEqual(new Uint8Array(fa.buffer), new Uint8Array(fb.buffer), `${what}: into float32`);
      assert.throws(() => simd.transpose(sOff, stride, Cn, inner, new T(Cn * inner - 1), 0), RangeError, `${what}: short target`);
      assert.throws(() => simd.transpose(slab.length - inner + 1, stride, 1, inner, a, 0), RangeError, `${what}: read past the slab`);
    }
  }
});
