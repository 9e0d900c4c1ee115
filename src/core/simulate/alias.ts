/**
 * Walker's alias method: draws a channel from a fixed discrete distribution in O(1). Each spectral
 * component of a painting (a line group's photopeak, a scatter peak, a slice of background) has a
 * fixed shape, so its table is built once per painting and every count of every pixel costs one
 * random number.
 */
import type { Rng } from './rng';

export class AliasTable {
  readonly n: number;
  private readonly prob: Float64Array;
  private readonly alias: Int32Array;

  /** `weights`: non-negative, not all zero. */
  constructor(weights: ArrayLike<number>) {
    const n = weights.length;
    let total = 0;
    for (let i = 0; i < n; i++) {
      if (!(weights[i] >= 0)) throw new RangeError(`alias table: weight ${i} is ${weights[i]}`);
      total += weights[i];
    }
    if (!(total > 0)) throw new RangeError('alias table: all weights are zero');
    this.n = n;
    this.prob = new Float64Array(n);
    this.alias = new Int32Array(n);
    const scaled = new Float64Array(n);
    const small: number[] = [];
    const large: number[] = [];
    for (let i = 0; i < n; i++) {
      scaled[i] = (weights[i] * n) / total;
      (scaled[i] < 1 ? small : large).push(i);
    }
    while (small.length && large.length) {
      const s = small.pop()!;
      const l = large.pop()!;
      this.prob[s] = scaled[s];
      this.alias[s] = l;
      scaled[l] = scaled[l] + scaled[s] - 1;
      (scaled[l] < 1 ? small : large).push(l);
    }
    // Leftovers are 1 up to rounding.
    for (const i of large) {
      this.prob[i] = 1;
      this.alias[i] = i;
    }
    for (const i of small) {
      this.prob[i] = 1;
      this.alias[i] = i;
    }
  }

  /** One draw, index in [0, n). */
  sample(rng: Rng): number {
    const u = rng.uniform() * this.n;
    const i = Math.floor(u);
    return u - i < this.prob[i] ? i : this.alias[i];
  }

  /** Add `count` draws to `out[offset + index]` (a row of counts). */
  scatterInto(rng: Rng, count: number, out: Uint16Array, offset: number): void {
    rng.aliasInto(count, this.n, this.prob, this.alias, out, offset);
  }
}
