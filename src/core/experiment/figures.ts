/**
 * The run's figures, drawn straight into RGBA buffers and written with the PNG writer (no canvas,
 * no font library): loss curves (thesis Figures 5.6-5.7), predicted next to ground-truth maps on the
 * same color scale (Figure 5.3), and absolute z-score maps in the thesis palette (Figure 5.4).
 */
import { renderMapRGBA, contrastRange, renderZScoreRGBA, Z_SCORE_RGB } from '../render/index';
import { drawText, textWidth, GLYPH_H } from '../render/font5x7';
import { blankFigure as blank, setPx, drawLine as line, type Figure, type RGB } from '../render/raster';

export type { Figure };

const BLACK: RGB = [0, 0, 0];
const GREY: RGB = [120, 120, 120];
const GRID: RGB = [228, 228, 228];
/** Training and validation curves: blue and orange (matplotlib's first two colours). */
export const TRAIN_RGB: RGB = [31, 119, 180];
export const VAL_RGB: RGB = [255, 127, 14];

function box(f: Figure, x: number, y: number, w: number, h: number, c: RGB): void {
  for (let j = 0; j < h; j++) for (let i = 0; i < w; i++) setPx(f, x + i, y + j, c);
}

function text(f: Figure, x: number, y: number, s: string, c: RGB = BLACK): void {
  drawText(f.rgba, f.width, f.height, x, y, s, c);
}

/** Round tick values covering [lo, hi]: steps of 1, 2 or 5 × 10^k, about `target` of them. */
export function niceTicks(lo: number, hi: number, target = 5): number[] {
  if (!(hi > lo)) return [lo];
  const raw = (hi - lo) / Math.max(1, target);
  const mag = 10 ** Math.floor(Math.log10(raw));
  const step = [1, 2, 5, 10].map((m) => m * mag).find((s) => s >= raw) ?? 10 * mag;
  const out: number[] = [];
  for (let v = Math.ceil(lo / step - 1e-9) * step; v <= hi + step * 1e-9; v += step) out.push(Number(v.toPrecision(12)));
  return out;
}

function tickLabel(v: number): string {
  if (v === 0) return '0';
  const a = Math.abs(v);
  if (a >= 1e4 || a < 1e-3) return v.toExponential(0).replace('e+', 'e');
  return String(Number(v.toPrecision(3)));
}

/**
 * Training and validation aL1 per epoch: axes with ticks, both curves with a marker per epoch (so a
 * one-epoch run still shows its points), a log y axis when the losses span more than a factor of 5,
 * and a legend of coloured boxes. Non-finite losses are left out of the curves.
 */
