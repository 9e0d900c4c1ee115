/**
 * The worker behind one ScanSession: holds the cube open and answers requests (see the protocol in
 * scan-session-client.ts). Every request runs as its own async task, so a pixel read is answered
 * between two row blocks of a running pass instead of waiting for the pass to end; a pass stops
 * within one row block of its cancel message. Failures are replies, never crashes. Large
 * uncompressed scans are summed in row bands by helper threads (scan-pass-pool.ts) while this
 * thread stays free for pixel reads.
 */
import { parentPort } from 'node:worker_threads';
import { promises as fs } from 'node:fs';
import type { Calibration, Cube, ResolvedCalibration } from '../core/cube/cube';
import type { ScanSummary } from '../core/maps/summary';
import type { RowsUpdate, ScanInfo, SessionReply, SessionRequest } from './scan-session-client';
import { openCube } from '../core/cube/open';
import { Hdf5Cube } from '../core/cube/hdf5';
import { resolveCalibration, writeCalibrationSidecar } from '../core/cube/calibration';
import { aggregateScan, windowMap } from '../core/maps/aggregate';
import { windowsForLines, userWindow } from '../core/maps/windows';
import { loadCachedSummary, storeCachedSummary, summaryCacheKey } from '../core/maps/cache';
import { tokenFromSignal } from '../core/util/progress';
import { defaultPassThreads, parallelAggregate, passLimits, passThreadsFor } from './scan-pass-pool';
import { rowUpdates, rowsTransfer } from './row-updates';
import { XrfInputError } from '../core/errors';
import { describeStoredOrder } from '../core/cube/hdf5-axes';

const port = parentPort;
if (!port) throw new Error('scan-session.worker must run in a worker thread');

let cube: Cube | undefined;
let calibration: ResolvedCalibration | undefined;
let fallback: Calibration | undefined;
let cacheDir: string | undefined;
let rowsPerBlock: number | undefined;
let passThreads = 1;
const running = new Map<number, AbortController>();

function post(m: SessionReply, transfer?: ArrayBuffer[]): void {
  port!.postMessage(m, transfer);
}

function progressSender(id: number) {
  let last = 0;
  return (p: { done: number; total: number; message?: string }) => {
    // ~20 messages a second at most; the final one always goes.
    const now = Date.now();
    if (p.done < p.total && now - last < 50) return;
    last = now;
    post({ id, type: 'progress', progress: p });
  };
}

function requireCube(): Cube {
  if (!cube) throw new Error('no scan is open in this session');
  return cube;
}

function summaryTransfer(s: ScanSummary): ArrayBuffer[] {
  const bufs = [s.totalCounts.buffer, ...s.roiMaps.map((m) => m.buffer), s.sumSpectrum.buffer, s.maxSpectrum.buffer] as ArrayBuffer[];
  return [...new Set(bufs)];
}

