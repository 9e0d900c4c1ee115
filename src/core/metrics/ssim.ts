/**
 * SSIM exactly as scikit-image 0.19 `structural_similarity(gt, pred, data_range=R)` computes it
 * with its defaults (skimage/metrics/_structural_similarity.py), for float64 input:
 *   - 7×7 uniform window; means ux, uy and uxx, uyy, uxy over the window;
 *   - sample covariances: vx = N/(N−1)·(uxx − ux²) etc., N = 49;
 *   - C1 = (0.01·R)², C2 = (0.03·R)²;
 *   - S = (2·ux·uy + C1)(2·vxy + C2) / ((ux² + uy² + C1)(vx + vy + C2)) per pixel;
 *   - the mean of S over the pixels at least (win−1)/2 from every border (skimage's `crop(S, pad)`),
 *     so only full windows count and its reflect padding never matters.
 * Window sums come from summed-area tables: O(H·W) whatever the window.
 *
 * Our choices where skimage has none (docs/metrics.md):
 *   - maps smaller than 7 in a dimension use the largest odd window that fits (skimage's own advice
 *     for small images, `win_size` = that); below 3×3 there is no meaningful window: an error.
 *   - the caller chooses R; `referenceRange` gives the documented default, including flat maps.
 */
import { XrfInputError } from '../errors';

export const SSIM_K1 = 0.01;
export const SSIM_K2 = 0.03;
export const SSIM_DEFAULT_WINDOW = 7;

/** The window used for an H×W map: 7, or the largest odd size that fits; undefined below 3. */
export function ssimWindowFor(height: number, width: number): number | undefined {
  const side = Math.min(height, width, SSIM_DEFAULT_WINDOW);
  const win = side % 2 === 1 ? side : side - 1;
  return win >= 3 ? win : undefined;
}

/**
 * The data range R used for a family (SSIM's R, and the scale of the Total row): the ground truth's
 * max − min; when the ground truth is flat, the range of ground truth and prediction together;
 * when both are the same constant, 1 (any R gives SSIM = 1 then, and scaling by 1 changes nothing).
 */
export function referenceRange(gt: ArrayLike<number>, pred: ArrayLike<number>): { min: number; range: number } {
  let gmin = Infinity;
  let gmax = -Infinity;
  let pmin = Infinity;
  let pmax = -Infinity;
  for (let i = 0; i < gt.length; i++) {
    if (gt[i] < gmin) gmin = gt[i];
    if (gt[i] > gmax) gmax = gt[i];
    if (pred[i] < pmin) pmin = pred[i];
    if (pred[i] > pmax) pmax = pred[i];
  }
  return referenceRangeOf(gmin, gmax, pmin, pmax);
}

/** `referenceRange` from the extremes of ground truth and prediction. */
export function referenceRangeOf(gtMin: number, gtMax: number, predMin: number, predMax: number): { min: number; range: number } {
  if (gtMax > gtMin) return { min: gtMin, range: gtMax - gtMin };
  const lo = Math.min(gtMin, predMin);
  const hi = Math.max(gtMax, predMax);
  return { min: gtMin, range: hi > lo ? hi - lo : 1 };
}

export interface SsimResult {
  /** skimage's mean SSIM with data_range = R. */
  ssim: number;
  /**
   * The mean SSIM of the maps scaled as (v − shift)/R with data_range 1 (the Total row's per-family
   * part). Scaling leaves the contrast-structure term unchanged; only the luminance term sees the shift.
   */
  ssimShifted: number;
  /** Number of window positions averaged ((H−win+1)·(W−win+1)). */
  count: number;
  window: number;
}

/**
 * Reusable summed-area tables, so evaluating 12 maps allocates once. The five tables (Σx, Σy, Σx²,
 * Σy², Σxy) are interleaved in one array: a window lookup then touches 4 nearby spots, not 20.
 */
export class SsimWorkspace {
  sat = new Float64Array(0);
  ensure(cells: number): void {
    if (this.sat.length < cells * 5) this.sat = new Float64Array(cells * 5);
  }
}

/**
 * SSIM of prediction `y` against ground truth `x` (both H·W row-major), skimage's argument order
 * `structural_similarity(x, y)` (the formula is symmetric in x and y anyway).
 */
