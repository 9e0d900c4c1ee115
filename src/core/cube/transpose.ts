/**
 * Transposing channels-first slabs into pixel-major order: the one costly step of reading a
 * channels-first HDF5 scan (hdf5.ts). A slab is held by a `SlabTransposer`, which then moves any
 * C × inner sub-matrix of it (channel rows `stride` samples apart) into a destination:
 *     dst[dOff + i·C + ch] = slab[sOff + ch·stride + i]    for ch < C, i < inner.
 *
 * Two implementations, the same results: the WebAssembly SIMD kernel (transpose-kernel.ts) for 2-
 * and 4-byte samples, and the register-blocked JavaScript loop below, for every other sample type
 * and wherever WebAssembly SIMD is missing. bench/hdf5-axes.bench.ts times one against the other.
 */
import { TransposeKernel, transposeKernelAvailable } from './transpose-kernel';

/** Sample arrays a slab can be (h5wasm returns these for integer and float datasets up to 4 bytes, and f8). */
export type SlabSamples = Uint8Array | Int8Array | Uint16Array | Int16Array | Uint32Array | Int32Array | Float32Array | Float64Array;

/** Where transposed samples go: a raw view of the same type as the slab, or float32 (converted on the way). */
export type TransposeTarget = SlabSamples;

export interface SlabTransposer {
  readonly engine: 'wasm' | 'js';
  /** Hold `slab` (it may be copied) as the source of the following `transpose` calls. */
  load(slab: SlabSamples): void;
  /** dst[dOff + i·C + ch] = slab[sOff + ch·stride + i] for ch < C, i < inner. */
  transpose(sOff: number, stride: number, C: number, inner: number, dst: TransposeTarget, dOff: number): void;
  /** Let go of the slab (and of any memory held for it). */
  release(): void;
}

/**
 * A transposer for slabs of `sampleBytes`-byte samples: the SIMD kernel where it applies (2- and
 * 4-byte samples, WebAssembly SIMD present) unless `engine` is 'js'.
 */
export function createTransposer(sampleBytes: number, engine: 'wasm' | 'js' = 'wasm'): SlabTransposer {
  if (engine === 'wasm' && (sampleBytes === 2 || sampleBytes === 4) && transposeKernelAvailable()) {
    const k = TransposeKernel.create();
    if (k) return k;
  }
  return new JsTransposer();
}

export class JsTransposer implements SlabTransposer {
  readonly engine = 'js' as const;
  private slab: SlabSamples | undefined;

  load(slab: SlabSamples): void {
    this.slab = slab;
  }

  transpose(sOff: number, stride: number, C: number, inner: number, dst: TransposeTarget, dOff: number): void {
    if (!this.slab) throw new Error('JsTransposer: no slab loaded');
    checkTranspose(this.slab.length, sOff, stride, C, inner, dst.length, dOff);
    transposeJs(this.slab, sOff, stride, C, inner, dst, dOff);
  }

  release(): void {
    this.slab = undefined;
  }
}

/** Throw a RangeError when the transpose would read past the slab or write past `dst`. */
export function checkTranspose(slabLength: number, sOff: number, stride: number, C: number, inner: number, dstLength: number, dOff: number): void {
  if (C === 0 || inner === 0) return;
  const lastRead = sOff + (C - 1) * stride + inner;
  const lastWrite = dOff + C * inner;
  if (!(sOff >= 0 && dOff >= 0 && stride >= inner && lastRead <= slabLength && lastWrite <= dstLength)) {
    throw new RangeError(`transpose of ${C} × ${inner} (stride ${stride}) from ${sOff} into ${dOff} does not fit a slab of ${slabLength} and a target of ${dstLength}`);
  }
}

const TILE = 64;

/**
 * dst[dOff + i·C + ch] = s[sOff + ch·stride + i] for ch < C, i < inner.
 *
 * A plain double loop over 4096 channels × a row's pixels strides 8–16 KiB on one side and runs
 * ~10× slower than a copy. Here the matrix goes in TILE × TILE tiles (both sides stay in L1), and
 * within a tile in 4 × 4 register blocks: 4 channels × 4 adjacent pixels, so every source cache
 * line and destination line is used 4 times per visit (~1.1–2.2 ns per value against ~5 untiled).
 */
export function transposeJs(s: ArrayLike<number>, sOff: number, stride: number, C: number, inner: number, dst: { [i: number]: number }, dOff: number): void {
  const C2 = 2 * C;
  const C3 = 3 * C;
  const n2 = 2 * stride;
  const n3 = 3 * stride;
  const n4 = 4 * stride;
  for (let c0 = 0; c0 < C; c0 += TILE) {
    const c1 = Math.min(C, c0 + TILE);
    for (let i0 = 0; i0 < inner; i0 += TILE) {
      const i1 = Math.min(inner, i0 + TILE);
      let i = i0;
      for (; i + 4 <= i1; i += 4) {
        let di = dOff + i * C + c0;
        let si = sOff + c0 * stride + i;
        let ch = c0;
        for (; ch + 4 <= c1; ch += 4, di += 4, si += n4) {
          const a = si;
          const b = si + stride;
          const c = si + n2;
          const d = si + n3;
          dst[di] = s[a];
          dst[di + 1] = s[b];
          dst[di + 2] = s[c];
          dst[di + 3] = s[d];
          dst[di + C] = s[a + 1];
          dst[di + C + 1] = s[b + 1];
          dst[di + C + 2] = s[c + 1];
          dst[di + C + 3] = s[d + 1];
          dst[di + C2] = s[a + 2];
          dst[di + C2 + 1] = s[b + 2];
          dst[di + C2 + 2] = s[c + 2];
          dst[di + C2 + 3] = s[d + 2];
          dst[di + C3] = s[a + 3];
          dst[di + C3 + 1] = s[b + 3];
          dst[di + C3 + 2] = s[c + 3];
          dst[di + C3 + 3] = s[d + 3];
        }
        for (; ch < c1; ch++, di++, si += stride) {
          dst[di] = s[si];
          dst[di + C] = s[si + 1];
          dst[di + C2] = s[si + 2];
          dst[di + C3] = s[si + 3];
        }
      }
      for (; i < i1; i++) {
        let di = dOff + i * C + c0;
        let si = sOff + c0 * stride + i;
        for (let ch = c0; ch < c1; ch++, di++, si += stride) dst[di] = s[si];
      }
    }
  }
}
