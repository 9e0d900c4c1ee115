/**
 * One band of rows of a parallel aggregation pass (see scan-pass-pool.ts): opens the scan itself,
 * read-only, and returns the band's summary with its arrays transferred. With `rows`, it also sends
 * its finished rows as they come (coalesced, absolute row numbers) as job events.
 */
import { serveJob } from './worker-side';
import { openCube } from '../core/cube/open';
import { aggregateScan } from '../core/maps/aggregate';
import { tokenFromSignal } from '../core/util/progress';
import type { RoiWindow, ScanSummary } from '../core/maps/summary';
import { rowUpdates, rowsTransfer } from './row-updates';
import type { RowsUpdate } from './scan-session-client';

export interface ScanPassJob {
  path: string;
  dataset?: string;
  windows: RoiWindow[];
  from: number;
  to: number;
  rowsPerBlock?: number;
  /** Send the band's finished rows as events (ScanPassRowsEvent). */
  rows?: boolean;
}

/** The event a band posts with rows of its maps that are final. */
export type ScanPassRowsEvent = { type: 'rows' } & RowsUpdate;

serveJob<ScanPassJob, ScanSummary>(
  async (job, ctx) => {
    const cube = await openCube(job.path, { dataset: job.dataset });
    const range = { from: job.from, to: job.to };
    const rows = job.rows
      ? rowUpdates(range, cube.width, (u) => {
          if (!ctx.signal.aborted) ctx.event({ type: 'rows', ...u } satisfies ScanPassRowsEvent, rowsTransfer(u));
        })
      : undefined;
    try {
      return await aggregateScan(cube, job.windows, {
        rows: range,
        rowsPerBlock: job.rowsPerBlock,
        token: tokenFromSignal(ctx.signal),
        onProgress: ctx.progress,
        onRows: rows?.onRows,
      });
    } finally {
      rows?.dispose();
      await cube.close();
    }
  },
  (s) => [s.totalCounts.buffer, ...s.roiMaps.map((m) => m.buffer), s.sumSpectrum.buffer, s.maxSpectrum.buffer] as ArrayBuffer[],
);
