/**
 * The one streaming pass over a scan: total counts, sum and max spectra and every ROI map, computed
 * from row blocks. Reads are double-buffered (block n+1 is being read while block n is summed), so the
 * pass runs near the speed of the disk; memory is two blocks however large the scan.
 *
 * ROI maps use a per-pixel running sum recorded at every window edge: one pass over a pixel's
 * spectrum gives every window as cum[hi] − cum[lo], so any number of lines costs about the same as one.
 * The summing itself is a WebAssembly SIMD kernel (pass-kernel.ts) that reads u16 and u32 counts and
 * float32 samples as stored; the plain JavaScript loop below remains as the fallback and the tests'
 * reference.
 *
 * A cube that offers tiles (Cube.tileShape: an HDF5 scan whose chunk-row band is too large to read at
 * once) is passed tile by tile instead: each tile's pixels land at their rows and columns in the maps.
 */
import type { Cube } from '../cube/cube';
import type { RoiWindow, ScanSummary } from './summary';
import { NEVER_CANCELLED, type CancelToken, type ProgressSink } from '../util/progress';
import { MAX_U32_CHANNELS, PassKernel, type EdgeSums, type KernelSamples, type KernelStats } from './pass-kernel';
import { checkFinitePixel, checkFiniteRows } from '../cube/decode';

export interface PassOptions {
  token?: CancelToken;
  onProgress?: ProgressSink;
  /**
   * Rows per block; by default about 4 M samples (16 MB of float32) and at least one row, rounded
   * down to a multiple of the cube's rowChunk where one fits. Not used by a tiled pass.
   */
  rowsPerBlock?: number;
  /**
   * Where the cube offers tiles (Cube.tileShape), the pass reads them (default true); false reads row
   * blocks as for any other cube (for tests and benchmarks: the pass as it was before tiles).
   */
  tiles?: boolean;
  /** Only rows [from, to) (a share of a parallel pass); progress then counts within the range. */
  rows?: { from: number; to: number };
  /** 'wasm' (the default where WebAssembly SIMD exists) or 'js', the plain loop the tests compare against. */
  engine?: 'wasm' | 'js';
  /**
   * For tests and benchmarks: turn the kernel's newer paths off (each defaults to on) to compare
   * against the pass without them. `rawU32`: u32 rows summed as stored (off: readRows' float32);
   * `u32Lanes`: u32 counts summed in u32 lanes where exact (off: 64-bit sums only);
   * `float32Lanes`: float32 summed in float32 lanes where exact (off: float64 only);
   * `u16Lanes`: u16 counts summed 4 pixels at a time (off: one pixel at a time);
   * `finiteFromSums`: raw float32 rows checked for NaN/Inf from the kernel's sums (off: by the reader).
   */
  kernel?: { rawU32?: boolean; u32Lanes?: boolean; float32Lanes?: boolean; u16Lanes?: boolean; finiteFromSums?: boolean };
  /**
   * Called after each block with the rows [from, to) (of the whole cube) whose values are now final in
   * `maps`, the pass's own output arrays (index (row − range.from)·W + col): lets a viewer show maps
   * filling in while a long pass runs. Copy what you keep; the pass goes on writing other rows.
   */
  onRows?: (from: number, to: number, maps: { totalCounts: Float32Array; roiMaps: Float32Array[] }) => void;
  /** For tests and benchmarks: receives the kernel's record of which paths it took. */
  onKernelStats?: (stats: KernelStats & { samples: KernelSamples }) => void;
}

function rowRange(cube: Pick<Cube, 'height'>, opts: PassOptions): { from: number; to: number } {
  const from = opts.rows?.from ?? 0;
  const to = opts.rows?.to ?? cube.height;
  if (!(Number.isInteger(from) && Number.isInteger(to) && 0 <= from && from < to && to <= cube.height)) {
    throw new RangeError(`row range [${from}, ${to}) is not inside 0..${cube.height}`);
  }
  return { from, to };
}

const TARGET_BLOCK_SAMPLES = 4 * 1024 * 1024;

