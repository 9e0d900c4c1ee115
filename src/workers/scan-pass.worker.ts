/**
 * One band of rows of a parallel aggregation pass (see scan-pass-pool.ts): opens the scan itself,
 * read-only, and returns the band's summary with its arrays transferred.
 */
import { serveJob } from './worker-side';
import { openCube } from '../core/cube/open';
import { aggregateScan } from '../core/maps/aggregate';
import { tokenFromSignal } from '../core/util/progress';
import type { RoiWindow, ScanSummary } from '../core/maps/summary';

export interface ScanPassJob {
  path: string;
  dataset?: string;
  windows: RoiWindow[];
  from: number;
  to: number;
  rowsPerBlock?: number;
}

serveJob<ScanPassJob, ScanSummary>(
  async (job, ctx) => {
    const cube = await openCube(job.path, { dataset: job.dataset });
    try {
      return await aggregateScan(cube, job.windows, {
        rows: { from: job.from, to: job.to },
        rowsPerBlock: job.rowsPerBlock,
        token: tokenFromSignal(ctx.signal),
        onProgress: ctx.progress,
      });
    } finally {
      await cube.close();
    }
  },
  (s) => [s.totalCounts.buffer, ...s.roiMaps.map((m) => m.buffer), s.sumSpectrum.buffer, s.maxSpectrum.buffer] as ArrayBuffer[],
);
