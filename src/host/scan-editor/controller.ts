/**
 * The host half of one scan editor tab, without `vscode`: it owns the ScanSession (whose worker does
 * every read), runs the aggregation pass, answers the webview's requests and turns failures into the
 * error view. The provider (./provider.ts) wires it to a real webview, dialogs and settings; tests
 * wire it to a fake port and a fake session.
 *
 * Life of a tab: webview says ready → init → open session → info → progress… (with, from the pass's
 * first rows on, a `preview` and `mapRows` as the maps fill in) → summary (the list of maps, no
 * values) → one `map` event per map, in grid order → pixel / windowMap / setCalibration / exportMap
 * requests. A webview that reloads says ready again and gets the current state re-sent.
 * When the scan's files change on disk (a watcher the provider injects) the scan is reopened; when
 * they are deleted the error view says so.
 */
import { promises as fs } from 'node:fs';
import * as path from 'node:path';
import type { Endpoint } from '../../protocol';
import type {
  DisplaySettings,
  ErrorViewData,
  ExportFormat,
  MapData,
  MapMeta,
  ScanHostSide,
  ScanInitData,
  ScanInfoData,
  ScanViewState,
  ScanWebviewSide,
  SpectraData,
} from '../../protocol';
import type { Calibration, CalibrationSource } from '../../core/cube/cube';
import { energyOfChannel } from '../../core/cube/cube';
import { sidecarPath } from '../../core/cube/calibration';
import type { ScanSummary } from '../../core/maps/summary';
import type { Progress } from '../../core/util/progress';
import { XrfInputError, isCancelled } from '../../core/errors';
import { errorToView } from '../error-view';
import { exportMapToFile, type ExportMapDeps } from '../export/export-map';
import { ChangeDebouncer, scanFiles, type ScanFiles, type WatchFiles } from './scan-watch';
import { PreviewMaps, previewMetas, type RowsUpdateLike } from './preview-rows';
import { cleanViewState } from './view-memory';

/** What the controller needs of src/workers/scan-session-client.ts's ScanSession (kept narrow for fakes). */
export interface ScanSessionLike {
  readonly info: {
    format: string;
    height: number;
    width: number;
    channels: number;
    dtype: string;
    calibration: Calibration & { source: CalibrationSource };
    datasetPath?: string;
    datasets?: readonly (string | { path: string })[];
    storedOrder?: { order: string; from: string };
  };
  /** `onRows`: rows [from, to) of the maps are final (a pass, not a cache hit; lines in `lines`' order). */
  summary(lines: string[], opts: { onProgress?: (p: Progress) => void; signal?: AbortSignal; onRows?: (u: RowsUpdateLike) => void }): Promise<ScanSummary>;
  pixel(row: number, col: number): Promise<Float32Array>;
  windowMap(loChannel: number, hiChannel: number, opts: { onProgress?: (p: Progress) => void; signal?: AbortSignal }): Promise<Float32Array>;
  setCalibration(cal: Calibration): Promise<unknown>;
  close(): Promise<void>;
}

export interface OpenOptions {
  dataset?: string;
  calibration?: Calibration;
  cacheDir?: string;
}

export interface Logger {
  info(msg: string): void;
  warn(msg: string): void;
  error(msg: string): void;
}

