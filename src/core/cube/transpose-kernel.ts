/**
 * The WebAssembly SIMD transpose (transpose-kernel.wat) and the memory it works in.
 *
 * The slab is copied into the kernel's own linear memory once (`load`; h5wasm's heap is another
 * module's memory, out of reach), and each `transpose` writes its block into the kernel's output
 * area, copied out to the caller's array by one typed-array `set` (a plain copy for raw samples, the
 * conversion for float32). Two copies at memory speed plus the SIMD transpose still beat the
 * JavaScript loop severalfold (bench/hdf5-axes.bench.ts measures both in one run).
 */
import { TRANSPOSE_KERNEL_WASM_BASE64 } from './transpose-kernel-bytes';
import { checkTranspose, type SlabSamples, type SlabTransposer, type TransposeTarget } from './transpose';

type TransposeFn = (src: number, stride: number, C: number, inner: number, dst: number) => void;

let compiled: WebAssembly.Module | null | undefined;

/** The compiled module, or null where WebAssembly SIMD is unavailable. */
function kernelModule(): WebAssembly.Module | null {
  if (compiled === undefined) {
    try {
      compiled = new WebAssembly.Module(new Uint8Array(Buffer.from(TRANSPOSE_KERNEL_WASM_BASE64, 'base64')));
    } catch {
      compiled = null;
    }
  }
  return compiled;
}

export function transposeKernelAvailable(): boolean {
  return kernelModule() !== null;
}

const PAGE = 65536;
const align16 = (n: number) => Math.ceil(n / 16) * 16;
/** The slab starts here; address 0 stays unused. */
const SLAB_AT = 16;

type SlabCtor = { new (buffer: ArrayBufferLike, byteOffset: number, length: number): SlabSamples; BYTES_PER_ELEMENT: number };

export class TransposeKernel implements SlabTransposer {
  readonly engine = 'wasm' as const;
  private memory: WebAssembly.Memory | undefined;
  private readonly t16: TransposeFn;
  private readonly t32: TransposeFn;
  /** The loaded slab: its type, length and the bytes reserved for it (the output area follows). */
  private ctor: SlabCtor | undefined;
  private slabLength = 0;
  private slabBytes = 0;

  static create(): TransposeKernel | undefined {
    const mod = kernelModule();
    return mod ? new TransposeKernel(mod) : undefined;
  }

  private constructor(mod: WebAssembly.Module) {
    const memory = new WebAssembly.Memory({ initial: 1 });
    this.memory = memory;
    const exports = new WebAssembly.Instance(mod, { env: { memory } }).exports as unknown as { t16: TransposeFn; t32: TransposeFn };
    this.t16 = exports.t16;
    this.t32 = exports.t32;
  }

  /** Grow the memory to hold at least `bytes` (growing keeps what is there). */
  private reserve(bytes: number): WebAssembly.Memory {
    const memory = this.memory;
    if (!memory) throw new Error('TransposeKernel: released');
    if (bytes > 2 ** 32 - PAGE) throw new RangeError(`TransposeKernel: ${bytes} bytes do not fit a 4 GB WebAssembly memory`);
    const have = memory.buffer.byteLength;
    if (bytes > have) memory.grow(Math.ceil((bytes - have) / PAGE));
    return memory;
  }

  load(slab: SlabSamples): void {
    const size = slab.BYTES_PER_ELEMENT;
    if (size !== 2 && size !== 4) throw new RangeError(`TransposeKernel: ${size}-byte samples are not supported`);
    this.slabBytes = align16(slab.byteLength);
    const memory = this.reserve(SLAB_AT + this.slabBytes);
    new Uint8Array(memory.buffer, SLAB_AT, slab.byteLength).set(new Uint8Array(slab.buffer, slab.byteOffset, slab.byteLength));
    this.ctor = slab.constructor as SlabCtor;
    this.slabLength = slab.length;
  }

  transpose(sOff: number, stride: number, C: number, inner: number, dst: TransposeTarget, dOff: number): void {
    const ctor = this.ctor;
    if (!ctor) throw new Error('TransposeKernel: no slab loaded');
    checkTranspose(this.slabLength, sOff, stride, C, inner, dst.length, dOff);
    const n = C * inner;
    if (n === 0) return;
    const size = ctor.BYTES_PER_ELEMENT;
    const outAt = SLAB_AT + this.slabBytes;
    const memory = this.reserve(outAt + n * size);
    (size === 2 ? this.t16 : this.t32)(SLAB_AT + sOff * size, stride, C, inner, outAt);
    dst.set(new ctor(memory.buffer, outAt, n), dOff);
  }

  release(): void {
    // A WebAssembly memory cannot shrink: drop it, and this kernel with it.
    this.memory = undefined;
    this.ctor = undefined;
  }
}
