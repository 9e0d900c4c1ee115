/**
 * A private temporary file holding a prefix [0, spilledBytes) of some byte stream that is expensive
 * to produce again (the inflated bytes of a compressed .npz member, deflated-member.ts). Bytes are
 * appended strictly in order as the stream is produced; any range inside the prefix is then read
 * back positionally, like an .npy.
 *
 * - Where: `os.tmpdir()` unless a folder is given; never beside the user's file. The name is
 *   `xrfmaps-npz-<random>.spill`, created exclusively with mode 0600.
 * - On POSIX the file is unlinked right after it is opened: the open descriptor keeps the data, and
 *   nothing is left behind even if the process is killed. Elsewhere (Windows cannot unlink an open
 *   file) it is deleted on close().
 * - Only when there is room: the folder must keep SPILL_FREE_MARGIN free after the whole stream is
 *   written (checked once, with statfs), otherwise no file is made; and never in a default temp
 *   folder that lives in memory (tmpfs), where the spill would fill RAM.
 * - Failure is never fatal: a write error (disk full mid-way) or read error drops the spill (closes
 *   and so frees it) and the caller serves from the original stream again. Dropping rather than
 *   keeping the prefix gives a full disk its space back at once, which matters more to the user
 *   than fast pixels.
 * - Memory: one chunk (the one being written) is held; the producer waits for the previous write
 *   before handing over the next chunk.
 */
import { promises as fs } from 'node:fs';
import type { FileHandle } from 'node:fs/promises';
import { randomBytes } from 'node:crypto';
import * as os from 'node:os';
import * as path from 'node:path';

/**
 * Free space to leave in the spill folder beyond the spill itself: the larger of 1 GiB and 10 % of
 * the spill, so that spilling a scan never fills a disk other programs need.
 */
export const SPILL_FREE_MARGIN = { minBytes: 1024 ** 3, fraction: 0.1 };

export interface SpillOptions {
  /** false: never spill (reads are served from the stream as before). */
  enabled?: boolean;
  /** Folder for the spill file; default `os.tmpdir()`. */
  dir?: string;
  /** Free bytes available in `dir` (tests inject too little); default from `fs.statfs`. */
  freeBytes?: (dir: string) => Promise<number>;
  /** Whether a folder lives in memory (tests inject true); default from statfs's file-system type. */
  memoryBacked?: (dir: string) => Promise<boolean>;
  /** Positional write (tests inject a failing disk); returns the bytes written. Default FileHandle.write. */
  write?: (fh: FileHandle, data: Uint8Array, position: number) => Promise<number>;
}

export interface SpillStats {
  /** The spill file's name (already unlinked on POSIX). */
  file: string;
  /** Length of the prefix written and readable. */
  spilledBytes: number;
  /** False once dropped (write or read failure) or closed. */
  active: boolean;
  /** Why the spill was dropped, if it was. */
  failure?: string;
  /** Reads served from the spill, and their bytes. */
  reads: number;
  bytesRead: number;
}

/** Free bytes for an unprivileged user in `dir`; 0 when it cannot be told (then nothing is spilled). */
export async function statfsFreeBytes(dir: string): Promise<number> {
  const statfs = (fs as { statfs?: (p: string) => Promise<{ bavail: number; bsize: number }> }).statfs;
  if (!statfs) return 0; // Node < 18.15
  const s = await statfs(dir);
  return Number(s.bavail) * Number(s.bsize);
}

/** statfs f_type of file systems that live in memory (Linux tmpfs, ramfs): spilling there would fill RAM. */
const MEMORY_FS_TYPES = new Set([0x01021994, 0x858458f6]);

/** Whether `dir` is memory-backed (many Linux systems mount /tmp as tmpfs); false when it cannot be told. */
export async function isMemoryBacked(dir: string): Promise<boolean> {
  const statfs = (fs as { statfs?: (p: string) => Promise<{ type: number }> }).statfs;
  if (!statfs) return false;
  try {
    return MEMORY_FS_TYPES.has(Number((await statfs(dir)).type));
  } catch {
    return false;
  }
}

/** Whether `freeBytes` leaves the margin after writing `size` bytes. */
export function spillFits(size: number, freeBytes: number): boolean {
  const margin = Math.max(SPILL_FREE_MARGIN.minBytes, SPILL_FREE_MARGIN.fraction * size);
  return freeBytes - size >= margin;
}

/** The names spill files get (and the only files removeStaleSpills touches). */
export const SPILL_NAME = /^xrfmaps-npz-[0-9a-f]{16}\.spill$/;

export class SpillFile {
  private fh: FileHandle | undefined;
  private failure: string | undefined;
  /** End of the bytes written or being written: the offset the next appended chunk must start at. */
  private queuedEnd = 0;
  /** The write in flight (never rejects). */
  private tail: Promise<void> = Promise.resolve();
  private reads = 0;
  private bytesRead = 0;
  private readonly posixUnlinked: boolean;
  /** Prefix [0, spilledBytes) is written and can be read. */
  spilledBytes = 0;

  private constructor(
    readonly file: string,
    fh: FileHandle,
    /** The stream's full length: nothing beyond it is written. */
    private readonly size: number,
    unlinked: boolean,
    private readonly writeAt: (fh: FileHandle, data: Uint8Array, position: number) => Promise<number>,
  ) {
    this.fh = fh;
    this.posixUnlinked = unlinked;
  }

