/**
 * Per-line-family figures of a run, for showing next to each entry of a config's "lines" list
 * ("Zn K · SSIM 0.971 · r 0.983 · α 1.02 · z≤1 92%") and for flagging weak families.
 *
 * Which numbers: those of the run's best model (highest mean of its Avg SSIM over the held-out
 * paintings; a run of one model simply shows that model), each figure averaged over the held-out
 * paintings that model finished. A family is flagged when that model's SSIM for it is below the
 * threshold on any held-out painting (the worst one is named), so one bad painting is not averaged away.
 */
import type { ModelArch } from '../ml/models';
import type { RunSummary } from './record';

export interface LineFigures {
  line: string;
  model: ModelArch;
  /** Means over the held-out paintings (null where undefined on every one). */
  ssim: number | null;
  pearson: number | null;
  slope: number | null;
  /** Share of pixels with |z| ≤ 1 (0..1). */
  zLe1: number | null;
  /** Held-out paintings averaged. */
  paintings: string[];
  /** The held-out painting with the lowest SSIM for this family, and that SSIM. */
  worst?: { painting: string; ssim: number };
}

export interface RunLineFigures {
  model: ModelArch;
  /** Mean Avg SSIM of that model over the held-out paintings. */
  avgSsim: number;
  byLine: Map<string, LineFigures>;
}

function mean(v: (number | null | undefined)[]): number | null {
  const ok = v.filter((x): x is number => typeof x === 'number' && Number.isFinite(x));
  return ok.length ? ok.reduce((a, b) => a + b, 0) / ok.length : null;
}

/** The best model of a run (or `model`, when given and present). Undefined when no model finished. */
export function pickModel(summary: RunSummary, model?: ModelArch): { model: ModelArch; avgSsim: number } | undefined {
  let best: { model: ModelArch; avgSsim: number } | undefined;
  for (const m of summary.models) {
    const avg = mean(summary.folds.map((f) => f.reports[m]?.average.ssim));
    if (avg === null) continue;
    if (model !== undefined) {
      if (m === model) return { model: m, avgSsim: avg };
      continue;
    }
    if (!best || avg > best.avgSsim) best = { model: m, avgSsim: avg };
  }
  return best;
}

export function lineFiguresOf(summary: RunSummary, model?: ModelArch): RunLineFigures | undefined {
  const pick = pickModel(summary, model);
  if (!pick) return undefined;
  const byLine = new Map<string, LineFigures>();
  for (const line of summary.lines) {
    const per = summary.folds.flatMap((f) => {
      const m = f.reports[pick.model]?.families[line];
      return m ? [{ painting: f.test, m }] : [];
    });
    if (per.length === 0) continue;
    let worst: LineFigures['worst'];
    for (const p of per) if (!worst || p.m.ssim < worst.ssim) worst = { painting: p.painting, ssim: p.m.ssim };
    byLine.set(line, {
      line,
      model: pick.model,
      ssim: mean(per.map((p) => p.m.ssim)),
      pearson: mean(per.map((p) => p.m.pearson)),
      slope: mean(per.map((p) => p.m.slope)),
      zLe1: mean(per.map((p) => p.m.z.le1)),
      paintings: per.map((p) => p.painting),
      worst,
    });
  }
  return { model: pick.model, avgSsim: pick.avgSsim, byLine };
}

const num = (v: number | null, digits: number) => (v === null ? 'n/a' : v.toFixed(digits));

/** "Zn K · SSIM 0.971 · r 0.983 · α 1.02 · z≤1 92%" (without the name when `withName` is false). */
export function formatLineFigures(f: Pick<LineFigures, 'line' | 'ssim' | 'pearson' | 'slope' | 'zLe1'>, withName = true): string {
  const parts = [
    `SSIM ${num(f.ssim, 3)}`,
    `r ${num(f.pearson, 3)}`,
    `α ${num(f.slope, 2)}`,
    `z≤1 ${f.zLe1 === null ? 'n/a' : `${Math.round(100 * f.zLe1)}%`}`,
  ];
  return (withName ? [f.line, ...parts] : parts).join(' · ');
}

export interface FlaggedLine {
  line: string;
  ssim: number;
  painting: string;
  message: string;
}

/** Families whose SSIM (for the shown model) is below `threshold` on some held-out painting. */
export function flagLines(figures: RunLineFigures, threshold: number): FlaggedLine[] {
  const out: FlaggedLine[] = [];
  for (const f of figures.byLine.values()) {
    if (!f.worst || !(f.worst.ssim < threshold)) continue;
    out.push({
      line: f.line,
      ssim: f.worst.ssim,
      painting: f.worst.painting,
      message: `${f.line}: SSIM ${f.worst.ssim.toFixed(3)} with ${f.model} on held-out ${f.worst.painting} is below ${threshold} (xrfmaps.flagSsimBelow)`,
    });
  }
  return out;
}
