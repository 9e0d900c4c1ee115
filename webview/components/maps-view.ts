/**
 * <xrf-maps-view>: the maps editor's page (ground truth or a prediction): the scan editor's map grid
 * (same tiles, colorbars, zoom and pan, export), display controls, the hovered pixel's values, and
 * "Compare with prediction…" ("Compare with ground truth…" for a prediction), which opens the results view.
 */
import { LitElement, html, css, nothing } from 'lit';
import { customElement, state } from 'lit/decorators.js';
import type { Endpoint, DisplaySettings, ErrorViewData, MapData } from '../../src/protocol';
import type { MapsHostSide, MapsWebviewSide, MapsInfo, Notice } from '../../src/protocol-ml';
import { fitViewport, type Viewport } from '../lib/viewport';
import { ContrastCache } from '../lib/contrast';
import { asF32 } from './png';
import { contrastRanges, displayControls, errorPage, exportShownMap, failureMessage, mapGrid, pixelValues, withPercentiles } from './map-page';
import '../controls/controls';

@customElement('xrf-maps-view')
export class XrfMapsView extends LitElement {
  static override styles = css`
    :host { display: block; padding: 8px 16px 24px; }
    header { display: flex; flex-wrap: wrap; align-items: baseline; gap: 4px 16px; margin-bottom: 8px; }
    h1 { font-size: 1.3em; margin: 0; }
    .meta { color: var(--vscode-descriptionForeground); }
    .toolbar { display: flex; flex-wrap: wrap; align-items: center; gap: 8px 16px; margin: 8px 0; }
    .status { min-height: 1.4em; margin: 6px 0; font-variant-numeric: tabular-nums; }
    .notice { padding: 4px 8px; margin: 6px 0; border-left: 3px solid var(--vscode-notificationsInfoIcon-foreground, var(--vscode-focusBorder)); }
    .notice.warning { border-color: var(--vscode-notificationsWarningIcon-foreground, orange); }
    .notice.error { border-color: var(--vscode-errorForeground); }
  `;

  endpoint!: Endpoint<MapsWebviewSide, MapsHostSide>;
  @state() private phase: 'loading' | 'ready' | 'error' = 'loading';
  @state() private fileName = '';
  @state() private info: MapsInfo | undefined;
  @state() private maps: MapData[] = [];
  @state() private display: DisplaySettings = { colormap: 'viridis', scaling: 'linear', lowPercentile: 0.5, highPercentile: 99.5 };
  @state() private trusted = true;
  @state() private error: ErrorViewData | undefined;
  @state() private viewport: Viewport = { cx: 0.5, cy: 0.5, zoom: 1 };
  @state() private hover: { row: number; col: number } | undefined;
  @state() private enlarged: string | undefined;
  @state() private notice: Notice | undefined;
  private readonly contrast = new ContrastCache();
  private noticeTimer: ReturnType<typeof setTimeout> | undefined;

  connect(endpoint: Endpoint<MapsWebviewSide, MapsHostSide>): void {
    this.endpoint = endpoint;
    endpoint.on('init', (d) => {
      this.display = d.display;
      this.trusted = d.trusted;
    });
    endpoint.on('opening', (d) => {
      this.phase = 'loading';
      this.fileName = d.fileName;
      this.error = undefined;
      this.maps = [];
      this.enlarged = undefined;
    });
    endpoint.on('info', (d) => {
      const resized = !this.info || this.info.width !== d.width || this.info.height !== d.height;
      this.info = d;
      this.fileName = d.fileName;
      if (resized) this.viewport = fitViewport(d);
    });
    endpoint.on('maps', (m) => {
      this.maps = m.maps.map((x) => ({ ...x, data: asF32(x.data) }));
      this.phase = 'ready';
    });
    endpoint.on('error', (e) => {
      this.error = e;
      this.phase = 'error';
    });
    endpoint.on('notice', (n) => this.showNotice(n));
  }

