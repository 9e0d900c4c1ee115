/**
 * The spectrum plot's axes as pure maths (unit-tested): energy (keV, from the calibration) across,
 * counts on a log scale up. Channel i is drawn at its centre energy E(i) = offset + gain·i.
 */
import type { Calibration } from '../../src/core/cube/cube';

export interface PlotBox {
  left: number;
  top: number;
  width: number;
  height: number;
}

export interface EnergyRange {
  lo: number;
  hi: number;
}

export function fullEnergyRange(cal: Calibration, channels: number): EnergyRange {
  return { lo: cal.offsetKeV, hi: cal.offsetKeV + cal.gainKeV * Math.max(1, channels - 1) };
}

export function energyToX(e: number, r: EnergyRange, box: PlotBox): number {
  return box.left + ((e - r.lo) / (r.hi - r.lo)) * box.width;
}

export function xToEnergy(x: number, r: EnergyRange, box: PlotBox): number {
  return r.lo + ((x - box.left) / box.width) * (r.hi - r.lo);
}

/** The channel nearest a screen x, clamped to the cube. */
export function xToChannel(x: number, r: EnergyRange, box: PlotBox, cal: Calibration, channels: number): number {
  const c = Math.round((xToEnergy(x, r, box) - cal.offsetKeV) / cal.gainKeV);
  return Math.min(channels - 1, Math.max(0, c));
}

/** Channels [lo, hi) covering the energies between two screen x's (a drag, either direction). */
export function dragToWindow(x0: number, x1: number, r: EnergyRange, box: PlotBox, cal: Calibration, channels: number): { loChannel: number; hiChannel: number } {
  const a = xToChannel(Math.min(x0, x1), r, box, cal, channels);
  const b = xToChannel(Math.max(x0, x1), r, box, cal, channels);
  return { loChannel: a, hiChannel: b + 1 };
}

/** Log counts range: whole decades around the smallest positive and the largest value shown. */
export function logCountRange(series: ArrayLike<number>[], from = 0, to = Infinity): { lo: number; hi: number } {
  let minPos = Infinity;
  let max = 0;
  for (const s of series) {
    const end = Math.min(s.length, to);
    for (let i = Math.max(0, from); i < end; i++) {
      const v = s[i];
      if (v > 0 && v < minPos) minPos = v;
      if (v > max) max = v;
    }
  }
  if (!(max > 0)) return { lo: 0.1, hi: 10 };
  const lo = 10 ** Math.floor(Math.log10(Math.max(minPos, max * 1e-7)));
  let hi = 10 ** Math.ceil(Math.log10(max));
  if (hi <= lo) hi = lo * 10;
  return { lo, hi };
}

/** Screen y of a count on the log axis; zero and negatives sit on the bottom edge. */
export function countToY(v: number, range: { lo: number; hi: number }, box: PlotBox): number {
  const t = v > 0 ? (Math.log10(v) - Math.log10(range.lo)) / (Math.log10(range.hi) - Math.log10(range.lo)) : 0;
  const clamped = Math.min(1, Math.max(0, t));
  return box.top + box.height * (1 - clamped);
}

export interface Point {
  x: number;
  y: number;
}

/**
 * A series as polylines on the log axis. Zero (and negative) counts have no place on a log scale:
 * they lie flat on the axis floor, and the stroke does not join them to their positive neighbours,
 * because a pixel spectrum of a real scan has many zeros and joining them would draw a forest of
 * spikes down to the floor. Each run of positive channels is one polyline, each run of zero channels
 * one flat floor segment; a run of a single channel is a tick one channel wide so it stays visible.
 */
export function logSeriesPolylines(
  data: ArrayLike<number>,
  from: number,
  to: number,
  channelX: (channel: number) => number,
  range: { lo: number; hi: number },
  box: PlotBox,
): Point[][] {
  const end = Math.min(to, data.length);
  const floorY = box.top + box.height;
  const lines: Point[][] = [];
  let c = Math.max(0, from);
  while (c < end) {
    const positive = data[c] > 0;
    let last = c;
    while (last + 1 < end && (data[last + 1] > 0) === positive) last++;
    if (last === c) {
      const y = positive ? countToY(data[c], range, box) : floorY;
      const half = Math.abs(channelX(c + 1) - channelX(c)) / 2;
      const x = channelX(c);
      lines.push([{ x: x - half, y }, { x: x + half, y }]);
    } else if (positive) {
      const line: Point[] = [];
      for (let i = c; i <= last; i++) line.push({ x: channelX(i), y: countToY(data[i], range, box) });
      lines.push(line);
    } else {
      lines.push([{ x: channelX(c), y: floorY }, { x: channelX(last), y: floorY }]);
    }
    c = last + 1;
  }
  return lines;
}

/** Zoom the energy axis by `factor` (< 1 zooms in) around energy `at`, kept inside `full`. */
export function zoomEnergy(r: EnergyRange, full: EnergyRange, factor: number, at: number, minSpan: number): EnergyRange {
  const fullSpan = full.hi - full.lo;
  const span = Math.min(fullSpan, Math.max(minSpan, (r.hi - r.lo) * factor));
  const t = (at - r.lo) / (r.hi - r.lo);
  let lo = at - t * span;
  lo = Math.min(full.hi - span, Math.max(full.lo, lo));
  return { lo, hi: lo + span };
}