export interface ScanControllerDeps {
  file: string;
  endpoint: Endpoint<ScanHostSide, ScanWebviewSide>;
  openSession(file: string, opts: OpenOptions): Promise<ScanSessionLike>;
  /** Read at each (re)open, so edited settings apply to the next pass. */
  settings(): { lines: string[]; calibration?: Calibration; display: DisplaySettings };
  cacheDir?: string;
  /** Workspace trust, for what the view says; viewing and exporting work either way. */
  trusted(): boolean;
  /** A save dialog; undefined when the user cancels. */
  pickSavePath(defaultName: string, format: ExportFormat): Promise<string | undefined>;
  writeFile(target: string, parts: Uint8Array[]): Promise<void>;
  log: Logger;
  /** Reveal the log (the error view's "Show log"). */
  showLog(): void;
  /** Per-file memory of the view's display choices (workspaceState in VS Code); none: nothing is remembered. */
  viewMemory?: { get(file: string): ScanViewState | undefined; remember(file: string, state: ScanViewState): Promise<void> };
  /** Watch the scan's files (VS Code's file watcher; a fake in tests); none: changes on disk go unnoticed. */
  watchFiles?: WatchFiles;
  /** Whether a file exists (after a change settles: reopen, or say it is gone). Default: the file system. */
  fileExists?(file: string): Promise<boolean>;
  /** Quiet time after the last change before reopening (ms; default 500: scanners write files in pieces). */
  reopenDelayMs?: number;
  /** Quiet time before a display change is written to viewMemory (ms; default 400: a contrast drag sends dozens). */
  rememberDelayMs?: number;
  /** How long to wait for the view to acknowledge a map (or preview rows) before sending on regardless (ms; default 5000). */
  mapAckTimeoutMs?: number;
}

/** Maps sent to the view and not yet acknowledged (`mapShown`), at most: the view draws one while the next arrives. */
const MAPS_IN_FLIGHT = 2;

type Phase = 'opening' | 'ready' | 'error' | 'closed';

/** One sending of a preview's rows to the view (a reload starts a new one under a new delivery number). */
interface RowsSender {
  pass: number;
  /** A `mapRows` was sent and not acknowledged yet, since `sentAt`. */
  unacked: boolean;
  sentAt: number;
  /** False once the view failed to acknowledge in time: the rest goes unpaced. */
  paced: boolean;
  pumping: boolean;
  wake?: () => void;
}

/** The maps of the running pass so far (generation `gen`), and their sending to the view. */
interface Preview {
  gen: number;
  maps: PreviewMaps;
  sender: RowsSender;
}

export class ScanEditorController {
  private session: ScanSessionLike | undefined;
  private phase: Phase = 'opening';
  private rememberTimer: ReturnType<typeof setTimeout> | undefined;
  /** The delivery in progress: which of its maps the view has acknowledged, and who waits for the next. */
  private mapAcks: { pass: number; shown: Set<string>; wake?: () => void } | undefined;
  private info: ScanInfoData | undefined;
  private spectra: SpectraData | undefined;
  private maps: MapData[] = [];
  private windowMaps: MapData[] = [];
  private lastProgress: (Progress & { label: string }) | undefined;
  private error: ErrorViewData | undefined;
  private dataset: string | undefined;
  /** Bumped at each (re)open: results of an older pass are dropped. */
  private generation = 0;
  private pass: AbortController | undefined;
  private readonly jobs = new Set<AbortController>();
  /** Bumped by every summary sent: the `map` events of an older delivery stop. */
  private delivery = 0;
  /** The running pass's maps so far, from its first rows until it ends or is superseded. */
  private preview: Preview | undefined;
  /** The view's display choices for this file, as last reported by the view (or remembered). */
  private viewState: ScanViewState | undefined;
  private watching: { files: ScanFiles; watcher: { dispose(): void }; debouncer: ChangeDebouncer } | undefined;
  private watchStarted = false;
  /** The sidecar's text when the scan was last read (null: none), to tell our own writes from edits. */
  private sidecarSeen: string | null | undefined;

  constructor(private readonly deps: ScanControllerDeps) {
    const ep = deps.endpoint;
    ep.onReady(() => this.sendState());
    ep.handle('pixel', (p) => this.pixel(p.row, p.col));
    ep.handle('windowMap', (p) => this.windowMap(p.loChannel, p.hiChannel));
    ep.handle('setCalibration', (p) => this.setCalibration(p));
    ep.handle('exportMap', (p) => this.exportMap(p.mapId, p.format, p.display, p.lo, p.hi));
    ep.handle('chooseDataset', async (p) => {
      this.dataset = p.datasetPath;
      void this.open();
      return { ok: true as const };
    });
    ep.handle('showLog', async () => {
      this.deps.showLog();
      return { ok: true as const };
    });
    ep.handle('reopen', async () => {
      void this.open();
      return { ok: true as const };
    });
    ep.on('viewState', (s) => this.rememberViewState(s));
    ep.on('mapShown', ({ pass, id }) => {
      const acks = this.mapAcks;
      if (acks?.pass !== pass) return;
      acks.shown.add(id);
      acks.wake?.();
    });
    ep.on('rowsShown', ({ pass }) => {
      const s = this.preview?.sender;
      if (s?.pass !== pass) return;
      s.unacked = false;
      s.wake?.();
    });
    this.viewState = deps.viewMemory?.get(deps.file);
  }

