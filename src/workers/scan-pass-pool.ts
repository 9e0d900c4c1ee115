/**
 * The aggregation pass split over several worker threads: each takes a band of consecutive rows,
 * opens the scan itself and streams its band; the bands' summaries are joined (mergeRowBands). Only
 * uncompressed files whose rows can be read independently qualify (RPL/RAW, NPY, stored NPZ); HDF5
 * and deflated NPZ stay on one thread.
 *
 * Since the pass sums in WebAssembly SIMD, one thread keeps up with a plain sequential read of the
 * file (bench: 1.0× on 2 cores, the read itself on libuv's thread beside the kernel). Starting band
 * workers costs ~0.2 s and competes for the same cores, so by default the pool is used only on
 * machines with 4 or more cores, for scans of 2 GB or more, where storage faster than one core's
 * kernel (~3-4 GB/s of u16) is plausible.
 */
import * as os from 'node:os';
import { existsSync } from 'node:fs';
import type { Cube } from '../core/cube/cube';
import { DTYPE_BYTES } from '../core/cube/cube';
import { StridedFileCube } from '../core/cube/strided-file';
import { mergeRowBands, type PassOptions } from '../core/maps/aggregate';
import type { RoiWindow, ScanSummary } from '../core/maps/summary';
import { CancelledError, XrfInputError } from '../core/errors';
import { runWorkerJob } from './launch';
import type { ScanPassJob, ScanPassRowsEvent } from './scan-pass.worker';
import type { RowsUpdate } from './scan-session-client';

/** Below `minBytes` of samples, starting threads costs more than it saves (tests lower it). */
export const passLimits = { minBytes: 2 * 1024 * 1024 * 1024 };

/**
 * Threads for a pass by default: one below 4 cores (one thread already matches the read there);
 * else half the cores (each band also needs a core for its reads), at most 4.
 */
export function defaultPassThreads(cores = (os as { availableParallelism?: () => number }).availableParallelism?.() ?? os.cpus().length): number {
  return cores < 4 ? 1 : Math.min(4, Math.floor(cores / 2));
}

/** How many threads to use for `cube` (1 = the caller sums it in its own thread). */
export function passThreadsFor(cube: Cube, wanted: number): number {
  if (wanted <= 1 || !(cube instanceof StridedFileCube) || !cube.fileBacked) return 1;
  const bytes = cube.height * cube.width * cube.channels * DTYPE_BYTES[cube.dtype];
  if (bytes < passLimits.minBytes) return 1;
  return Math.max(1, Math.min(wanted, cube.height));
}

/** An error from a band's worker, as the class it was thrown as (XrfInputError keeps file and problem). */
function reviveError(e: unknown): unknown {
  if (!(e instanceof Error) || e.name !== 'XrfInputError') return e;
  // The message is "<file>: <problem>"; the file is the longest prefix that exists on disk.
  let best: XrfInputError | undefined;
  for (let i = e.message.indexOf(': '); i > 0; i = e.message.indexOf(': ', i + 1)) {
    const file = e.message.slice(0, i);
    if (existsSync(file)) best = new XrfInputError(file, e.message.slice(i + 2));
  }
  return best ?? e;
}

export interface ParallelPassOptions extends Omit<PassOptions, 'onRows' | 'rows'> {
  signal?: AbortSignal;
  /**
   * Rows of the maps as the bands finish them (absolute row numbers, arrays of those rows only, the
   * caller's to keep): each band's first block at once, then at most one update per ~250 ms per band,
   * so updates from different bands interleave. None after a failure or cancel, or after the pass returns.
   */
  onRows?: (u: RowsUpdate) => void;
}

export async function parallelAggregate(
  cube: Cube,
  windows: readonly RoiWindow[],
  threads: number,
  opts: ParallelPassOptions,
): Promise<ScanSummary> {
  const H = cube.height;
  const n = Math.max(1, Math.min(threads, H));
  const bounds = Array.from({ length: n + 1 }, (_, i) => Math.round((i * H) / n));
  // One failure (bad data, cancel) stops every band.
  const ac = new AbortController();
  const onOuterAbort = () => ac.abort();
  if (opts.signal?.aborted) throw new CancelledError();
  opts.signal?.addEventListener('abort', onOuterAbort, { once: true });
  const done = new Array<number>(n).fill(0);
  // Rows still in flight from a band when another failed, or the caller cancelled, are dropped.
  let forwarding = opts.onRows !== undefined;
  const onEvent = (e: unknown) => {
    const ev = e as ScanPassRowsEvent;
    if (!forwarding || ac.signal.aborted || ev?.type !== 'rows') return;
    opts.onRows!({ from: ev.from, to: ev.to, totalCounts: ev.totalCounts, roiMaps: ev.roiMaps });
  };
  const report = () => {
    const rows = done.reduce((a, b) => a + b, 0);
    opts.onProgress?.({ done: rows, total: H, message: `rows ${rows} of ${H} (${n} threads)` });
  };
  try {
    const jobs = bounds.slice(0, n).map((from, i) =>
      runWorkerJob<ScanPassJob, ScanSummary>(
        'scan-pass',
        { path: cube.path, dataset: cube.datasetPath, windows: windows.map((w) => ({ ...w })), from, to: bounds[i + 1], rowsPerBlock: opts.rowsPerBlock, rows: forwarding },
        {
          signal: ac.signal,
          onEvent,
          onProgress: (p) => {
            done[i] = p.done;
            report();
          },
        },
      ).catch((e: unknown) => {
        ac.abort();
        throw reviveError(e);
      }),
    );
    const results = await Promise.allSettled(jobs);
    const failed = results.find((r): r is PromiseRejectedResult => r.status === 'rejected');
    if (failed) {
      // Prefer the error that caused the stop over the cancellations it caused.
      const cause = results.find((r): r is PromiseRejectedResult => r.status === 'rejected' && !(r.reason instanceof CancelledError));
      throw (cause ?? failed).reason;
    }
    return mergeRowBands(results.map((r) => (r as PromiseFulfilledResult<ScanSummary>).value));
  } finally {
    forwarding = false;
    opts.signal?.removeEventListener('abort', onOuterAbort);
  }
}
