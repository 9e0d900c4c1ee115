/**
 * NumPy .npz scans holding exactly one array.
 *
 * - `np.savez` stores members uncompressed: the member's bytes are an .npy at a fixed offset, read
 *   positionally like any .npy (fast row blocks and pixels).
 * - `np.savez_compressed` deflates members, and deflate streams cannot be entered in the middle.
 *   Members up to npzLimits.inflateInMemoryBytes (128 MB) are inflated once into memory and then served
 *   like an .npy. Larger ones are streamed (deflated-member.ts), and what is inflated is also written
 *   to a private temporary spill file when the temp folder has room (spill-file.ts). Access costs:
 *   - the first pass (row blocks in increasing order) inflates the member once, at inflate speed,
 *     plus writing the spill;
 *   - every read inside what has been spilled — any pixel and every row block of any later pass —
 *     is a positional read of the spill, as fast as an uncompressed .npy (and rows are handed to the
 *     pass raw, `readRawRows`, like an .npy's);
 *   - a pixel beyond what has been spilled moves the one inflate cursor forward to it (spilling on
 *     the way), which the pass would do next anyway;
 *   - without a spill (no room, or a write failed), as before: pixels use a second cursor, and a pixel
 *     behind it inflates from the start of the member (seconds per GB); every pass re-inflates.
 *   Large compressed Fortran-order arrays are refused.
 */
import { inflateRawSync } from 'node:zlib';
import { DTYPE_BYTES, type Cube, type DType } from './cube';
import { FileSource, MemorySource, StridedFileCube, checkPixel, checkRowRange } from './strided-file';
import { HOST_LITTLE_ENDIAN, checkFinitePixel, checkFiniteRows, decodeSamples, isFloatDType, type SampleFormat } from './decode';
import { npyHeaderBytes, npyLayout, npySampleFormat, readNpyHeaderAt } from './npy';
import { listZipMembers, type ZipMember } from './zip';
import { DeflatedMember, type DeflatedMemberStats } from './deflated-member';
import type { SpillOptions } from './spill-file';
import { XrfInputError } from '../errors';

export interface NpzOpenOptions {
  /** Spilling of large compressed members (folder, or `enabled: false`; tests inject failures here). */
  spill?: SpillOptions;
}

/** Deflated members up to this many bytes are inflated into memory (tests lower it to reach the streaming path). */
export const npzLimits = { inflateInMemoryBytes: 128 * 1024 * 1024 };

export async function openNpz(file: string, opts: NpzOpenOptions = {}): Promise<Cube> {
  const src = await FileSource.open(file);
  let handedOver = false;
  try {
    const members = (await listZipMembers(src, file)).filter((m) => !m.name.endsWith('/'));
    const arrays = members.filter((m) => m.name.toLowerCase().endsWith('.npy'));
    if (arrays.length === 0) throw new XrfInputError(file, 'the .npz holds no arrays; a scan file must hold exactly one H×W×C array');
    if (arrays.length > 1) {
      const names = arrays.map((m) => m.name.replace(/\.npy$/i, '')).join(', ');
      throw new XrfInputError(file, `the .npz holds ${arrays.length} arrays (${names}); a scan file must hold exactly one H×W×C array`);
    }
    const m = arrays[0];
    if (m.method === 0) {
      const header = await readNpyHeaderAt(src, m.dataOffset, file);
      const sample = npySampleFormat(header.descr, file);
      const shape = npyLayout(header, m.dataOffset + header.dataOffset, file);
      handedOver = true;
      return await StridedFileCube.open({ path: file, dataPath: file, format: 'npz', sample, ...shape }, src);
    }
    if (m.method !== 8) throw new XrfInputError(file, `array "${m.name}" uses ZIP compression method ${m.method}; only stored and deflated are supported`);
    if (m.uncompressedSize <= npzLimits.inflateInMemoryBytes) {
      const compressed = new Uint8Array(m.compressedSize);
      if (m.compressedSize > 0) await src.read(compressed, m.compressedSize, m.dataOffset);
      let bytes: Uint8Array;
      try {
        const b = inflateRawSync(compressed);
        bytes = new Uint8Array(b.buffer, b.byteOffset, b.byteLength);
      } catch (e) {
        throw new XrfInputError(file, `array "${m.name}" is corrupt: ${(e as Error).message}`);
      }
      const mem = new MemorySource(bytes);
      const header = await readNpyHeaderAt(mem, 0, file);
      const sample = npySampleFormat(header.descr, file);
      const shape = npyLayout(header, header.dataOffset, file);
      return await StridedFileCube.open({ path: file, dataPath: file, format: 'npz', sample, ...shape }, mem);
    }
    return await DeflatedNpyCube.open(file, m, opts.spill);
  } finally {
    if (!handedOver) await src.close();
  }
}