  get state(): Phase {
    return this.phase;
  }

  /** A method, not `phase === 'closed'` inline: TypeScript would keep that narrowed across awaits. */
  private isClosed(): boolean {
    return this.phase === 'closed';
  }

  /** The HDF5 dataset this tab shows: the one chosen in the view, else the one the reader picked (undefined for other formats). */
  get datasetPath(): string | undefined {
    return this.dataset ?? this.info?.datasetPath;
  }

  /** Open the scan and run the pass. Resolves when the maps are out or the error view is shown. */
  async open(): Promise<void> {
    if (this.phase === 'closed') return;
    if (!this.watchStarted) void this.startWatching().catch((e) => this.deps.log.warn(`watching ${this.deps.file}: ${String(e)}`));
    const gen = ++this.generation;
    this.pass?.abort();
    const old = this.session;
    this.session = undefined;
    if (old) await old.close().catch(() => undefined);
    this.phase = 'opening';
    this.preview = undefined;
    this.info = undefined;
    this.spectra = undefined;
    this.maps = [];
    this.windowMaps = [];
    this.error = undefined;
    const fileName = path.basename(this.deps.file);
    this.deps.endpoint.emit('opening', { file: this.deps.file, fileName });
    this.emitProgress({ done: 0, total: 0, label: 'Opening…' });
    const settings = this.deps.settings();
    // Before the reader looks: an edit made while it reads then still counts as a change.
    if (this.deps.watchFiles) this.sidecarSeen = await readSidecarText(this.deps.file);
    if (gen !== this.generation) return;
    try {
      const session = await this.deps.openSession(this.deps.file, {
        dataset: this.dataset,
        calibration: settings.calibration,
        cacheDir: this.deps.cacheDir,
      });
      if (gen !== this.generation) {
        await session.close().catch(() => undefined);
        return;
      }
      this.session = session;
      this.info = this.describe(session);
      this.deps.log.info(
        `opened ${this.deps.file}: ${this.info.format} ${this.info.height}×${this.info.width}×${this.info.channels} ${this.info.dtype}` +
          (this.info.datasetPath ? ` (${this.info.datasetPath})` : '') +
          `, calibration ${this.info.calibration.offsetKeV} keV + ${this.info.calibration.gainKeV} keV/channel from ${this.info.calibration.source}`,
      );
      this.deps.endpoint.emit('info', this.info);
      await this.runPass(gen, settings.lines);
    } catch (e) {
      if (gen === this.generation) this.fail(e);
    }
  }

  /** Re-run the pass (new lines or calibration) on the open session, keeping the user's window maps. */
  async recompute(): Promise<void> {
    if (!this.session || this.phase === 'closed') return this.open();
    const gen = ++this.generation;
    try {
      await this.runPass(gen, this.deps.settings().lines);
    } catch (e) {
      if (gen === this.generation) this.fail(e);
    }
  }

  /**
   * The settings changed: new display defaults go to the view; new lines mean a new pass; a new
   * fallback calibration reopens the scan, but only when the scan has no calibration of its own.
   */
  settingsChanged(changed: { lines: boolean; calibration: boolean }): void {
    if (this.phase === 'closed') return;
    this.deps.endpoint.emit('init', this.initData());
    const usesFallback = !this.info || this.info.calibration.source === 'settings' || this.info.calibration.source === 'default';
    if (changed.calibration && usesFallback) void this.open();
    else if (changed.lines) void this.recompute();
  }

