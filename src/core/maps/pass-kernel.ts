/**
 * The aggregation pass's inner loop in WebAssembly SIMD (pass-kernel.wat), and the memory it works in.
 *
 * Why: summing in JavaScript ran at ~0.3-0.4 G samples per CPU-second after a float32 conversion of
 * every block, well below what the disk (or page cache) delivers. The kernel sums 8 u16 or 4 u32/f32
 * samples per instruction, and reads u16 and u32 counts and float32 samples as they are on disk (no
 * conversion): the pass becomes about as fast as reading the file.
 *
 * float32 blocks are first summed in float32 lanes, 4 pixels at a time (acc_f32_lanes), which is
 * exact only for non-negative integers with sums below 2^24: the kernel says whether a chunk was, and
 * a chunk that was not is summed again in float64 (acc_f32). Non-integer or negative data switch the
 * pass to float64 for good after one such chunk; large counts halve the chunk instead. u32 counts
 * likewise go through u32 lanes (acc_u32_lanes) while the chunk's largest count keeps every sum below
 * 2^32, else through 64-bit sums (acc_u32), exact for any u32 value.
 *
 * u16 counts go through acc_u16_lanes, 4 pixels at a time (exact for any u16 counts: no verdict
 * needed), the last pixels % 4 of a chunk through the one-pixel acc_u16.
 *
 * The kernel's linear memory holds two block slots; readers write blocks straight into them (a file
 * read into a slot's bytes, or readRows into a slot's float32 view) while the kernel sums the other
 * slot. The memory is sized once and never grows, so views stay valid while a read is in flight.
 */
import { PASS_KERNEL_WASM_BASE64 } from './pass-kernel-bytes';

/** Sample types the kernel sums directly. */
export type KernelSamples = 'u16' | 'u32' | 'f32';

/** Running sums at every window edge for `n` pixels: n·E values (Uint32 for u16 blocks, Float64 for u32 and f32). */
export type EdgeSums = Uint32Array | Float64Array;

/**
 * Pixels per kernel call. The u16 sum spectrum (u32 lanes) is moved into float64 after each call, so
 * a call must add at most 65536 spectra (65536 · 65535 < 2^32); small chunks also keep the running-sum
 * buffer small however many pixels a block has.
 */
const CHUNK_PIXELS = 4096;

/**
 * The fewest pixels per lane call: a chunk whose float32 sum spectrum reaches 2^24 (or whose u32 sums
 * could pass 2^32) is redone in float64 (64 bits) and the next ones are half as long, down to this;
 * below it the lanes are given up.
 */
const MIN_LANE_CHUNK_PIXELS = 256;

/** acc_f32_lanes' verdict bits (see pass-kernel.wat): any of them → redo the chunk in float64. */
const LANES_NOT_INTEGER = 1;
const LANES_NEGATIVE = 2;
const LANES_PIXEL_SUM_TOO_BIG = 4;
const TWO_POW_24 = 16777216;

/** Most channels for u32 counts: a pixel's total (C · (2^32 − 1)) must stay below 2^53, exact in float64. */
export const MAX_U32_CHANNELS = 2 ** 21;

type KernelFn = (src: number, pixels: number, C: number, edges: number, E: number, cum: number, sum: number, max: number) => void;
type LanesFn = (src: number, pixels: number, C: number, edges: number, E: number, cum: number, sum: number, max: number) => number;

/** How a pass's chunks were summed (for tests and benchmarks: which path ran). */
export interface KernelStats {
  /** float32 chunks kept from the float32-lane kernel. */
  laneChunks: number;
  /** float32 chunks summed in float64 (first try after the lanes were given up, or redone). */
  float64Chunks: number;
  /** Chunks the lanes summed and float64 then redid. */
  redoneChunks: number;
  /** u16 chunks summed one pixel at a time (acc_u16: the u16 lanes switched off). */
  u16Chunks: number;
  /** u16 chunks summed 4 pixels at a time (acc_u16_lanes). */
  u16LaneChunks: number;
  /** Pixels of those chunks summed one at a time (each chunk's pixels % 4). */
  u16LeftoverPixels: number;
  /** u32 chunks kept from the u32-lane kernel. */
  u32LaneChunks: number;
  /** u32 chunks summed in 64 bits (after the lanes were given up, or redone). */
  u32Chunks: number;
  /** u32 chunks the lanes summed and the 64-bit kernel then redid. */
  u32RedoneChunks: number;
}

let compiled: WebAssembly.Module | null | undefined;

