/**
 * The loss chart's geometry (thesis Figures 5.6–5.7: aL1 per epoch, train and validation, log y):
 * domains, ticks and the curves in canvas pixels. Pure, so the scales and ticks are unit-tested and
 * the component only strokes what this returns.
 *
 * Values that a log axis cannot show (0, negative, NaN, ±Inf: e.g. an epoch cancelled before its
 * validation pass) break a curve into segments instead of dragging it to the axis.
 */
import { logTicks, niceTicks, formatValue } from './ticks';

export interface LossHistory {
  train: number[];
  val: number[];
}

export interface Box {
  left: number;
  top: number;
  right: number;
  bottom: number;
}

export interface AxisTick {
  value: number;
  /** Canvas position along the axis (x for the epoch axis, y for the loss axis). */
  px: number;
  label: string;
}

export interface LossSeries {
  name: 'train' | 'val';
  /** Runs of consecutive showable points, in canvas pixels. */
  segments: [number, number][][];
}

export interface LossChartLayout {
  plot: Box;
  /** Epochs shown: [1, n] (at least [1, 2]). */
  xDomain: [number, number];
  /** Loss shown, log scale: [lo, hi] with 0 < lo < hi. */
  yDomain: [number, number];
  xTicks: AxisTick[];
  yTicks: AxisTick[];
  series: LossSeries[];
  /** The epoch with the lowest validation loss, and where it is drawn. */
  best?: { epoch: number; value: number; x: number; y: number };
}

const showable = (v: number) => Number.isFinite(v) && v > 0;

/**
 * The log-axis domain of every showable value: from the smallest to the largest, widened by ~5 % of
 * a decade each way so no point sits on the frame; one value (or equal values) gets a third of a
 * decade on each side. Undefined when nothing is showable.
 */
export function logDomain(values: Iterable<number>): [number, number] | undefined {
  let lo = Infinity;
  let hi = -Infinity;
  for (const v of values) {
    if (!showable(v)) continue;
    if (v < lo) lo = v;
    if (v > hi) hi = v;
  }
  if (!(hi >= lo)) return undefined;
  const pad = hi > lo ? Math.max(0.05 * (Math.log10(hi) - Math.log10(lo)), 0.02) : 1 / 3;
  return [lo / 10 ** pad, hi * 10 ** pad];
}

/** Ticks of a log axis: decades (with 2× and 5× over short spans); nice linear ticks within a decade. */
export function logAxisTicks(lo: number, hi: number): number[] {
  const t = logTicks(lo, hi);
  if (t.length >= 2) return t;
  // Under one decade (a converged run): 1-2-5 steps leave one tick or none; use linear steps.
  return niceTicks(lo, hi, 4).filter((v) => v > 0 && v >= lo && v <= hi);
}

export function layoutLossChart(
  history: LossHistory,
  size: { width: number; height: number },
  opts: { maxEpochs?: number; margin?: Partial<Box> } = {},
): LossChartLayout {
  const m = { left: 56, top: 12, right: 14, bottom: 34, ...opts.margin };
  const plot: Box = { left: m.left, top: m.top, right: Math.max(m.left + 1, size.width - m.right), bottom: Math.max(m.top + 1, size.height - m.bottom) };
  const n = Math.max(history.train.length, history.val.length);
  // The x axis grows with the run (epochs so far, at least 2), not to maxEpochs: early stopping
  // usually ends far before it, and a 1000-epoch axis would squeeze the curves to the left edge.
  const xHi = Math.max(2, n, opts.maxEpochs !== undefined && n === 0 ? Math.min(opts.maxEpochs, 10) : 0);
  const xDomain: [number, number] = [1, xHi];
  const yDomain = logDomain([...history.train, ...history.val]) ?? [0.1, 10];
  const [y0, y1] = [Math.log10(yDomain[0]), Math.log10(yDomain[1])];
  const xPx = (e: number) => plot.left + ((e - xDomain[0]) / (xDomain[1] - xDomain[0])) * (plot.right - plot.left);
  const yPx = (v: number) => plot.bottom - ((Math.log10(v) - y0) / (y1 - y0)) * (plot.bottom - plot.top);

  const xTicks = niceTicks(xDomain[0], xDomain[1], Math.max(2, Math.floor((plot.right - plot.left) / 70)))
    .filter((e) => Number.isInteger(e) && e >= xDomain[0])
    .map((e) => ({ value: e, px: xPx(e), label: String(e) }));
  if (xTicks.length === 0 || xTicks[0].value !== 1) xTicks.unshift({ value: 1, px: xPx(1), label: '1' });
  const yTicks = logAxisTicks(yDomain[0], yDomain[1]).map((v) => ({ value: v, px: yPx(v), label: formatValue(v) }));

  const seriesOf = (name: 'train' | 'val', values: number[]): LossSeries => {
    const segments: [number, number][][] = [];
    let run: [number, number][] = [];
    values.forEach((v, i) => {
      if (showable(v)) run.push([xPx(i + 1), yPx(v)]);
      else if (run.length) {
        segments.push(run);
        run = [];
      }
    });
    if (run.length) segments.push(run);
    return { name, segments };
  };

  let best: LossChartLayout['best'];
  history.val.forEach((v, i) => {
    if (showable(v) && (!best || v < best.value)) best = { epoch: i + 1, value: v, x: xPx(i + 1), y: yPx(v) };
  });

  return { plot, xDomain, yDomain, xTicks, yTicks, series: [seriesOf('train', history.train), seriesOf('val', history.val)], best };
}