export function defaultRowsPerBlock(cube: Pick<Cube, 'width' | 'channels' | 'height' | 'rowChunk'>): number {
  const rows = Math.max(1, Math.min(cube.height, Math.floor(TARGET_BLOCK_SAMPLES / (cube.width * cube.channels))));
  // A reader that reads rowChunk rows together anyway (HDF5 chunks) would read the band a block
  // straddles twice: whole bands per block, where one fits the target (one block for all rows needs none).
  const chunk = cube.rowChunk ?? 1;
  return chunk > 1 && rows >= chunk && rows < cube.height ? rows - (rows % chunk) : rows;
}

/**
 * Stream row blocks [from, to) through two buffers: `read(row0, n, k)` fills buffer k while the
 * block in the other buffer is visited. Checks the token once per block; progress counts rows.
 * With a `grid`, blocks end at multiples of it counted from row 0, not from `from` (none longer
 * than `rows`, as no block leaves the range): a range that starts inside a block begins with a
 * shorter one, so blocks that are whole chunk bands (defaultRowsPerBlock on a cube with a rowChunk)
 * stay aligned to the chunks in a band of a parallel pass too.
 */
async function streamBlocks(
  range: { from: number; to: number },
  rows: number,
  opts: PassOptions,
  read: (row0: number, n: number, k: 0 | 1) => Promise<void>,
  visit: (k: 0 | 1, row0: number, n: number) => void,
  grid: number | undefined,
): Promise<void> {
  const token = opts.token ?? NEVER_CANCELLED;
  const { from, to } = range;
  token.throwIfCancelled();
  const end = (row0: number) => Math.min(to, grid ? (Math.floor(row0 / grid) + 1) * grid : row0 + rows);
  let pending: Promise<void> | undefined = read(from, end(from) - from, 0);
  try {
    for (let row0 = from, k: 0 | 1 = 0; row0 < to; row0 = end(row0), k = k === 0 ? 1 : 0) {
      await pending;
      // Yield to the event loop once per block: a reader whose reads are synchronous underneath
      // (HDF5) would otherwise hold the thread for the whole pass, and pixel requests and cancel
      // messages to the worker must be served between blocks.
      await new Promise<void>((resolve) => setImmediate(resolve));
      const next = end(row0);
      const n = next - row0;
      pending = next < to ? read(next, end(next) - next, k === 0 ? 1 : 0) : undefined;
      token.throwIfCancelled();
      visit(k, row0, n);
      opts.onProgress?.({ done: row0 + n - from, total: to - from, message: `rows ${row0 + n - from} of ${to - from}` });
    }
  } finally {
    // Never leave a read in flight behind us (the caller may close the cube next).
    await pending?.catch(() => undefined);
  }
}

function blockRows(cube: Cube, opts: PassOptions, range: { from: number; to: number }): number {
  return Math.max(1, Math.min(range.to - range.from, Math.floor(opts.rowsPerBlock ?? defaultRowsPerBlock(cube))));
}

/** The block grid for streamBlocks: where the cube reads whole row chunks, blocks of the whole scan's grid. */
function blockGrid(cube: Cube, opts: PassOptions): number | undefined {
  return (cube.rowChunk ?? 1) > 1 ? Math.max(1, Math.floor(opts.rowsPerBlock ?? defaultRowsPerBlock(cube))) : undefined;
}

function checkWindows(windows: readonly RoiWindow[], channels: number): void {
  for (const w of windows) {
    if (!(Number.isInteger(w.loChannel) && Number.isInteger(w.hiChannel) && 0 <= w.loChannel && w.loChannel <= w.hiChannel && w.hiChannel <= channels)) {
      throw new RangeError(`window "${w.label}" [${w.loChannel}, ${w.hiChannel}) is not inside 0..${channels}`);
    }
  }
}

interface Accumulators {
  edges: Int32Array;
  loE: Int32Array;
  hiE: Int32Array;
  cum: Float64Array;
  totalCounts: Float32Array;
  roiMaps: Float32Array[];
  sumSpectrum: Float64Array;
  maxSpectrum: Float32Array;
  channels: number;
}

