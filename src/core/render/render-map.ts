/**
 * Turning a map (H·W float values, row-major) into RGBA pixels: one function shared by the webview's
 * canvases and PNG export, so what is exported is what was shown.
 */
import { colormapLut, type ColormapName } from './colormaps';

export type MapScale = 'linear' | 'sqrt' | 'log';

export interface RenderOptions {
  colormap: ColormapName;
  scale: MapScale;
  /** Values at or below lo take the first colour, at or above hi the last. */
  lo: number;
  hi: number;
  /** RGBA for NaN / ±Inf pixels (no data); default fully transparent. */
  noDataRGBA?: readonly [number, number, number, number];
}

/** Decades shown by the log scale when lo ≤ 0 (counts maps often have zeros). */
export const LOG_DECADES_WHEN_LO_NONPOSITIVE = 3;

/**
 * The normalized position t ∈ [0, 1] of a value for a scale and range:
 *  - linear: (v − lo)/(hi − lo)
 *  - sqrt:   √((v − lo)/(hi − lo)), lifting faint signal like a gamma of ½
 *  - log:    log(v/lo′)/log(hi/lo′) with lo′ = lo when lo > 0, else hi·10⁻³ (three decades)
 * A degenerate range (hi ≤ lo) gives 0 at or below lo and 1 above.
 */
export function makeScaler(scale: MapScale, lo: number, hi: number): (v: number) => number {
  if (scale === 'log') {
    if (!(hi > 0)) return (v) => (v > lo ? 1 : 0);
    const floor = lo > 0 ? lo : hi * 10 ** -LOG_DECADES_WHEN_LO_NONPOSITIVE;
    if (!(hi > floor)) return (v) => (v > floor ? 1 : 0);
    const lf = Math.log(floor);
    const span = Math.log(hi) - lf;
    return (v) => (v <= floor ? 0 : v >= hi ? 1 : (Math.log(v) - lf) / span);
  }
  if (!(hi > lo)) return (v) => (v > lo ? 1 : 0);
  const span = hi - lo;
  if (scale === 'sqrt') return (v) => (v <= lo ? 0 : v >= hi ? 1 : Math.sqrt((v - lo) / span));
  if (scale === 'linear') return (v) => (v <= lo ? 0 : v >= hi ? 1 : (v - lo) / span);
  throw new Error(`unknown scale "${String(scale)}" (expected linear, sqrt or log)`);
}

export function renderMapRGBA(map: Float32Array | Float64Array, width: number, height: number, opts: RenderOptions): Uint8ClampedArray {
  if (!Number.isInteger(width) || !Number.isInteger(height) || width <= 0 || height <= 0) {
    throw new RangeError(`map size must be positive integers, got ${width}×${height}`);
  }
  if (map.length !== width * height) throw new RangeError(`map holds ${map.length} values, ${width}×${height} needs ${width * height}`);
  const lut = colormapLut(opts.colormap);
  const toT = makeScaler(opts.scale, opts.lo, opts.hi);
  const noData = opts.noDataRGBA ?? [0, 0, 0, 0];
  const out = new Uint8ClampedArray(width * height * 4);
  for (let i = 0; i < map.length; i++) {
    const v = map[i];
    const o = 4 * i;
    if (!Number.isFinite(v)) {
      out[o] = noData[0];
      out[o + 1] = noData[1];
      out[o + 2] = noData[2];
      out[o + 3] = noData[3];
      continue;
    }
    const t = toT(v);
    const k = 3 * (t >= 1 ? 255 : Math.floor(t * 256));
    out[o] = lut[k];
    out[o + 1] = lut[k + 1];
    out[o + 2] = lut[k + 2];
    out[o + 3] = 255;
  }
  return out;
}

/** A colorbar image: the colormap from low to high, bottom-to-top when vertical, left-to-right otherwise. */
export function colorbarRGBA(colormap: ColormapName, width: number, height: number, vertical = true): Uint8ClampedArray {
  const lut = colormapLut(colormap);
  const out = new Uint8ClampedArray(width * height * 4);
  for (let y = 0; y < height; y++) {
    for (let x = 0; x < width; x++) {
      const t = vertical ? (height > 1 ? (height - 1 - y) / (height - 1) : 0) : width > 1 ? x / (width - 1) : 0;
      const k = 3 * Math.min(255, Math.floor(t * 256));
      const o = 4 * (y * width + x);
      out[o] = lut[k];
      out[o + 1] = lut[k + 1];
      out[o + 2] = lut[k + 2];
      out[o + 3] = 255;
    }
  }
  return out;
}
