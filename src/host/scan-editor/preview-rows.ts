/**
 * The maps of a pass still running, as the scan editor's host keeps them for the view's preview:
 * full H×W arrays filled band by band from the session's `onRows`, which rows are filled, and which
 * filled rows the view has not been sent yet (coalesced into intervals while the view is busy).
 *
 * Full arrays (not just the last update) because a reloaded view must get every row so far, and a
 * view that is slow to acknowledge gets what arrived meanwhile in one `mapRows` per interval.
 */
import type { MapMeta } from '../../protocol';
import { normalizeLineName } from '../../core/lines';

/** What the session reports after each block (src/workers/scan-session-client.ts's RowsUpdate). */
export interface RowsUpdateLike {
  from: number;
  to: number;
  totalCounts: Float32Array;
  roiMaps: Float32Array[];
}

/** The preview's list: total counts, then one map per line, with the ids the final summary will use. */
export function previewMetas(lines: readonly string[]): MapMeta[] {
  const metas: MapMeta[] = [{ id: 'total', label: 'Total counts', kind: 'total' }];
  for (const raw of lines) {
    // The worker labels its windows with the normalized name; an unparsable one fails the pass anyway.
    let label = raw;
    try {
      label = normalizeLineName(raw);
    } catch {
      /* keep the raw name */
    }
    metas.push({ id: `line:${label}`, label, kind: 'line' });
  }
  return metas;
}

export class PreviewMaps {
  /** One H·W array per listed map, in the list's order; rows not filled yet hold 0. */
  readonly data: Float32Array[];
  private readonly filled: Uint8Array;
  /** Filled rows not sent yet: sorted, disjoint, non-touching [from, to) intervals. */
  private unsent: [number, number][] = [];

  constructor(
    readonly metas: MapMeta[],
    readonly height: number,
    readonly width: number,
  ) {
    this.data = metas.map(() => new Float32Array(height * width));
    this.filled = new Uint8Array(height);
  }

  /**
   * Copy rows [from, to) of every map in. Returns the problem (and takes nothing) when the update
   * does not fit this preview: the final summary is what counts, so a bad update is only skipped.
   */
  add(u: RowsUpdateLike): string | undefined {
    const { from, to } = u;
    if (!Number.isInteger(from) || !Number.isInteger(to) || from < 0 || to > this.height || !(to > from)) {
      return `rows [${from}, ${to}) are outside the ${this.height} rows of the scan`;
    }
    const sources = [u.totalCounts, ...u.roiMaps];
    if (sources.length !== this.data.length) return `${sources.length} maps in a rows update, ${this.data.length} listed`;
    const n = (to - from) * this.width;
    for (const s of sources) if (!s || s.length !== n) return `a rows update for rows [${from}, ${to}) holds ${s?.length} values, not ${n}`;
    sources.forEach((s, k) => this.data[k].set(s, from * this.width));
    this.filled.fill(1, from, to);
    this.markUnsent(from, to);
    return undefined;
  }

  get filledRows(): number {
    let n = 0;
    for (const f of this.filled) n += f;
    return n;
  }

  hasUnsent(): boolean {
    return this.unsent.length > 0;
  }

  /** The lowest interval of filled rows not sent yet (and forget it), or undefined. */
  takeUnsent(): { from: number; to: number } | undefined {
    const iv = this.unsent.shift();
    return iv && { from: iv[0], to: iv[1] };
  }

  /** A reloaded view has none of the rows: every filled interval is unsent again. */
  resendAll(): void {
    this.unsent = [];
    let r = 0;
    while (r < this.height) {
      if (!this.filled[r]) {
        r++;
        continue;
      }
      const start = r;
      while (r < this.height && this.filled[r]) r++;
      this.unsent.push([start, r]);
    }
  }

  /** Rows [from, to) of each map, copied (a view of the big array would carry all of it over the channel). */
  rows(from: number, to: number): { id: string; data: Float32Array }[] {
    return this.metas.map((m, k) => ({ id: m.id, data: this.data[k].slice(from * this.width, to * this.width) }));
  }

  private markUnsent(from: number, to: number): void {
    const out: [number, number][] = [];
    let a = from;
    let b = to;
    let placed = false;
    for (const [lo, hi] of this.unsent) {
      if (hi < a) out.push([lo, hi]);
      else if (lo > b) {
        if (!placed) out.push([a, b]);
        placed = true;
        out.push([lo, hi]);
      } else {
        // Overlapping or touching: one interval.
        a = Math.min(a, lo);
        b = Math.max(b, hi);
      }
    }
    if (!placed) out.push([a, b]);
    this.unsent = out;
  }
}
