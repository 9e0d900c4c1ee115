/**
 * A cube stored uncompressed as a strided array: RPL/RAW (record-by vector or image),
 * NPY in C or Fortran order, and stored (uncompressed) NPZ members. Sample (r, c, ch) lives at byte
 * `baseOffset + size · (r·rowStride + c·colStride + ch·channelStride)`.
 *
 * Pixel-major data (channel stride 1, the usual case) is read with one positional read per row block,
 * asynchronously, so the aggregation pass can sum one block while the next is read. Other layouts
 * (channel-major "image" RAW, Fortran-order NPY) are gathered with synchronous positional reads of
 * the spans that hold the requested samples: correct, but slower — up to one read per channel per
 * block, or per channel per column when the rows of one channel are far apart.
 */
import { promises as fs, readSync } from 'node:fs';
import type { FileHandle } from 'node:fs/promises';
import { DTYPE_BYTES, type Calibration, type Cube, type CubeFormat, type DType } from './cube';
import { checkFinitePixel, checkFiniteRows, decodeSamples, HOST_LITTLE_ENDIAN, isFloatDType, type SampleFormat } from './decode';
import { XrfInputError } from '../errors';

export interface StridedLayout {
  /** Byte offset of sample (0, 0, 0). */
  baseOffset: number;
  /** Strides in samples. */
  rowStride: number;
  colStride: number;
  channelStride: number;
}

export interface StridedCubeSpec {
  /** The scan as the user names it (the .rpl for RPL/RAW pairs); errors about values name it. */
  path: string;
  /** The file holding the samples (the .raw; or `path` itself). */
  dataPath: string;
  format: CubeFormat;
  height: number;
  width: number;
  channels: number;
  sample: SampleFormat;
  layout: StridedLayout;
  fileCalibration?: Calibration;
  /** RAW files hold nothing but samples: a longer file means the header's sizes are wrong. */
  exactSize?: boolean;
}

/** Pixel-major layout of an H×W×C array starting at `baseOffset`. */
export function pixelMajorLayout(width: number, channels: number, baseOffset: number): StridedLayout {
  return { baseOffset, rowStride: width * channels, colStride: channels, channelStride: 1 };
}

/** Reads that span at most this many times the samples they need are done as one read. */
const SPAN_WASTE_FACTOR = 4;
const MIN_SPAN_SAMPLES = 1 << 16;

/** Where the bytes come from: a file read positionally, or (small inflated NPZ members) memory. */
export interface ByteSource {
  size(): Promise<number>;
  read(buf: Uint8Array, length: number, position: number): Promise<number>;
  readSync(buf: Uint8Array, length: number, position: number): number;
  close(): Promise<void>;
}

/** A file opened read-only; every read is positional, so concurrent reads do not disturb each other. */
export class FileSource implements ByteSource {
  private closed = false;
  private constructor(private readonly fh: FileHandle) {}
  static async open(file: string): Promise<FileSource> {
    return new FileSource(await fs.open(file, 'r'));
  }
  async size(): Promise<number> {
    return (await this.fh.stat()).size;
  }
  async read(buf: Uint8Array, length: number, position: number): Promise<number> {
    return (await this.fh.read(buf, 0, length, position)).bytesRead;
  }
  readSync(buf: Uint8Array, length: number, position: number): number {
    return readSync(this.fh.fd, buf, 0, length, position);
  }
  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    await this.fh.close();
  }
}

export class MemorySource implements ByteSource {
  constructor(private readonly bytes: Uint8Array) {}
  async size(): Promise<number> {
    return this.bytes.length;
  }
  async read(buf: Uint8Array, length: number, position: number): Promise<number> {
    return this.readSync(buf, length, position);
  }
  readSync(buf: Uint8Array, length: number, position: number): number {
    const part = this.bytes.subarray(position, Math.min(position + length, this.bytes.length));
    buf.set(part, 0);
    return part.length;
  }
  async close(): Promise<void> {}
}

interface Axis {
  len: number;
  fileStride: number; // samples
  outStride: number; // floats in the output block
}

export class StridedFileCube implements Cube {
  readonly path: string;
  readonly format: CubeFormat;
  readonly height: number;
  readonly width: number;
  readonly channels: number;
  readonly dtype: DType;
  readonly fileCalibration: Calibration | undefined;
  private readonly sampleBytes: number;
  private readonly pixelMajor: boolean;
  private readonly pool: Uint8Array[] = [];
  private closed = false;

  private constructor(
    private readonly spec: StridedCubeSpec,
    private readonly src: ByteSource,
  ) {
    this.path = spec.path;
    this.format = spec.format;
    this.height = spec.height;
    this.width = spec.width;
    this.channels = spec.channels;
    this.dtype = spec.sample.dtype;
    this.fileCalibration = spec.fileCalibration;
    this.sampleBytes = DTYPE_BYTES[this.dtype];
    const l = spec.layout;
    this.pixelMajor = l.channelStride === 1 && l.colStride === spec.channels && l.rowStride === spec.width * spec.channels;
  }