/** The compiled module, or null where WebAssembly SIMD is unavailable (the JavaScript loop serves then). */
function kernelModule(): WebAssembly.Module | null {
  if (compiled === undefined) {
    try {
      compiled = new WebAssembly.Module(new Uint8Array(Buffer.from(PASS_KERNEL_WASM_BASE64, 'base64')));
    } catch {
      compiled = null;
    }
  }
  return compiled;
}

export function passKernelAvailable(): boolean {
  return kernelModule() !== null;
}

const align16 = (n: number) => Math.ceil(n / 16) * 16;

export class PassKernel {
  private readonly memory: WebAssembly.Memory;
  private readonly accU16: KernelFn;
  private readonly accU16Lanes: KernelFn;
  private readonly u16Lanes: boolean;
  private readonly accF32: KernelFn;
  private readonly accU32: KernelFn;
  private readonly accF32Lanes: LanesFn;
  private readonly accU32Lanes: LanesFn;
  private readonly slots: [number, number];
  private readonly edgesPtr: number;
  private readonly cumPtr: number;
  private readonly sum32Ptr: number;
  private readonly max16Ptr: number;
  private readonly sum64Ptr: number;
  private readonly max32Ptr: number;
  private readonly sumU64Ptr: number;
  private readonly maxU32Ptr: number;
  private readonly sumF32Ptr: number;
  private readonly sumU32Ptr: number;
  private readonly E: number;
  private sawU16 = false;
  private sawU32 = false;
  /** Pixels per float32-lane call; 0 once the lanes are given up for this pass. */
  private lanePixels: number;
  /** Pixels per u32-lane call; 0 once the lanes are given up for this pass. */
  private u32LanePixels: number;
  readonly stats: KernelStats = { laneChunks: 0, float64Chunks: 0, redoneChunks: 0, u16Chunks: 0, u16LaneChunks: 0, u16LeftoverPixels: 0, u32LaneChunks: 0, u32Chunks: 0, u32RedoneChunks: 0 };

  /**
   * A kernel for spectra of `channels` channels cut at `edges` (strictly increasing, 0 … channels),
   * with two slots of `blockSamples` samples each. Undefined when WebAssembly SIMD is unavailable.
   */
  static create(channels: number, edges: Int32Array, blockSamples: number, opts: { float32Lanes?: boolean; u32Lanes?: boolean; u16Lanes?: boolean } = {}): PassKernel | undefined {
    const mod = kernelModule();
    return mod ? new PassKernel(mod, channels, edges, blockSamples, opts.float32Lanes ?? true, opts.u32Lanes ?? true, opts.u16Lanes ?? true) : undefined;
  }

  private constructor(
    mod: WebAssembly.Module,
    readonly channels: number,
    edges: Int32Array,
    readonly blockSamples: number,
    float32Lanes: boolean,
    u32Lanes: boolean,
    u16Lanes: boolean,
  ) {
    this.u16Lanes = u16Lanes;
    this.lanePixels = float32Lanes ? CHUNK_PIXELS : 0;
    this.u32LanePixels = u32Lanes ? CHUNK_PIXELS : 0;
    if (edges[0] !== 0 || edges[edges.length - 1] !== channels) throw new RangeError('PassKernel: edges must run from 0 to the channel count');
    this.E = edges.length;
    let at = 16; // address 0 stays unused
    const take = (bytes: number) => {
      const p = at;
      at += align16(bytes);
      return p;
    };
    const slotBytes = blockSamples * 4;
    this.slots = [take(slotBytes), take(slotBytes)];
    this.edgesPtr = take(this.E * 4);
    this.cumPtr = take(CHUNK_PIXELS * this.E * 8);
    this.sum32Ptr = take(channels * 4);
    this.max16Ptr = take(channels * 2);
    this.sum64Ptr = take(channels * 8);
    this.max32Ptr = take(channels * 4);
    this.sumU64Ptr = take(channels * 8);
    this.maxU32Ptr = take(channels * 4);
    this.sumF32Ptr = take(channels * 4);
    this.sumU32Ptr = take(channels * 4);
    if (at > 2 ** 32 - 65536) throw new RangeError(`PassKernel: blocks of ${blockSamples} samples do not fit a 4 GB WebAssembly memory`);
    this.memory = new WebAssembly.Memory({ initial: Math.ceil(at / 65536) });
    const exports = new WebAssembly.Instance(mod, { env: { memory: this.memory } }).exports as unknown as { acc_u16: KernelFn; acc_u16_lanes: KernelFn; acc_f32: KernelFn; acc_u32: KernelFn; acc_f32_lanes: LanesFn; acc_u32_lanes: LanesFn };
    this.accU16 = exports.acc_u16;
    this.accU16Lanes = exports.acc_u16_lanes;
    this.accF32 = exports.acc_f32;
    this.accU32 = exports.acc_u32;
    this.accF32Lanes = exports.acc_f32_lanes;
    this.accU32Lanes = exports.acc_u32_lanes;
    new Int32Array(this.memory.buffer, this.edgesPtr, this.E).set(edges);
    new Float32Array(this.memory.buffer, this.max32Ptr, channels).fill(-Infinity);
    // The rest starts zeroed (a fresh memory): sums at 0, the u16 and u32 max at 0 (no count is lower).
  }

