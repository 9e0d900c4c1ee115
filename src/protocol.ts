/**
 * Messages between the extension host and its webviews, and the one helper both sides use to send them.
 *
 * Imported by the host bundle and the webview bundle, so it imports neither `vscode` nor the DOM.
 * Every message is a plain object with a string `kind` and `type`, readable in the webview devtools:
 *   { kind: 'ready' }                                          webview → host, once its script runs
 *   { kind: 'event',    type: 'progress', data }              either way, no answer
 *   { kind: 'request',  type: 'pixel', id: 7, data }          either way, answered once:
 *   { kind: 'response', type: 'pixel', id: 7, data }          … with a result,
 *   { kind: 'response', type: 'pixel', id: 7, error: {…} }    … or with an error.
 * Binary payloads (maps, spectra) travel as typed arrays inside `data`: VS Code's postMessage moves
 * ArrayBuffers and typed arrays as binary, never as JSON arrays of numbers.
 */
import type { Progress } from './core/util/progress';
import type { CalibrationSource } from './core/cube/cube';

// ───────────────────────────── the generic helper ─────────────────────────────

/** What one side serves (requests it answers) and emits (events it sends). */
export interface Side {
  serves: Record<string, { params: unknown; result: unknown }>;
  emits: Record<string, unknown>;
}

export type Envelope =
  | { kind: 'ready' }
  | { kind: 'event'; type: string; data: unknown }
  | { kind: 'request'; type: string; id: number; data: unknown }
  | { kind: 'response'; type: string; id: number; data?: unknown; error?: { name: string; message: string } };

/** The transport under an endpoint: a webview (host side), acquireVsCodeApi (webview side), or a fake in tests. */
export interface MessagePortLike {
  post(message: Envelope): void | Thenable<boolean> | Promise<unknown>;
  /** Subscribe to incoming messages; returns the unsubscribe function. */
  listen(handler: (message: unknown) => void): () => void;
}
interface Thenable<T> {
  then<R>(onfulfilled?: (value: T) => R | PromiseLike<R>, onrejected?: (reason: unknown) => R | PromiseLike<R>): PromiseLike<R>;
}

/** A request that got no answer within its time limit. */
export class RequestTimeoutError extends Error {
  constructor(type: string, ms: number) {
    super(`no answer to "${type}" within ${ms} ms`);
    this.name = 'RequestTimeoutError';
  }
}

export interface EndpointOptions {
  /** Default time limit for requests (ms). Long jobs (a window map of a 20 GB scan) pass their own. */
  timeoutMs?: number;
  /**
   * Hold outgoing messages until the peer says `ready` or sends anything (the host side: a webview
   * drops whatever is posted before its script has run). The webview side calls `ready()` instead.
   */
  waitForReady?: boolean;
}

type Handler = (params: unknown) => unknown;

/**
 * One end of a host↔webview conversation. `Me` is what this end serves and emits; `Peer` is the other.
 * Requests carry ids, time out, and are answered with a result or an error; events are fire-and-forget.
 */
export class Endpoint<Me extends Side, Peer extends Side> {
  private nextId = 1;
  private readonly pending = new Map<number, { resolve(v: unknown): void; reject(e: Error): void; timer: ReturnType<typeof setTimeout> }>();
  private readonly handlers = new Map<string, Handler>();
  private readonly listeners = new Map<string, Set<(data: unknown) => void>>();
  private readonly readyListeners = new Set<() => void>();
  private readonly queue: Envelope[] = [];
  private peerReady: boolean;
  private readonly unlisten: () => void;
  private disposed = false;

  constructor(
    private readonly port: MessagePortLike,
    private readonly options: EndpointOptions = {},
  ) {
    this.peerReady = !options.waitForReady;
    this.unlisten = port.listen((m) => this.receive(m));
  }

  /** Webview side: tell the host this end is listening (the host then sends its `init`). */
  ready(): void {
    this.send({ kind: 'ready' }, true);
  }

  /**
   * Host side: called each time the webview (re)loads and says ready. The listener must send the
   * whole current state: events emitted before the first `ready` are then dropped, not replayed.
   */
  onReady(fn: () => void): () => void {
    this.readyListeners.add(fn);
    return () => this.readyListeners.delete(fn);
  }

  handle<K extends keyof Me['serves'] & string>(
    type: K,
    fn: (params: Me['serves'][K]['params']) => Me['serves'][K]['result'] | Promise<Me['serves'][K]['result']>,
  ): void {
    this.handlers.set(type, fn as Handler);
  }

  on<K extends keyof Peer['emits'] & string>(type: K, fn: (data: Peer['emits'][K]) => void): () => void {
    let set = this.listeners.get(type);
    if (!set) this.listeners.set(type, (set = new Set()));
    set.add(fn as (d: unknown) => void);
    return () => set.delete(fn as (d: unknown) => void);
  }

  emit<K extends keyof Me['emits'] & string>(type: K, data: Me['emits'][K]): void {
    this.send({ kind: 'event', type, data });
  }

