/**
 * <xrf-scan-view>: the scan editor's page. Holds the view state (maps, spectra, display settings,
 * viewport, picked pixel) and talks to the host through the Endpoint; the map grid, the spectrum and
 * the error view are standalone components it feeds.
 *
 * Maps arrive as a `summary` listing them (the grid lays out placeholders) and then one `map` event
 * each; a `map` whose `pass` is not the last summary's is from a superseded delivery and dropped.
 * While a long pass runs, a `preview` lists its maps first and `mapRows` fill them in band by band
 * (each acknowledged with `rowsShown` once drawn); the final `summary` replaces the preview.
 * Display changes and the enlarged map are reported to the host (`viewState`), which remembers them
 * for this file and restores them in `init`.
 */
import { LitElement, html, css, nothing } from 'lit';
import { customElement, state } from 'lit/decorators.js';
import type { Endpoint } from '../../src/protocol';
import type { DisplaySettings, ErrorViewData, ExportFormat, MapData, MapMeta, ScanHostSide, ScanInfoData, ScanWebviewSide, SpectraData } from '../../src/protocol';
import { EXPORT_WAITS, type GridMap } from './map-grid';
import { noRowsFilled, withRowsFilled, type FilledRows } from '../lib/filled-rows';
import { fitViewport, type Viewport } from '../lib/viewport';
import { ContrastCache } from '../lib/contrast';
import type { PixelSpectrum } from './spectrum';
import { asF32 } from './png';
import { contrastRanges, displayControls, errorPage, exportShownMap, failureMessage, mapGrid, pixelValues, withPercentiles } from './map-page';
import '../controls/controls';
import './spectrum';

/** A map not seen drawn within this long is acknowledged anyway: a hidden page may not draw until shown. */
const ACK_FALLBACK_MS = 2000;

type Phase = 'loading' | 'ready' | 'error';

@customElement('xrf-scan-view')
export class XrfScanView extends LitElement {
  static override styles = css`
    :host { display: block; padding: 8px 16px 24px; }
    header { display: flex; flex-wrap: wrap; align-items: baseline; gap: 4px 16px; margin-bottom: 8px; }
    h1 { font-size: 1.3em; margin: 0; }
    .meta, .cal { color: var(--vscode-descriptionForeground); }
    .toolbar { display: flex; flex-wrap: wrap; align-items: center; gap: 8px 16px; margin: 8px 0; }
    .cal-edit { display: inline-flex; flex-wrap: wrap; gap: 8px; align-items: center; }
    /* Wide editors: maps left, spectrum right (sticky while the maps scroll). Narrow ones: the
       spectrum on top, sticky and shorter, so hovering any map shows its spectrum on screen. */
    .main { display: grid; grid-template-columns: minmax(0, 3fr) minmax(340px, 2fr); gap: 16px; align-items: start; }
    .maps { min-width: 0; }
    .side { min-width: 0; position: sticky; top: 0; z-index: 1; background: var(--vscode-editor-background); }
    @media (max-width: 999px) {
      .main { grid-template-columns: minmax(0, 1fr); }
      .side { order: -1; --xrf-spectrum-height: 170px; padding-bottom: 6px; border-bottom: 1px solid var(--vscode-widget-border, transparent); }
    }
    .status { min-height: 1.4em; margin: 6px 0; font-variant-numeric: tabular-nums; }
    .notice { padding: 4px 8px; margin: 6px 0; border-left: 3px solid var(--vscode-notificationsInfoIcon-foreground, var(--vscode-focusBorder)); }
    .notice.warning { border-color: var(--vscode-notificationsWarningIcon-foreground, orange); }
    .notice.error { border-color: var(--vscode-errorForeground); }
    .computing { color: var(--vscode-descriptionForeground); }
    .restricted { color: var(--vscode-descriptionForeground); font-size: 0.9em; }
    xrf-progress { margin: 12px 0; max-width: 40em; }
  `;

  endpoint!: Endpoint<ScanWebviewSide, ScanHostSide>;

