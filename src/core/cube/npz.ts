/**
 * NumPy .npz scans holding exactly one array.
 *
 * - `np.savez` stores members uncompressed: the member's bytes are an .npy at a fixed offset, read
 *   positionally like any .npy (fast row blocks and pixels).
 * - `np.savez_compressed` deflates members, and deflate streams cannot be entered in the middle.
 *   Members up to npzLimits.inflateInMemoryBytes (128 MB) are inflated once into memory and then served like an
 *   .npy. Larger ones are streamed: row blocks read in increasing order (the aggregation pass) keep one
 *   inflate cursor moving forward; a pixel read inflates from the start of the member up to that pixel
 *   with a second cursor, which is slow (seconds per GB) — the viewer stays usable, and re-saving with
 *   np.savez or np.save makes it fast. Large compressed Fortran-order arrays are refused.
 */
import { createReadStream } from 'node:fs';
import { createInflateRaw, inflateRawSync } from 'node:zlib';
import { DTYPE_BYTES, type Cube, type DType } from './cube';
import { FileSource, MemorySource, StridedFileCube, checkPixel, checkRowRange } from './strided-file';
import { checkFinitePixel, checkFiniteRows, decodeSamples, type SampleFormat } from './decode';
import { npyHeaderBytes, npyLayout, npySampleFormat, readNpyHeaderAt } from './npy';
import { listZipMembers, type ZipMember } from './zip';
import { XrfInputError } from '../errors';

/** Deflated members up to this many bytes are inflated into memory (tests lower it to reach the streaming path). */
export const npzLimits = { inflateInMemoryBytes: 128 * 1024 * 1024 };

export async function openNpz(file: string): Promise<Cube> {
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
    return await DeflatedNpyCube.open(file, m);
  } finally {
    if (!handedOver) await src.close();
  }
}

/** Sequential access to the inflated bytes of one deflated member. */
class InflateCursor {
  private iter: AsyncIterator<Uint8Array> | undefined;
  private stream: NodeJS.ReadableStream | undefined;
  private pending: Uint8Array = new Uint8Array(0);
  /** Inflated bytes consumed so far (the next byte `read` can return without restarting). */
  position = 0;

  constructor(
    private readonly file: string,
    private readonly member: ZipMember,
  ) {}

  private queue: Promise<unknown> = Promise.resolve();

  /**
   * Fill `into` with inflated bytes [pos, pos + into.length); restarts when pos is behind. Calls run
   * one after another (the pass keeps two row reads in flight).
   */
  read(pos: number, into: Uint8Array): Promise<void> {
    const run = this.queue.then(() => this.readNow(pos, into));
    this.queue = run.catch(() => undefined);
    return run;
  }

  private async readNow(pos: number, into: Uint8Array): Promise<void> {
    if (pos < this.position || !this.iter) this.restart();
    let skip = pos - this.position;
    let filled = 0;
    while (filled < into.length) {
      if (this.pending.length === 0) {
        const next = await this.next();
        if (!next) throw new XrfInputError(this.file, `array "${this.member.name}" ends early (truncated or corrupt)`);
        this.pending = next;
      }
      if (skip > 0) {
        const s = Math.min(skip, this.pending.length);
        this.pending = this.pending.subarray(s);
        skip -= s;
        this.position += s;
        continue;
      }
      const n = Math.min(into.length - filled, this.pending.length);
      into.set(this.pending.subarray(0, n), filled);
      this.pending = this.pending.subarray(n);
      filled += n;
      this.position += n;
    }
  }

  private async next(): Promise<Uint8Array | undefined> {
    try {
      const r = await this.iter!.next();
      return r.done ? undefined : r.value;
    } catch (e) {
      throw new XrfInputError(this.file, `array "${this.member.name}" is corrupt: ${(e as Error).message}`);
    }
  }

