/**
 * The scatter of predicted against true values of one line family (ŷ against y, one point per
 * pixel) with the fitted slope line ŷ = α·y (least squares through the origin, as the metrics
 * define α) and the identity ŷ = y for reference. Pure geometry, unit-tested:
 *  - both axes share one domain (the identity is the diagonal, so over/under-prediction reads at once);
 *  - a 564×428 painting has 241 392 points: they are binned into a density grid (one cell per canvas
 *    pixel), drawn with log-scaled opacity so lone outliers stay visible next to dense clusters.
 */
export interface Domain {
  lo: number;
  hi: number;
}

/** One domain for both axes: covering every finite value of y and ŷ and 0, padded 3 %. */
export function scatterDomain(y: ArrayLike<number>, yhat: ArrayLike<number>): Domain {
  let lo = 0;
  let hi = 0;
  for (const a of [y, yhat]) {
    for (let i = 0; i < a.length; i++) {
      const v = a[i];
      if (!Number.isFinite(v)) continue;
      if (v < lo) lo = v;
      if (v > hi) hi = v;
    }
  }
  if (hi === lo) return { lo: lo - 1, hi: hi + 1 };
  const pad = 0.03 * (hi - lo);
  return { lo: lo < 0 ? lo - pad : lo, hi: hi + pad };
}

/**
 * The segment of the line ŷ = α·y inside the square [lo, hi]², or undefined when it misses the square
 * or α is undefined. Endpoints in data units, ordered by y.
 */
export function fitLineSegment(alpha: number | null, d: Domain): { x0: number; y0: number; x1: number; y1: number } | undefined {
  if (alpha === null || !Number.isFinite(alpha)) return undefined;
  // Clip x so that α·x stays in [lo, hi].
  let xa = d.lo;
  let xb = d.hi;
  if (alpha !== 0) {
    const p = d.lo / alpha;
    const q = d.hi / alpha;
    xa = Math.max(xa, Math.min(p, q));
    xb = Math.min(xb, Math.max(p, q));
  } else if (!(d.lo <= 0 && 0 <= d.hi)) return undefined;
  if (!(xb > xa)) return undefined;
  return { x0: xa, y0: alpha * xa, x1: xb, y1: alpha * xb };
}

/** Point counts per cell of an nx × ny grid over the domain (row 0 at the top = highest ŷ). */
export function densityGrid(y: ArrayLike<number>, yhat: ArrayLike<number>, d: Domain, nx: number, ny: number): Uint32Array {
  const grid = new Uint32Array(nx * ny);
  const sx = nx / (d.hi - d.lo);
  const sy = ny / (d.hi - d.lo);
  const n = Math.min(y.length, yhat.length);
  for (let i = 0; i < n; i++) {
    const a = y[i];
    const b = yhat[i];
    // NaN and values outside the domain fail these tests and are skipped.
    if (!(a >= d.lo && a <= d.hi && b >= d.lo && b <= d.hi)) continue;
    const cx = Math.min(nx - 1, Math.floor((a - d.lo) * sx));
    const cy = ny - 1 - Math.min(ny - 1, Math.floor((b - d.lo) * sy));
    grid[cy * nx + cx]++;
  }
  return grid;
}

/**
 * RGBA of a density grid in one colour: empty cells transparent, the others opaque from ~35 % for
 * a single point up to 100 % for the densest cell, on a log scale.
 */
export function densityRGBA(grid: Uint32Array, rgb: readonly [number, number, number]): Uint8ClampedArray {
  let max = 0;
  for (const c of grid) if (c > max) max = c;
  const out = new Uint8ClampedArray(grid.length * 4);
  const denom = Math.log1p(max) || 1;
  for (let i = 0; i < grid.length; i++) {
    const c = grid[i];
    if (c === 0) continue;
    out[4 * i] = rgb[0];
    out[4 * i + 1] = rgb[1];
    out[4 * i + 2] = rgb[2];
    out[4 * i + 3] = Math.round(255 * (0.35 + 0.65 * (Math.log1p(c) / denom)));
  }
  return out;
}
