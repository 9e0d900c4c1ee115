/**
 * The one streaming pass over a scan: total counts, sum and max spectra and every ROI map, computed
 * from row blocks. Reads are double-buffered (block n+1 is being read while block n is summed), so the
 * pass runs near the speed of the disk; memory is two blocks however large the scan.
 *
 * ROI maps use a per-pixel prefix sum over channels: one pass over a pixel's spectrum gives every
 * window as prefix[hi] − prefix[lo], so any number of lines costs the same as one.
 */
import type { Cube } from '../cube/cube';
import type { RoiWindow, ScanSummary } from './summary';
import { NEVER_CANCELLED, type CancelToken, type ProgressSink } from '../util/progress';

export interface PassOptions {
  token?: CancelToken;
  onProgress?: ProgressSink;
  /** Rows per block; by default about 4 M samples (16 MB of float32) and at least one row. */
  rowsPerBlock?: number;
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
  const rows = Math.max(1, Math.min(cube.height, Math.floor(opts.rowsPerBlock ?? defaultRowsPerBlock(cube))));
  const perRow = cube.width * cube.channels;
  const buffers = [new Float32Array(rows * perRow), new Float32Array(Math.min(rows, Math.max(0, cube.height - rows)) * perRow)];
  const read = (row0: number, k: number) => {
    const n = Math.min(rows, cube.height - row0);
    return cube.readRows(row0, n, buffers[k].length >= n * perRow ? buffers[k] : (buffers[k] = new Float32Array(n * perRow)));
  };
  token.throwIfCancelled();
  let pending: Promise<Float32Array> | undefined = read(0, 0);
  try {
    for (let row0 = 0, k = 0; row0 < cube.height; row0 += rows, k ^= 1) {
      const block: Float32Array = await pending!;
      // Yield to the event loop once per block: a reader whose reads are synchronous underneath
      // (HDF5) would otherwise hold the thread for the whole pass, and pixel requests and cancel
      // messages to the worker must be served between blocks.
      await new Promise<void>((resolve) => setImmediate(resolve));
      const n = Math.min(rows, cube.height - row0);
      const next = row0 + rows;
      pending = next < cube.height ? read(next, k ^ 1) : undefined;
      token.throwIfCancelled();
      visit(block, row0, n);
      opts.onProgress?.({ done: row0 + n, total: cube.height, message: `rows ${row0 + n} of ${cube.height}` });
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

export async function aggregateScan(cube: Cube, windows: readonly RoiWindow[], opts: PassOptions = {}): Promise<ScanSummary> {
  const { height: H, width: W, channels: C } = cube;
  checkWindows(windows, C);
  const totalCounts = new Float32Array(H * W);
  const roiMaps = windows.map(() => new Float32Array(H * W));
  const sumSpectrum = new Float64Array(C);
  const maxSpectrum = new Float32Array(C).fill(-Infinity);
  const prefix = new Float64Array(C + 1);
  const lo = Int32Array.from(windows, (w) => w.loChannel);
  const hi = Int32Array.from(windows, (w) => w.hiChannel);
  const nw = windows.length;

  await forEachRowBlock(cube, opts, (block, row0, nRows) => {
    const pixels = nRows * W;
    for (let p = 0; p < pixels; p++) {
      const base = p * C;
      let s = 0;
      for (let ch = 0; ch < C; ch++) {
        const v = block[base + ch];
        s += v;
        prefix[ch + 1] = s;
        sumSpectrum[ch] += v;
        if (v > maxSpectrum[ch]) maxSpectrum[ch] = v;
      }
      const pix = row0 * W + p;
      totalCounts[pix] = s;
      for (let k = 0; k < nw; k++) roiMaps[k][pix] = prefix[hi[k]] - prefix[lo[k]];
    }
  });
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
