/**
 * The host's handle on one open scan. Each ScanSession owns one long-lived worker thread
 * (scan-session.worker.ts) that holds the cube open and does every read, so the extension host and
 * the CLI never block on the disk. Requests and replies carry ids; binary results come back as
 * transferred ArrayBuffers (no copy, no JSON); errors come back as replies and are rethrown here as
 * XrfInputError / CancelledError / Error. Pixel reads are answered while a pass is running.
 */
import { Worker } from 'node:worker_threads';
import type { Calibration, CubeFormat, DType, ResolvedCalibration } from '../core/cube/cube';
import type { ScanSummary } from '../core/maps/summary';
import type { Progress } from '../core/util/progress';
import { CancelledError, XrfInputError } from '../core/errors';
import { workerEntry } from './launch';

export interface ScanInfo {
  path: string;
  format: CubeFormat;
  height: number;
  width: number;
  channels: number;
  dtype: DType;
  calibration: ResolvedCalibration;
  datasetPath?: string;
  /** HDF5: every 3-D numeric dataset, the default first. */
  datasets?: string[];
  /** HDF5: the stored axis order ("channels × rows × columns") and what decided it ("NXdata axes", "shape", "user" …). */
  storedOrder?: { order: string; from: string };
}

export interface SessionOpenOptions {
  /** HDF5: the dataset to open instead of the default. */
  dataset?: string;
  /** Settings fallback when neither the file nor a sidecar has a calibration. */
  calibration?: Calibration;
  /** Where summaries are cached; no caching when absent. */
  cacheDir?: string;
  /** Folder for the private spill file of a large compressed .npz (default: the OS temp folder, unless it is in RAM). */
  spillDir?: string;
  /** Rows per block of a pass (default: about 16 MB of samples); for tests and benchmarks. */
  rowsPerBlock?: number;
  /**
   * Threads for the summary pass over large uncompressed scans (default: the cores, at most 4);
   * 1 sums in the session's own worker. Scans under 256 MB always use one.
   */
  passThreads?: number;
  /** For tests: the least bytes of samples a scan needs to be summed by several threads (default 2 GB). */
  passMinBytes?: number;
}

/** The worker's memory, for benchmarks: its own V8 heap, and the process's RSS (shared by all threads). */
export interface WorkerMemory {
  heapUsed: number;
  heapTotal: number;
  external: number;
  arrayBuffers: number;
  rss: number;
  /** Peak RSS of the whole process so far, bytes. */
  maxRss: number;
}

/** Rows [from, to) of the maps of a pass still running: W values per row, per map. */
export interface RowsUpdate {
  from: number;
  to: number;
  totalCounts: Float32Array;
  /** In the order of the summary's lines (as ScanSummary.roiMaps). */
  roiMaps: Float32Array[];
}

export interface PassRequestOptions {
  onProgress?: (p: Progress) => void;
  signal?: AbortSignal;
  /**
   * summary(): the maps' rows as the pass finishes them, so a viewer can show them filling in: the first
   * block at once, then at most one update per ~250 ms (per band of a parallel pass, so not always in
   * row order), every row in at most one update. Never for a cache hit, never after the promise settles
   * or the signal aborts.
   */
  onRows?: (u: RowsUpdate) => void;
}

// ---- the wire protocol (shared with the worker) ----

export type SessionRequest =
  | { id: number; type: 'open'; path: string; dataset?: string; calibration?: Calibration; cacheDir?: string; spillDir?: string; rowsPerBlock?: number; passThreads?: number; passMinBytes?: number }
  /** `rows`: the caller wants 'rows' replies while the pass runs. */
  | { id: number; type: 'summary'; lines: string[]; rows?: boolean }
  | { id: number; type: 'pixel'; row: number; col: number }
  | { id: number; type: 'windowMap'; loChannel: number; hiChannel: number }
  | { id: number; type: 'setCalibration'; calibration: Calibration }
  | { id: number; type: 'cancel'; target: number }
  | { id: number; type: 'memory' }
  | { id: number; type: 'close' };

export type SessionReply =
  | { id: number; type: 'progress'; progress: Progress }
  | ({ id: number; type: 'rows' } & RowsUpdate)
  | { id: number; type: 'result'; result: unknown }
  | { id: number; type: 'error'; name: string; message: string; file?: string; problem?: string; stack?: string };

/** The summary as it crosses the thread boundary: the same object, its arrays' buffers transferred. */
export type WireSummary = ScanSummary;

interface Pending {
  resolve(v: unknown): void;
  reject(e: unknown): void;
  onProgress?: (p: Progress) => void;
  onRows?: (u: RowsUpdate) => void;
  cleanup(): void;
}

function errorFromReply(m: Extract<SessionReply, { type: 'error' }>): Error {
  if (m.name === 'XrfInputError' && m.file !== undefined && m.problem !== undefined) return new XrfInputError(m.file, m.problem);
  if (m.name === 'CancelledError') return new CancelledError(m.message);
  // Programming errors keep their class (RangeError for a pixel outside the scan, TypeError, …).
  const Ctor = ({ RangeError, TypeError } as Record<string, ErrorConstructor>)[m.name] ?? Error;
  const e = new Ctor(m.message);
  e.name = m.name;
  if (m.stack) e.stack = m.stack;
  return e;
}

