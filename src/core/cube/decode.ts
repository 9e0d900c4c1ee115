/**
 * Turning raw sample bytes into float32. Readers fetch bytes positionally and call `decodeSamples`;
 * the fast path is a typed-array view plus `Float32Array.set`, which V8 converts natively (this is
 * what keeps the streaming pass near disk speed). Big-endian data is byte-swapped in place first
 * (the read buffer belongs to the reader, so no extra copy).
 */
import { DTYPE_BYTES, type DType } from './cube';
import { XrfInputError } from '../errors';

export interface SampleFormat {
  dtype: DType;
  littleEndian: boolean;
}

export const HOST_LITTLE_ENDIAN = new Uint8Array(new Uint16Array([1]).buffer)[0] === 1;

function swapInPlace(bytes: Uint8Array, size: number): void {
  if (size === 1) return;
  for (let i = 0; i + size <= bytes.length; i += size) {
    for (let a = i, b = i + size - 1; a < b; a++, b--) {
      const t = bytes[a];
      bytes[a] = bytes[b];
      bytes[b] = t;
    }
  }
}

function viewOf(dtype: DType, buf: ArrayBuffer, offset: number, count: number) {
  switch (dtype) {
    case 'u1': return new Uint8Array(buf, offset, count);
    case 'i1': return new Int8Array(buf, offset, count);
    case 'u2': return new Uint16Array(buf, offset, count);
    case 'i2': return new Int16Array(buf, offset, count);
    case 'u4': return new Uint32Array(buf, offset, count);
    case 'i4': return new Int32Array(buf, offset, count);
    case 'f4': return new Float32Array(buf, offset, count);
    case 'f8': return new Float64Array(buf, offset, count);
    case 'u8': return new BigUint64Array(buf, offset, count);
    case 'i8': return new BigInt64Array(buf, offset, count);
  }
}

/**
 * Decode `count` samples from `bytes` (which may be byte-swapped in place) into `out[outOffset…]`.
 * `bytes` must start on a multiple of the sample size within its ArrayBuffer when the data is
 * host-endian; otherwise it is copied to an aligned buffer first.
 */
export function decodeSamples(bytes: Uint8Array, fmt: SampleFormat, count: number, out: Float32Array, outOffset = 0): void {
  const size = DTYPE_BYTES[fmt.dtype];
  if (bytes.length < count * size) throw new Error(`decodeSamples: ${bytes.length} bytes hold fewer than ${count} samples`);
  if (fmt.littleEndian !== HOST_LITTLE_ENDIAN) swapInPlace(bytes.subarray(0, count * size), size);
  let src = bytes;
  if (src.byteOffset % size !== 0) src = bytes.slice(0, count * size);
  const view = viewOf(fmt.dtype, src.buffer as ArrayBuffer, src.byteOffset, count);
  if (view instanceof BigUint64Array || view instanceof BigInt64Array) {
    // 64-bit integers: counts this large lose precision in float32 anyway; Number() is exact to 2^53.
    for (let i = 0; i < count; i++) out[outOffset + i] = Number(view[i]);
  } else {
    out.set(view, outOffset);
  }
}

/**
 * `decodeSamples` for bytes the caller keeps (a whole file read into memory, a buffer passed in):
 * they are never changed; samples of the other byte order are swapped in a copy.
 */
export function decodeSamplesOf(bytes: Uint8Array, fmt: SampleFormat, count: number, out: Float32Array, outOffset = 0): void {
  const size = DTYPE_BYTES[fmt.dtype];
  const own = fmt.littleEndian !== HOST_LITTLE_ENDIAN && size > 1 ? bytes.slice(0, count * size) : bytes;
  decodeSamples(own, fmt, count, out, outOffset);
}

/** Index of the first NaN or ±Inf in `a[from…to)`, or −1. */
export function firstNonFinite(a: Float32Array, from = 0, to = a.length): number {
  for (let i = from; i < to; i++) {
    const v = a[i];
    // v − v is 0 for every finite v and NaN for NaN and ±Inf: one subtraction, no call.
    if (v - v !== 0) return i;
  }
  return -1;
}

export function isFloatDType(d: DType): boolean {
  return d === 'f4' || d === 'f8';
}

/**
 * Throw an XrfInputError naming the pixel when a float block holds NaN or Inf. `block` is pixel-major
 * rows starting at `row0` of a cube `width` × `channels` wide. Integer data cannot hold them.
 */
export function checkFiniteRows(file: string, dtype: DType, block: Float32Array, count: number, row0: number, width: number, channels: number): void {
  if (!isFloatDType(dtype)) return;
  const i = firstNonFinite(block, 0, count);
  if (i < 0) return;
  const pixel = Math.floor(i / channels);
  const row = row0 + Math.floor(pixel / width);
  const col = pixel % width;
  const ch = i % channels;
  throw new XrfInputError(file, `${describeNonFinite(block[i])} at row ${row}, column ${col}, channel ${ch}`);
}

export function checkFinitePixel(file: string, dtype: DType, spectrum: Float32Array, row: number, col: number): void {
  if (!isFloatDType(dtype)) return;
  const ch = firstNonFinite(spectrum);
  if (ch < 0) return;
  throw new XrfInputError(file, `${describeNonFinite(spectrum[ch])} at row ${row}, column ${col}, channel ${ch}`);
}

function describeNonFinite(v: number): string {
  return Number.isNaN(v) ? 'NaN value' : `${v > 0 ? '+' : '-'}Inf value`;
}