  /** Values per pixel in the edge sums handed to `accumulate`'s visitor (the window edges, 0 and C included). */
  get edgeCount(): number {
    return this.E;
  }

  /** Slot `k` as bytes (4 · blockSamples of them): a reader of raw u16, u32 or f32 samples fills it. */
  bytes(k: 0 | 1): Uint8Array {
    return new Uint8Array(this.memory.buffer, this.slots[k], this.blockSamples * 4);
  }

  /** Slot `k` as float32 samples: readRows fills it. */
  floats(k: 0 | 1): Float32Array {
    return new Float32Array(this.memory.buffer, this.slots[k], this.blockSamples);
  }

  /**
   * Sum the first `pixels` spectra in slot `k` (as `samples`) into the spectra, and hand the running
   * sums at every window edge to `visit`, a chunk of pixels at a time: `visit(p0, n, sums)` where
   * sums[i·E + e] belongs to pixel p0 + i of the block. `sums` is reused by the next chunk.
   */
  accumulate(k: 0 | 1, samples: KernelSamples, pixels: number, visit: (p0: number, n: number, sums: EdgeSums) => void): void {
    const C = this.channels;
    if (pixels * C > this.blockSamples) throw new RangeError(`PassKernel: ${pixels} spectra do not fit a slot of ${this.blockSamples} samples`);
    if (samples === 'u32' && C > MAX_U32_CHANNELS) throw new RangeError(`PassKernel: u32 counts need at most ${MAX_U32_CHANNELS} channels`);
    const size = samples === 'u16' ? 2 : 4;
    const buf = this.memory.buffer;
    const sums = samples === 'u16' ? new Uint32Array(buf, this.cumPtr, CHUNK_PIXELS * this.E) : new Float64Array(buf, this.cumPtr, CHUNK_PIXELS * this.E);
    for (let p0 = 0; p0 < pixels; ) {
      const lanes = samples === 'f32' ? this.lanePixels : samples === 'u32' ? this.u32LanePixels : 0;
      const chunk = lanes > 0 ? lanes : CHUNK_PIXELS;
      const n = Math.min(chunk, pixels - p0);
      const src = this.slots[k] + p0 * C * size;
      if (samples === 'u16') {
        if (this.u16Lanes) {
          this.accU16Lanes(src, n, C, this.edgesPtr, this.E, this.cumPtr, this.sum32Ptr, this.max16Ptr);
          this.stats.u16LaneChunks++;
          this.stats.u16LeftoverPixels += n % 4;
        } else {
          this.accU16(src, n, C, this.edgesPtr, this.E, this.cumPtr, this.sum32Ptr, this.max16Ptr);
          this.stats.u16Chunks++;
        }
        this.flushU16Sums();
      } else if (samples === 'u32') {
        this.accumulateU32(src, n);
      } else {
        this.accumulateF32(src, n);
      }
      visit(p0, n, sums);
      p0 += n;
    }
  }

  /**
   * One float32 chunk: in float32 lanes while they are exact for this data (the kernel's verdict and
   * the chunk's sum spectrum < 2^24), else in float64. The max spectrum is the same either way, and a
   * redo overwrites the running sums, so only the float32 sum spectrum needs throwing away.
   */
  private accumulateF32(src: number, n: number): void {
    if (this.lanePixels > 0) {
      const verdict = this.accF32Lanes(src, n, this.channels, this.edgesPtr, this.E, this.cumPtr, this.sumF32Ptr, this.max32Ptr);
      const s32 = new Float32Array(this.memory.buffer, this.sumF32Ptr, this.channels);
      let sumsExact = true;
      for (let ch = 0; ch < s32.length; ch++) if (!(s32[ch] < TWO_POW_24)) sumsExact = false;
      if (verdict === 0 && sumsExact) {
        const s64 = new Float64Array(this.memory.buffer, this.sum64Ptr, this.channels);
        for (let ch = 0; ch < s32.length; ch++) s64[ch] += s32[ch];
        s32.fill(0);
        this.stats.laneChunks++;
        return;
      }
      s32.fill(0);
      this.stats.redoneChunks++;
      // Fractions, negative values or a pixel's segment past 2^24 will not go away in the next chunk:
      // float64 from now on. A sum spectrum past 2^24 only needs shorter chunks.
      const forGood = (verdict & (LANES_NOT_INTEGER | LANES_NEGATIVE | LANES_PIXEL_SUM_TOO_BIG)) !== 0;
      this.lanePixels = forGood || this.lanePixels / 2 < MIN_LANE_CHUNK_PIXELS ? 0 : this.lanePixels / 2;
    }
    this.accF32(src, n, this.channels, this.edgesPtr, this.E, this.cumPtr, this.sum64Ptr, this.max32Ptr);
    this.stats.float64Chunks++;
  }