/**
 * Add `pixels` spectra (pixel-major, starting at map index pix0) to the accumulators. A plain
 * top-level function over plain arrays, so V8 optimises it as one tight loop.
 */
function accumulateBlock(a: Accumulators, block: Float32Array, pix0: number, pixels: number): void {
  const { edges, loE, hiE, cum, totalCounts, roiMaps, sumSpectrum, maxSpectrum, channels: C } = a;
  const E = edges.length;
  const nw = loE.length;
  let p = 0;
  // Four pixels at a time: one load and store of the sum and max spectra per four samples, the
  // running sums in registers. This is the hot loop of the whole pass (~2.4× the simple loop).
  for (; p + 3 < pixels; p += 4) {
    const b0 = p * C;
    const b1 = b0 + C;
    const b2 = b1 + C;
    const b3 = b2 + C;
    let s0 = 0, s1 = 0, s2 = 0, s3 = 0;
    cum[0] = 0;
    cum[E] = 0;
    cum[2 * E] = 0;
    cum[3 * E] = 0;
    for (let e = 1; e < E; e++) {
      for (let ch = edges[e - 1], end = edges[e]; ch < end; ch++) {
        const v0 = block[b0 + ch];
        const v1 = block[b1 + ch];
        const v2 = block[b2 + ch];
        const v3 = block[b3 + ch];
        s0 += v0;
        s1 += v1;
        s2 += v2;
        s3 += v3;
        sumSpectrum[ch] += v0 + v1 + (v2 + v3);
        let m = maxSpectrum[ch];
        if (v0 > m) m = v0;
        if (v1 > m) m = v1;
        if (v2 > m) m = v2;
        if (v3 > m) m = v3;
        maxSpectrum[ch] = m;
      }
      cum[e] = s0;
      cum[E + e] = s1;
      cum[2 * E + e] = s2;
      cum[3 * E + e] = s3;
    }
    for (let j = 0; j < 4; j++) {
      const pix = pix0 + p + j;
      const k0 = j * E;
      totalCounts[pix] = cum[k0 + E - 1];
      for (let k = 0; k < nw; k++) roiMaps[k][pix] = cum[k0 + hiE[k]] - cum[k0 + loE[k]];
    }
  }
  for (; p < pixels; p++) {
    const b = p * C;
    let s = 0;
    cum[0] = 0;
    for (let e = 1; e < E; e++) {
      for (let ch = edges[e - 1], end = edges[e]; ch < end; ch++) {
        const v = block[b + ch];
        s += v;
        sumSpectrum[ch] += v;
        if (v > maxSpectrum[ch]) maxSpectrum[ch] = v;
      }
      cum[e] = s;
    }
    const pix = pix0 + p;
    totalCounts[pix] = s;
    for (let k = 0; k < nw; k++) roiMaps[k][pix] = cum[hiE[k]] - cum[loE[k]];
  }
}

/**
 * The summary of a scan (or, with `opts.rows`, of a band of rows: then height is the band's and the
 * maps hold its rows only; mergeRowBands joins bands back into one summary).
 */
