/**
 * Sequential access to the inflated bytes of one deflated ZIP member (a large `np.savez_compressed`
 * array). A deflate stream cannot be entered in the middle: reading behind the cursor restarts the
 * stream from the member's first byte. Every chunk the stream yields is shown to `onChunk` (the spill
 * file records them, npz-spill.ts) before it is consumed.
 */
import { createReadStream } from 'node:fs';
import { createInflateRaw } from 'node:zlib';
import type { ZipMember } from './zip';
import { XrfInputError } from '../errors';

/** Inflate output chunk size (and the compressed read size): bounds what one cursor holds in memory. */
const CHUNK_BYTES = 1 << 20;

/** Counters shared by the cursors of one member, so tests and benchmarks can see what was inflated. */
export interface InflateCounters {
  /** Streams started from the member's first byte (the first start counts). */
  restarts: number;
  /** Inflated bytes pulled from the streams in all. */
  inflatedBytes: number;
}

export class InflateCursor {
  private iter: AsyncIterator<Uint8Array> | undefined;
  private stream: NodeJS.ReadableStream | undefined;
  private pending: Uint8Array = new Uint8Array(0);
  private queue: Promise<unknown> = Promise.resolve();
  /** Inflated bytes consumed so far (the next byte `read` can return without restarting). */
  position = 0;

  constructor(
    private readonly file: string,
    private readonly member: ZipMember,
    private readonly counters: InflateCounters = { restarts: 0, inflatedBytes: 0 },
    /** Sees every chunk as it leaves the inflater, with the member offset of its first byte. */
    private readonly onChunk?: (offset: number, chunk: Uint8Array) => void | Promise<void>,
  ) {}

  /**
   * Fill `into` with inflated bytes [pos, pos + into.length); restarts when pos is behind. Calls run
   * one after another (the pass keeps two row reads in flight).
   */
  read(pos: number, into: Uint8Array): Promise<void> {
    return this.serialized(() => this.readNow(pos, into));
  }

  /** Run `f` after every earlier call on this cursor, and before any later one. */
  serialized<T>(f: () => Promise<T>): Promise<T> {
    const run = this.queue.then(f);
    this.queue = run.catch(() => undefined);
    return run;
  }

  /** `read` without the queue: only for callers already inside `serialized`. */
  async readNow(pos: number, into: Uint8Array): Promise<void> {
    if (pos < this.position || !this.iter) this.restart();
    let skip = pos - this.position;
    let filled = 0;
    while (filled < into.length) {
      if (this.pending.length === 0) {
        const next = await this.next();
        if (!next) throw new XrfInputError(this.file, `array "${this.member.name}" ends early (truncated or corrupt)`);
        this.counters.inflatedBytes += next.length;
        // `position` is the offset of the chunk's first byte here: the previous chunk is used up.
        await this.onChunk?.(this.position, next);
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
    this.counters.restarts++;
    const raw = createReadStream(this.file, {
      start: this.member.dataOffset,
      end: this.member.dataOffset + this.member.compressedSize - 1,
      highWaterMark: CHUNK_BYTES,
    });
    const inflate = createInflateRaw({ chunkSize: CHUNK_BYTES });
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
