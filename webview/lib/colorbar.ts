/**
 * Colorbar ticks: values chosen in data units, placed where the map's own scaler (linear, sqrt, log;
 * src/core/render makeScaler) puts them, so the bar reads exactly like the rendered map. Labels that
 * would collide are dropped. Pure, unit-tested.
 */
import { makeScaler, LOG_DECADES_WHEN_LO_NONPOSITIVE, type MapScale } from '../../src/core/render/render-map';
import { logTicks, niceTicks } from './ticks';

export interface ColorbarTick {
  value: number;
  /** 0 at the low end of the bar, 1 at the high end. */
  position: number;
}

export function colorbarTicks(scale: MapScale, lo: number, hi: number, maxTicks = 5, minGap = 0.14): ColorbarTick[] {
  if (!Number.isFinite(lo) || !Number.isFinite(hi) || !(hi > lo)) return Number.isFinite(lo) ? [{ value: lo, position: 0 }] : [];
  const toT = makeScaler(scale, lo, hi);
  let values: number[];
  if (scale === 'log' && hi > 0) {
    const floor = lo > 0 ? lo : hi * 10 ** -LOG_DECADES_WHEN_LO_NONPOSITIVE;
    values = logTicks(floor, hi);
    if (values.length < 2) values = niceTicks(floor, hi, maxTicks);
  } else values = niceTicks(lo, hi, maxTicks);
  const out: ColorbarTick[] = [];
  for (const value of values) {
    const position = toT(value);
    if (position < 0 || position > 1) continue;
    if (out.length && position - out[out.length - 1].position < minGap) continue;
    out.push({ value, position });
  }
  return out;
}