export async function aggregateScan(cube: Cube, windows: readonly RoiWindow[], opts: PassOptions = {}): Promise<ScanSummary> {
  const { width: W, channels: C } = cube;
  const range = rowRange(cube, opts);
  const H = range.to - range.from;
  checkWindows(windows, C);
  const totalCounts = new Float32Array(H * W);
  const roiMaps = windows.map(() => new Float32Array(H * W));

  // The channel axis cut at every window edge: each window is a run of whole segments, so a
  // pixel's running sum recorded at the edges gives every window as sum[hi] − sum[lo].
  const edges = Int32Array.from(new Set([0, C, ...windows.flatMap((w) => [w.loChannel, w.hiChannel])]));
  edges.sort();
  const E = edges.length;
  const edgeIndex = new Map(Array.from(edges, (ch, i) => [ch, i]));
  const loE = Int32Array.from(windows, (w) => edgeIndex.get(w.loChannel)!);
  const hiE = Int32Array.from(windows, (w) => edgeIndex.get(w.hiChannel)!);

  const rows = blockRows(cube, opts, range);
  const tiles = tileShapeFor(cube, opts);
  const kernel = opts.engine === 'js' ? undefined : PassKernel.create(C, edges, tiles ? tiles.rows * tiles.cols * C : rows * W * C, {
    float32Lanes: opts.kernel?.float32Lanes,
    u32Lanes: opts.kernel?.u32Lanes,
    u16Lanes: opts.kernel?.u16Lanes,
  });
  const onRows = opts.onRows;
  const blockDone = onRows ? (row0: number, n: number) => onRows(row0, row0 + n, { totalCounts, roiMaps }) : undefined;
  const emit = (pix: number, n: number, sums: EdgeSums, at: number) => {
    for (let i = 0, b = at * E; i < n; i++, b += E) {
      totalCounts[pix + i] = sums[b + E - 1];
      for (let k = 0; k < loE.length; k++) roiMaps[k][pix + i] = sums[b + hiE[k]] - sums[b + loE[k]];
    }
  };
  const acc = (): Accumulators => ({ edges, loE, hiE, cum: new Float64Array(4 * E), totalCounts, roiMaps, sumSpectrum: new Float64Array(C), maxSpectrum: new Float32Array(C).fill(-Infinity), channels: C });
  const spectra = tiles
    ? kernel
      ? await kernelTilePass(cube, kernel, range, tiles, opts, blockDone, emit)
      : await jsTilePass(cube, acc(), range, tiles, opts, blockDone)
    : kernel
      ? await kernelPass(cube, kernel, range, rows, opts, blockDone, (pix, n, sums) => emit(pix, n, sums, 0))
      : await jsPass(cube, acc(), range, rows, opts, blockDone);
  return { height: H, width: W, channels: C, windows: windows.map((w) => ({ ...w })), totalCounts, roiMaps, ...spectra };
}

/**
 * The pass through the WebAssembly kernel. Blocks land in the kernel's own memory: raw u16, u32 or f32
 * rows straight from the file when the reader can hand them over, else readRows' float32.
 * `emit(pix, n, sums)` receives each chunk's edge sums, `pix` counted from the range's first pixel.
 */
async function kernelPass(
  cube: Cube,
  kernel: PassKernel,
  range: { from: number; to: number },
  rows: number,
  opts: PassOptions,
  blockDone: ((row0: number, n: number) => void) | undefined,
  emit: (pix: number, n: number, sums: EdgeSums) => void,
): Promise<{ sumSpectrum: Float64Array; maxSpectrum: Float32Array }> {
  const { width: W, channels: C } = cube;
  const samples = rawSamples(cube, opts);
  // Raw float32 rows skip the reader's NaN/Inf scan (a JavaScript loop over every sample, slower than
  // the kernel): a NaN or ±Inf makes its pixel's float64 total NaN or ±Inf (finite float32 samples
  // cannot: C · 3.4e38 is far below the float64 range), so the totals show it, and the block is
  // then scanned to name the first bad sample exactly as the reader would have.
  const finiteFromSums = samples === 'f32' && (opts.kernel?.finiteFromSums ?? true);
  const read = async (row0: number, n: number, k: 0 | 1): Promise<void> => {
    if (samples) return cube.readRawRows!(row0, n, kernel.bytes(k), !finiteFromSums);
    const slot = kernel.floats(k);
    const got = await cube.readRows(row0, n, slot);
    // A reader that returned its own array instead of filling ours: copy it in.
    if (got.buffer !== slot.buffer || got.byteOffset !== slot.byteOffset) slot.set(got.subarray(0, n * W * C));
  };
  const E = kernel.edgeCount;
  await streamBlocks(range, rows, opts, read, (k, row0, n) => {
    kernel.accumulate(k, samples ?? 'f32', n * W, (p0, m, sums) => {
      const bad = finiteFromSums ? firstNonFiniteTotal(sums, m, E) : -1;
      if (bad >= 0) {
        checkFiniteRows(cube.path, cube.dtype, kernel.floats(k), n * W * C, row0, W, C);
        throw new Error(`${cube.path}: pixel ${p0 + bad} of the block at row ${row0} sums to ${sums[bad * E + E - 1]}, yet no sample is NaN or Inf`);
      }
      emit((row0 - range.from) * W + p0, m, sums);
    });
    blockDone?.(row0, n);
  }, blockGrid(cube, opts));
  opts.onKernelStats?.({ ...kernel.stats, samples: samples ?? 'f32' });
  return kernel.spectra();
}