  @state() private phase: Phase = 'loading';
  @state() private fileName = '';
  @state() private info: ScanInfoData | undefined;
  @state() private progress: { done: number; total: number; label: string } | undefined;
  @state() private maps: GridMap[] = [];
  @state() private spectra: SpectraData | undefined;
  @state() private display: DisplaySettings = { colormap: 'viridis', scaling: 'linear', lowPercentile: 0.5, highPercentile: 99.5 };
  @state() private lines: string[] = [];
  @state() private trusted = true;
  @state() private error: ErrorViewData | undefined;
  @state() private viewport: Viewport = { cx: 0.5, cy: 0.5, zoom: 1 };
  @state() private hover: { row: number; col: number } | undefined;
  @state() private picked: { row: number; col: number } | undefined;
  @state() private pixel: PixelSpectrum | undefined;
  @state() private enlarged: string | undefined;
  @state() private notice: { level: 'info' | 'warning' | 'error'; message: string } | undefined;
  @state() private calDraft: { offsetKeV: number; gainKeV: number } | undefined;
  @state() private busy = 0;
  /** The listed maps are a preview of the pass still running (`mapRows` fill them in). */
  @state() private previewing = false;

  private readonly contrast = new ContrastCache();
  private pickedSpectrum: PixelSpectrum | undefined;
  private wantPixel: { row: number; col: number; pinned: boolean } | undefined;
  private pixelBusy = false;
  private noticeTimer: ReturnType<typeof setTimeout> | undefined;
  /** The delivery the listed maps belong to (the last summary's `pass`); undefined before one. */
  private pass: number | undefined;
  /** The preview rows last taken in, and the acknowledgement waiting for the tiles that show them. */
  private rowsAck: { rows: FilledRows; waiting: Set<string>; done(): void } | undefined;
  /** The map to show enlarged whenever it is listed: the user's last choice, or the remembered one. */
  private selectedMap: string | undefined;

  /** Subscribe to the host; main.ts calls endpoint.ready() after this. */
  connect(endpoint: Endpoint<ScanWebviewSide, ScanHostSide>): void {
    this.endpoint = endpoint;
    endpoint.on('init', (d) => {
      this.display = d.display;
      this.lines = d.lines;
      this.trusted = d.trusted;
      // The remembered map applies to a fresh page; later inits (a settings change) must not undo a
      // choice the user made since, whose viewState may still be on its way to the host.
      if (this.maps.length === 0) this.selectedMap = d.selectedMap;
    });
    endpoint.on('opening', (d) => {
      this.phase = 'loading';
      this.fileName = d.fileName;
      this.error = undefined;
      this.maps = [];
      this.pass = undefined;
      this.previewing = false;
      this.rowsAck?.done();
      this.spectra = undefined;
      this.pixel = this.pickedSpectrum = undefined;
      this.picked = this.hover = undefined;
      this.enlarged = undefined;
    });
    endpoint.on('info', (d) => {
      const resized = !this.info || this.info.width !== d.width || this.info.height !== d.height;
      this.info = d;
      this.fileName = d.fileName;
      if (resized) this.viewport = fitViewport(d);
    });
    endpoint.on('progress', (p) => {
      this.progress = p.label ? p : undefined;
    });
    endpoint.on('preview', (d) => this.startPreview(d.pass, d.maps));
    endpoint.on('mapRows', (d) => this.takeRows(d));
    endpoint.on('summary', (s) => {
      // A preview whose every row is filled is this pass's maps, value for value: keep showing it
      // under the final list until each final map lands, instead of flashing empty placeholders.
      const complete = this.previewing && this.maps.length > 0 && this.maps.every((m) => m.rows && m.rows.count === m.rows.filled.length);
      const kept = new Map(complete ? this.maps.map((m) => [m.id, m]) : []);
      this.pass = s.pass;
      this.previewing = false;
      this.rowsAck?.done();
      // Placeholders only: never keep a previous pass's values under this list (but for a complete preview, above).
      this.maps = s.maps.map((m) => {
        const p = kept.get(m.id);
        return { id: m.id, label: m.label, kind: m.kind, loChannel: m.loChannel, hiChannel: m.hiChannel, ...(p ? { data: p.data, rows: p.rows } : {}) };
      });
      this.spectra = { ...s.spectra, sumSpectrum: asF64(s.spectra.sumSpectrum), maxSpectrum: asF32(s.spectra.maxSpectrum) };
      this.phase = 'ready';
      this.progress = undefined;
      this.enlarged = this.listedSelection();
    });
    endpoint.on('map', (d) => {
      // Acknowledged once its tile has drawn it (or once it is dropped or not on screen), so the host
      // never has more than a couple of maps queued here.
      const shown = () => endpoint.emit('mapShown', { pass: d.pass, id: d.map.id });
      const i = d.pass === this.pass ? this.maps.findIndex((m) => m.id === d.map.id) : -1;
      if (i < 0) return shown();
      const maps = this.maps.slice();
      maps[i] = asMap(d.map);
      this.maps = maps;
      this.awaitDrawn(maps[i], shown);
    });
    endpoint.on('error', (e) => {
      this.error = e;
      this.phase = 'error';
      this.progress = undefined;
    });
    endpoint.on('notice', (n) => this.showNotice(n));
    endpoint.handle('displayOf', ({ mapId }) => {
      const m = this.maps.find((x) => x.id === mapId);
      if (!m) throw new Error(`no map "${mapId}" in the view`);
      if (!m.data) throw new Error(`the values of ${m.label} have not reached the view yet`);
      if (m.rows) throw new Error(`${m.label} is still being computed: export it when the pass over the scan ends`);
      return { display: this.display, ...this.contrast.range(m.data, this.display) };
    });
  }

