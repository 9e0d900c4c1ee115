/**
 * The sampled training pixels on disk: one temporary file of fixed-size float32 records, each a raw
 * spectrum (d channels, counts as the scan holds them) followed by its k targets (counts). Writing
 * happens once, while the scans are streamed; every epoch then reads shuffled batches back with
 * positional reads, so memory holds one or two batches whatever the number of training scans.
 */
import { promises as fs, rmSync } from 'node:fs';
import type { FileHandle } from 'node:fs/promises';
import * as os from 'node:os';
import * as path from 'node:path';

// Folders of stores not yet disposed. If the process exits without disposing them (a second Ctrl-C
// in the CLI calls process.exit), they are removed synchronously on the way out.
const live = new Set<string>();
let exitHookInstalled = false;
function track(dir: string): void {
  live.add(dir);
  if (exitHookInstalled) return;
  exitHookInstalled = true;
  process.once('exit', () => {
    for (const d of live) rmSync(d, { recursive: true, force: true });
  });
}

export class SampleStore {
  private written = 0;

  private constructor(
    readonly dir: string,
    private readonly fh: FileHandle,
    /** Channels per spectrum (d). */
    readonly channels: number,
    /** Targets per pixel (k). */
    readonly outputs: number,
  ) {}

  /** Creates the store in a fresh temporary folder (under `parent`, default the OS temp folder). */
  static async create(channels: number, outputs: number, parent = os.tmpdir()): Promise<SampleStore> {
    const dir = await fs.mkdtemp(path.join(parent, 'xrfmaps-train-'));
    try {
      const fh = await fs.open(path.join(dir, 'samples.f32'), 'w+');
      track(dir);
      return new SampleStore(dir, fh, channels, outputs);
    } catch (e) {
      await fs.rm(dir, { recursive: true, force: true });
      throw e;
    }
  }

  get recordFloats(): number {
    return this.channels + this.outputs;
  }

  get recordBytes(): number {
    return this.recordFloats * 4;
  }

  /** Records written so far; sample numbers are 0…count−1 in writing order. */
  get count(): number {
    return this.written;
  }

  /** Appends whole records (a multiple of recordFloats values). */
  async append(records: Float32Array): Promise<void> {
    if (records.length % this.recordFloats !== 0) throw new Error('SampleStore.append: not a whole number of records');
    const bytes = new Uint8Array(records.buffer, records.byteOffset, records.byteLength);
    let off = 0;
    const pos = this.written * this.recordBytes;
    while (off < bytes.length) {
      const { bytesWritten } = await this.fh.write(bytes, off, bytes.length - off, pos + off);
      off += bytesWritten;
    }
    this.written += records.length / this.recordFloats;
  }

  /**
   * Reads the records `samples[from…to)` into `out` (room for (to − from)·recordFloats values), in
   * that order. The reads are issued together so the thread pool overlaps them.
   */
  async read(samples: ArrayLike<number>, from: number, to: number, out: Float32Array): Promise<Float32Array> {
    const rb = this.recordBytes;
    const n = to - from;
    if (out.length < n * this.recordFloats) throw new Error('SampleStore.read: output buffer too small');
    const bytes = new Uint8Array(out.buffer, out.byteOffset, n * rb);
    const reads: Promise<unknown>[] = [];
    for (let i = 0; i < n; i++) {
      const s = samples[from + i];
      if (s >= this.written) throw new Error(`SampleStore.read: sample ${s} of ${this.written}`);
      reads.push(this.readFully(bytes, i * rb, rb, s * rb));
    }
    await Promise.all(reads);
    return out;
  }

  private async readFully(buf: Uint8Array, off: number, len: number, pos: number): Promise<void> {
    let done = 0;
    while (done < len) {
      const { bytesRead } = await this.fh.read(buf, off + done, len - done, pos + done);
      if (bytesRead === 0) throw new Error('SampleStore: temporary sample file ended early');
      done += bytesRead;
    }
  }

  /** Closes and deletes the temporary folder. Safe to call twice. */
  async dispose(): Promise<void> {
    await this.fh.close().catch(() => undefined);
    await fs.rm(this.dir, { recursive: true, force: true });
    live.delete(this.dir);
  }
}