  /**
   * Emit, and resolve once the transport has taken the message (VS Code's postMessage promise:
   * "posted to the webview, or dropped"). A sender of many large events awaits each one so the
   * extension host never has them all serialised and in flight at once. Resolves false when the
   * event was not posted now (this end is disposed, or the peer is not ready yet and the event is
   * held, to be dropped in favour of the `onReady` re-send).
   */
  async emitAndWait<K extends keyof Me['emits'] & string>(type: K, data: Me['emits'][K]): Promise<boolean> {
    const m: Envelope = { kind: 'event', type, data };
    if (this.disposed) return false;
    if (!this.peerReady) {
      this.queue.push(m);
      return false;
    }
    try {
      return (await this.port.post(m)) !== false;
    } catch {
      return false;
    }
  }

  request<K extends keyof Peer['serves'] & string>(
    type: K,
    params: Peer['serves'][K]['params'],
    opts: { timeoutMs?: number } = {},
  ): Promise<Peer['serves'][K]['result']> {
    if (this.disposed) return Promise.reject(new Error(`"${type}": the view is closed`));
    const id = this.nextId++;
    const ms = opts.timeoutMs ?? this.options.timeoutMs ?? 30_000;
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => {
        this.pending.delete(id);
        reject(new RequestTimeoutError(type, ms));
      }, ms);
      this.pending.set(id, { resolve: resolve as (v: unknown) => void, reject, timer });
      this.send({ kind: 'request', type, id, data: params });
    });
  }

  /** Stop listening and fail every open request (the panel was closed). */
  dispose(): void {
    if (this.disposed) return;
    this.disposed = true;
    this.unlisten();
    for (const [, p] of this.pending) {
      clearTimeout(p.timer);
      p.reject(new Error('the view was closed'));
    }
    this.pending.clear();
    this.queue.length = 0;
  }

  private send(m: Envelope, bypassQueue = false): void {
    if (this.disposed) return;
    if (!this.peerReady && !bypassQueue) {
      this.queue.push(m);
      return;
    }
    void Promise.resolve(this.port.post(m)).catch(() => undefined);
  }

  private receive(raw: unknown): void {
    if (this.disposed || typeof raw !== 'object' || raw === null) return;
    const m = raw as Envelope;
    if (!['ready', 'event', 'request', 'response'].includes(m.kind)) return;
    // Any message from the peer proves its script is listening: release what was held for it. When
    // `onReady` listeners exist they re-send the whole current state, so held events are dropped
    // rather than delivered twice (maps are megabytes); held requests and responses still go out.
    if (!this.peerReady) {
      this.peerReady = true;
      const held = this.queue.splice(0);
      const resent = m.kind === 'ready' && this.readyListeners.size > 0;
      for (const q of held) if (!(resent && q.kind === 'event')) this.send(q);
    }
    switch (m.kind) {
      case 'ready': {
        for (const fn of [...this.readyListeners]) fn();
        return;
      }
      case 'event': {
        for (const fn of [...(this.listeners.get(m.type) ?? [])]) fn(m.data);
        return;
      }
      case 'response': {
        const p = this.pending.get(m.id);
        if (!p) return; // timed out already, or not ours
        this.pending.delete(m.id);
        clearTimeout(p.timer);
        if (m.error) {
          const e = new Error(m.error.message);
          e.name = m.error.name;
          p.reject(e);
        } else p.resolve(m.data);
        return;
      }
      case 'request': {
        void this.answer(m);
        return;
      }
    }
  }

  private async answer(m: { type: string; id: number; data: unknown }): Promise<void> {
    const fn = this.handlers.get(m.type);
    try {
      if (!fn) throw new Error(`no handler for "${m.type}"`);
      const data = await fn(m.data);
      this.send({ kind: 'response', type: m.type, id: m.id, data });
    } catch (e) {
      const err = e instanceof Error ? e : new Error(String(e));
      this.send({ kind: 'response', type: m.type, id: m.id, error: { name: err.name, message: err.message } });
    }
  }
}

// ───────────────────────────── shared shapes ─────────────────────────────

export type ColormapName = 'viridis' | 'inferno' | 'gray';
export type Scaling = 'linear' | 'sqrt' | 'log';

/** How a map is displayed; also what "export as PNG (as displayed)" renders. */
export interface DisplaySettings {
  colormap: ColormapName;
  scaling: Scaling;
  /** Percentile contrast limits, in percent (0.5 and 99.5 by default). */
  lowPercentile: number;
  highPercentile: number;
}

/** What the error view shows. `kind` tells a bad input (the user can act) from a bug. */
export interface ErrorViewData {
  kind: 'input' | 'internal';
  title: string;
  /** The file the problem is about (absolute path). */
  file: string;
  /** One sentence: what is wrong with it. */
  problem: string;
  /** Optional extra (error name, hint to the log). */
  detail?: string;
}

// ───────────────────────────── the scan editor ─────────────────────────────