/**
 * The first of `m` pixels whose total (edge sum E − 1) is NaN or ±Inf, or −1. Raw float32 rows skip
 * the reader's NaN/Inf scan: a NaN or ±Inf sample makes its pixel's float64 total non-finite (finite
 * float32 samples cannot: C · 3.4e38 is far below the float64 range).
 */
function firstNonFiniteTotal(sums: EdgeSums, m: number, E: number): number {
  for (let i = 0, t = E - 1; i < m; i++, t += E) {
    const total = sums[t];
    if (total - total !== 0) return i;
  }
  return -1;
}

/** The kernel's sample type for rows (or tiles) the cube hands over raw; undefined → read them as float32. */
function rawSamples(cube: Cube, opts: PassOptions, tiles = false): KernelSamples | undefined {
  if (!(tiles ? cube.readRawTile : cube.readRawRows)) return undefined;
  if (cube.rawRowDType === 'u2' && cube.channels <= 65536) return 'u16'; // a pixel's total must fit u32
  if (cube.rawRowDType === 'u4' && cube.channels <= MAX_U32_CHANNELS && (opts.kernel?.rawU32 ?? true)) return 'u32'; // totals exact in float64
  if (cube.rawRowDType === 'f4') return 'f32';
  return undefined;
}

/** The pass in plain JavaScript: where WebAssembly SIMD is missing, and the tests' reference. */
async function jsPass(
  cube: Cube,
  acc: Accumulators,
  range: { from: number; to: number },
  rows: number,
  opts: PassOptions,
  blockDone?: (row0: number, n: number) => void,
): Promise<{ sumSpectrum: Float64Array; maxSpectrum: Float32Array }> {
  const { width: W, channels: C } = cube;
  const perRow = W * C;
  const buffers = [new Float32Array(rows * perRow), new Float32Array(rows * perRow)];
  const blocks: Float32Array[] = [buffers[0], buffers[1]];
  const read = async (row0: number, n: number, k: 0 | 1): Promise<void> => {
    blocks[k] = await cube.readRows(row0, n, buffers[k]);
  };
  await streamBlocks(range, rows, opts, read, (k, row0, n) => {
    accumulateBlock(acc, blocks[k], (row0 - range.from) * W, n * W);
    blockDone?.(row0, n);
  }, blockGrid(cube, opts));
  return { sumSpectrum: acc.sumSpectrum, maxSpectrum: acc.maxSpectrum };
}

// ---- The tiled pass --------------------------------------------------------------------------------
//
// For a cube with a tileShape (HDF5: chunks whose band of chunk rows is over the reader's band budget).
// Rows [from, to) go in bands on the scan's grid of tile rows (cut to the range); each band is read
// left to right, one tile (rows × cols × every channel, pixel-major within the tile) at a time, and
// each tile's pixels are written to their own rows and columns of the maps. onRows fires when a band's
// last tile is done (its rows are then final); progress counts rows, a band's share per tile.
// One buffer, not two: HDF5 reads are synchronous underneath, so reading the next tile while this one
// is summed would overlap nothing, and a second slot would only double the memory touched.
// Memory (worst case, the reader's default 16 Mi-sample tiles): the kernel's slot, 4 bytes per sample
// reserved (64 MiB; a raw u2 tile touches 32 MiB of it) or the JavaScript pass's float32 tile (64 MiB),
// beside the reader's own: the slab h5wasm returns (≤ 64 MiB of f4), its wasm heap (as large, kept),
// and for channels-first data the transposer's copy of the slab plus 1024 spectra of output.