/** What a streamed compressed member has cost so far; undefined for every other cube. */
export function npzStreamStats(cube: Cube): DeflatedMemberStats | undefined {
  return cube instanceof DeflatedNpyCube ? cube.streamStats() : undefined;
}

/** A large deflated C-order member, streamed (see the file comment for the access costs). */
class DeflatedNpyCube implements Cube {
  readonly format = 'npz' as const;
  readonly fileCalibration = undefined;
  private readonly sampleBytes: number;

  private constructor(
    readonly path: string,
    readonly height: number,
    readonly width: number,
    readonly channels: number,
    private readonly sample: SampleFormat,
    private readonly dataStart: number,
    private readonly member: DeflatedMember,
  ) {
    this.sampleBytes = DTYPE_BYTES[sample.dtype];
  }

  get dtype(): DType {
    return this.sample.dtype;
  }

  /** Rows are pixel-major (C order); handed over raw when stored in this machine's byte order. */
  get rawRowDType(): DType | undefined {
    return this.sampleBytes === 1 || this.sample.littleEndian === HOST_LITTLE_ENDIAN ? this.sample.dtype : undefined;
  }

  static async open(file: string, zipMember: ZipMember, spill?: SpillOptions): Promise<DeflatedNpyCube> {
    const member = await DeflatedMember.open(file, zipMember, spill);
    try {
      // The header is at most a few kB; read its fixed part, then all of it.
      const pre = new Uint8Array(12);
      await member.read(0, pre, true);
      const head = new Uint8Array(npyHeaderBytes(pre));
      await member.read(0, head, true);
      const header = await readNpyHeaderAt(new MemorySource(head), 0, file);
      const sample = npySampleFormat(header.descr, file);
      const { height, width, channels } = npyLayout(header, header.dataOffset, file);
      if (header.fortranOrder) {
        throw new XrfInputError(file, `compressed Fortran-order arrays over ${npzLimits.inflateInMemoryBytes >> 20} MB cannot be streamed by rows; re-save with np.save (C order)`);
      }
      const needed = header.dataOffset + height * width * channels * DTYPE_BYTES[sample.dtype];
      if (zipMember.uncompressedSize < needed) {
        throw new XrfInputError(file, `array "${zipMember.name}" holds ${zipMember.uncompressedSize} bytes, its header needs ${needed} (truncated?)`);
      }
      return new DeflatedNpyCube(file, height, width, channels, sample, header.dataOffset, member);
    } catch (e) {
      await member.close();
      throw e;
    }
  }

  streamStats(): DeflatedMemberStats {
    return this.member.stats();
  }

  private rowsOffset(row0: number): number {
    return this.dataStart + row0 * this.width * this.channels * this.sampleBytes;
  }

  async readRows(row0: number, nRows: number, out?: Float32Array): Promise<Float32Array> {
    checkRowRange(this, row0, nRows);
    const n = nRows * this.width * this.channels;
    const dst = out ?? new Float32Array(n);
    if (dst.length < n) throw new RangeError(`readRows: out holds ${dst.length} values, ${n} needed`);
    const bytes = new Uint8Array(n * this.sampleBytes);
    await this.member.read(this.rowsOffset(row0), bytes, true);
    decodeSamples(bytes, this.sample, n, dst);
    checkFiniteRows(this.path, this.dtype, dst, n, row0, this.width, this.channels);
    return dst;
  }

  async readRawRows(row0: number, nRows: number, into: Uint8Array, checkFinite = true): Promise<void> {
    checkRowRange(this, row0, nRows);
    if (this.rawRowDType === undefined) throw new Error(`${this.path}: rows are not stored in host byte order`);
    const n = nRows * this.width * this.channels;
    const bytes = n * this.sampleBytes;
    if (into.length < bytes) throw new RangeError(`readRawRows: into holds ${into.length} bytes, ${bytes} needed`);
    await this.member.read(this.rowsOffset(row0), into.subarray(0, bytes), true);
    if (isFloatDType(this.dtype) && checkFinite) {
      if (into.byteOffset % this.sampleBytes !== 0) throw new RangeError('readRawRows: into is not aligned to the sample size');
      const view = this.dtype === 'f4' ? new Float32Array(into.buffer, into.byteOffset, n) : Float32Array.from(new Float64Array(into.buffer, into.byteOffset, n));
      checkFiniteRows(this.path, this.dtype, view, n, row0, this.width, this.channels);
    }
  }

  async readPixel(row: number, col: number): Promise<Float32Array> {
    checkPixel(this, row, col);
    const out = new Float32Array(this.channels);
    const bytes = new Uint8Array(this.channels * this.sampleBytes);
    await this.member.read(this.dataStart + (row * this.width + col) * this.channels * this.sampleBytes, bytes, false);
    decodeSamples(bytes, this.sample, this.channels, out);
    checkFinitePixel(this.path, this.dtype, out, row, col);
    return out;
  }

  async close(): Promise<void> {
    await this.member.close();
  }
}
