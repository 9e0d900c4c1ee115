/**
 * Percentile contrast per map, cached: a percentile over a 1692×1592 map costs ~20 ms, and the grid
 * asks for every map's range on each redraw. Keyed by the map's data and the two percentiles.
 */
import { contrastRange } from '../../src/core/render/percentile';

export class ContrastCache {
  private readonly cache = new WeakMap<Float32Array, { key: string; lo: number; hi: number }>();

  range(data: Float32Array, p: { lowPercentile: number; highPercentile: number }): { lo: number; hi: number } {
    const key = `${p.lowPercentile}|${p.highPercentile}`;
    const hit = this.cache.get(data);
    if (hit && hit.key === key) return { lo: hit.lo, hi: hit.hi };
    const r = contrastRange(data, p.lowPercentile, p.highPercentile);
    this.cache.set(data, { key, lo: r.lo, hi: r.hi });
    return r;
  }
}