  async dispose(): Promise<void> {
    if (this.phase === 'closed') return;
    this.writeViewState();
    this.phase = 'closed';
    this.stopWatching();
    this.generation++;
    this.preview = undefined;
    this.pass?.abort();
    for (const j of this.jobs) j.abort();
    this.deps.endpoint.dispose();
    const s = this.session;
    this.session = undefined;
    if (s) await s.close().catch((e) => this.deps.log.warn(`closing ${this.deps.file}: ${String(e)}`));
  }

  // ───────────────────────── the pass ─────────────────────────

  private async runPass(gen: number, lines: string[]): Promise<void> {
    const session = this.session!;
    this.pass?.abort();
    const ac = new AbortController();
    this.pass = ac;
    this.phase = 'opening';
    // The previous pass's preview stops here: none of its rows follows this pass's events.
    this.preview = undefined;
    const t0 = Date.now();
    this.emitProgress({ done: 0, total: 1, label: 'Computing maps…' });
    let summary: ScanSummary;
    let settled = false;
    try {
      summary = await session.summary(lines, {
        signal: ac.signal,
        onProgress: (p) => {
          if (gen === this.generation) this.emitProgress({ ...p, label: p.message ?? 'Computing maps…' });
        },
        onRows: (u) => {
          if (!settled && gen === this.generation && !ac.signal.aborted) this.takeRows(gen, lines, u);
        },
      });
    } catch (e) {
      if (isCancelled(e) || gen !== this.generation) return;
      throw e;
    } finally {
      settled = true;
      if (this.pass === ac) this.pass = undefined;
      // (A cast: TypeScript keeps `this.preview` narrowed to undefined from the assignment above.)
      if ((this.preview as Preview | undefined)?.gen === gen) this.preview = undefined;
    }
    if (gen !== this.generation) return;
    this.maps = summaryToMaps(summary);
    this.spectra = { sumSpectrum: summary.sumSpectrum, maxSpectrum: summary.maxSpectrum, pixelCount: summary.height * summary.width };
    // Window labels are in keV: after a calibration change they name the same channels by new energies.
    this.windowMaps = this.windowMaps.map((m) => ({ ...m, label: this.windowLabel(m.loChannel!, m.hiChannel!) }));
    this.phase = 'ready';
    this.lastProgress = undefined;
    this.deps.log.info(`maps of ${path.basename(this.deps.file)} ready in ${Date.now() - t0} ms (${this.maps.length} maps)`);
    void this.sendSummary();
  }

  // ───────────────────────── changes on disk ─────────────────────────

  private async startWatching(): Promise<void> {
    this.watchStarted = true;
    const watch = this.deps.watchFiles;
    if (!watch) return;
    const files = await scanFiles(this.deps.file);
    if (this.phase === 'closed') return;
    const debouncer = new ChangeDebouncer(this.deps.reopenDelayMs ?? 500, (changed) => void this.filesChanged(changed));
    // No log per event: a scanner writing in pieces fires dozens; filesChanged logs once they settle.
    const watcher = watch([...files.data, files.sidecar], (file) => debouncer.touch(file));
    this.watching = { files, watcher, debouncer };
  }

  private stopWatching(): void {
    this.watching?.debouncer.dispose();
    this.watching?.watcher.dispose();
    this.watching = undefined;
  }

  /** The watched files settled after changing: reopen the scan, or show that a file of it is gone. */
  private async filesChanged(changed: string[]): Promise<void> {
    const w = this.watching;
    if (!w || this.isClosed()) return;
    if (changed.every((f) => f === w.files.sidecar) && (await readSidecarText(this.deps.file)) === this.sidecarSeen) return;
    const exists = this.deps.fileExists ?? defaultFileExists;
    for (const f of w.files.data) {
      if (await exists(f)) continue;
      if (this.isClosed()) return;
      this.deps.log.warn(`${f} is gone (deleted or moved)`);
      await this.showGone(f);
      return;
    }
    if (this.isClosed()) return;
    const name = path.basename(this.deps.file);
    this.deps.log.info(`${changed.join(', ')} changed on disk: reopening ${this.deps.file}`);
    this.deps.endpoint.emit('notice', { level: 'info', message: `${name} changed on disk; reopened.` });
    await this.open();
  }

