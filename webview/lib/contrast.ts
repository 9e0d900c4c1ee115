/**
 * Percentile contrast per map, cached: a percentile over a 1692×1592 map costs ~20 ms, and the grid
 * asks for every map's range on each redraw. Keyed by the map's data and the two percentiles, and for
 * a map still filling in (the scan editor's preview) by how many rows are filled: its data array is
 * the same while rows arrive, and only the filled rows count (the rest are not zeros, they are unknown).
 *
 * A preview is re-ranged at every update of every map, so there the percentiles are taken over an
 * even sample of the filled values (at most PREVIEW_SAMPLE of them: ~2 ms instead of ~20 for a full
 * map), and a new range within PREVIEW_STEADY of the last one keeps the last one: the tiles can then
 * draw only their new rows (map-view.ts) instead of the whole map. The final maps get exact ranges.
 */
import { contrastRange } from '../../src/core/render/percentile';
import type { FilledRows } from './filled-rows';

/** The most values a preview's percentiles are taken over. */
export const PREVIEW_SAMPLE = 1 << 18;
/** A preview's new range within this share of the last range's width keeps the last range. */
export const PREVIEW_STEADY = 0.02;

export class ContrastCache {
  private readonly cache = new WeakMap<Float32Array, { pct: string; rows: number | undefined; lo: number; hi: number }>();

  range(data: Float32Array, p: { lowPercentile: number; highPercentile: number }, rows?: FilledRows): { lo: number; hi: number } {
    const pct = `${p.lowPercentile}|${p.highPercentile}`;
    const hit = this.cache.get(data);
    if (hit && hit.pct === pct && hit.rows === rows?.count) return { lo: hit.lo, hi: hit.hi };
    let r: { lo: number; hi: number };
    if (rows) {
      r = contrastRange(sampleFilled(data, rows, PREVIEW_SAMPLE), p.lowPercentile, p.highPercentile);
      // The same preview with more rows: keep its range while the new one is close (fewer full redraws).
      if (hit && hit.pct === pct && hit.rows !== undefined) {
        const tol = PREVIEW_STEADY * Math.max(hit.hi - hit.lo, Number.EPSILON);
        if (Math.abs(r.lo - hit.lo) <= tol && Math.abs(r.hi - hit.hi) <= tol) r = { lo: hit.lo, hi: hit.hi };
      }
    } else {
      r = contrastRange(data, p.lowPercentile, p.highPercentile);
    }
    this.cache.set(data, { pct, rows: rows?.count, lo: r.lo, hi: r.hi });
    return r;
  }
}

/**
 * The filled rows' values, in row order: all of them when they are at most `max`, else every
 * k-th of them (k = ⌈n / max⌉), an even sample over the filled part of the map.
 */
export function sampleFilled(data: Float32Array, rows: FilledRows, max: number): Float32Array {
  const height = rows.filled.length;
  const width = height > 0 ? data.length / height : 0;
  const n = rows.count * width;
  const step = Math.max(1, Math.ceil(n / max));
  const out = new Float32Array(Math.ceil(n / step));
  let o = 0;
  let skip = 0; // values of the filled rows still to pass over before the next one taken
  for (let r = 0; r < height; r++) {
    if (!rows.filled[r]) continue;
    const end = (r + 1) * width;
    for (let i = r * width + skip; i < end; i += step) out[o++] = data[i];
    skip = (skip - width) % step;
    if (skip < 0) skip += step;
  }
  return o === out.length ? out : out.subarray(0, o);
}