  /** A pass has its first rows: lay out its maps, all rows empty, and say the spectra are coming. */
  private startPreview(pass: number, metas: MapMeta[]): void {
    const info = this.info;
    if (!info) return; // the host sends `info` first; without the size there is nothing to fill
    this.rowsAck?.done();
    this.pass = pass;
    this.previewing = true;
    const rows = noRowsFilled(info.height);
    this.maps = metas.map((m) => ({ ...m, data: new Float32Array(info.width * info.height), rows }));
    // The spectra of an earlier pass (another calibration, other lines) are not this pass's.
    this.spectra = undefined;
    this.enlarged = this.listedSelection();
  }

  /** Rows [from, to) of the preview's maps: copy them in, redraw, and acknowledge once drawn. */
  private takeRows(d: { pass: number; from: number; to: number; maps: { id: string; data: Float32Array }[] }): void {
    const ack = () => this.endpoint.emit('rowsShown', { pass: d.pass });
    const info = this.info;
    if (d.pass !== this.pass || !this.previewing || !info) return ack();
    const { width, height } = info;
    if (!Number.isInteger(d.from) || !Number.isInteger(d.to) || d.from < 0 || d.to > height || !(d.to > d.from)) return ack();
    const n = (d.to - d.from) * width;
    const byId = new Map(d.maps.map((m) => [m.id, asF32(m.data)]));
    const before = this.maps.find((m) => m.rows)?.rows ?? noRowsFilled(height);
    const rows = withRowsFilled(before, d.from, d.to);
    // Filled in place: the arrays are this view's own (allocated at the preview); the new `rows`
    // object is what tells the tiles and the contrast cache that something changed.
    this.maps = this.maps.map((m) => {
      const values = byId.get(m.id);
      if (!m.rows || !m.data || !values || values.length !== n) return m;
      m.data.set(values, d.from * width);
      return { ...m, rows };
    });
    const shown = this.maps.filter((m) => m.rows === rows && (this.enlarged === undefined || this.enlarged === m.id)).map((m) => m.id);
    this.awaitRowsDrawn(rows, shown, ack);
  }

  /**
   * Call `ack` once every tile shown of these rows has drawn them (`map-drawn`), or after
   * ACK_FALLBACK_MS whatever happens (a hidden page may not draw). A newer update acknowledges the
   * one before at once.
   */
  private awaitRowsDrawn(rows: FilledRows, ids: string[], ack: () => void): void {
    this.rowsAck?.done();
    let done = false;
    const entry = {
      rows,
      waiting: new Set(ids),
      done: () => {
        if (done) return;
        done = true;
        clearTimeout(timer);
        if (this.rowsAck === entry) this.rowsAck = undefined;
        ack();
      },
    };
    const timer = setTimeout(entry.done, ACK_FALLBACK_MS);
    this.rowsAck = entry;
    if (ids.length === 0) void this.updateComplete.then(entry.done, entry.done);
  }

  /** The remembered / chosen map, if this list has it (lines may have changed since). */
  private listedSelection(): string | undefined {
    const id = this.selectedMap;
    return id && this.maps.some((m) => m.id === id) ? id : undefined;
  }

  /** Acknowledgements waiting for their tile's `map-drawn`, by the map data they wait for. */
  private readonly undrawn = new Map<Float32Array, () => void>();