  /** A file of the scan was deleted (or moved away): stop reading and say which. */
  private async showGone(file: string): Promise<void> {
    this.generation++;
    this.preview = undefined;
    this.pass?.abort();
    const s = this.session;
    this.session = undefined;
    this.info = undefined;
    this.spectra = undefined;
    this.maps = [];
    this.fail(new XrfInputError(file, 'was deleted or moved away; the editor reopens the scan when the file is back'));
    if (s) await s.close().catch(() => undefined);
  }

  private fail(e: unknown): void {
    this.error = errorToView(e, this.deps.file);
    this.phase = 'error';
    const stack = e instanceof Error && this.error.kind === 'internal' ? `\n${e.stack ?? ''}` : '';
    this.deps.log.error(`${this.error.file}: ${this.error.problem}${stack}`);
    this.deps.endpoint.emit('error', this.error);
  }

  // ───────────────────────── requests ─────────────────────────

  private requireSession(): ScanSessionLike {
    if (!this.session) throw new Error(this.phase === 'error' ? 'the scan could not be opened' : 'the scan is still opening');
    return this.session;
  }

  private async pixel(row: number, col: number) {
    const s = this.requireSession();
    if (!Number.isInteger(row) || !Number.isInteger(col) || row < 0 || col < 0 || row >= s.info.height || col >= s.info.width) {
      throw new Error(`pixel (${row}, ${col}) is outside the ${s.info.height}×${s.info.width} scan`);
    }
    const spectrum = await s.pixel(row, col);
    return { row, col, spectrum };
  }

  private windowLabel(lo: number, hi: number): string {
    const cal = this.info?.calibration ?? { offsetKeV: 0, gainKeV: 0.01 };
    // The window [lo, hi) spans the energies of channels lo … hi − 1.
    return `${energyOfChannel(cal, lo).toFixed(2)}–${energyOfChannel(cal, hi - 1).toFixed(2)} keV`;
  }

  private async windowMap(loChannel: number, hiChannel: number): Promise<MapData> {
    const s = this.requireSession();
    const lo = Math.max(0, Math.floor(Math.min(loChannel, hiChannel)));
    const hi = Math.min(s.info.channels, Math.ceil(Math.max(loChannel, hiChannel)));
    if (!(hi > lo)) throw new Error(`the energy window is empty (channels ${loChannel}–${hiChannel} of ${s.info.channels})`);
    const existing = this.windowMaps.find((m) => m.loChannel === lo && m.hiChannel === hi);
    if (existing) return existing;
    const label = this.windowLabel(lo, hi);
    const ac = new AbortController();
    this.jobs.add(ac);
    try {
      const data = await s.windowMap(lo, hi, {
        signal: ac.signal,
        onProgress: (p) => this.emitProgress({ ...p, label: `Map ${label}…` }),
      });
      const map: MapData = { id: `window:${lo}-${hi}`, label, kind: 'window', loChannel: lo, hiChannel: hi, data };
      this.windowMaps.push(map);
      this.deps.log.info(`window map ${label} (channels ${lo}–${hi}) of ${path.basename(this.deps.file)}`);
      return map;
    } finally {
      this.jobs.delete(ac);
      this.emitProgress({ done: 1, total: 1, label: '' });
    }
  }

  private async setCalibration(cal: { offsetKeV: number; gainKeV: number }): Promise<{ ok: true }> {
    const s = this.requireSession();
    if (!Number.isFinite(cal.offsetKeV) || !Number.isFinite(cal.gainKeV) || !(cal.gainKeV > 0)) {
      throw new Error('the calibration needs a finite offset and a positive gain (keV per channel)');
    }
    await s.setCalibration({ offsetKeV: cal.offsetKeV, gainKeV: cal.gainKeV });
    // The session wrote the sidecar: that change on disk is ours, not a reason to reopen.
    if (this.deps.watchFiles) this.sidecarSeen = await readSidecarText(this.deps.file);
    // The session reports the new calibration and its source; if it does not, say what was written.
    const fresh = this.describe(s);
    const same = fresh.calibration.offsetKeV === cal.offsetKeV && fresh.calibration.gainKeV === cal.gainKeV;
    this.info = same ? fresh : { ...fresh, calibration: { ...cal, source: 'sidecar' } };
    this.deps.log.info(`calibration of ${this.deps.file} set to ${cal.offsetKeV} keV + ${cal.gainKeV} keV/channel (sidecar written)`);
    this.deps.endpoint.emit('info', this.info);
    await this.recompute();
    return { ok: true };
  }

