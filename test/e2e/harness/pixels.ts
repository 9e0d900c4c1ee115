/**
 * Comparing what a canvas shows with the numbers it should show. A map drawn with a monotonic colormap (viridis,
 * inferno, gray: their luminance rises with the value) and a monotonic scaling (linear, sqrt, log, percentile clip)
 * keeps the ORDER of its pixel values in the luminance of its pixels. So the Spearman rank correlation between a
 * canvas's luminance and the map computed independently (by the CLI) is close to 1 when the right map is drawn in the
 * right place, and near 0 when it is another map, a transposed one, or noise.
 */
import type { Locator } from './pw';

export interface CanvasPixels {
  width: number;
  height: number;
  /** Relative luminance 0..255 per pixel, row-major. */
  lum: number[];
  /** Share of pixels with alpha > 0. */
  opaque: number;
}

/** Reads a canvas's pixels inside its webview (getImageData) as luminance. */
export async function readCanvas(canvas: Locator): Promise<CanvasPixels> {
  return canvas.evaluate((c: HTMLCanvasElement) => {
    const ctx = c.getContext('2d');
    if (!ctx) throw new Error('canvas has no 2d context');
    const { data } = ctx.getImageData(0, 0, c.width, c.height);
    const lum: number[] = new Array(c.width * c.height);
    let opaque = 0;
    for (let i = 0, p = 0; p < lum.length; i += 4, p++) {
      lum[p] = 0.2126 * data[i] + 0.7152 * data[i + 1] + 0.0722 * data[i + 2];
      if (data[i + 3] > 0) opaque++;
    }
    return { width: c.width, height: c.height, lum, opaque: opaque / Math.max(1, lum.length) };
  });
}

export function mean(a: ArrayLike<number>): number {
  let s = 0;
  for (let i = 0; i < a.length; i++) s += a[i];
  return a.length ? s / a.length : NaN;
}

export function std(a: ArrayLike<number>): number {
  const m = mean(a);
  let s = 0;
  for (let i = 0; i < a.length; i++) s += (a[i] - m) ** 2;
  return a.length ? Math.sqrt(s / a.length) : NaN;
}

/** Box-averages a canvas-sized image down (or nearest-samples up) to height × width. */
export function resample(src: ArrayLike<number>, sw: number, sh: number, width: number, height: number): Float64Array {
  const out = new Float64Array(width * height);
  for (let r = 0; r < height; r++) {
    const y0 = Math.floor((r * sh) / height);
    const y1 = Math.max(y0 + 1, Math.floor(((r + 1) * sh) / height));
    for (let c = 0; c < width; c++) {
      const x0 = Math.floor((c * sw) / width);
      const x1 = Math.max(x0 + 1, Math.floor(((c + 1) * sw) / width));
      let s = 0;
      let n = 0;
      for (let y = y0; y < y1; y++) for (let x = x0; x < x1; x++) {
        s += src[y * sw + x];
        n++;
      }
      out[r * width + c] = s / n;
    }
  }
  return out;
}

/** Ranks with ties given their average rank. */
export function ranks(a: ArrayLike<number>): Float64Array {
  const idx = Array.from({ length: a.length }, (_, i) => i).sort((i, j) => a[i] - a[j]);
  const r = new Float64Array(a.length);
  for (let i = 0; i < idx.length; ) {
    let j = i;
    while (j + 1 < idx.length && a[idx[j + 1]] === a[idx[i]]) j++;
    const avg = (i + j) / 2;
    for (let k = i; k <= j; k++) r[idx[k]] = avg;
    i = j + 1;
  }
  return r;
}

export function pearson(a: ArrayLike<number>, b: ArrayLike<number>): number {
  if (a.length !== b.length) throw new Error(`pearson: lengths differ (${a.length} vs ${b.length})`);
  const ma = mean(a);
  const mb = mean(b);
  let sab = 0;
  let saa = 0;
  let sbb = 0;
  for (let i = 0; i < a.length; i++) {
    const da = a[i] - ma;
    const db = b[i] - mb;
    sab += da * db;
    saa += da * da;
    sbb += db * db;
  }
  return saa > 0 && sbb > 0 ? sab / Math.sqrt(saa * sbb) : NaN;
}

export function spearman(a: ArrayLike<number>, b: ArrayLike<number>): number {
  return pearson(ranks(a), ranks(b));
}

/** Row and column of the largest value. */
export function argmax2d(a: ArrayLike<number>, width: number): { row: number; col: number } {
  let best = 0;
  for (let i = 1; i < a.length; i++) if (a[i] > a[best]) best = i;
  return { row: Math.floor(best / width), col: best % width };
}

/** A cheap fingerprint of a canvas's content, to tell whether it changed. */
export function fingerprint(p: CanvasPixels): string {
  let h = 2166136261;
  for (const v of p.lum) h = Math.imul(h ^ Math.round(v), 16777619);
  return `${p.width}x${p.height}:${(h >>> 0).toString(16)}`;
}
