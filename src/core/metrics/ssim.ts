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
  for (let i = 0; i < gt.length; i++) {
    const v = gt[i];
    if (v < gmin) gmin = v;
    if (v > gmax) gmax = v;
  }
  if (gmax > gmin) return { min: gmin, range: gmax - gmin };
  let pmin = gmin;
  let pmax = gmax;
  for (let i = 0; i < pred.length; i++) {
    const v = pred[i];
    if (v < pmin) pmin = v;
    if (v > pmax) pmax = v;
  }
  return { min: gmin, range: pmax > pmin ? pmax - pmin : 1 };
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

/** Reusable summed-area buffers, so evaluating 12 maps allocates once. */
export class SsimWorkspace {
  private size = 0;
  sx = new Float64Array(0);
  sy = new Float64Array(0);
  sxx = new Float64Array(0);
  syy = new Float64Array(0);
  sxy = new Float64Array(0);
  ensure(n: number): void {
    if (n <= this.size) return;
    this.size = n;
    this.sx = new Float64Array(n);
    this.sy = new Float64Array(n);
    this.sxx = new Float64Array(n);
    this.syy = new Float64Array(n);
    this.sxy = new Float64Array(n);
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
  opts: { shift?: number; workspace?: SsimWorkspace; file?: string } = {},
): SsimResult {
  const win = ssimWindowFor(height, width);
  if (win === undefined) {
    throw new XrfInputError(opts.file ?? '(maps)', `maps of ${height}×${width} pixels are too small for SSIM (its window needs at least 3×3)`);
  }
  if (!(dataRange > 0)) throw new Error(`SSIM data range must be positive, got ${dataRange}`);
  const n = height * width;
  // Centre both maps on their means before squaring: variances are shift-invariant, and this keeps
  // uxx − ux² from cancelling catastrophically on maps with a large offset.
  let mx = 0;
  let my = 0;
  for (let i = 0; i < n; i++) {
    mx += x[i];
    my += y[i];
  }
  mx /= n;
  my /= n;

  const W1 = width + 1;
  const ws = opts.workspace ?? new SsimWorkspace();
  ws.ensure((height + 1) * W1);
  const { sx, sy, sxx, syy, sxy } = ws;
  for (let c = 0; c <= width; c++) sx[c] = sy[c] = sxx[c] = syy[c] = sxy[c] = 0;
  for (let r = 0; r < height; r++) {
    let ax = 0;
    let ay = 0;
    let axx = 0;
    let ayy = 0;
    let axy = 0;
    const base = (r + 1) * W1;
    const prev = r * W1;
    sx[base] = sy[base] = sxx[base] = syy[base] = sxy[base] = 0;
    for (let c = 0; c < width; c++) {
      const a = x[r * width + c] - mx;
      const b = y[r * width + c] - my;
      ax += a;
      ay += b;
      axx += a * a;
      ayy += b * b;
      axy += a * b;
      const k = base + c + 1;
      const kp = prev + c + 1;
      sx[k] = sx[kp] + ax;
      sy[k] = sy[kp] + ay;
      sxx[k] = sxx[kp] + axx;
      syy[k] = syy[kp] + ayy;
      sxy[k] = sxy[kp] + axy;
    }
  }

  const pad = (win - 1) / 2;
  const np = win * win;
  const covNorm = np / (np - 1);
  const C1 = (SSIM_K1 * dataRange) ** 2;
  const C2 = (SSIM_K2 * dataRange) ** 2;
  const shift = opts.shift ?? 0;
  let total = 0;
  let totalShifted = 0;
  for (let i = pad; i < height - pad; i++) {
    const top = (i - pad) * W1;
    const bot = (i + pad + 1) * W1;
    for (let j = pad; j < width - pad; j++) {
      const l = j - pad;
      const rr = j + pad + 1;
      const ex = (sx[bot + rr] - sx[top + rr] - sx[bot + l] + sx[top + l]) / np;
      const ey = (sy[bot + rr] - sy[top + rr] - sy[bot + l] + sy[top + l]) / np;
      const exx = (sxx[bot + rr] - sxx[top + rr] - sxx[bot + l] + sxx[top + l]) / np;
      const eyy = (syy[bot + rr] - syy[top + rr] - syy[bot + l] + syy[top + l]) / np;
      const exy = (sxy[bot + rr] - sxy[top + rr] - sxy[bot + l] + sxy[top + l]) / np;
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