  private async exportMap(mapId: string, format: ExportFormat, display: DisplaySettings, lo: number, hi: number): Promise<{ path?: string }> {
    if (this.phase !== 'ready') throw new Error('the maps are being computed: export them when the pass over the scan ends');
    const map = [...this.maps, ...this.windowMaps].find((m) => m.id === mapId);
    if (!map || !this.info) throw new Error(`no map "${mapId}" to export`);
    const size = { width: this.info.width, height: this.info.height, baseName: path.basename(this.deps.file).replace(/\.[^.]+$/, '') };
    return exportMapToFile(this.exportDeps(), map, size, format, display, lo, hi);
  }

  private exportDeps(): ExportMapDeps {
    const d = this.deps;
    return { file: d.file, pickSavePath: (name, format) => d.pickSavePath(name, format), writeFile: (target, parts) => d.writeFile(target, parts), log: d.log, notify: (message) => d.endpoint.emit('notice', { level: 'info', message }) };
  }

  /**
   * The maps available now (for the "Export Map…" command's quick pick): none while a pass runs, since
   * until it ends the maps held are the previous pass's (another calibration or other lines).
   */
  mapList(): { id: string; label: string }[] {
    if (this.phase !== 'ready') return [];
    return [...this.maps, ...this.windowMaps].map((m) => ({ id: m.id, label: m.label }));
  }

  /** "Export Map…" from the palette: PNGs use the display the view shows for that map. */
  async exportFromCommand(mapId: string, format: ExportFormat): Promise<{ path?: string }> {
    const shown = await this.deps.endpoint.request('displayOf', { mapId }, { timeoutMs: 5000 });
    return this.exportMap(mapId, format, shown.display, shown.lo, shown.hi);
  }

  // ───────────────────────── to the webview ─────────────────────────

  private initData(): ScanInitData {
    const s = this.deps.settings();
    // A file the user set a display for keeps it; other files follow the settings' defaults.
    const v = this.viewState;
    return { display: v?.display ?? s.display, selectedMap: v?.selectedMap, lines: s.lines, trusted: this.deps.trusted() };
  }

  /** Keeps the latest display at once (a reopen in this window uses it); writes it when the changes pause. */
  private rememberViewState(s: ScanViewState): void {
    // A state that is not one (a webview of another version) is neither shown again nor remembered.
    const clean = cleanViewState(s);
    if (this.phase === 'closed' || !clean) return;
    this.viewState = clean;
    clearTimeout(this.rememberTimer);
    this.rememberTimer = setTimeout(() => this.writeViewState(), this.deps.rememberDelayMs ?? 400);
  }

  /** Writes a display change still waiting (also at dispose, so closing right after a change keeps it). */
  private writeViewState(): void {
    if (!this.rememberTimer) return;
    clearTimeout(this.rememberTimer);
    this.rememberTimer = undefined;
    const s = this.viewState;
    if (!s) return;
    void this.deps.viewMemory?.remember(this.deps.file, s).catch((e) => this.deps.log.warn(`remembering the display of ${this.deps.file}: ${String(e)}`));
  }

  private emitProgress(p: Progress & { label: string }): void {
    this.lastProgress = p;
    this.deps.endpoint.emit('progress', p);
  }

