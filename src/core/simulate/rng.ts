/**
 * Seeded random numbers for the simulator: same seed, same bytes, on every platform. No Math.random.
 *
 * xoshiro128** (Blackman & Vigna) gives 32-bit outputs with 128 bits of state, seeded through
 * splitmix32 so that nearby seeds give unrelated streams. Streams are keyed by (seed, painting, row),
 * so a row's noise does not depend on how rows are split across worker threads.
 */

/** splitmix32 step: a good 32-bit mixer, used for seeding and for hashing lattice points. */
export function mix32(x: number): number {
  x = (x + 0x9e3779b9) | 0;
  x = Math.imul(x ^ (x >>> 16), 0x85ebca6b);
  x = Math.imul(x ^ (x >>> 13), 0xc2b2ae35);
  return (x ^ (x >>> 16)) >>> 0;
}

/** Hash any number of 32-bit integers into one (order matters). */
export function hash32(...parts: number[]): number {
  let h = 0x2545f491;
  for (const p of parts) h = mix32((h ^ (p | 0)) >>> 0);
  return h;
}

/** hash32 of exactly three integers, without the rest-parameter array (noise lattices call it per pixel). */
export function hash3(a: number, b: number, c: number): number {
  let h = mix32((0x2545f491 ^ (a | 0)) >>> 0);
  h = mix32((h ^ (b | 0)) >>> 0);
  return mix32((h ^ (c | 0)) >>> 0);
}

const TWO_POW_M32 = 1 / 4294967296;

export class Rng {
  /**
   * The 128-bit state in a typed array: plain number fields would hold int32 values outside V8's small
   * integer range as boxed heap numbers, allocating on every step (measured ~10× slower).
   */
  private readonly s = new Int32Array(4);
  /** Spare normal deviate from the polar method. */
  private spare = NaN;

  constructor(...key: number[]) {
    let h = hash32(...key);
    for (let i = 0; i < 4; i++) {
      h = mix32(h);
      this.s[i] = h;
    }
    if ((this.s[0] | this.s[1] | this.s[2] | this.s[3]) === 0) this.s[0] = 1; // the all-zero state is a fixed point
  }

  /** Next 32-bit unsigned integer (xoshiro128**). */
  nextU32(): number {
    const s = this.s;
    const result = Math.imul(rotl(Math.imul(s[1], 5), 7), 9) >>> 0;
    const t = s[1] << 9;
    s[2] ^= s[0];
    s[3] ^= s[1];
    s[1] ^= s[2];
    s[0] ^= s[3];
    s[2] ^= t;
    s[3] = rotl(s[3], 11);
    return result;
  }

  /**
   * Add `count` draws from an alias table (prob, alias over n entries) to out[offset + index]. The
   * generator is inlined with its state in locals: this loop places every count of every spectrum.
   * Draws exactly the same numbers as `count` calls of uniform() would. `out` is the scan's own u16
   * row: callers make sure no channel can pass 65535 (see SpectrumModel.sample).
   */
  aliasInto(count: number, n: number, prob: Float64Array, alias: Int32Array, out: Uint16Array, offset: number): void {
    const s = this.s;
    let a = s[0];
    let b = s[1];
    let c = s[2];
    let d = s[3];
    for (let k = 0; k < count; k++) {
      const r = Math.imul(rotl(Math.imul(b, 5), 7), 9) >>> 0;
      const t = b << 9;
      c ^= a;
      d ^= b;
      b ^= c;
      a ^= d;
      c ^= t;
      d = (d << 11) | (d >>> 21);
      const u = r * TWO_POW_M32 * n;
      const i = u | 0;
      out[offset + (u - i < prob[i] ? i : alias[i])]++;
    }
    s[0] = a;
    s[1] = b;
    s[2] = c;
    s[3] = d;
  }

  /** Uniform in [0, 1), 32 bits of resolution. */
  uniform(): number {
    return this.nextU32() * TWO_POW_M32;
  }

  /** Uniform in (0, 1): safe under log(). */
  uniformOpen(): number {
    return (this.nextU32() + 0.5) * TWO_POW_M32;
  }

  /** Standard normal (Marsaglia polar method). */
  normal(): number {
    if (!Number.isNaN(this.spare)) {
      const s = this.spare;
      this.spare = NaN;
      return s;
    }
    for (;;) {
      const u = 2 * this.uniform() - 1;
      const v = 2 * this.uniform() - 1;
      const s = u * u + v * v;
      if (s > 0 && s < 1) {
        const f = Math.sqrt((-2 * Math.log(s)) / s);
        this.spare = v * f;
        return u * f;
      }
    }
  }

  /**
   * Poisson(λ), exact: multiplication (inversion) for λ < 10, Hörmann's PTRS (transformed rejection with
   * squeeze, 1993) above. Both are exact samplers, not approximations.
   */
  poisson(lambda: number): number {
    if (!(lambda > 0)) return 0;
    if (lambda < 10) {
      const limit = Math.exp(-lambda);
      let k = 0;
      let p = this.uniform();
      while (p > limit) {
        k++;
        p *= this.uniform();
      }
      return k;
    }
    return this.ptrs(lambda);
  }

  private ptrs(lambda: number): number {
    const slam = Math.sqrt(lambda);
    const loglam = Math.log(lambda);
    const b = 0.931 + 2.53 * slam;
    const a = -0.059 + 0.02483 * b;
    const invalpha = 1.1239 + 1.1328 / (b - 3.4);
    const vr = 0.9277 - 3.6224 / (b - 2);
    for (;;) {
      const u = this.uniform() - 0.5;
      const v = this.uniform();
      const us = 0.5 - Math.abs(u);
      const k = Math.floor(((2 * a) / us + b) * u + lambda + 0.43);
      if (us >= 0.07 && v <= vr) return k;
      if (k < 0 || (us < 0.013 && v > us)) continue;
      if (Math.log(v) + Math.log(invalpha) - Math.log(a / (us * us) + b) <= -lambda + k * loglam - logFactorial(k)) return k;
    }
  }
}

function rotl(x: number, k: number): number {
  return (x << k) | (x >>> (32 - k));
}

const LOG_FACT_TABLE: number[] = (() => {
  const t = [0];
  for (let i = 1; i < 256; i++) t.push(t[i - 1] + Math.log(i));
  return t;
})();

/** log(k!) exactly from a table for small k, Stirling's series (error < 1e-12 here) above. */
export function logFactorial(k: number): number {
  if (k < 256) return LOG_FACT_TABLE[k];
  const x = k + 1;
  return (x - 0.5) * Math.log(x) - x + 0.5 * Math.log(2 * Math.PI) + 1 / (12 * x) - 1 / (360 * x * x * x);
}
