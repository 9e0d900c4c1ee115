/**
 * Comparing what a canvas shows with the numbers it should show. A map is drawn through a colormap (viridis, inferno
 * or gray: matplotlib's published tables) after a monotonic scaling (linear, sqrt, log, percentile clip), so each
 * drawn pixel's colour, looked up in the colormap's table, gives its display level 0..255, and those levels keep the
 * ORDER of the map's values. The Spearman rank correlation between the drawn levels and the map computed
 * independently (by the CLI) is then close to 1 when the right map is drawn the right way round, and near 0 when it is
 * another map, a transposed one, or noise. Where no colormap fits the colours, luminance stands in for the level.
 */
import { colormapLut, COLORMAP_NAMES, type ColormapName } from '../../../src/core/render/colormaps';
import type { Locator } from './pw';

export interface CanvasPixels {
  /** Backing-store size of the canvas. */
  width: number;
  height: number;
  /** Size on screen (CSS pixels). */
  cssWidth: number;
  cssHeight: number;
  rgba: Uint8Array;
  /** Relative luminance 0..255 per pixel, row-major. */
  lum: Float64Array;
  /** Share of pixels with alpha > 0. */
  opaque: number;
  /**
   * The box of opaque pixels [x0, x1) × [y0, y1): where the map image is drawn. A map view keeps the map's aspect
   * ratio inside its canvas (letterboxed, the rest cleared), so the image need not fill the canvas.
   */
  box: { x0: number; y0: number; x1: number; y1: number } | undefined;
}

/** Reads a canvas's pixels inside its webview (getImageData, sent back as base64). */
export async function readCanvas(canvas: Locator): Promise<CanvasPixels> {
  const raw = await canvas.evaluate((c: HTMLCanvasElement) => {
    const ctx = c.getContext('2d');
    if (!ctx) throw new Error('canvas has no 2d context');
    const { data } = ctx.getImageData(0, 0, c.width, c.height);
    let bin = '';
    for (let i = 0; i < data.length; i += 0x8000) bin += String.fromCharCode.apply(null, Array.from(data.subarray(i, i + 0x8000)));
    return { width: c.width, height: c.height, cssWidth: c.clientWidth, cssHeight: c.clientHeight, b64: btoa(bin) };
  });
  const rgba = new Uint8Array(Buffer.from(raw.b64, 'base64'));
  const n = raw.width * raw.height;
  const lum = new Float64Array(n);
  let opaque = 0;
  let x0 = raw.width;
  let y0 = raw.height;
  let x1 = 0;
  let y1 = 0;
  for (let p = 0; p < n; p++) {
    const i = 4 * p;
    lum[p] = 0.2126 * rgba[i] + 0.7152 * rgba[i + 1] + 0.0722 * rgba[i + 2];
    if (rgba[i + 3] > 0) {
      opaque++;
      const x = p % raw.width;
      const y = (p - x) / raw.width;
      if (x < x0) x0 = x;
      if (x >= x1) x1 = x + 1;
      if (y < y0) y0 = y;
      if (y >= y1) y1 = y + 1;
    }
  }
  return { width: raw.width, height: raw.height, cssWidth: raw.cssWidth, cssHeight: raw.cssHeight, rgba, lum, opaque: opaque / Math.max(1, n), box: opaque ? { x0, y0, x1, y1 } : undefined };
}

/** Nearest entry of a colormap table for each colour; `meanDist` says how well the table explains the colours. */
function levelsIn(px: CanvasPixels, lut: Uint8Array): { level: Float64Array; meanDist: number } {
  const cache = new Map<number, [number, number]>();
  const level = new Float64Array(px.width * px.height);
  let dist = 0;
  let counted = 0;
  for (let p = 0; p < level.length; p++) {
    const i = 4 * p;
    if (px.rgba[i + 3] === 0) continue;
    const key = (px.rgba[i] << 16) | (px.rgba[i + 1] << 8) | px.rgba[i + 2];
    let hit = cache.get(key);
    if (!hit) {
      let best = 0;
      let bestD = Infinity;
      for (let j = 0; j < 256; j++) {
        const d = (lut[3 * j] - px.rgba[i]) ** 2 + (lut[3 * j + 1] - px.rgba[i + 1]) ** 2 + (lut[3 * j + 2] - px.rgba[i + 2]) ** 2;
        if (d < bestD) {
          bestD = d;
          best = j;
        }
      }
      hit = [best, Math.sqrt(bestD)];
      cache.set(key, hit);
    }
    level[p] = hit[0];
    dist += hit[1];
    counted++;
  }
  return { level, meanDist: counted ? dist / counted : Infinity };
}

/** The colormap that explains the drawn colours (mean colour distance under 3 of 255), or undefined. */
export function detectColormap(px: CanvasPixels): { name: ColormapName; level: Float64Array } | undefined {
  let best: { name: ColormapName; level: Float64Array; meanDist: number } | undefined;
  for (const name of COLORMAP_NAMES) {
    const r = levelsIn(px, colormapLut(name));
    if (!best || r.meanDist < best.meanDist) best = { name, ...r };
  }
  return best && best.meanDist < 3 ? { name: best.name, level: best.level } : undefined;
}

/**
 * The drawn map image (the opaque box) as display levels resampled to the map's height × width; undefined when
 * nothing is drawn. `fill` says how much of the box is opaque (1 for an image drawn whole); `colormap` names the
 * table the levels come from (undefined: luminance was used).
 */
export function drawnImage(px: CanvasPixels, width: number, height: number): { lum: Float64Array; fill: number; colormap: ColormapName | undefined } | undefined {
  const b = px.box;
  if (!b) return undefined;
  const cm = detectColormap(px);
  const src = cm?.level ?? px.lum;
  const bw = b.x1 - b.x0;
  const bh = b.y1 - b.y0;
  // Sample each map pixel at its centre: drawn without smoothing, the whole cell has that pixel's colour, and the
  // centre stays clear of the cell edges (which may blend with the neighbour when the scale is not an integer).
  const out = new Float64Array(width * height);
  for (let r = 0; r < height; r++) {
    const y = b.y0 + Math.min(bh - 1, Math.floor(((r + 0.5) * bh) / height));
    for (let c = 0; c < width; c++) out[r * width + c] = src[y * px.width + b.x0 + Math.min(bw - 1, Math.floor(((c + 0.5) * bw) / width))];
  }
  return { lum: out, fill: (px.opaque * px.width * px.height) / (bw * bh), colormap: cm?.name };
}

/** Where the centre of map pixel (row, col) is on screen, in CSS pixels from the canvas's top-left corner. */
export function screenPointOf(px: CanvasPixels, row: number, col: number, width: number, height: number): { x: number; y: number } {
  const b = px.box ?? { x0: 0, y0: 0, x1: px.width, y1: px.height };
  const sx = px.cssWidth / px.width;
  const sy = px.cssHeight / px.height;
  return {
    x: (b.x0 + ((col + 0.5) * (b.x1 - b.x0)) / width) * sx,
    y: (b.y0 + ((row + 0.5) * (b.y1 - b.y0)) / height) * sy,
  };
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