export function lossCurveFigure(history: { train: number[]; val: number[] }, opts: { title?: string; width?: number; height?: number } = {}): Figure {
  const W = opts.width ?? 520;
  const H = opts.height ?? 320;
  const f = blank(W, H);
  const left = 58;
  const right = 16;
  const top = opts.title ? 34 : 22;
  const bottom = 34;
  const pw = W - left - right;
  const ph = H - top - bottom;
  if (opts.title) text(f, left, 6, opts.title);

  const n = Math.max(history.train.length, history.val.length);
  const values = [...history.train, ...history.val].filter((v) => Number.isFinite(v) && v > 0);
  let lo = values.length ? Math.min(...values) : 0.1;
  let hi = values.length ? Math.max(...values) : 1;
  const log = lo > 0 && hi / lo > 5;
  let yTicks: number[];
  if (log) {
    const l0 = Math.floor(Math.log10(lo));
    const l1 = Math.ceil(Math.log10(hi));
    lo = 10 ** l0;
    hi = 10 ** Math.max(l1, l0 + 1);
    yTicks = [];
    for (let e = l0; e <= Math.log10(hi) + 1e-9; e++) for (const m of [1, 2, 5]) if (m * 10 ** e >= lo && m * 10 ** e <= hi) yTicks.push(m * 10 ** e);
  } else {
    const pad = (hi - lo) * 0.1 || Math.abs(hi) * 0.1 || 1;
    lo = Math.max(0, lo - pad);
    hi = hi + pad;
    yTicks = niceTicks(lo, hi, 5);
    lo = Math.min(lo, yTicks[0]);
    hi = Math.max(hi, yTicks[yTicks.length - 1]);
  }
  const yOf = (v: number) => top + ph - (log ? (Math.log10(v) - Math.log10(lo)) / (Math.log10(hi) - Math.log10(lo)) : (v - lo) / (hi - lo)) * ph;
  // Epochs 1..n; a single epoch sits in the middle.
  const xOf = (epoch: number) => (n <= 1 ? left + pw / 2 : left + ((epoch - 1) / (n - 1)) * pw);

  for (const t of yTicks) {
    const y = yOf(t);
    line(f, left, y, left + pw, y, GRID);
    line(f, left - 4, y, left, y, BLACK);
    const s = tickLabel(t);
    text(f, left - 6 - textWidth(s), y - 3, s);
  }
  const xTicks = n <= 1 ? [1] : niceTicks(1, n, 6).filter((t) => Number.isInteger(t) && t >= 1 && t <= n);
  for (const t of xTicks) {
    const x = xOf(t);
    line(f, x, top + ph, x, top + ph + 4, BLACK);
    const s = String(t);
    text(f, x - textWidth(s) / 2, top + ph + 7, s);
  }
  line(f, left, top, left, top + ph, BLACK);
  line(f, left, top + ph, left + pw, top + ph, BLACK);
  text(f, left + pw / 2 - textWidth('epoch') / 2, H - 11, 'epoch');
  text(f, 4, top - 12, log ? 'aL1 (log scale)' : 'aL1', GREY);

  const curve = (vals: number[], c: RGB) => {
    let prev: [number, number] | undefined;
    vals.forEach((v, i) => {
      if (!(Number.isFinite(v) && (!log || v > 0))) {
        prev = undefined;
        return;
      }
      const p: [number, number] = [xOf(i + 1), yOf(Math.min(hi, Math.max(lo, v)))];
      if (prev) line(f, prev[0], prev[1], p[0], p[1], c, 2);
      box(f, p[0] - 2, p[1] - 2, 5, 5, c);
      prev = p;
    });
  };
  curve(history.train, TRAIN_RGB);
  curve(history.val, VAL_RGB);

  // Legend: coloured boxes in the top-right corner of the plot.
  const items: [string, RGB][] = [['training', TRAIN_RGB], ['validation', VAL_RGB]];
  const lw = Math.max(...items.map(([s]) => textWidth(s))) + 22;
  let ly = top + 6;
  const lx = left + pw - lw - 6;
  box(f, lx - 4, ly - 4, lw + 8, items.length * 14 + 4, [255, 255, 255]);
  for (const [s, c] of items) {
    box(f, lx, ly, 10, 8, c);
    text(f, lx + 16, ly, s);
    ly += 14;
  }
  return f;
}

/** Integer magnification so that tiles are at least `minSide` pixels on their shorter side (at most 8×). */
export function zoomFor(height: number, width: number, minSide = 96): number {
  return Math.max(1, Math.min(8, Math.ceil(minSide / Math.max(1, Math.min(height, width)))));
}

function blit(f: Figure, src: Uint8ClampedArray, w: number, h: number, x0: number, y0: number, zoom: number): void {
  for (let y = 0; y < h * zoom; y++) {
    for (let x = 0; x < w * zoom; x++) {
      const s = 4 * (Math.floor(y / zoom) * w + Math.floor(x / zoom));
      const o = 4 * ((y0 + y) * f.width + x0 + x);
      if (x0 + x >= f.width || y0 + y >= f.height) continue;
      f.rgba[o] = src[s];
      f.rgba[o + 1] = src[s + 1];
      f.rgba[o + 2] = src[s + 2];
      f.rgba[o + 3] = 255;
    }
  }
}

interface Grid {
  fig: Figure;
  cell(row: number, col: number): { x: number; y: number };
  zoom: number;
}