  /** Open `spec.dataPath` read-only and check that it holds every sample the header promises. */
  static async open(spec: StridedCubeSpec, source?: ByteSource): Promise<StridedFileCube> {
    const { height, width, channels, layout } = spec;
    if (!(height > 0 && width > 0 && channels > 0)) {
      throw new XrfInputError(spec.path, `zero dimension: ${height}×${width}×${channels} (height×width×channels)`);
    }
    const src = source ?? (await FileSource.open(spec.dataPath));
    try {
      const size = await src.size();
      const lastSample = (height - 1) * layout.rowStride + (width - 1) * layout.colStride + (channels - 1) * layout.channelStride;
      const needed = layout.baseOffset + (lastSample + 1) * DTYPE_BYTES[spec.sample.dtype];
      if (size < needed) {
        throw new XrfInputError(
          spec.dataPath,
          `file is truncated: ${height}×${width}×${channels} ${spec.sample.dtype} samples from byte ${layout.baseOffset} need ${needed} bytes, the file has ${size}`,
        );
      }
      if (spec.exactSize && size > needed) {
        throw new XrfInputError(
          spec.dataPath,
          `file size disagrees with the header: ${height}×${width}×${channels} ${spec.sample.dtype} samples from byte ${layout.baseOffset} make ${needed} bytes, the file has ${size}`,
        );
      }
      return new StridedFileCube(spec, src);
    } catch (e) {
      await src.close();
      throw e;
    }
  }

  get datasetPath(): string | undefined {
    return undefined;
  }

  /** True when the samples are read from the file (not from memory): other threads can open it too. */
  get fileBacked(): boolean {
    return this.src instanceof FileSource;
  }

  async readRows(row0: number, nRows: number, out?: Float32Array): Promise<Float32Array> {
    this.checkOpen();
    checkRowRange(this, row0, nRows);
    const n = nRows * this.width * this.channels;
    const dst = out ?? new Float32Array(n);
    if (dst.length < n) throw new RangeError(`readRows: out holds ${dst.length} values, ${n} needed`);
    if (this.pixelMajor) {
      const bytes = n * this.sampleBytes;
      const buf = this.acquire(bytes);
      try {
        const pos = this.spec.layout.baseOffset + row0 * this.spec.layout.rowStride * this.sampleBytes;
        await this.readFully(buf, bytes, pos);
        decodeSamples(buf.subarray(0, bytes), this.spec.sample, n, dst);
      } finally {
        this.release(buf);
      }
    } else {
      const C = this.channels;
      const W = this.width;
      const l = this.spec.layout;
      this.gather(
        l.baseOffset + row0 * l.rowStride * this.sampleBytes,
        [
          { len: nRows, fileStride: l.rowStride, outStride: W * C },
          { len: W, fileStride: l.colStride, outStride: C },
          { len: C, fileStride: l.channelStride, outStride: 1 },
        ],
        dst,
      );
    }
    checkFiniteRows(this.path, this.dtype, dst, n, row0, this.width, this.channels);
    return dst;
  }

  get rawRowDType(): DType | undefined {
    const hostOrder = this.sampleBytes === 1 || this.spec.sample.littleEndian === HOST_LITTLE_ENDIAN;
    return this.pixelMajor && hostOrder ? this.dtype : undefined;
  }

  async readRawRows(row0: number, nRows: number, into: Uint8Array, checkFinite = true): Promise<void> {
    this.checkOpen();
    checkRowRange(this, row0, nRows);
    if (this.rawRowDType === undefined) throw new Error(`${this.path}: rows are not stored pixel-major in host byte order`);
    const n = nRows * this.width * this.channels;
    const bytes = n * this.sampleBytes;
    if (into.length < bytes) throw new RangeError(`readRawRows: into holds ${into.length} bytes, ${bytes} needed`);
    await this.readFully(into, bytes, this.spec.layout.baseOffset + row0 * this.spec.layout.rowStride * this.sampleBytes);
    if (isFloatDType(this.dtype) && checkFinite) {
      if (into.byteOffset % this.sampleBytes !== 0) throw new RangeError('readRawRows: into is not aligned to the sample size');
      const view = this.dtype === 'f4' ? new Float32Array(into.buffer, into.byteOffset, n) : Float32Array.from(new Float64Array(into.buffer, into.byteOffset, n));
      checkFiniteRows(this.path, this.dtype, view, n, row0, this.width, this.channels);
    }
  }