  /**
   * The summary (spectra and the list of maps), then each map's values in its own event, in grid
   * order, paced by the view: each post is awaited (VS Code resolves it once the message is handed
   * to the webview), and a map is sent only when the one MAPS_IN_FLIGHT before it was acknowledged
   * as drawn (`mapShown`), so a slow view never has a scan's worth of maps (13 × 10.8 MB for a
   * 1692×1592 scan) queued. A view that does not acknowledge within mapAckTimeoutMs (an older
   * webview) gets the rest unpaced. A newer delivery (a reload) or a new pass stops this one: no map
   * of an old pass follows a new summary.
   */
  private async sendSummary(): Promise<void> {
    if (!this.spectra) return;
    const ep = this.deps.endpoint;
    const pass = ++this.delivery;
    const gen = this.generation;
    const maps = [...this.maps, ...this.windowMaps];
    const acks: { pass: number; shown: Set<string>; wake?: () => void } = { pass, shown: new Set() };
    this.mapAcks = acks;
    const stale = () => pass !== this.delivery || gen !== this.generation || this.phase === 'closed';
    ep.emit('summary', { pass, spectra: this.spectra, maps: maps.map(metaOf) });
    let paced = true;
    for (let i = 0; i < maps.length; i++) {
      if (stale()) return;
      if (paced && i >= MAPS_IN_FLIGHT) paced = await this.waitForMapShown(acks, maps[i - MAPS_IN_FLIGHT].id, stale);
      if (stale()) return;
      await ep.emitAndWait('map', { pass, map: maps[i] });
    }
  }

  /** Until the view acknowledged map `id` of this delivery (true), or the time-out passed (false). */
  private async waitForMapShown(acks: { shown: Set<string>; wake?: () => void }, id: string, stale: () => boolean): Promise<boolean> {
    const deadline = Date.now() + (this.deps.mapAckTimeoutMs ?? 5000);
    while (!acks.shown.has(id)) {
      const left = deadline - Date.now();
      if (left <= 0 || stale()) return false;
      await new Promise<void>((resolve) => {
        const timer = setTimeout(resolve, Math.min(left, 250)); // also re-checks `stale` (a reload, a close)
        acks.wake = () => {
          clearTimeout(timer);
          resolve();
        };
      });
      acks.wake = undefined;
    }
    return true;
  }

  // ───────────────────────── the preview: maps that fill in during the pass ─────────────────────────

  /**
   * Rows of the running pass arrived: on the first ones, allocate the preview's full-size maps and
   * announce them (`preview`); then hand the rows to the view (`mapRows`, paced by `rowsShown`).
   * The user's energy-window maps are left out of the preview: they come back with the final delivery.
   */
  private takeRows(gen: number, lines: string[], u: RowsUpdateLike): void {
    const info = this.info;
    if (!info || this.isClosed()) return;
    let p = this.preview;
    if (!p || p.gen !== gen) {
      const maps = new PreviewMaps(previewMetas(lines), info.height, info.width);
      const problem = maps.add(u);
      if (problem) return this.deps.log.warn(`preview of ${this.deps.file}: ${problem} (skipped; the final maps are unaffected)`);
      p = { gen, maps, sender: this.newRowsSender() };
      this.preview = p;
      this.deps.endpoint.emit('preview', { pass: p.sender.pass, maps: maps.metas });
    } else {
      const problem = p.maps.add(u);
      if (problem) return this.deps.log.warn(`preview of ${this.deps.file}: ${problem} (skipped; the final maps are unaffected)`);
    }
    void this.pumpRows(p, p.sender);
  }

  private newRowsSender(): RowsSender {
    return { pass: ++this.delivery, unacked: false, sentAt: 0, paced: true, pumping: false };
  }

  /** A reloaded view: the preview again under a new delivery number, then every row so far. */
  private resendPreview(p: Preview): void {
    p.sender = this.newRowsSender();
    p.maps.resendAll();
    this.deps.endpoint.emit('preview', { pass: p.sender.pass, maps: p.maps.metas });
    void this.pumpRows(p, p.sender);
  }