  /**
   * Call `ack` once `map` is on a canvas: at its tile's `map-drawn`, or after the next render when no tile
   * shows it (another map is enlarged), or after ACK_FALLBACK_MS whatever happens (a hidden page may not draw).
   */
  private awaitDrawn(map: GridMap, ack: () => void): void {
    const data = map.data;
    if (!data) return ack();
    let done = false;
    const once = () => {
      if (done) return;
      done = true;
      this.undrawn.delete(data);
      clearTimeout(timer);
      ack();
    };
    const timer = setTimeout(once, ACK_FALLBACK_MS);
    this.undrawn.set(data, once);
    void this.updateComplete.then(() => {
      if (this.enlarged !== undefined && this.enlarged !== map.id) once();
    }, once);
  }

  private readonly onMapDrawn = (e: Event): void => {
    const id = (e as CustomEvent<{ id: string }>).detail?.id;
    const m = this.maps.find((x) => x.id === id);
    const pending = this.rowsAck;
    if (m?.rows && pending && pending.rows === m.rows && id !== undefined) {
      pending.waiting.delete(id);
      if (pending.waiting.size === 0) pending.done();
      return;
    }
    if (m?.data) this.undrawn.get(m.data)?.();
  };

  override connectedCallback(): void {
    super.connectedCallback();
    this.renderRoot.addEventListener('map-drawn', this.onMapDrawn);
  }

  override disconnectedCallback(): void {
    this.renderRoot.removeEventListener('map-drawn', this.onMapDrawn);
    for (const ack of [...this.undrawn.values()]) ack();
    this.rowsAck?.done();
    super.disconnectedCallback();
  }

  /** The user changed the display: show it, and let the host remember it for this file. */
  private setDisplay(d: DisplaySettings): void {
    this.display = d;
    this.reportViewState();
  }

  private setEnlarged(id: string | undefined): void {
    this.enlarged = id;
    this.selectedMap = id;
    this.reportViewState();
  }

  private reportViewState(): void {
    this.endpoint.emit('viewState', { display: this.display, ...(this.selectedMap ? { selectedMap: this.selectedMap } : {}) });
  }

  private showNotice(n: { level: 'info' | 'warning' | 'error'; message: string }): void {
    this.notice = n;
    clearTimeout(this.noticeTimer);
    this.noticeTimer = setTimeout(() => (this.notice = undefined), n.level === 'error' ? 15_000 : 6_000);
  }

  private failNotice(what: string, e: unknown): void {
    this.showNotice({ level: 'error', message: failureMessage(what, e) });
  }

  override render() {
    if (this.phase === 'error' && this.error) {
      const host = { reopen: () => this.endpoint.request('reopen', {}), showLog: () => this.endpoint.request('showLog', {}) };
      return errorPage(this.error, host, (w, e) => this.failNotice(w, e));
    }
    return html`${this.header()} ${this.toolbar()}
      ${this.progress ? html`<xrf-progress id="progress" .done=${this.progress.done} .total=${this.progress.total} .label=${this.progress.label}></xrf-progress>` : nothing}
      ${this.notice ? html`<div class="notice ${this.notice.level}" role="status" id="notice">${this.notice.message}</div>` : nothing}
      <div class="main">
        <section class="maps" aria-label="Maps">
          ${this.info && this.maps.length
            ? mapGrid({
                maps: this.maps,
                width: this.info.width,
                height: this.info.height,
                display: this.display,
                ranges: contrastRanges(this.maps, this.contrast, this.display),
                viewport: this.viewport,
                marker: this.hover ?? this.picked,
                enlarged: this.enlarged,
                onViewport: (v) => (this.viewport = v),
                onHover: (p) => this.onHover(p),
                onPick: (p) => this.onPick(p),
                onEnlarged: (id) => this.setEnlarged(id),
                onExport: (id, format) => this.exportMap(id, format),
              })
            : html`<p>${this.phase === 'loading' ? 'The maps appear as the pass reads the scan.' : 'No maps.'}</p>`}
          <div class="status" id="pixel-values">${this.pixelValues()}</div>
        </section>
        <section class="side" aria-label="Spectrum">
          ${this.info && (this.phase === 'loading' || this.previewing) && !this.spectra
            ? html`<p class="computing" id="spectrum-pending" title="Energy-window maps are made from the sum spectrum: they can be added once it is shown">Computing… the sum and maximum spectra appear when the pass over the scan ends${this.previewing ? '; hover the maps to see a pixel’s spectrum now' : ''}.</p>`
            : nothing}
          ${this.info && (this.spectra || this.previewing)
            ? html`<xrf-spectrum
                .calibration=${this.info.calibration}
                .channels=${this.info.channels}
                .sum=${this.spectra?.sumSpectrum}
                .max=${this.spectra?.maxSpectrum}
                .pixelCount=${this.spectra?.pixelCount ?? 1}
                .pixel=${this.pixel}
                .lines=${this.lines}
                @window-select=${(e: CustomEvent<{ loChannel: number; hiChannel: number }>) => this.windowMap(e.detail.loChannel, e.detail.hiChannel)}
              ></xrf-spectrum>`
            : nothing}
        </section>
      </div>`;
  }