export interface ScanInfoData {
  file: string;
  fileName: string;
  format: string;
  height: number;
  width: number;
  channels: number;
  dtype: string;
  calibration: { offsetKeV: number; gainKeV: number; source: CalibrationSource };
  datasetPath?: string;
  /** HDF5 files with several candidate cubes: their paths, for the dataset chooser. */
  datasets?: string[];
  /**
   * HDF5: how the dataset stores its axes ("channels × rows × columns") and what decided it
   * ("NXdata axes", "shape", "default", "user" …): a wrong guess shows as garbled maps, and this says
   * where to look (docs/scans.md: the sidecar's "channelAxis" overrides).
   */
  storedOrder?: { order: string; from: string };
}

export type MapKind = 'total' | 'line' | 'window';

/** What the grid needs to lay out one map before its values arrive. */
export interface MapMeta {
  id: string;
  label: string;
  kind: MapKind;
  loChannel?: number;
  hiChannel?: number;
}

/** One map of the grid. `data` is H·W row-major float32. */
export interface MapData extends MapMeta {
  data: Float32Array;
}

/** The view's display choices for one file, remembered across closing and reopening it. */
export interface ScanViewState {
  display: DisplaySettings;
  /** Id of the enlarged map (`total`, `line:Fe K`, `window:620-661`); absent for the grid. */
  selectedMap?: string;
}

export interface SpectraData {
  sumSpectrum: Float64Array;
  maxSpectrum: Float32Array;
  pixelCount: number;
}

export interface ScanInitData {
  /** The display remembered for this file, else the settings' defaults. */
  display: DisplaySettings;
  /** The map the user had enlarged in this file, if any (restored once the map is listed). */
  selectedMap?: string;
  lines: string[];
  /** Restricted Mode: viewing only (the view says what is off and why). */
  trusted: boolean;
}

export type ExportFormat = 'png' | 'tiff' | 'npy' | 'csv';

/** Host side of the scan editor. */
export interface ScanHostSide extends Side {
  serves: {
    pixel: { params: { row: number; col: number }; result: { row: number; col: number; spectrum: Float32Array } };
    windowMap: { params: { loChannel: number; hiChannel: number }; result: MapData };
    setCalibration: { params: { offsetKeV: number; gainKeV: number }; result: { ok: true } };
    exportMap: {
      params: { mapId: string; format: ExportFormat; display: DisplaySettings; lo: number; hi: number };
      result: { path?: string };
    };
    chooseDataset: { params: { datasetPath: string }; result: { ok: true } };
    reopen: { params: Record<string, never>; result: { ok: true } };
    /** Reveal the "XRF Maps" output channel (from the error view). */
    showLog: { params: Record<string, never>; result: { ok: true } };
  };
  emits: {
    init: ScanInitData;
    /** A new file is being opened (state → loading). */
    opening: { file: string; fileName: string };
    info: ScanInfoData;
    progress: Progress & { label: string };
    /**
     * The pass finished: the spectra and the list of maps, without their values (the grid lays out
     * placeholders at once). `pass` names this delivery: the `map` events that follow carry it.
     */
    summary: { pass: number; spectra: SpectraData; maps: MapMeta[] };
    /**
     * One map's values, one event per map in the summary's order (total counts, lines, windows).
     * A view drops a `map` whose `pass` is not that of the last summary it got: it belongs to a
     * superseded pass (or an earlier delivery) and must never be shown under the current list.
     */
    map: { pass: number; map: MapData };
    /**
     * The first rows of a pass still running have arrived: the list of maps (total counts, then the
     * lines, in the summary's order; the user's energy-window maps are left out until the final
     * delivery), without values and without spectra. The view lays out the grid and fills it from
     * the `mapRows` that follow. `pass` counts deliveries with `summary`'s counter: a later preview or
     * summary supersedes this one.
     */
    preview: { pass: number; maps: MapMeta[] };
    /**
     * Rows [from, to) of every map of the preview `pass`, final values (W per row, row-major), one
     * entry per listed map. A view drops it unless `pass` is its current delivery, and answers each
     * with `rowsShown`: the host keeps at most one unacknowledged and coalesces the rows that arrive
     * meanwhile. Rows come in any order (a parallel pass fills several bands at once), each once per
     * delivery. The pass's end brings the usual `summary` + `map` events, which replace the preview.
     */
    mapRows: { pass: number; from: number; to: number; maps: { id: string; data: Float32Array }[] };
    error: ErrorViewData;
    /** A user-visible note (e.g. "exported to …", "Restricted Mode: …"). */
    notice: { level: 'info' | 'warning' | 'error'; message: string };
  };
}

/** Webview side of the scan editor. */
export interface ScanWebviewSide extends Side {
  serves: {
    /** How a map is displayed right now (the "Export Map…" command exports PNGs as displayed). */
    displayOf: { params: { mapId: string }; result: { display: DisplaySettings; lo: number; hi: number } };
  };
  emits: {
    /** The user changed the display or enlarged / left a map: the host remembers it for this file. */
    viewState: ScanViewState;
    /** A `map` event was taken in and drawn (or dropped): the host sends the next ones at this pace. */
    mapShown: { pass: number; id: string };
    /** A `mapRows` was taken in and drawn (or dropped): the host sends the next rows at this pace. */
    rowsShown: { pass: number };
  };
}