  private restart(): void {
    this.close();
    const raw = createReadStream(this.file, {
      start: this.member.dataOffset,
      end: this.member.dataOffset + this.member.compressedSize - 1,
      highWaterMark: 1 << 20,
    });
    const inflate = createInflateRaw({ chunkSize: 1 << 20 });
    raw.on('error', (e) => inflate.destroy(e));
    this.stream = raw.pipe(inflate);
    this.iter = (this.stream as AsyncIterable<Uint8Array>)[Symbol.asyncIterator]();
    this.pending = new Uint8Array(0);
    this.position = 0;
  }

  close(): void {
    (this.stream as { destroy?: () => void } | undefined)?.destroy?.();
    this.stream = undefined;
    this.iter = undefined;
  }
}

/** A large deflated C-order member, streamed (see the file comment for the access costs). */
class DeflatedNpyCube implements Cube {
  readonly format = 'npz' as const;
  readonly fileCalibration = undefined;
  private readonly rowCursor: InflateCursor;
  private readonly pixelCursor: InflateCursor;
  private readonly sampleBytes: number;

  private constructor(
    readonly path: string,
    readonly height: number,
    readonly width: number,
    readonly channels: number,
    private readonly sample: SampleFormat,
    private readonly dataStart: number,
    member: ZipMember,
  ) {
    this.rowCursor = new InflateCursor(path, member);
    this.pixelCursor = new InflateCursor(path, member);
    this.sampleBytes = DTYPE_BYTES[sample.dtype];
  }

  get dtype(): DType {
    return this.sample.dtype;
  }

  static async open(file: string, member: ZipMember): Promise<DeflatedNpyCube> {
    const probe = new InflateCursor(file, member);
    try {
      // The header is at most a few kB; read its fixed part, then all of it.
      const pre = new Uint8Array(12);
      await probe.read(0, pre);
      const head = new Uint8Array(npyHeaderBytes(pre));
      await probe.read(0, head);
      const header = await readNpyHeaderAt(new MemorySource(head), 0, file);
      const sample = npySampleFormat(header.descr, file);
      const { height, width, channels } = npyLayout(header, header.dataOffset, file);
      if (header.fortranOrder) {
        throw new XrfInputError(file, `compressed Fortran-order arrays over ${npzLimits.inflateInMemoryBytes >> 20} MB cannot be streamed by rows; re-save with np.save (C order)`);
      }
      const needed = header.dataOffset + height * width * channels * DTYPE_BYTES[sample.dtype];
      if (member.uncompressedSize < needed) {
        throw new XrfInputError(file, `array "${member.name}" holds ${member.uncompressedSize} bytes, its header needs ${needed} (truncated?)`);
      }
      return new DeflatedNpyCube(file, height, width, channels, sample, header.dataOffset, member);
    } finally {
      probe.close();
    }
  }

  async readRows(row0: number, nRows: number, out?: Float32Array): Promise<Float32Array> {
    checkRowRange(this, row0, nRows);
    const n = nRows * this.width * this.channels;
    const dst = out ?? new Float32Array(n);
    const bytes = new Uint8Array(n * this.sampleBytes);
    await this.rowCursor.read(this.dataStart + row0 * this.width * this.channels * this.sampleBytes, bytes);
    decodeSamples(bytes, this.sample, n, dst);
    checkFiniteRows(this.path, this.dtype, dst, n, row0, this.width, this.channels);
    return dst;
  }

  async readPixel(row: number, col: number): Promise<Float32Array> {
    checkPixel(this, row, col);
    const out = new Float32Array(this.channels);
    const bytes = new Uint8Array(this.channels * this.sampleBytes);
    await this.pixelCursor.read(this.dataStart + (row * this.width + col) * this.channels * this.sampleBytes, bytes);
    decodeSamples(bytes, this.sample, this.channels, out);
    checkFinitePixel(this.path, this.dtype, out, row, col);
    return out;
  }

  async close(): Promise<void> {
    this.rowCursor.close();
    this.pixelCursor.close();
  }
}