  private header() {
    const i = this.info;
    return html`<header>
        <h1 id="file-name">${this.fileName || 'Scan'}</h1>
        ${i
          ? html`<span class="meta" data-field="shape">${i.format.toUpperCase()} · ${i.height} × ${i.width} pixels × ${i.channels} channels · ${i.dtype}${i.datasetPath
              ? ` · ${i.datasetPath}`
              : ''}</span>${i.storedOrder
              ? html`<span class="meta" data-field="stored-order" title="Which stored axis holds the channels, and what decided it. If the maps look scrambled, set &quot;channelAxis&quot; (0, 1 or 2) in the scan's sidecar JSON.">stored as ${i.storedOrder.order} (from ${i.storedOrder.from})</span>`
              : nothing}`
          : nothing}
      </header>
      ${i ? this.calibrationLine(i) : nothing}
      ${this.trusted ? nothing : html`<div class="restricted">Restricted Mode: viewing, exporting and editing the calibration work; training and prediction need a trusted workspace.</div>`}`;
  }

  private calibrationLine(i: ScanInfoData) {
    const c = i.calibration;
    const source = { file: 'from the scan file', sidecar: 'from the sidecar JSON', settings: 'from settings', default: 'default, not from the file' }[c.source];
    if (this.calDraft) {
      const d = this.calDraft;
      return html`<div class="cal-edit" id="calibration-editor">
        <xrf-number-field fieldId="cal-offset" label="Offset (keV)" .value=${d.offsetKeV} @value-change=${(e: CustomEvent) => (this.calDraft = { ...d, offsetKeV: e.detail.value })}></xrf-number-field>
        <xrf-number-field fieldId="cal-gain" label="Gain (keV/channel)" .min=${1e-9} .value=${d.gainKeV} @value-change=${(e: CustomEvent) => (this.calDraft = { ...d, gainKeV: e.detail.value })}></xrf-number-field>
        <xrf-button appearance="primary" id="cal-apply" @click=${() => this.applyCalibration()}>Apply (writes the sidecar)</xrf-button>
        <xrf-button id="cal-cancel" @click=${() => (this.calDraft = undefined)}>Cancel</xrf-button>
      </div>`;
    }
    return html`<div class="cal" id="calibration" data-source=${c.source}>
      Calibration: E = ${c.offsetKeV} keV + ${c.gainKeV} keV × channel (${source})
      <xrf-button id="cal-edit" label="Edit the energy calibration" @click=${() => (this.calDraft = { offsetKeV: c.offsetKeV, gainKeV: c.gainKeV })}>Edit</xrf-button>
    </div>`;
  }

  private toolbar() {
    const d = this.display;
    const i = this.info;
    return html`<div class="toolbar" role="toolbar" aria-label="Display">
      ${displayControls(
        d,
        {
          display: (nd) => this.setDisplay(nd),
          percentiles: (lo, hi) => this.setPercentiles(lo, hi),
          resetView: () => i && (this.viewport = fitViewport(i)),
        },
        'Reset zoom and pan (0)',
      )}
      ${i?.datasets
        ? html`<xrf-select id="dataset" label="Dataset" .value=${i.datasetPath ?? ''} .options=${i.datasets.map((p) => ({ value: p, label: p }))}
            @value-change=${(e: CustomEvent) => void this.endpoint.request('chooseDataset', { datasetPath: e.detail.value }).catch((err) => this.failNotice('Dataset', err))}></xrf-select>`
        : nothing}
    </div>`;
  }

  private setPercentiles(lo: number, hi: number): void {
    const d = withPercentiles(this.display, lo, hi);
    if (typeof d === 'string') this.showNotice({ level: 'warning', message: d });
    else this.setDisplay(d);
  }

