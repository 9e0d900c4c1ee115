/**
 * Random access to the inflated bytes of one large deflated ZIP member, backed by a spill file.
 *
 * With a spill (spill-file.ts; the usual case when the temp folder has room): ONE inflate cursor,
 * the "frontier", serves every read that reaches past what has been spilled, and every byte it
 * inflates is appended to the spill. So the spill is always the prefix [0, frontier), and:
 * - a read inside the prefix (a pixel, or a row block of any later pass) is a positional read of the
 *   spill, answered at once even while the frontier is busy;
 * - a read past it (the first pass's next row block, or a pixel beyond the pass) moves the frontier
 *   forward to its end. Nothing is inflated twice: a pixel ahead of the pass inflates bytes the pass
 *   would inflate next anyway, and the pass then finds them spilled. (The alternative, a second
 *   cursor for pixels, restarts from the member's first byte whenever a pixel lies behind it and
 *   inflates everything the pass already did; waiting for the pass instead is no faster than moving
 *   the frontier, and stalls if the pass is cancelled.)
 * - a cancelled pass leaves the frontier where it stopped; the next pass reads the prefix from the
 *   spill and continues the same cursor, without re-inflating.
 * Without a spill (no room, spilling disabled, or dropped after a write/read failure), as before:
 * row reads move a row cursor forward, pixel reads use a second cursor that restarts from the member's
 * start whenever the pixel lies behind it (seconds per GB).
 */
import type { ZipMember } from './zip';
import { InflateCursor, type InflateCounters } from './inflate-cursor';
import { SpillFile, type SpillOptions, type SpillStats } from './spill-file';

export interface DeflatedMemberStats extends InflateCounters {
  /** Undefined when no spill file was made (no room, or disabled). */
  spill: SpillStats | undefined;
}

export class DeflatedMember {
  private readonly counters: InflateCounters = { restarts: 0, inflatedBytes: 0 };
  /** Moves forward only while the spill is usable; the row cursor when it is not. */
  private readonly frontier: InflateCursor;
  /** Pixel reads when there is no spill. */
  private readonly pixelCursor: InflateCursor;
  private closed = false;

  private constructor(
    file: string,
    member: ZipMember,
    private readonly spill: SpillFile | undefined,
  ) {
    this.frontier = new InflateCursor(file, member, this.counters, spill ? (offset, chunk) => spill.append(offset, chunk) : undefined);
    this.pixelCursor = new InflateCursor(file, member, this.counters);
  }

  static async open(file: string, member: ZipMember, spill: SpillOptions = {}): Promise<DeflatedMember> {
    return new DeflatedMember(file, member, await SpillFile.create(member.uncompressedSize, spill));
  }

  /**
   * Fill `into` with inflated bytes [pos, pos + into.length). `sequential` reads (row blocks) and
   * random ones (pixels) differ only without a spill, where they use separate cursors.
   */
  async read(pos: number, into: Uint8Array, sequential: boolean): Promise<void> {
    const spill = this.spill;
    // Inside the prefix: straight from the spill, without queueing behind the frontier.
    if (spill && (await spill.read(pos, into))) return;
    if (spill?.usable) {
      await this.frontier.serialized(async () => {
        await spill.flush(); // spilledBytes now covers all the frontier inflated: frontier.position ≤ spilledBytes
        const spilled = spill.spilledBytes;
        let head = 0;
        if (pos < spilled) {
          const n = Math.min(into.length, spilled - pos);
          if (await spill.read(pos, into.subarray(0, n))) head = n;
        }
        if (head < into.length) await this.frontier.readNow(pos + head, into.subarray(head));
        // Let the last chunk's write land, so that everything this read inflated is readable from the
        // spill without queueing behind the frontier's next read (one ≤ 1 MB write per read).
        await spill.flush();
      });
      return;
    }
    await (sequential ? this.frontier : this.pixelCursor).read(pos, into);
  }

  stats(): DeflatedMemberStats {
    return { ...this.counters, spill: this.spill?.stats() };
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    this.frontier.close();
    this.pixelCursor.close();
    await this.spill?.close();
  }
}