export class ScanSession {
  private nextId = 1;
  private readonly pending = new Map<number, Pending>();
  private dead: Error | undefined;
  private closing: Promise<void> | undefined;
  private scanInfo: ScanInfo | undefined;

  private constructor(private readonly worker: Worker) {
    worker.on('message', (m: SessionReply) => this.onReply(m));
    worker.on('error', (e) => this.fail(e instanceof Error ? e : new Error(String(e))));
    worker.on('exit', (code) => this.fail(new Error(`scan worker exited (code ${code})`)));
    worker.unref(); // only outstanding requests keep the process alive (see request())
  }

  /** What was opened; `calibration` follows setCalibration. */
  get info(): ScanInfo {
    if (!this.scanInfo) throw new Error('scan session is not open');
    return this.scanInfo;
  }

  /** Open `path` in a new worker thread; rejects (and ends the worker) when the scan cannot be opened. */
  static async open(path: string, opts: SessionOpenOptions = {}): Promise<ScanSession> {
    const { file, execArgv } = workerEntry('scan-session');
    const session = new ScanSession(new Worker(file, { execArgv }));
    try {
      const { dataset, calibration, cacheDir, spillDir, rowsPerBlock, passThreads, passMinBytes } = opts;
      session.scanInfo = (await session.request({ type: 'open', path, dataset, calibration, cacheDir, spillDir, rowsPerBlock, passThreads, passMinBytes })) as ScanInfo;
      return session;
    } catch (e) {
      await session.worker.terminate();
      throw e;
    }
  }

  /** Total counts, sum/max spectra and the ROI map of each line, in one pass (or from the cache). */
  summary(lines: string[], opts: PassRequestOptions = {}): Promise<ScanSummary> {
    return this.request({ type: 'summary', lines: [...lines], rows: opts.onRows !== undefined }, opts) as Promise<ScanSummary>;
  }

  /** One pixel's spectrum (length = channels). */
  pixel(row: number, col: number): Promise<Float32Array> {
    return this.request({ type: 'pixel', row, col }) as Promise<Float32Array>;
  }

  /** The map of channels [loChannel, hiChannel) (clamped to the cube), H·W row-major. */
  windowMap(loChannel: number, hiChannel: number, opts: PassRequestOptions = {}): Promise<Float32Array> {
    return this.request({ type: 'windowMap', loChannel, hiChannel }, opts) as Promise<Float32Array>;
  }

  /** Store `cal` in the scan's sidecar JSON (never in the scan) and return the calibration now in force. */
  async setCalibration(cal: Calibration): Promise<ResolvedCalibration> {
    const resolved = (await this.request({ type: 'setCalibration', calibration: { offsetKeV: cal.offsetKeV, gainKeV: cal.gainKeV } })) as ResolvedCalibration;
    this.info.calibration = resolved;
    return resolved;
  }

  /** Memory figures from inside the worker (answered between row blocks during a pass). */
  memory(): Promise<WorkerMemory> {
    return this.request({ type: 'memory' }) as Promise<WorkerMemory>;
  }

  /** Close the scan and end the worker. Outstanding requests reject. Safe to call twice. */
  close(): Promise<void> {
    this.closing ??= (async () => {
      if (!this.dead) {
        const bye = this.request({ type: 'close' }).catch(() => undefined);
        await Promise.race([bye, new Promise((r) => setTimeout(r, 2000).unref())]);
      }
      this.fail(new Error('scan session closed'));
      await this.worker.terminate();
    })();
    return this.closing;
  }

  private request(msg: DistributiveOmit<SessionRequest, 'id'>, opts: PassRequestOptions = {}): Promise<unknown> {
    if (this.dead) return Promise.reject(this.dead);
    const id = this.nextId++;
    return new Promise((resolve, reject) => {
      const onAbort = () => {
        // Rows already on their way are dropped from now on: the caller has let go of this pass.
        const p = this.pending.get(id);
        if (p) p.onRows = undefined;
        this.worker.postMessage({ id: this.nextId++, type: 'cancel', target: id } satisfies SessionRequest);
      };
      if (opts.signal?.aborted) {
        reject(new CancelledError());
        return;
      }
      opts.signal?.addEventListener('abort', onAbort, { once: true });
      if (this.pending.size === 0) this.worker.ref();
      this.pending.set(id, {
        resolve,
        reject,
        onProgress: opts.onProgress,
        onRows: opts.onRows,
        cleanup: () => {
          opts.signal?.removeEventListener('abort', onAbort);
          this.pending.delete(id);
          if (this.pending.size === 0) this.worker.unref();
        },
      });
      this.worker.postMessage({ ...msg, id } as SessionRequest);
    });
  }

  private onReply(m: SessionReply): void {
    const p = this.pending.get(m.id);
    if (!p) return;
    if (m.type === 'progress') {
      p.onProgress?.(m.progress);
      return;
    }
    if (m.type === 'rows') {
      p.onRows?.({ from: m.from, to: m.to, totalCounts: m.totalCounts, roiMaps: m.roiMaps });
      return;
    }
    p.cleanup();
    if (m.type === 'result') p.resolve(m.result);
    else p.reject(errorFromReply(m));
  }

  private fail(e: Error): void {
    if (!this.dead) this.dead = e;
    for (const p of [...this.pending.values()]) {
      p.cleanup();
      p.reject(e);
    }
  }
}

type DistributiveOmit<T, K extends keyof T> = T extends unknown ? Omit<T, K> : never;