  private pixelValues() {
    const p = this.hover ?? this.picked;
    if (!p || !this.info) return html`Hover a map to see a pixel's values and spectrum; click to pick it.`;
    return html`<strong>row ${p.row}, col ${p.col}${this.hover ? '' : ' (picked)'}:</strong>
      ${pixelValues(this.maps, this.info.width, p)}`;
  }

  private onHover(px: { row: number; col: number } | undefined): void {
    if (px?.row === this.hover?.row && px?.col === this.hover?.col) return; // still the same pixel
    this.hover = px;
    if (px) this.requestPixel({ ...px, pinned: false });
    else if (this.pickedSpectrum) this.pixel = this.pickedSpectrum;
    else if (this.picked) this.requestPixel({ ...this.picked, pinned: true });
  }

  private onPick(px: { row: number; col: number }): void {
    this.picked = px;
    this.requestPixel({ ...px, pinned: true });
  }

  /** At most one pixel request in flight; while it runs only the latest wish is kept. */
  private requestPixel(p: { row: number; col: number; pinned: boolean }): void {
    this.wantPixel = p;
    if (!this.pixelBusy) void this.pumpPixels();
  }

  private async pumpPixels(): Promise<void> {
    this.pixelBusy = true;
    try {
      while (this.wantPixel) {
        const w = this.wantPixel;
        this.wantPixel = undefined;
        try {
          const r = await this.endpoint.request('pixel', { row: w.row, col: w.col }, { timeoutMs: 15_000 });
          const spectrum: PixelSpectrum = { row: r.row, col: r.col, spectrum: asF32(r.spectrum), pinned: w.pinned };
          if (w.pinned) this.pickedSpectrum = spectrum;
          const shown = this.hover ?? this.picked;
          if (shown && shown.row === r.row && shown.col === r.col) this.pixel = spectrum;
        } catch (e) {
          this.failNotice(`Pixel (${w.row}, ${w.col})`, e);
        }
      }
    } finally {
      this.pixelBusy = false;
    }
  }

  private async windowMap(loChannel: number, hiChannel: number): Promise<void> {
    if (this.previewing) {
      this.showNotice({ level: 'info', message: 'Energy-window maps can be added when the pass over the scan ends.' });
      return;
    }
    try {
      // A window over a 20 GB scan is a full pass: allow it its time.
      const m = asMap(await this.endpoint.request('windowMap', { loChannel, hiChannel }, { timeoutMs: 60 * 60_000 }));
      // Listed already (a placeholder of a reload, or the same window again): fill it; else add it.
      const i = this.maps.findIndex((x) => x.id === m.id);
      if (i < 0) this.maps = [...this.maps, m];
      else if (!this.maps[i].data) this.maps = this.maps.map((x, k) => (k === i ? m : x));
      this.showNotice({ level: 'info', message: `Added the map of ${m.label}.` });
    } catch (e) {
      this.failNotice('Energy-window map', e);
    }
  }

  private async applyCalibration(): Promise<void> {
    const d = this.calDraft;
    if (!d) return;
    try {
      await this.endpoint.request('setCalibration', d, { timeoutMs: 60 * 60_000 });
      this.calDraft = undefined;
    } catch (e) {
      this.failNotice('Calibration', e);
    }
  }

  private exportMap(id: string, format: ExportFormat): Promise<void> {
    const m = this.maps.find((x) => x.id === id);
    if (m?.rows) {
      this.showNotice({ level: 'info', message: EXPORT_WAITS });
      return Promise.resolve();
    }
    return exportShownMap((params, opts) => this.endpoint.request('exportMap', params, opts), m, this.contrast, this.display, format, (w, e) => this.failNotice(w, e));
  }
}

// VS Code restores typed arrays on arrival; this (and ./png's asF32) guards against a transport that hands back plain buffers.
function asF64(x: unknown): Float64Array {
  if (x instanceof Float64Array) return x;
  if (x instanceof ArrayBuffer) return new Float64Array(x);
  if (ArrayBuffer.isView(x)) return new Float64Array(x.buffer, x.byteOffset, x.byteLength / 8);
  return Float64Array.from(x as ArrayLike<number>);
}

function asMap(m: MapData): MapData {
  return { ...m, data: asF32(m.data) };
}

declare global {
  interface HTMLElementTagNameMap {
    'xrf-scan-view': XrfScanView;
  }
}