  private showNotice(n: Notice): void {
    this.notice = n;
    clearTimeout(this.noticeTimer);
    this.noticeTimer = setTimeout(() => (this.notice = undefined), n.level === 'info' ? 6_000 : 20_000);
  }

  private fail(what: string, e: unknown): void {
    this.showNotice({ level: 'error', message: failureMessage(what, e) });
  }

  override render() {
    if (this.phase === 'error' && this.error) {
      const host = { reopen: () => this.endpoint.request('reopen', {}), showLog: () => this.endpoint.request('showLog', {}) };
      return errorPage(this.error, host, (w, e) => this.fail(w, e));
    }
    const i = this.info;
    const d = this.display;
    const isPrediction = !!i?.model;
    return html`<header>
        <h1 id="file-name">${this.fileName || 'Maps'}</h1>
        ${i
          ? html`<span class="meta" data-field="shape">${i.format.toUpperCase()} · ${i.height} × ${i.width} pixels · ${i.lines.length} line families${i.model
              ? ` · predicted by ${i.model.architecture ?? ''} ${i.model.name}`
              : ''}</span>`
          : nothing}
      </header>
      ${i && i.ignored.length ? html`<div class="meta" id="ignored">Not line families, not shown: ${i.ignored.join(', ')}</div>` : nothing}
      ${i && i.withUncertainties.length ? html`<div class="meta">With 1σ uncertainties: ${i.withUncertainties.join(', ')}</div>` : nothing}
      <div class="toolbar" role="toolbar" aria-label="Display">
        ${displayControls(
          d,
          {
            display: (nd) => (this.display = nd),
            percentiles: (lo, hi) => this.setPercentiles(lo, hi),
            resetView: () => i && (this.viewport = fitViewport(i)),
          },
          'Reset zoom and pan',
        )}
        <xrf-button
          id="compare"
          appearance="primary"
          ?disabled=${!i || !this.trusted}
          label=${this.trusted ? (isPrediction ? 'Evaluate this prediction against ground truth' : 'Evaluate predictions against these maps') : 'Needs a trusted workspace'}
          @click=${() => void this.endpoint.request('compare', {}, { timeoutMs: 60 * 60_000 }).catch((e) => this.fail('Compare', e))}
          >${isPrediction ? 'Compare with ground truth…' : 'Compare with prediction…'}</xrf-button
        >
      </div>
      ${this.notice ? html`<div class="notice ${this.notice.level}" role="status" id="notice">${this.notice.message}</div>` : nothing}
      ${i && this.maps.length
        ? mapGrid({
            maps: this.maps,
            width: i.width,
            height: i.height,
            display: this.display,
            ranges: contrastRanges(this.maps, this.contrast, this.display),
            viewport: this.viewport,
            marker: this.hover,
            enlarged: this.enlarged,
            onViewport: (v) => (this.viewport = v),
            onHover: (p) => (this.hover = p),
            onEnlarged: (id) => (this.enlarged = id),
            onExport: (id, format) =>
              void exportShownMap((params, opts) => this.endpoint.request('exportMap', params, opts), this.maps.find((x) => x.id === id), this.contrast, this.display, format, (w, e) => this.fail(w, e)),
          })
        : html`<p>${this.phase === 'loading' ? 'Reading the maps…' : 'No maps.'}</p>`}
      <div class="status" id="pixel-values">${this.pixelValues()}</div>`;
  }

  private setPercentiles(lo: number, hi: number): void {
    const d = withPercentiles(this.display, lo, hi);
    if (typeof d === 'string') this.showNotice({ level: 'warning', message: d });
    else this.display = d;
  }

  private pixelValues() {
    const p = this.hover;
    if (!p || !this.info) return html`Hover a map to see a pixel's values.`;
    return html`<strong>row ${p.row}, col ${p.col}:</strong> ${pixelValues(this.maps, this.info.width, p)}`;
  }
}

declare global {
  interface HTMLElementTagNameMap {
    'xrf-maps-view': XrfMapsView;
  }
}