interface Tile {
  row0: number;
  rows: number;
  col0: number;
  cols: number;
}

/** The cube's tile shape when this pass reads tiles (the cube offers them and they are not turned off). */
function tileShapeFor(cube: Cube, opts: PassOptions): { rows: number; cols: number } | undefined {
  const t = cube.tileShape;
  if (!t || opts.tiles === false || !cube.readTile) return undefined;
  if (!(Number.isInteger(t.rows) && Number.isInteger(t.cols) && t.rows >= 1 && t.cols >= 1)) throw new RangeError(`${cube.path}: tile shape ${t.rows} × ${t.cols} is not positive`);
  return { rows: Math.min(t.rows, cube.height), cols: Math.min(t.cols, cube.width) };
}

/**
 * Visit the tiles of rows [from, to): `read(tile)` fills the one buffer, then `visit(tile)` sums it;
 * `bandDone(row0, n)` after a band's last tile. The token is checked once per tile, after a yield to
 * the event loop (pixel requests and cancel messages are served between tiles).
 */
async function streamTiles(
  cube: Cube,
  range: { from: number; to: number },
  shape: { rows: number; cols: number },
  opts: PassOptions,
  read: (t: Tile) => Promise<void>,
  visit: (t: Tile) => void,
  bandDone: ((row0: number, n: number) => void) | undefined,
): Promise<void> {
  const token = opts.token ?? NEVER_CANCELLED;
  const { from, to } = range;
  const W = cube.width;
  const total = to - from;
  const perBand = Math.ceil(W / shape.cols);
  let reported = 0;
  for (let row0 = from; row0 < to; ) {
    const end = Math.min(to, (Math.floor(row0 / shape.rows) + 1) * shape.rows);
    for (let j = 0; j < perBand; j++) {
      token.throwIfCancelled();
      const tile: Tile = { row0, rows: end - row0, col0: j * shape.cols, cols: Math.min(shape.cols, W - j * shape.cols) };
      await read(tile);
      await new Promise<void>((resolve) => setImmediate(resolve));
      token.throwIfCancelled();
      visit(tile);
      const done = row0 - from + Math.floor(((end - row0) * (j + 1)) / perBand);
      if (done > reported) {
        reported = done;
        opts.onProgress?.({ done, total, message: `rows ${done} of ${total}` });
      }
    }
    bandDone?.(row0, end - row0);
    row0 = end;
  }
}

/** The tiled pass through the WebAssembly kernel (see kernelPass): tiles land in the kernel's slot 0. */
async function kernelTilePass(
  cube: Cube,
  kernel: PassKernel,
  range: { from: number; to: number },
  shape: { rows: number; cols: number },
  opts: PassOptions,
  bandDone: ((row0: number, n: number) => void) | undefined,
  emit: (pix: number, n: number, sums: EdgeSums, at: number) => void,
): Promise<{ sumSpectrum: Float64Array; maxSpectrum: Float32Array }> {
  const { width: W, channels: C } = cube;
  const samples = rawSamples(cube, opts, true);
  const finiteFromSums = samples === 'f32' && (opts.kernel?.finiteFromSums ?? true);
  const E = kernel.edgeCount;
  const read = (t: Tile): Promise<void> =>
    samples ? cube.readRawTile!(t.row0, t.rows, t.col0, t.cols, kernel.bytes(0), !finiteFromSums) : cube.readTile!(t.row0, t.rows, t.col0, t.cols, kernel.floats(0));
  await streamTiles(cube, range, shape, opts, read, (t) => {
    kernel.accumulate(0, samples ?? 'f32', t.rows * t.cols, (p0, m, sums) => {
      const bad = finiteFromSums ? firstNonFiniteTotal(sums, m, E) : -1;
      if (bad >= 0) {
        checkFiniteTile(cube, kernel.floats(0), t);
        throw new Error(`${cube.path}: pixel ${p0 + bad} of the tile at row ${t.row0}, column ${t.col0} sums to ${sums[bad * E + E - 1]}, yet no sample is NaN or Inf`);
      }
      // The kernel's chunk of pixels, cut where it wraps to the tile's next row.
      for (let p = p0; p < p0 + m; ) {
        const r = Math.floor(p / t.cols);
        const c = p - r * t.cols;
        const n = Math.min(t.cols - c, p0 + m - p);
        emit((t.row0 + r - range.from) * W + t.col0 + c, n, sums, p - p0);
        p += n;
      }
    });
  }, bandDone);
  opts.onKernelStats?.({ ...kernel.stats, samples: samples ?? 'f32' });
  return kernel.spectra();
}

