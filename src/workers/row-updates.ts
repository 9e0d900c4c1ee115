/**
 * Rows of the maps of a pass still running, sent to whoever shows them (maps that fill in during a
 * long pass). aggregateScan reports every finished block; sending each would flood the thread
 * boundary (and the webview after it) on a fast disk, so `rowUpdates` coalesces them: the first block
 * goes at once, then at most one update per interval with every row finished since the last one.
 * The band's last block goes at once too, so the updates cover every row before the pass returns.
 */
import type { PassOptions } from '../core/maps/aggregate';
import type { RowsUpdate } from './scan-session-client';

/** The least time between two updates of one pass (or of one band of a parallel pass). */
export const ROWS_INTERVAL_MS = 250;

export interface RowUpdates {
  /** Pass this as aggregateScan's onRows. */
  onRows: NonNullable<PassOptions['onRows']>;
  /** Stop: drops rows not yet sent and any pending timer (call before the pass's arrays leave the thread). */
  dispose(): void;
}

/**
 * Coalesce the blocks of a pass over rows [range.from, range.to) of a scan `width` pixels wide into
 * updates for `send`, which owns the (copied) arrays it receives and may transfer them.
 */
export function rowUpdates(
  range: { from: number; to: number },
  width: number,
  send: (u: RowsUpdate) => void,
  opts: { intervalMs?: number } = {},
): RowUpdates {
  const interval = opts.intervalMs ?? ROWS_INTERVAL_MS;
  // Rows [from, to) are final but not yet sent; `maps` are the pass's own arrays (valid until it returns).
  let from = -1;
  let to = -1;
  let maps: { totalCounts: Float32Array; roiMaps: Float32Array[] } | undefined;
  let lastSent = -Infinity;
  let timer: NodeJS.Timeout | undefined;
  let disposed = false;

  const flush = () => {
    if (timer) clearTimeout(timer);
    timer = undefined;
    if (disposed || !maps || from < 0) return;
    const a = (from - range.from) * width;
    const b = (to - range.from) * width;
    const u: RowsUpdate = { from, to, totalCounts: maps.totalCounts.slice(a, b), roiMaps: maps.roiMaps.map((m) => m.slice(a, b)) };
    from = to = -1;
    lastSent = Date.now();
    send(u);
  };

  return {
    onRows(blockFrom, blockTo, blockMaps) {
      if (disposed) return;
      // Blocks come in row order, one after the other; anything else would make a gap, so send what is held first.
      if (from >= 0 && blockFrom !== to) flush();
      if (from < 0) from = blockFrom;
      to = blockTo;
      maps = blockMaps;
      const wait = lastSent + interval - Date.now();
      if (wait <= 0 || to >= range.to) flush();
      // A slow next block must not hold these rows back: send them when the interval is up.
      else timer ??= setTimeout(flush, wait);
    },
    dispose() {
      disposed = true;
      if (timer) clearTimeout(timer);
      timer = undefined;
      maps = undefined;
    },
  };
}

/** The arrays of an update, for a postMessage transfer list. */
export function rowsTransfer(u: RowsUpdate): ArrayBuffer[] {
  return [u.totalCounts.buffer, ...u.roiMaps.map((m) => m.buffer)] as ArrayBuffer[];
}