  async readPixel(row: number, col: number): Promise<Float32Array> {
    this.checkOpen();
    checkPixel(this, row, col);
    const l = this.spec.layout;
    const C = this.channels;
    const out = new Float32Array(C);
    const pos = l.baseOffset + (row * l.rowStride + col * l.colStride) * this.sampleBytes;
    if (l.channelStride === 1) {
      const bytes = C * this.sampleBytes;
      const buf = this.acquire(bytes);
      try {
        this.readFullySync(buf, bytes, pos);
        decodeSamples(buf.subarray(0, bytes), this.spec.sample, C, out);
      } finally {
        this.release(buf);
      }
    } else {
      this.gather(pos, [{ len: C, fileStride: l.channelStride, outStride: 1 }], out);
    }
    checkFinitePixel(this.path, this.dtype, out, row, col);
    return out;
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    this.pool.length = 0;
    await this.src.close();
  }

  private checkOpen(): void {
    if (this.closed) throw new Error(`${this.path}: cube is closed`);
  }

  /**
   * Read the samples of a box (axes in any order) starting at byte `pos` into `out`: one read when the
   * box's span in the file is not much larger than the box, else split along the axis with the largest
   * file stride and recurse.
   */
  private gather(pos: number, axes: Axis[], out: Float32Array, outOffset = 0): void {
    const sorted = [...axes].sort((a, b) => b.fileStride - a.fileStride);
    const needed = sorted.reduce((p, a) => p * a.len, 1);
    const span = sorted.reduce((s, a) => s + (a.len - 1) * a.fileStride, 0) + 1;
    if (span <= Math.max(SPAN_WASTE_FACTOR * needed, MIN_SPAN_SAMPLES) || sorted.length === 0) {
      const bytes = span * this.sampleBytes;
      const buf = this.acquire(bytes);
      try {
        this.readFullySync(buf, bytes, pos);
        const samples = new Float32Array(span);
        decodeSamples(buf.subarray(0, bytes), this.spec.sample, span, samples);
        scatter(samples, 0, sorted, 0, out, outOffset);
      } finally {
        this.release(buf);
      }
      return;
    }
    const [outer, ...rest] = sorted;
    for (let i = 0; i < outer.len; i++) {
      this.gather(pos + i * outer.fileStride * this.sampleBytes, rest, out, outOffset + i * outer.outStride);
    }
  }

  private async readFully(buf: Uint8Array, bytes: number, pos: number): Promise<void> {
    let got = 0;
    while (got < bytes) {
      const n = await this.src.read(got === 0 ? buf : buf.subarray(got), bytes - got, pos + got);
      if (n === 0) throw this.shrunk(pos + got);
      got += n;
    }
  }

  private readFullySync(buf: Uint8Array, bytes: number, pos: number): void {
    let got = 0;
    while (got < bytes) {
      const n = this.src.readSync(got === 0 ? buf : buf.subarray(got), bytes - got, pos + got);
      if (n === 0) throw this.shrunk(pos + got);
      got += n;
    }
  }

  private shrunk(at: number): XrfInputError {
    return new XrfInputError(this.spec.dataPath, `file ended at byte ${at} while reading (was it truncated after opening?)`);
  }

  // A small pool of read buffers: the pass keeps at most two reads in flight, so steady state
  // allocates nothing and memory stays flat however large the file.
  private acquire(bytes: number): Uint8Array {
    const i = this.pool.findIndex((b) => b.length >= bytes);
    if (i >= 0) return this.pool.splice(i, 1)[0];
    return new Uint8Array(bytes);
  }

  private release(buf: Uint8Array): void {
    if (this.closed) return;
    this.pool.push(buf);
    if (this.pool.length > 3) {
      this.pool.sort((a, b) => b.length - a.length);
      this.pool.length = 3;
    }
  }
}

function scatter(samples: Float32Array, sampleOffset: number, axes: Axis[], k: number, out: Float32Array, outOffset: number): void {
  const a = axes[k];
  if (k === axes.length - 1) {
    for (let i = 0, s = sampleOffset, o = outOffset; i < a.len; i++, s += a.fileStride, o += a.outStride) out[o] = samples[s];
    return;
  }
  for (let i = 0; i < a.len; i++) scatter(samples, sampleOffset + i * a.fileStride, axes, k + 1, out, outOffset + i * a.outStride);
}

/** Shared argument checks: a bad row range is a programming error, not bad input. */
export function checkRowRange(cube: Cube, row0: number, nRows: number): void {
  if (!Number.isInteger(row0) || !Number.isInteger(nRows) || row0 < 0 || nRows < 1 || row0 + nRows > cube.height) {
    throw new RangeError(`${cube.path}: rows [${row0}, ${row0 + nRows}) are outside 0..${cube.height}`);
  }
}

export function checkPixel(cube: Cube, row: number, col: number): void {
  if (!Number.isInteger(row) || !Number.isInteger(col) || row < 0 || col < 0 || row >= cube.height || col >= cube.width) {
    throw new RangeError(`${cube.path}: pixel (${row}, ${col}) is outside ${cube.height}×${cube.width}`);
  }
}
