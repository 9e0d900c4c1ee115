/**
 * The z-score map's legend and image (thesis Figure 5.4): |z| in (0, 1] white, (1, 2] yellow, (2, 3]
 * orange, > 3 red, no data (NaN) black — the palette of src/core/render/zscore-colors.ts, so the
 * view, PNG export and the experiments' figures agree. Pure, unit-tested.
 */
import { Z_SCORE_RGB, zScoreBin, renderZScoreRGBA } from '../../src/core/render/zscore-colors';
import type { ZShares } from '../../src/core/metrics/pointwise';

export interface ZLegendEntry {
  label: string;
  /** CSS colour. */
  color: string;
  /** Share of the pixels in this bin (undefined for "no data", which the metrics refuse). */
  share?: number;
}

const css = (rgb: readonly number[]) => `rgb(${rgb[0]}, ${rgb[1]}, ${rgb[2]})`;

export function zLegend(shares?: ZShares): ZLegendEntry[] {
  return [
    { label: '(0, 1]', color: css(Z_SCORE_RGB[0]), share: shares?.le1 },
    { label: '(1, 2]', color: css(Z_SCORE_RGB[1]), share: shares?.le2 },
    { label: '(2, 3]', color: css(Z_SCORE_RGB[2]), share: shares?.le3 },
    { label: '> 3', color: css(Z_SCORE_RGB[3]), share: shares?.gt3 },
  ];
}

/** Share of each bin in a z map (recomputed in the view: it must match the report's shares). */
export function zBinShares(z: Float32Array): ZShares & { noData: number } {
  const counts = [0, 0, 0, 0, 0];
  for (let i = 0; i < z.length; i++) counts[zScoreBin(z[i])]++;
  const n = z.length || 1;
  return { le1: counts[0] / n, le2: counts[1] / n, le3: counts[2] / n, gt3: counts[3] / n, noData: counts[4] / n };
}

export { renderZScoreRGBA, zScoreBin };
