/**
 * Evaluate a prediction against ground truth (thesis §4.5, §5.3): per line family SSIM, Pearson r,
 * slope α and the z-score shares; their average ("Avg": mean of the per-family values, families
 * whose value is undefined left out); and the "Total" row, defined in docs/metrics.md:
 *
 *   every family's ground truth and prediction are scaled by that family's ground-truth range,
 *   s = (v − min(y)) / R (R from `referenceRange`), so that strong and weak families weigh alike; then
 *   - SSIM: mean of the SSIM values of all families' scaled maps (data range 1), pooled over all
 *     window positions (all maps share one size, so this is the mean of per-family scaled SSIMs);
 *   - r and α: computed once over all pooled scaled values;
 *   - z shares: over all pixels of all families pooled (z does not change with scaling).
 */
import { XrfInputError } from '../errors';
import type { MapStack } from '../groundtruth/groundtruth';
import { alignStacks } from '../groundtruth/align';
import { ssim, SsimWorkspace, ssimWindowFor, referenceRangeOf } from './ssim';
import { pairStats, zScores, sharesOf, ZShares, ZCounts } from './pointwise';
import type { CancelToken, ProgressSink } from '../util/progress';

export interface LineMetrics {
  ssim: number;
  /** null when either map is flat (r undefined). */
  pearson: number | null;
  /** null when the ground truth is all zeros (α undefined). */
  slope: number | null;
  z: ZShares;
  /** The data range R used for SSIM and the Total scaling. */
  dataRange: number;
  /** σ of the ground-truth map (population std) used for z. */
  sigma: number;
}

export interface SummaryMetrics {
  ssim: number | null;
  pearson: number | null;
  slope: number | null;
  z: ZShares;
}

export interface EvaluationReport {
  /** Paths of the prediction and ground truth. */
  pred: string;
  gt: string;
  /** A name for the prediction's column (model name), when the caller gives one. */
  model?: string;
  height: number;
  width: number;
  /** The SSIM window side (7, smaller for maps under 7 pixels; see ssimWindowFor). */
  ssimWindow: number;
  /** Families evaluated, in ground-truth order. */
  lines: string[];
  families: Record<string, LineMetrics>;
  average: SummaryMetrics;
  total: SummaryMetrics;
  /** Families only one side has: reported, not evaluated. */
  extra: { inPred: string[]; inGt: string[] };
}

export interface EvaluateOptions {
  /** Evaluate only these families (each must be on both sides). Default: all common families. */
  lines?: string[];
  model?: string;
  /** Checked once per family (a worker evaluating many models can be cancelled). */
  token?: CancelToken;
  /** One unit per family. */
  onProgress?: ProgressSink;
}

/** The first non-finite value of a map as an error naming file, family and pixel. */
function checkFinite(map: Float32Array, width: number, file: string, what: string, line: string): void {
  for (let i = 0; i < map.length; i++) {
    const v = map[i];
    if (!Number.isFinite(v)) {
      const row = Math.floor(i / width);
      const kind = Number.isNaN(v) ? 'NaN' : v > 0 ? '+Inf' : '-Inf';
      throw new XrfInputError(file, `${what} of ${line} is ${kind} at pixel (row ${row}, column ${i - row * width})`);
    }
  }
}

function mean(values: (number | null)[]): number | null {
  const ok = values.filter((v): v is number => v !== null);
  return ok.length ? ok.reduce((a, b) => a + b, 0) / ok.length : null;
}