/** Name the first NaN/Inf of a float32 tile by its row, column and channel in the scan (as the reader would). */
function checkFiniteTile(cube: Cube, tile: Float32Array, t: Tile): void {
  const C = cube.channels;
  for (let p = 0; p < t.rows * t.cols; p++) {
    checkFinitePixel(cube.path, cube.dtype, tile.subarray(p * C, (p + 1) * C), t.row0 + Math.floor(p / t.cols), t.col0 + (p % t.cols));
  }
}

/** The tiled pass in plain JavaScript: float32 tiles (readTile), each tile row summed as a run of pixels. */
async function jsTilePass(
  cube: Cube,
  acc: Accumulators,
  range: { from: number; to: number },
  shape: { rows: number; cols: number },
  opts: PassOptions,
  bandDone: ((row0: number, n: number) => void) | undefined,
): Promise<{ sumSpectrum: Float64Array; maxSpectrum: Float32Array }> {
  const { width: W, channels: C } = cube;
  const buffer = new Float32Array(shape.rows * shape.cols * C);
  await streamTiles(cube, range, shape, opts, (t) => cube.readTile!(t.row0, t.rows, t.col0, t.cols, buffer), (t) => {
    for (let r = 0; r < t.rows; r++) {
      accumulateBlock(acc, buffer.subarray(r * t.cols * C, (r + 1) * t.cols * C), (t.row0 + r - range.from) * W + t.col0, t.cols);
    }
  }, bandDone);
  return { sumSpectrum: acc.sumSpectrum, maxSpectrum: acc.maxSpectrum };
}

/** Join the summaries of consecutive row bands (in row order) into the summary of all their rows. */
export function mergeRowBands(bands: readonly ScanSummary[]): ScanSummary {
  if (bands.length === 0) throw new RangeError('mergeRowBands: no bands');
  if (bands.length === 1) return bands[0];
  const { width: W, channels: C, windows } = bands[0];
  const H = bands.reduce((s, b) => s + b.height, 0);
  const totalCounts = new Float32Array(H * W);
  const roiMaps = windows.map(() => new Float32Array(H * W));
  const sumSpectrum = new Float64Array(C);
  const maxSpectrum = new Float32Array(C).fill(-Infinity);
  let at = 0;
  for (const b of bands) {
    if (b.width !== W || b.channels !== C || b.roiMaps.length !== windows.length) throw new RangeError('mergeRowBands: bands of different scans');
    totalCounts.set(b.totalCounts, at);
    b.roiMaps.forEach((m, k) => roiMaps[k].set(m, at));
    for (let ch = 0; ch < C; ch++) {
      sumSpectrum[ch] += b.sumSpectrum[ch];
      if (b.maxSpectrum[ch] > maxSpectrum[ch]) maxSpectrum[ch] = b.maxSpectrum[ch];
    }
    at += b.height * W;
  }
  return { height: H, width: W, channels: C, windows: windows.map((w) => ({ ...w })), totalCounts, roiMaps, sumSpectrum, maxSpectrum };
}

/** One map for one channel window [loChannel, hiChannel) (a window the user drags), in one pass. */
export async function windowMap(cube: Cube, loChannel: number, hiChannel: number, opts: PassOptions = {}): Promise<Float32Array> {
  const s = await aggregateScan(cube, [{ label: 'window', loChannel, hiChannel }], opts);
  return s.roiMaps[0];
}