export function ssim(
  x: ArrayLike<number>,
  y: ArrayLike<number>,
  height: number,
  width: number,
  dataRange: number,
  opts: { shift?: number; workspace?: SsimWorkspace; file?: string; means?: { x: number; y: number } } = {},
): SsimResult {
  const win = ssimWindowFor(height, width);
  if (win === undefined) {
    throw new XrfInputError(opts.file ?? '(maps)', `maps of ${height}×${width} pixels are too small for SSIM (its window needs at least 3×3)`);
  }
  if (!(dataRange > 0)) throw new Error(`SSIM data range must be positive, got ${dataRange}`);
  const n = height * width;
  // Centre both maps on their means before squaring: variances are shift-invariant, and this keeps
  // uxx − ux² from cancelling catastrophically on maps with a large offset.
  // (Any centre works; the maps' means are best and the caller may already have them.)
  let mx = opts.means?.x ?? 0;
  let my = opts.means?.y ?? 0;
  if (!opts.means) {
    for (let i = 0; i < n; i++) {
      mx += x[i];
      my += y[i];
    }
    mx /= n;
    my /= n;
  }

  const W1 = width + 1;
  const ws = opts.workspace ?? new SsimWorkspace();
  ws.ensure((height + 1) * W1);
  const sat = ws.sat;
  // Row 0 and column 0 of the tables are zero.
  sat.fill(0, 0, W1 * 5);
  for (let r = 0; r < height; r++) {
    let ax = 0;
    let ay = 0;
    let axx = 0;
    let ayy = 0;
    let axy = 0;
    let k = (r + 1) * W1 * 5;
    let kp = r * W1 * 5;
    sat[k] = sat[k + 1] = sat[k + 2] = sat[k + 3] = sat[k + 4] = 0;
    for (let c = 0; c < width; c++) {
      const a = x[r * width + c] - mx;
      const b = y[r * width + c] - my;
      ax += a;
      ay += b;
      axx += a * a;
      ayy += b * b;
      axy += a * b;
      k += 5;
      kp += 5;
      sat[k] = sat[kp] + ax;
      sat[k + 1] = sat[kp + 1] + ay;
      sat[k + 2] = sat[kp + 2] + axx;
      sat[k + 3] = sat[kp + 3] + ayy;
      sat[k + 4] = sat[kp + 4] + axy;
    }
  }

  const pad = (win - 1) / 2;
  const np = win * win;
  const invNp = 1 / np;
  const covNorm = np / (np - 1);
  const C1 = (SSIM_K1 * dataRange) ** 2;
  const C2 = (SSIM_K2 * dataRange) ** 2;
  const shift = opts.shift ?? 0;
  let total = 0;
  let totalShifted = 0;
  for (let i = pad; i < height - pad; i++) {
    const top = (i - pad) * W1 * 5;
    const bot = (i + pad + 1) * W1 * 5;
    for (let j = pad; j < width - pad; j++) {
      // Corners of the window: bottom-right, top-right, bottom-left, top-left.
      const br = bot + (j + pad + 1) * 5;
      const tr = top + (j + pad + 1) * 5;
      const bl = bot + (j - pad) * 5;
      const tl = top + (j - pad) * 5;
      const ex = (sat[br] - sat[tr] - sat[bl] + sat[tl]) * invNp;
      const ey = (sat[br + 1] - sat[tr + 1] - sat[bl + 1] + sat[tl + 1]) * invNp;
      const exx = (sat[br + 2] - sat[tr + 2] - sat[bl + 2] + sat[tl + 2]) * invNp;
      const eyy = (sat[br + 3] - sat[tr + 3] - sat[bl + 3] + sat[tl + 3]) * invNp;
      const exy = (sat[br + 4] - sat[tr + 4] - sat[bl + 4] + sat[tl + 4]) * invNp;
      const vx = covNorm * (exx - ex * ex);
      const vy = covNorm * (eyy - ey * ey);
      const vxy = covNorm * (exy - ex * ey);
      const ux = ex + mx;
      const uy = ey + my;
      const cs = (2 * vxy + C2) / (vx + vy + C2);
      total += ((2 * ux * uy + C1) / (ux * ux + uy * uy + C1)) * cs;
      const sux = ux - shift;
      const suy = uy - shift;
      // Scaled maps have data range 1, so their C1 is K1²; multiplied through by R² that is C1 again.
      totalShifted += ((2 * sux * suy + C1) / (sux * sux + suy * suy + C1)) * cs;
    }
  }
  const count = (height - 2 * pad) * (width - 2 * pad);
  return { ssim: total / count, ssimShifted: totalShifted / count, count, window: win };
}