/** Evaluate and also return the z-score maps (Float32Array per evaluated family) for the results view. */
export function evaluateDetailed(pred: MapStack, gt: MapStack, opts: EvaluateOptions = {}): { report: EvaluationReport; zMaps: Float32Array[] } {
  const { lines, extraInPred, extraInGt } = alignStacks(pred, gt, { lines: opts.lines });
  const { height, width } = gt;
  const n = height * width;
  if (n === 0) throw new XrfInputError(gt.path, 'maps are empty');
  const window = ssimWindowFor(height, width);
  if (window === undefined) {
    throw new XrfInputError(gt.path, `maps of ${height}×${width} pixels are too small for SSIM (its window needs at least 3×3)`);
  }
  const pairs = lines.map((line) => {
    const y = gt.maps[gt.lines.indexOf(line)];
    const yhat = pred.maps[pred.lines.indexOf(line)];
    checkFinite(y, width, gt.path, 'ground truth', line);
    checkFinite(yhat, width, pred.path, 'prediction', line);
    return { line, y, yhat };
  });

  const ws = new SsimWorkspace();
  const families: Record<string, LineMetrics> = {};
  const zMaps: Float32Array[] = [];
  const pooledCounts: ZCounts = { le1: 0, le2: 0, le3: 0, gt3: 0 };
  const scale: { min: number; range: number }[] = [];
  let shiftedSsimSum = 0;
  for (const [f, { line, y, yhat }] of pairs.entries()) {
    opts.token?.throwIfCancelled();
    opts.onProgress?.({ done: f, total: pairs.length, message: line });
    const st = pairStats(y, yhat);
    const ref = referenceRangeOf(st.minY, st.maxY, st.minP, st.maxP);
    scale.push(ref);
    const s = ssim(y, yhat, height, width, ref.range, { shift: ref.min, workspace: ws, file: gt.path, means: { x: st.meanY, y: st.meanP } });
    shiftedSsimSum += s.ssimShifted;
    const zMap = new Float32Array(n);
    const { counts } = zScores(y, yhat, zMap, st.sigmaY);
    zMaps.push(zMap);
    for (const k of ['le1', 'le2', 'le3', 'gt3'] as const) pooledCounts[k] += counts[k];
    families[line] = {
      ssim: s.ssim,
      pearson: st.pearson,
      slope: st.slope,
      z: sharesOf(counts),
      dataRange: ref.range,
      sigma: st.sigmaY,
    };
  }

  opts.token?.throwIfCancelled();
  opts.onProgress?.({ done: pairs.length, total: pairs.length });
  // Pooled scaled values for the Total r and α: first the means, then the sums of products.
  let sumG = 0;
  let sumP = 0;
  pairs.forEach(({ y, yhat }, f) => {
    const { min, range } = scale[f];
    for (let i = 0; i < n; i++) {
      sumG += (y[i] - min) / range;
      sumP += (yhat[i] - min) / range;
    }
  });
  const total = n * pairs.length;
  const mG = sumG / total;
  const mP = sumP / total;
  let sgp = 0;
  let sgg = 0;
  let spp = 0;
  let rawGP = 0;
  let rawGG = 0;
  pairs.forEach(({ y, yhat }, f) => {
    const { min, range } = scale[f];
    for (let i = 0; i < n; i++) {
      const g = (y[i] - min) / range;
      const p = (yhat[i] - min) / range;
      sgp += (g - mG) * (p - mP);
      sgg += (g - mG) ** 2;
      spp += (p - mP) ** 2;
      rawGP += g * p;
      rawGG += g * g;
    }
  });

  const list = lines.map((l) => families[l]);
  const avgZ = { le1: 0, le2: 0, le3: 0, gt3: 0 };
  for (const m of list) for (const k of ['le1', 'le2', 'le3', 'gt3'] as const) avgZ[k] += m.z[k] / list.length;
  const report: EvaluationReport = {
    pred: pred.path,
    gt: gt.path,
    ...(opts.model !== undefined ? { model: opts.model } : {}),
    height,
    width,
    ssimWindow: window,
    lines,
    families,
    average: {
      ssim: mean(list.map((m) => m.ssim)),
      pearson: mean(list.map((m) => m.pearson)),
      slope: mean(list.map((m) => m.slope)),
      z: avgZ,
    },
    total: {
      ssim: shiftedSsimSum / pairs.length,
      pearson: sgg > 0 && spp > 0 ? Math.max(-1, Math.min(1, sgp / Math.sqrt(sgg * spp))) : null,
      slope: rawGG > 0 ? rawGP / rawGG : null,
      z: sharesOf(pooledCounts),
    },
    extra: { inPred: extraInPred, inGt: extraInGt },
  };
  return { report, zMaps };
}

/** Evaluate a prediction against its ground truth (see the file comment for every definition). */
export function evaluate(pred: MapStack, gt: MapStack, opts: EvaluateOptions = {}): EvaluationReport {
  return evaluateDetailed(pred, gt, opts).report;
}