  /** A spill file for a stream of `size` bytes, or undefined when disabled, without room, or not creatable. */
  static async create(size: number, opts: SpillOptions = {}): Promise<SpillFile | undefined> {
    if (opts.enabled === false || size <= 0) return undefined;
    const dir = opts.dir ?? os.tmpdir();
    let free: number;
    try {
      free = await (opts.freeBytes ?? statfsFreeBytes)(dir);
    } catch {
      return undefined;
    }
    if (!spillFits(size, free)) return undefined;
    // The default folder may be tmpfs (RAM): the spill would cost the memory it exists to save. A folder
    // given explicitly (the extension's global storage) is trusted.
    if (opts.dir === undefined && (await (opts.memoryBacked ?? isMemoryBacked)(dir))) return undefined;
    const file = path.join(dir, `xrfmaps-npz-${randomBytes(8).toString('hex')}.spill`); // matches SPILL_NAME
    let fh: FileHandle;
    try {
      fh = await fs.open(file, 'wx+', 0o600);
    } catch {
      return undefined; // folder missing or read-only: serve from the stream
    }
    let unlinked = false;
    if (process.platform !== 'win32') {
      unlinked = await fs.unlink(file).then(
        () => true,
        () => false,
      );
    }
    const write = opts.write ?? (async (h: FileHandle, data: Uint8Array, position: number) => (await h.write(data, 0, data.length, position)).bytesWritten);
    return new SpillFile(file, fh, size, unlinked, write);
  }

  /** Open and not dropped: appended chunks are written and covered reads are served. */
  get usable(): boolean {
    return this.fh !== undefined;
  }

  /**
   * Offer the stream's bytes [offset, offset + chunk.length). Written only when they continue the
   * prefix (a producer behind or ahead of it is ignored). Resolves when the PREVIOUS write has
   * finished, so one write overlaps the production of the next chunk and at most one chunk waits.
   * The caller must not modify `chunk` afterwards. Never rejects.
   */
  append(offset: number, chunk: Uint8Array): Promise<void> {
    if (!this.fh || offset !== this.queuedEnd) return Promise.resolve();
    const n = Math.min(chunk.length, this.size - offset);
    if (n <= 0) return Promise.resolve();
    const data = chunk.subarray(0, n);
    this.queuedEnd = offset + n;
    const previous = this.tail;
    this.tail = previous.then(() => this.writeChunk(data, offset));
    return previous;
  }

  private async writeChunk(data: Uint8Array, offset: number): Promise<void> {
    const fh = this.fh;
    if (!fh) return;
    try {
      let done = 0;
      while (done < data.length) {
        const w = await this.writeAt(fh, data.subarray(done), offset + done);
        if (!(w > 0)) throw new Error(`wrote ${w} of ${data.length - done} bytes`);
        done += w;
      }
      if (this.fh === fh) this.spilledBytes = offset + data.length;
    } catch (e) {
      await this.drop(`write failed at byte ${offset}: ${(e as Error).message}`);
    }
  }

  /** Wait for the write in flight, so that spilledBytes covers everything appended. */
  flush(): Promise<void> {
    return this.tail;
  }

  /**
   * Fill `into` with bytes [pos, pos + into.length) when the prefix covers them. False when it does
   * not, or the spill is gone, or the read failed (then the spill is dropped): serve from the stream.
   */
  async read(pos: number, into: Uint8Array): Promise<boolean> {
    const fh = this.fh;
    if (!fh || pos < 0 || pos + into.length > this.spilledBytes) return false;
    try {
      let got = 0;
      while (got < into.length) {
        const { bytesRead } = await fh.read(into, got, into.length - got, pos + got);
        if (bytesRead === 0) throw new Error(`spill file ends at byte ${pos + got}, ${this.spilledBytes} were written`);
        got += bytesRead;
      }
    } catch (e) {
      await this.drop(`read failed at byte ${pos}: ${(e as Error).message}`);
      return false;
    }
    this.reads++;
    this.bytesRead += into.length;
    return true;
  }

  stats(): SpillStats {
    return { file: this.file, spilledBytes: this.spilledBytes, active: this.usable, failure: this.failure, reads: this.reads, bytesRead: this.bytesRead };
  }

  /** Stop spilling and free the file; later reads are refused (the caller falls back). */
  private async drop(reason: string): Promise<void> {
    this.failure ??= reason;
    await this.release();
  }

  private async release(): Promise<void> {
    const fh = this.fh;
    if (!fh) return;
    this.fh = undefined;
    this.spilledBytes = 0;
    // FileHandle.close waits for reads already issued on it, so none of them sees a closed file.
    await fh.close().catch(() => undefined);
    if (!this.posixUnlinked) await fs.unlink(this.file).catch(() => undefined);
  }

  async close(): Promise<void> {
    this.queuedEnd = Number.POSITIVE_INFINITY; // nothing more is appended
    await this.tail;
    await this.release();
  }
}

/**
 * Removes spill files a killed process left in `dir` (only where files are deleted on close, i.e.
 * Windows; on POSIX they were unlinked at once). A spill still open elsewhere cannot be deleted on
 * Windows, so it survives this; errors are ignored. Returns how many were removed.
 */
export async function removeStaleSpills(dir: string): Promise<number> {
  let names: string[];
  try {
    names = await fs.readdir(dir);
  } catch {
    return 0;
  }
  let removed = 0;
  for (const n of names) {
    if (!SPILL_NAME.test(n)) continue;
    await fs.unlink(path.join(dir, n)).then(
      () => removed++,
      () => undefined,
    );
  }
  return removed;
}