  /**
   * One u32 chunk: in u32 lanes when its largest count M keeps every sum below 2^32
   * (M · max(n, C) < 2^32: the sum spectrum adds n counts per channel, a pixel's total C), else
   * again in 64 bits. Counts too large for the channel count end the lanes for this pass; counts
   * too large for the chunk halve it (down to MIN_LANE_CHUNK_PIXELS).
   */
  private accumulateU32(src: number, n: number): void {
    const C = this.channels;
    if (this.u32LanePixels > 0) {
      const M = this.accU32Lanes(src, n, C, this.edgesPtr, this.E, this.cumPtr, this.sumU32Ptr, this.maxU32Ptr) >>> 0;
      this.sawU32 = true;
      const s32 = new Uint32Array(this.memory.buffer, this.sumU32Ptr, C);
      if (M * Math.max(n, C) < 2 ** 32) {
        const s64 = new Float64Array(this.memory.buffer, this.sum64Ptr, C);
        for (let ch = 0; ch < C; ch++) s64[ch] += s32[ch];
        s32.fill(0);
        this.stats.u32LaneChunks++;
        return;
      }
      s32.fill(0);
      this.stats.u32RedoneChunks++;
      this.u32LanePixels = M * C >= 2 ** 32 || this.u32LanePixels / 2 < MIN_LANE_CHUNK_PIXELS ? 0 : this.u32LanePixels / 2;
    }
    this.accU32(src, n, C, this.edgesPtr, this.E, this.cumPtr, this.sumU64Ptr, this.maxU32Ptr);
    this.flushU32Sums();
    this.stats.u32Chunks++;
  }

  /** Move the u32 counts' sum spectrum (i64, exact) into the float64 one and zero it. */
  private flushU32Sums(): void {
    this.sawU32 = true;
    const C = this.channels;
    const buf = this.memory.buffer;
    // Little-endian u64 as (low, high) u32 pairs: no BigInt in the loop.
    const s = new Uint32Array(buf, this.sumU64Ptr, 2 * C);
    const s64 = new Float64Array(buf, this.sum64Ptr, C);
    for (let ch = 0; ch < C; ch++) s64[ch] += s[2 * ch] + s[2 * ch + 1] * 4294967296;
    s.fill(0);
  }

  /** Move the u16 sum spectrum (u32, exact) into the float64 one and zero it. */
  private flushU16Sums(): void {
    this.sawU16 = true;
    const C = this.channels;
    const buf = this.memory.buffer;
    const s32 = new Uint32Array(buf, this.sum32Ptr, C);
    const s64 = new Float64Array(buf, this.sum64Ptr, C);
    for (let ch = 0; ch < C; ch++) s64[ch] += s32[ch];
    s32.fill(0);
  }

  /** The sum and max spectra of everything accumulated (copies). */
  spectra(): { sumSpectrum: Float64Array; maxSpectrum: Float32Array } {
    const C = this.channels;
    const buf = this.memory.buffer;
    const sumSpectrum = new Float64Array(buf, this.sum64Ptr, C).slice();
    const maxSpectrum = new Float32Array(buf, this.max32Ptr, C).slice();
    if (this.sawU16) {
      const m16 = new Uint16Array(buf, this.max16Ptr, C);
      for (let ch = 0; ch < C; ch++) if (m16[ch] > maxSpectrum[ch]) maxSpectrum[ch] = m16[ch];
    }
    if (this.sawU32) {
      // Counts above 2^24 round to the nearest float32 here, as they do in readRows' float32.
      const m32 = new Uint32Array(buf, this.maxU32Ptr, C);
      for (let ch = 0; ch < C; ch++) if (m32[ch] > maxSpectrum[ch]) maxSpectrum[ch] = m32[ch];
    }
    return { sumSpectrum, maxSpectrum };
  }
}
