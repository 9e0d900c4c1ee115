/** Small maps files for the host-ml tests: NPY H×W×k with the `<base>.json` sidecar (as predict writes). */
import { writeFile } from 'node:fs/promises';
import { writeNpy } from '../../src/core/io/npy-write';

export const H = 12;
export const W = 14;

/** A smooth, non-flat map per family index (values 0 … ~100). */
export function truthMap(k: number): Float32Array {
  const m = new Float32Array(H * W);
  for (let r = 0; r < H; r++) for (let c = 0; c < W; c++) m[r * W + c] = (k + 1) * (10 + 5 * Math.sin((r + 2 * k) / 3) + c + ((r * c) % 7));
  return m;
}

/** Write maps (one per line, H×W each) as pixel-major H×W×k float32 NPY + sidecar. */
export async function writeStack(file: string, lines: string[], maps: Float32Array[], sidecarExtra: Record<string, unknown> = {}, h = H, w = W): Promise<void> {
  const k = lines.length;
  const data = new Float32Array(h * w * k);
  for (let p = 0; p < h * w; p++) for (let j = 0; j < k; j++) data[p * k + j] = maps[j][p];
  await writeNpy(file, data, [h, w, k]);
  await writeFile(file.replace(/\.npy$/, '.json'), JSON.stringify({ lines, ...sidecarExtra }));
}

/** Population standard deviation (ddof 0), as NumPy's default. */
export function std(a: ArrayLike<number>): number {
  let m = 0;
  for (let i = 0; i < a.length; i++) m += a[i];
  m /= a.length;
  let s = 0;
  for (let i = 0; i < a.length; i++) s += (a[i] - m) ** 2;
  return Math.sqrt(s / a.length);
}
