/**
 * The one streaming pass over a scan: total counts, sum and max spectra and every ROI map, computed
 * from row blocks. Reads are double-buffered (block n+1 is being read while block n is summed), so the
 * pass runs near the speed of the disk; memory is two blocks however large the scan.
 *
 * ROI maps use a per-pixel running sum recorded at every window edge: one pass over a pixel's
 * spectrum gives every window as cum[hi] − cum[lo], so any number of lines costs about the same as one.
 */
import type { Cube } from '../cube/cube';
import type { RoiWindow, ScanSummary } from './summary';
import { NEVER_CANCELLED, type CancelToken, type ProgressSink } from '../util/progress';

export interface PassOptions {
  token?: CancelToken;
  onProgress?: ProgressSink;
  /** Rows per block; by default about 4 M samples (16 MB of float32) and at least one row. */
  rowsPerBlock?: number;
  /** Only rows [from, to) (a share of a parallel pass); progress then counts within the range. */
  rows?: { from: number; to: number };
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

export function defaultRowsPerBlock(cube: Pick<Cube, 'width' | 'channels' | 'height'>): number {
  return Math.max(1, Math.min(cube.height, Math.floor(TARGET_BLOCK_SAMPLES / (cube.width * cube.channels))));
}

/**
 * Call `visit(block, row0, nRows)` for consecutive row blocks, reading the next block while the
 * current one is visited. Checks the token once per block; progress counts rows.
 */
export async function forEachRowBlock(
  cube: Cube,
  opts: PassOptions,
  visit: (block: Float32Array, row0: number, nRows: number) => void,
): Promise<void> {
  const token = opts.token ?? NEVER_CANCELLED;
  const { from, to } = rowRange(cube, opts);
  const rows = Math.max(1, Math.min(to - from, Math.floor(opts.rowsPerBlock ?? defaultRowsPerBlock(cube))));
  const perRow = cube.width * cube.channels;
  const buffers = [new Float32Array(rows * perRow), new Float32Array(Math.min(rows, Math.max(0, to - from - rows)) * perRow)];
  const read = (row0: number, k: number) => {
    const n = Math.min(rows, to - row0);
    return cube.readRows(row0, n, buffers[k].length >= n * perRow ? buffers[k] : (buffers[k] = new Float32Array(n * perRow)));
  };
  token.throwIfCancelled();
  let pending: Promise<Float32Array> | undefined = read(from, 0);
  try {
    for (let row0 = from, k = 0; row0 < to; row0 += rows, k ^= 1) {
      const block: Float32Array = await pending!;
      // Yield to the event loop once per block: a reader whose reads are synchronous underneath
      // (HDF5) would otherwise hold the thread for the whole pass, and pixel requests and cancel
      // messages to the worker must be served between blocks.
      await new Promise<void>((resolve) => setImmediate(resolve));
      const n = Math.min(rows, to - row0);
      const next = row0 + rows;
      pending = next < to ? read(next, k ^ 1) : undefined;
      token.throwIfCancelled();
      visit(block, row0, n);
      opts.onProgress?.({ done: row0 + n - from, total: to - from, message: `rows ${row0 + n - from} of ${to - from}` });
    }
  } finally {
    // Never leave a read in flight behind us (the caller may close the cube next).
    await pending?.catch(() => undefined);
  }
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
  const { from, to } = rowRange(cube, opts);
  const H = to - from;
  checkWindows(windows, C);
  const totalCounts = new Float32Array(H * W);
  const roiMaps = windows.map(() => new Float32Array(H * W));
  const sumSpectrum = new Float64Array(C);
  const maxSpectrum = new Float32Array(C).fill(-Infinity);

  // The channel axis cut at every window edge: each window is a run of whole segments, so a
  // pixel's running sum recorded at the edges (cum) gives every window as cum[hi] − cum[lo].
  const edges = Int32Array.from(new Set([0, C, ...windows.flatMap((w) => [w.loChannel, w.hiChannel])]));
  edges.sort();
  const E = edges.length;
  const edgeIndex = new Map(Array.from(edges, (ch, i) => [ch, i]));
  const loE = Int32Array.from(windows, (w) => edgeIndex.get(w.loChannel)!);
  const hiE = Int32Array.from(windows, (w) => edgeIndex.get(w.hiChannel)!);
  const cum = new Float64Array(4 * E);

  const acc: Accumulators = { edges, loE, hiE, cum, totalCounts, roiMaps, sumSpectrum, maxSpectrum, channels: C };
  await forEachRowBlock(cube, opts, (block, row0, nRows) => accumulateBlock(acc, block, (row0 - from) * W, nRows * W));
  return { height: H, width: W, channels: C, windows: windows.map((w) => ({ ...w })), totalCounts, roiMaps, sumSpectrum, maxSpectrum };
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
  const { height: H, width: W, channels: C } = cube;
  checkWindows([{ label: 'window', loChannel, hiChannel }], C);
  const map = new Float32Array(H * W);
  await forEachRowBlock(cube, opts, (block, row0, nRows) => {
    const pixels = nRows * W;
    for (let p = 0; p < pixels; p++) {
      let s = 0;
      for (let i = p * C + loChannel, end = p * C + hiChannel; i < end; i++) s += block[i];
      map[row0 * W + p] = s;
    }
  });
  return map;
}
