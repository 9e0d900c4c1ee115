import { promises as fs, createWriteStream, WriteStream } from 'node:fs';
import * as path from 'node:path';
import { randomBytes } from 'node:crypto';

/**
 * Every output is written to a temporary name in the same folder and renamed into place, so a reader
 * never sees half a file and a crash never leaves one behind under the final name.
 */
function tempNameFor(target: string): string {
  return path.join(path.dirname(target), `.${path.basename(target)}.${randomBytes(4).toString('hex')}.tmp`);
}

export async function writeFileAtomic(target: string, data: string | Uint8Array | Uint8Array[]): Promise<void> {
  await fs.mkdir(path.dirname(target), { recursive: true });
  const tmp = tempNameFor(target);
  try {
    const fh = await fs.open(tmp, 'w');
    try {
      if (Array.isArray(data)) for (const part of data) await fh.write(part);
      else await fh.writeFile(data);
      await fh.sync();
    } finally {
      await fh.close();
    }
    await fs.rename(tmp, target);
  } catch (e) {
    await fs.rm(tmp, { force: true });
    throw e;
  }
}

/**
 * A streaming writer for large outputs (simulated cubes, predicted maps): write parts, then `commit()`
 * renames into place, or `abort()` removes the temporary file.
 */
export class AtomicStreamWriter {
  private readonly tmp: string;
  private stream: WriteStream;
  private done = false;
  private failure: Error | undefined;

  private constructor(readonly target: string) {
    this.tmp = tempNameFor(target);
    this.stream = createWriteStream(this.tmp);
    // Without a listener a stream error (disk full, or a write still in flight when abort() destroys
    // the stream) is an uncaught exception that kills the process; keep it for commit() instead.
    this.stream.on('error', (e) => (this.failure ??= e));
  }

  static async open(target: string): Promise<AtomicStreamWriter> {
    await fs.mkdir(path.dirname(target), { recursive: true });
    return new AtomicStreamWriter(target);
  }

  /** Resolves when the chunk has been accepted (respects back-pressure). */
  write(chunk: Uint8Array): Promise<void> {
    return new Promise((resolve, reject) => {
      const ok = this.stream.write(chunk, (err) => (err ? reject(err) : undefined));
      if (ok) resolve();
      else this.stream.once('drain', resolve);
    });
  }

  async commit(): Promise<void> {
    if (this.done) return;
    this.done = true;
    await new Promise<void>((resolve, reject) => this.stream.end((err?: Error | null) => (err ? reject(err) : resolve())));
    if (this.failure) {
      await fs.rm(this.tmp, { force: true });
      throw this.failure;
    }
    try {
      await fs.rename(this.tmp, this.target);
    } catch (e) {
      await fs.rm(this.tmp, { force: true });
      throw e;
    }
  }

  async abort(): Promise<void> {
    if (this.done) return;
    this.done = true;
    // Wait for the file to be closed: removing it while the stream is still opening it would let
    // the open re-create it afterwards and leave a stray temporary file.
    if (!this.stream.closed) await new Promise<void>((resolve) => this.stream.once('close', () => resolve()).destroy());
    await fs.rm(this.tmp, { force: true });
  }
}

/** A path beside `wanted` that does not exist yet: "maps.npy", then "maps (2).npy", … Never overwrites. */
export async function uniquePath(wanted: string): Promise<string> {
  const ext = path.extname(wanted);
  const stem = wanted.slice(0, wanted.length - ext.length);
  for (let i = 1; ; i++) {
    const candidate = i === 1 ? wanted : `${stem} (${i})${ext}`;
    try {
      await fs.access(candidate);
    } catch {
      return candidate;
    }
  }
}