function grid(rowLabels: string[], colLabels: string[], mapH: number, mapW: number, title: string, footer = 0): Grid {
  const zoom = zoomFor(mapH, mapW);
  const tw = mapW * zoom;
  const th = mapH * zoom;
  const pad = 6;
  const labelW = Math.max(...rowLabels.map((s) => textWidth(s)), 10) + 10;
  const headH = GLYPH_H + 8;
  const top = 20 + headH;
  const width = Math.max(labelW + colLabels.length * (tw + pad) + pad, textWidth(title) + 16);
  const height = top + rowLabels.length * (th + pad) + pad + footer;
  const fig = blank(width, height);
  text(fig, 8, 6, title);
  colLabels.forEach((s, c) => text(fig, labelW + c * (tw + pad) + Math.max(0, (tw - textWidth(s)) / 2), 20, s));
  rowLabels.forEach((s, r) => text(fig, 6, top + r * (th + pad) + th / 2 - GLYPH_H / 2, s));
  return { fig, zoom, cell: (r, c) => ({ x: labelW + c * (tw + pad), y: top + r * (th + pad) }) };
}

/**
 * Ground truth and every model's prediction of one painting: a row per line family, a column per
 * map. Each row shares one color scale, the ground truth's (0 to its 99.5th percentile, square-root
 * scale, viridis), so a model that over- or under-predicts looks brighter or darker than the truth.
 */
export function comparisonFigure(
  title: string,
  lines: string[],
  height: number,
  width: number,
  groundTruth: Float32Array[],
  predictions: { model: string; maps: Float32Array[] }[],
): Figure {
  const g = grid(lines, ['ground truth', ...predictions.map((p) => p.model)], height, width, title);
  lines.forEach((_, r) => {
    const { hi } = contrastRange(groundTruth[r], 0, 99.5);
    const opts = { colormap: 'viridis' as const, scale: 'sqrt' as const, lo: 0, hi: hi > 0 ? hi : 1 };
    const maps = [groundTruth[r], ...predictions.map((p) => p.maps[r])];
    maps.forEach((m, c) => {
      const { x, y } = g.cell(r, c);
      blit(g.fig, renderMapRGBA(m, width, height, opts), width, height, x, y, g.zoom);
    });
  });
  return g.fig;
}

/** Absolute z-score maps (row per line family, column per model) with the palette's legend below. */
export function zScoreFigure(title: string, lines: string[], height: number, width: number, zMaps: { model: string; maps: Float32Array[] }[]): Figure {
  const g = grid(lines, zMaps.map((z) => z.model), height, width, title, 24);
  lines.forEach((_, r) => {
    zMaps.forEach((z, c) => {
      const { x, y } = g.cell(r, c);
      blit(g.fig, renderZScoreRGBA(z.maps[r], width, height), width, height, x, y, g.zoom);
      // A thin frame: white (|z| ≤ 1) pixels would otherwise melt into the background.
      const w = width * g.zoom;
      const h = height * g.zoom;
      line(g.fig, x - 1, y - 1, x + w, y - 1, GREY);
      line(g.fig, x - 1, y + h, x + w, y + h, GREY);
      line(g.fig, x - 1, y - 1, x - 1, y + h, GREY);
      line(g.fig, x + w, y - 1, x + w, y + h, GREY);
    });
  });
  // The 5×7 font has no | < >: spell the bins with what it has.
  const labels = ['z 0-1', 'z 1-2', 'z 2-3', 'z 3+'];
  let x = 8;
  const y = g.fig.height - 16;
  labels.forEach((s, i) => {
    box(g.fig, x, y, 10, 8, Z_SCORE_RGB[i]);
    line(g.fig, x, y, x + 9, y, GREY);
    line(g.fig, x, y + 7, x + 9, y + 7, GREY);
    line(g.fig, x, y, x, y + 7, GREY);
    line(g.fig, x + 9, y, x + 9, y + 7, GREY);
    text(g.fig, x + 14, y, s);
    x += 14 + textWidth(s) + 14;
  });
  return g.fig;
}