  /**
   * Send the rows not sent yet, one interval per `mapRows`, each only once the previous one was
   * acknowledged (`rowsShown`); rows arriving meanwhile join the unsent intervals. A view that does
   * not acknowledge within mapAckTimeoutMs gets the rest unpaced. Stops when the preview is dropped
   * (the pass ended, a new pass, a close) or re-sent (a reload): no rows of an old delivery follow.
   */
  private async pumpRows(p: Preview, s: RowsSender): Promise<void> {
    if (s.pumping) return;
    s.pumping = true;
    const ep = this.deps.endpoint;
    const stale = () => this.preview !== p || p.sender !== s || this.isClosed();
    try {
      while (!stale() && p.maps.hasUnsent()) {
        if (s.paced && s.unacked) {
          const acked = await this.waitForRowsShown(s, stale);
          if (stale()) return;
          if (!acked) {
            s.paced = false;
            this.deps.log.info(`the view did not acknowledge preview rows of ${path.basename(this.deps.file)} in time; sending the rest unpaced`);
          }
        }
        const iv = p.maps.takeUnsent();
        if (!iv) return;
        s.unacked = true;
        s.sentAt = Date.now();
        await ep.emitAndWait('mapRows', { pass: s.pass, from: iv.from, to: iv.to, maps: p.maps.rows(iv.from, iv.to) });
      }
    } finally {
      s.pumping = false;
    }
  }

  /** Until the view acknowledged the last `mapRows` (true), or mapAckTimeoutMs after it was sent (false). */
  private async waitForRowsShown(s: RowsSender, stale: () => boolean): Promise<boolean> {
    const deadline = s.sentAt + (this.deps.mapAckTimeoutMs ?? 5000);
    while (s.unacked) {
      const left = deadline - Date.now();
      if (left <= 0 || stale()) return false;
      await new Promise<void>((resolve) => {
        const timer = setTimeout(resolve, Math.min(left, 250)); // also re-checks `stale`
        s.wake = () => {
          clearTimeout(timer);
          resolve();
        };
      });
      s.wake = undefined;
    }
    return true;
  }

  /** Everything the view needs to show the current state (first load or a reload). */
  private sendState(): void {
    const ep = this.deps.endpoint;
    ep.emit('init', this.initData());
    ep.emit('opening', { file: this.deps.file, fileName: path.basename(this.deps.file) });
    if (this.info) ep.emit('info', this.info);
    if (this.phase === 'error' && this.error) ep.emit('error', this.error);
    else if (this.phase === 'ready') void this.sendSummary();
    else {
      if (this.lastProgress) ep.emit('progress', this.lastProgress);
      const p = this.preview;
      if (p && p.gen === this.generation) this.resendPreview(p);
    }
  }

  private describe(s: ScanSessionLike): ScanInfoData {
    const i = s.info;
    const datasets = i.datasets?.map((d) => (typeof d === 'string' ? d : d.path));
    return {
      file: this.deps.file,
      fileName: path.basename(this.deps.file),
      format: i.format,
      height: i.height,
      width: i.width,
      channels: i.channels,
      dtype: i.dtype,
      calibration: { offsetKeV: i.calibration.offsetKeV, gainKeV: i.calibration.gainKeV, source: i.calibration.source },
      datasetPath: i.datasetPath,
      datasets: datasets && datasets.length > 1 ? datasets : undefined,
      storedOrder: i.storedOrder ? { ...i.storedOrder } : undefined,
    };
  }
}

function metaOf(m: MapData): MapMeta {
  const meta: MapMeta = { id: m.id, label: m.label, kind: m.kind };
  if (m.loChannel !== undefined) meta.loChannel = m.loChannel;
  if (m.hiChannel !== undefined) meta.hiChannel = m.hiChannel;
  return meta;
}

/**
 * The sidecar's text, null when there is none. Compared whole (not just its calibration): other keys
 * of it (e.g. an HDF5 channel axis) change how the scan is read too.
 */
async function readSidecarText(scanFile: string): Promise<string | null> {
  return fs.readFile(sidecarPath(scanFile), 'utf8').catch(() => null);
}

async function defaultFileExists(file: string): Promise<boolean> {
  return fs.access(file).then(
    () => true,
    () => false,
  );
}

/** Total counts first, then one map per ROI window, in the configured line order. */
export function summaryToMaps(s: ScanSummary): MapData[] {
  const maps: MapData[] = [{ id: 'total', label: 'Total counts', kind: 'total', data: s.totalCounts }];
  s.windows.forEach((w, i) => {
    maps.push({ id: `line:${w.label}`, label: w.label, kind: 'line', loChannel: w.loChannel, hiChannel: w.hiChannel, data: s.roiMaps[i] });
  });
  return maps;
}
