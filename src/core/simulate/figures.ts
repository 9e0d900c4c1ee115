/**
 * Documentation figures of a simulated painting, drawn straight into RGBA buffers (no canvas):
 * a grid of its ground-truth maps, and its sum spectrum on a log scale with labelled peaks.
 */
import { renderMapRGBA, contrastRange } from '../render/index';
import { drawText, textWidth, GLYPH_H } from '../render/font5x7';
import { blankFigure, drawLine as line, type Figure, type RGB } from '../render/raster';
import type { Calibration } from '../cube/cube';

const BLACK: RGB = [0, 0, 0];
const GREY: RGB = [150, 150, 150];
const LIGHT: RGB = [225, 225, 225];
const BLUE: RGB = [31, 90, 170];

export type { Figure };

/**
 * Maps in a grid, each magnified by `zoom`, titled with its label; viridis, square-root scale from 0 to
 * the 99.5th percentile (so faint elements stay visible).
 */
export function mapsFigure(maps: { label: string; data: Float32Array }[], mapW: number, mapH: number, cols: number, zoom = 1): Figure {
  const pad = 8;
  const titleH = 2 * GLYPH_H + 6;
  const tileW = mapW * zoom;
  const tileH = mapH * zoom;
  const rows = Math.ceil(maps.length / cols);
  const width = pad + cols * (tileW + pad);
  const height = pad + rows * (titleH + tileH + pad);
  const fig = blankFigure(width, height);
  maps.forEach((m, i) => {
    const x0 = pad + (i % cols) * (tileW + pad);
    const y0 = pad + Math.floor(i / cols) * (titleH + tileH + pad);
    const { hi } = contrastRange(m.data, 0, 99.5);
    const img = renderMapRGBA(m.data, mapW, mapH, { colormap: 'viridis', scale: 'sqrt', lo: 0, hi: hi > 0 ? hi : 1 });
    for (let y = 0; y < tileH; y++) {
      for (let x = 0; x < tileW; x++) {
        const s = 4 * (Math.floor(y / zoom) * mapW + Math.floor(x / zoom));
        const o = 4 * ((y0 + titleH + y) * width + x0 + x);
        fig.rgba[o] = img[s];
        fig.rgba[o + 1] = img[s + 1];
        fig.rgba[o + 2] = img[s + 2];
        fig.rgba[o + 3] = 255;
      }
    }
    drawText(fig.rgba, width, height, x0, y0, m.label, BLACK, 2);
  });
  return fig;
}

/**
 * The sum spectrum, log10 counts against keV, with a label above each given peak. Labels that would
 * collide are stacked upwards.
 */
export function spectrumFigure(sum: Float64Array, cal: Calibration, peaks: { label: string; energyKeV: number }[], opts: { width?: number; height?: number; maxKeV?: number; title?: string } = {}): Figure {
  const width = opts.width ?? 960;
  const height = opts.height ?? 420;
  const fig = blankFigure(width, height);
  const left = 58;
  const right = 12;
  const top = 26;
  const bottom = 34;
  const plotW = width - left - right;
  const plotH = height - top - bottom;
  const maxKeV = opts.maxKeV ?? 25;
  const minKeV = 1;
  let ymax = 1;
  for (let ch = 0; ch < sum.length; ch++) {
    const e = cal.offsetKeV + cal.gainKeV * ch;
    if (e >= minKeV && e <= maxKeV) ymax = Math.max(ymax, sum[ch]);
  }
  const decades = Math.ceil(Math.log10(ymax));
  const ylo = Math.max(0, decades - 5);
  const xOf = (e: number) => left + ((e - minKeV) / (maxKeV - minKeV)) * plotW;
  const yOf = (v: number) => top + plotH - ((Math.log10(Math.max(v, 10 ** ylo)) - ylo) / (decades - ylo)) * plotH;

  // Grid and axes.
  for (let d = ylo; d <= decades; d++) {
    const y = Math.round(yOf(10 ** d));
    line(fig, left, y, left + plotW, y, LIGHT);
    const lab = `1e${d}`;
    drawText(fig.rgba, width, height, left - 6 - textWidth(lab), y - 3, lab, BLACK);
  }
  for (let e = 0; e <= maxKeV; e += 5) {
    if (e < minKeV) continue;
    const x = Math.round(xOf(e));
    line(fig, x, top, x, top + plotH, LIGHT);
    drawText(fig.rgba, width, height, x - textWidth(String(e)) / 2, top + plotH + 6, String(e), BLACK);
  }
  drawText(fig.rgba, width, height, left + plotW - textWidth('energy (keV)'), height - 10, 'energy (keV)', BLACK);
  drawText(fig.rgba, width, height, 4, 6, opts.title ?? 'sum spectrum (counts per channel)', BLACK);
  line(fig, left, top, left, top + plotH, BLACK);
  line(fig, left, top + plotH, left + plotW, top + plotH, BLACK);

  // The spectrum as a polyline over channels in range.
  let prev: [number, number] | undefined;
  for (let ch = 0; ch < sum.length; ch++) {
    const e = cal.offsetKeV + cal.gainKeV * ch;
    if (e < minKeV || e > maxKeV) continue;
    const p: [number, number] = [Math.round(xOf(e)), Math.round(yOf(sum[ch]))];
    if (prev) line(fig, prev[0], prev[1], p[0], p[1], BLUE);
    prev = p;
  }

  // Peak labels: above the local maximum near each energy, stacked when they would overlap.
  const placed: { x0: number; x1: number; y: number }[] = [];
  for (const pk of [...peaks].sort((a, b) => a.energyKeV - b.energyKeV)) {
    if (pk.energyKeV < minKeV || pk.energyKeV > maxKeV) continue;
    const c0 = Math.round((pk.energyKeV - cal.offsetKeV) / cal.gainKeV);
    let best = c0;
    for (let c = c0 - 2; c <= c0 + 2; c++) if (c >= 0 && c < sum.length && sum[c] > sum[best]) best = c;
    const x = Math.round(xOf(pk.energyKeV));
    const yPeak = Math.round(yOf(sum[best]));
    const w = textWidth(pk.label);
    let y = yPeak - 14;
    const x0 = x - w / 2;
    const x1 = x + w / 2;
    for (;;) {
      const clash = placed.find((q) => !(x1 + 3 < q.x0 || x0 - 3 > q.x1) && Math.abs(q.y - y) < GLYPH_H + 3);
      if (!clash) break;
      y = clash.y - (GLYPH_H + 4);
    }
    y = Math.max(top - 18, y);
    placed.push({ x0, x1, y });
    line(fig, x, y + GLYPH_H + 2, x, yPeak - 2, GREY);
    drawText(fig.rgba, width, height, Math.round(x0), y, pk.label, BLACK);
  }
  return fig;
}
