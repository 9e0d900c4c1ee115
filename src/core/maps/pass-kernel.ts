/**
 * The aggregation pass's inner loop in WebAssembly SIMD (pass-kernel.wat), and the memory it works in.
 *
 * Why: summing in JavaScript ran at ~0.3-0.4 G samples per CPU-second after a float32 conversion of
 * every block, well below what the disk (or page cache) delivers. The kernel sums 8 u16 or 4 f32
 * samples per instruction, and reads u16 counts as they are on disk (no conversion): the pass
 * becomes as fast as reading the file.
 *
 * The kernel's linear memory holds two block slots; readers write blocks straight into them (a file
 * read into a slot's bytes, or readRows into a slot's float32 view) while the kernel sums the other
 * slot. The memory is sized once and never grows, so views stay valid while a read is in flight.
 */
import { PASS_KERNEL_WASM_BASE64 } from './pass-kernel-bytes';

/** Sample types the kernel sums directly. */
export type KernelSamples = 'u16' | 'f32';

/** Running sums at every window edge for `n` pixels: n·E values (Uint32 for u16 blocks, Float64 for f32). */
export type EdgeSums = Uint32Array | Float64Array;

/**
 * Pixels per kernel call. The u16 sum spectrum (u32 lanes) is moved into float64 after each call, so
 * a call must add at most 65536 spectra (65536 · 65535 < 2^32); small chunks also keep the running-sum
 * buffer small however many pixels a block has.
 */
const CHUNK_PIXELS = 4096;

type KernelFn = (src: number, pixels: number, C: number, edges: number, E: number, cum: number, sum: number, max: number) => void;

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
  private readonly accF32: KernelFn;
  private readonly slots: [number, number];
  private readonly edgesPtr: number;
  private readonly cumPtr: number;
  private readonly sum32Ptr: number;
  private readonly max16Ptr: number;
  private readonly sum64Ptr: number;
  private readonly max32Ptr: number;
  private readonly E: number;
  private sawU16 = false;

  /**
   * A kernel for spectra of `channels` channels cut at `edges` (strictly increasing, 0 … channels),
   * with two slots of `blockSamples` samples each. Undefined when WebAssembly SIMD is unavailable.
   */
  static create(channels: number, edges: Int32Array, blockSamples: number): PassKernel | undefined {
    const mod = kernelModule();
    return mod ? new PassKernel(mod, channels, edges, blockSamples) : undefined;
  }

  private constructor(
    mod: WebAssembly.Module,
    readonly channels: number,
    edges: Int32Array,
    readonly blockSamples: number,
  ) {
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
    if (at > 2 ** 32 - 65536) throw new RangeError(`PassKernel: blocks of ${blockSamples} samples do not fit a 4 GB WebAssembly memory`);
    this.memory = new WebAssembly.Memory({ initial: Math.ceil(at / 65536) });
    const exports = new WebAssembly.Instance(mod, { env: { memory: this.memory } }).exports as unknown as { acc_u16: KernelFn; acc_f32: KernelFn };
    this.accU16 = exports.acc_u16;
    this.accF32 = exports.acc_f32;
    new Int32Array(this.memory.buffer, this.edgesPtr, this.E).set(edges);
    new Float32Array(this.memory.buffer, this.max32Ptr, channels).fill(-Infinity);
    // The rest starts zeroed (a fresh memory): sums at 0, the u16 max at 0 (no count is lower).
  }

  /** Slot `k` as bytes (4 · blockSamples of them): a reader of raw u16 or f32 samples fills it. */
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
    const size = samples === 'u16' ? 2 : 4;
    const buf = this.memory.buffer;
    const sums = samples === 'u16' ? new Uint32Array(buf, this.cumPtr, CHUNK_PIXELS * this.E) : new Float64Array(buf, this.cumPtr, CHUNK_PIXELS * this.E);
    for (let p0 = 0; p0 < pixels; p0 += CHUNK_PIXELS) {
      const n = Math.min(CHUNK_PIXELS, pixels - p0);
      const src = this.slots[k] + p0 * C * size;
      if (samples === 'u16') {
        this.accU16(src, n, C, this.edgesPtr, this.E, this.cumPtr, this.sum32Ptr, this.max16Ptr);
        this.flushU16Sums();
      } else {
        this.accF32(src, n, C, this.edgesPtr, this.E, this.cumPtr, this.sum64Ptr, this.max32Ptr);
      }
      visit(p0, n, sums);
    }
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
    return { sumSpectrum, maxSpectrum };
  }
}
