/**
 * Per-pixel metrics of a predicted map ŷ against its ground truth y (thesis §4.5), in float64:
 *   - Pearson r as numpy.corrcoef (two-pass, clipped to [−1, 1]); undefined (null) when either map
 *     is flat, where numpy gives NaN;
 *   - slope α of ŷ = α·y by least squares through the origin: α = Σyŷ / Σy²; null when Σy² = 0;
 *   - absolute z-score z = |ŷ − y| / σ(y), σ the population standard deviation of the ground-truth
 *     map (ddof = 0, NumPy's default). Bins: [0, 1] (z = 0 counts in the first bin), (1, 2], (2, 3],
 *     > 3. A flat ground truth has σ = 0: z is 0 where ŷ = y and +∞ elsewhere (bin > 3).
 */

export interface ZShares {
  /** Share of pixels with z in [0, 1]. */
  le1: number;
  /** (1, 2] */
  le2: number;
  /** (2, 3] */
  le3: number;
  /** > 3 */
  gt3: number;
}

export interface ZCounts {
  le1: number;
  le2: number;
  le3: number;
  gt3: number;
}

export function pearson(y: ArrayLike<number>, yhat: ArrayLike<number>): number | null {
  const n = y.length;
  let my = 0;
  let mp = 0;
  for (let i = 0; i < n; i++) {
    my += y[i];
    mp += yhat[i];
  }
  my /= n;
  mp /= n;
  let sxy = 0;
  let sxx = 0;
  let syy = 0;
  for (let i = 0; i < n; i++) {
    const a = y[i] - my;
    const b = yhat[i] - mp;
    sxy += a * b;
    sxx += a * a;
    syy += b * b;
  }
  if (!(sxx > 0) || !(syy > 0)) return null;
  return Math.max(-1, Math.min(1, sxy / Math.sqrt(sxx * syy)));
}

export function slopeThroughOrigin(y: ArrayLike<number>, yhat: ArrayLike<number>): number | null {
  let num = 0;
  let den = 0;
  for (let i = 0; i < y.length; i++) {
    num += y[i] * yhat[i];
    den += y[i] * y[i];
  }
  return den > 0 ? num / den : null;
}

/** Population standard deviation (ddof = 0), two-pass. */
export function populationStd(y: ArrayLike<number>): number {
  const n = y.length;
  let m = 0;
  for (let i = 0; i < n; i++) m += y[i];
  m /= n;
  let s = 0;
  for (let i = 0; i < n; i++) s += (y[i] - m) ** 2;
  return Math.sqrt(s / n);
}

/**
 * Everything per-pixel about a pair of maps in two passes (the evaluation of 12 large maps is
 * dominated by passes over memory): means, extremes, population σ of y, r and α.
 */
export interface PairStats {
  meanY: number;
  meanP: number;
  minY: number;
  maxY: number;
  minP: number;
  maxP: number;
  sigmaY: number;
  pearson: number | null;
  slope: number | null;
}

export function pairStats(y: ArrayLike<number>, yhat: ArrayLike<number>): PairStats {
  const n = y.length;
  let sy = 0, sp = 0, syp = 0, syy = 0;
  let minY = Infinity, maxY = -Infinity, minP = Infinity, maxP = -Infinity;
  for (let i = 0; i < n; i++) {
    const a = y[i];
    const b = yhat[i];
    sy += a;
    sp += b;
    syp += a * b;
    syy += a * a;
    if (a < minY) minY = a;
    if (a > maxY) maxY = a;
    if (b < minP) minP = b;
    if (b > maxP) maxP = b;
  }
  const meanY = sy / n;
  const meanP = sp / n;
  // Second pass on centred values: the one-pass formulas lose digits on maps with an offset.
  let cyy = 0, cpp = 0, cyp = 0;
  for (let i = 0; i < n; i++) {
    const a = y[i] - meanY;
    const b = yhat[i] - meanP;
    cyy += a * a;
    cpp += b * b;
    cyp += a * b;
  }
  return {
    meanY, meanP, minY, maxY, minP, maxP,
    sigmaY: Math.sqrt(cyy / n),
    pearson: cyy > 0 && cpp > 0 ? Math.max(-1, Math.min(1, cyp / Math.sqrt(cyy * cpp))) : null,
    slope: syy > 0 ? syp / syy : null,
  };
}

/**
 * z-scores of every pixel, binned; `out` (optional) receives the z map as float32. `sigma` may be
 * given when already known (population σ of y).
 */
export function zScores(y: ArrayLike<number>, yhat: ArrayLike<number>, out?: Float32Array, sigmaY?: number): { sigma: number; counts: ZCounts } {
  const sigma = sigmaY ?? populationStd(y);
  const counts: ZCounts = { le1: 0, le2: 0, le3: 0, gt3: 0 };
  for (let i = 0; i < y.length; i++) {
    const d = Math.abs(yhat[i] - y[i]);
    const z = sigma > 0 ? d / sigma : d === 0 ? 0 : Infinity;
    if (out) out[i] = z;
    if (z <= 1) counts.le1++;
    else if (z <= 2) counts.le2++;
    else if (z <= 3) counts.le3++;
    else counts.gt3++;
  }
  return { sigma, counts };
}

export function sharesOf(c: ZCounts): ZShares {
  const n = c.le1 + c.le2 + c.le3 + c.gt3;
  return { le1: c.le1 / n, le2: c.le2 / n, le3: c.le3 / n, gt3: c.gt3 / n };
}