async function handle(m: SessionRequest): Promise<{ result: unknown; transfer?: ArrayBuffer[] }> {
  switch (m.type) {
    case 'open': {
      if (cube) throw new Error('this session already has a scan open');
      fallback = m.calibration;
      cacheDir = m.cacheDir;
      rowsPerBlock = m.rowsPerBlock;
      passThreads = m.passThreads ?? defaultPassThreads();
      // This thread serves one session only, so the test override stays within it.
      if (m.passMinBytes !== undefined) passLimits.minBytes = m.passMinBytes;
      // The spill folder is made on demand; if that fails the cube simply does not spill.
      if (m.spillDir) await fs.mkdir(m.spillDir, { recursive: true }).catch(() => undefined);
      const c = await openCube(m.path, { dataset: m.dataset, spillDir: m.spillDir });
      try {
        calibration = await resolveCalibration(c, fallback);
      } catch (e) {
        await c.close();
        throw e;
      }
      cube = c;
      const info: ScanInfo = {
        path: c.path,
        format: c.format,
        height: c.height,
        width: c.width,
        channels: c.channels,
        dtype: c.dtype,
        calibration,
        datasetPath: c.datasetPath,
        datasets: c instanceof Hdf5Cube ? c.candidates : undefined,
        storedOrder: c instanceof Hdf5Cube ? { order: describeStoredOrder(c.channelAxis), from: c.axesFrom } : undefined,
      };
      return { result: info };
    }
    case 'summary': {
      const c = requireCube();
      const cal = calibration!;
      const windows = windowsForLines(m.lines, cal, c.channels);
      const key = cacheDir ? await summaryCacheKey(c, windows, cal) : undefined;
      if (key && cacheDir) {
        const hit = await loadCachedSummary(cacheDir, key);
        if (hit) {
          post({ id: m.id, type: 'progress', progress: { done: c.height, total: c.height, message: 'from cache' } });
          return { result: hit, transfer: summaryTransfer(hit) };
        }
      }
      const ac = new AbortController();
      running.set(m.id, ac);
      try {
        const threads = passThreadsFor(c, passThreads);
        const onProgress = progressSender(m.id);
        // Rows as they are finished, for a viewer; none once the pass is cancelled.
        const sendRows = (u: RowsUpdate) => {
          if (!ac.signal.aborted) post({ id: m.id, type: 'rows', ...u }, rowsTransfer(u));
        };
        let s: ScanSummary;
        if (threads > 1) {
          // The band workers coalesce their own rows (per band): forward them as they come.
          s = await parallelAggregate(c, windows, threads, { signal: ac.signal, onProgress, rowsPerBlock, onRows: m.rows ? sendRows : undefined });
        } else {
          const rows = m.rows ? rowUpdates({ from: 0, to: c.height }, c.width, sendRows) : undefined;
          try {
            s = await aggregateScan(c, windows, { token: tokenFromSignal(ac.signal), onProgress, rowsPerBlock, onRows: rows?.onRows });
          } finally {
            rows?.dispose(); // before the result takes the arrays: nothing is sent after it
          }
        }
        if (key && cacheDir) {
          // A cache that cannot be written (full disk, read-only folder) must not cost the user the maps.
          await storeCachedSummary(cacheDir, key, s).catch(() => undefined);
        }
        return { result: s, transfer: summaryTransfer(s) };
      } finally {
        running.delete(m.id);
      }
    }
    case 'pixel': {
      const px = await requireCube().readPixel(m.row, m.col);
      return { result: px, transfer: [px.buffer as ArrayBuffer] };
    }
    case 'windowMap': {
      const c = requireCube();
      const w = userWindow(m.loChannel, m.hiChannel, c.channels);
      const ac = new AbortController();
      running.set(m.id, ac);
      try {
        const map = await windowMap(c, w.loChannel, w.hiChannel, { token: tokenFromSignal(ac.signal), onProgress: progressSender(m.id), rowsPerBlock });
        return { result: map, transfer: [map.buffer as ArrayBuffer] };
      } finally {
        running.delete(m.id);
      }
    }
    case 'setCalibration': {
      const c = requireCube();
      await writeCalibrationSidecar(c.path, m.calibration);
      calibration = await resolveCalibration(c, fallback);
      return { result: calibration };
    }
    case 'memory': {
      const m = process.memoryUsage(); // in a worker: this thread's heap, the process's RSS
      return { result: { heapUsed: m.heapUsed, heapTotal: m.heapTotal, external: m.external, arrayBuffers: m.arrayBuffers, rss: m.rss, maxRss: process.resourceUsage().maxRSS * 1024 } };
    }
    case 'cancel': {
      running.get(m.target)?.abort();
      return { result: undefined };
    }
    case 'close': {
      for (const ac of running.values()) ac.abort();
      const c = cube;
      cube = undefined;
      await c?.close();
      return { result: undefined };
    }
  }
}

port.on('message', (m: SessionRequest) => {
  handle(m).then(
    ({ result, transfer }) => {
      if (m.type !== 'cancel') post({ id: m.id, type: 'result', result }, transfer);
    },
    (e: unknown) => {
      const err = e instanceof Error ? e : new Error(String(e));
      const input = err instanceof XrfInputError ? { file: err.file, problem: err.problem } : {};
      post({ id: m.id, type: 'error', name: err.name, message: err.message, stack: err.stack, ...input });
    },
  );
});
