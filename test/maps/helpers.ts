/** Test helpers for the maps tests: an in-memory cube that counts its reads, and brute-force references. */
import type { Cube } from '../../src/core/cube/cube';
import type { RoiWindow } from '../../src/core/maps/summary';

/** A cube over a Float64Array (pixel-major), counting readRows calls; `delayMs` slows each block read. */
export function memoryCube(values: Float64Array, H: number, W: number, C: number, opts: { delayMs?: number } = {}): Cube & { rowReads: number } {
  const cube = {
    path: '/memory/cube.npy',
    format: 'npy' as const,
    height: H,
    width: W,
    channels: C,
    dtype: 'f8' as const,
    fileCalibration: undefined,
    rowReads: 0,
    async readRows(row0: number, nRows: number, out?: Float32Array): Promise<Float32Array> {
      cube.rowReads++;
      if (opts.delayMs) await new Promise((r) => setTimeout(r, opts.delayMs));
      const dst = out ?? new Float32Array(nRows * W * C);
      dst.set(values.subarray(row0 * W * C, (row0 + nRows) * W * C));
      return dst;
    },
    async readPixel(r: number, c: number): Promise<Float32Array> {
      return Float32Array.from(values.subarray((r * W + c) * C, (r * W + c + 1) * C));
    },
    async close(): Promise<void> {},
  };
  return cube;
}

/** Every quantity of a summary, computed the obvious way (float64 throughout). */
export function bruteForce(values: Float64Array, H: number, W: number, C: number, windows: RoiWindow[]) {
  const total = new Float64Array(H * W);
  const rois = windows.map(() => new Float64Array(H * W));
  const sum = new Float64Array(C);
  const max = new Float64Array(C).fill(-Infinity);
  for (let p = 0; p < H * W; p++) {
    for (let ch = 0; ch < C; ch++) {
      const x = Math.fround(values[p * C + ch]);
      total[p] += x;
      sum[ch] += x;
      max[ch] = Math.max(max[ch], x);
      windows.forEach((w, k) => {
        if (ch >= w.loChannel && ch < w.hiChannel) rois[k][p] += x;
      });
    }
  }
  return { total, rois, sum, max };
}

export function relDiff(a: ArrayLike<number>, b: ArrayLike<number>): number {
  let m = 0;
  for (let i = 0; i < a.length; i++) m = Math.max(m, Math.abs(a[i] - b[i]) / Math.max(1, Math.abs(b[i])));
  return a.length === b.length ? m : Infinity;
}
