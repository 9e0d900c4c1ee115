/**
 * Percentile contrast per map, cached: a percentile over a 1692×1592 map costs ~20 ms, and the grid
 * asks for every map's range on each redraw. Keyed by the map's data and the two percentiles, and for
 * a map still filling in (the scan editor's preview) by how many rows are filled: its data array is
 * the same while rows arrive, and only the filled rows count (the rest are not zeros, they are unknown).
 */
import { contrastRange } from '../../src/core/render/percentile';
import { filledValues, type FilledRows } from './filled-rows';

export class ContrastCache {
  private readonly cache = new WeakMap<Float32Array, { key: string; lo: number; hi: number }>();

  range(data: Float32Array, p: { lowPercentile: number; highPercentile: number }, rows?: FilledRows): { lo: number; hi: number } {
    const key = `${p.lowPercentile}|${p.highPercentile}${rows ? `|${rows.count} rows` : ''}`;
    const hit = this.cache.get(data);
    if (hit && hit.key === key) return { lo: hit.lo, hi: hit.hi };
    const r = contrastRange(rows ? filledValues(data, rows) : data, p.lowPercentile, p.highPercentile);
    this.cache.set(data, { key, lo: r.lo, hi: r.hi });
    return r;
  }
}
