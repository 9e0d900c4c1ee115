/**
 * <xrf-results-view>: predictions against ground truth (thesis §5.3). The tables (metrics with Total
 * and Avg rows, one column per model, best marked; z-score shares) copy as Markdown or CSV; per line
 * family, pulled from the host one at a time: ground truth and each prediction side by side on the
 * same colour scale (the ground truth's percentile range), the z-score map (Figure 5.4) and the
 * scatter of ŷ against y with the fitted slope. Every figure exports as PNG.
 *
 * `data-state`: loading → ready (tables shown and the family's figures drawn) or error.
 */
import { LitElement, html, css, nothing } from 'lit';
import { customElement, state } from 'lit/decorators.js';
import type { Endpoint, DisplaySettings, ErrorViewData, MapData } from '../../src/protocol';
import type { ResultsHostSide, ResultsWebviewSide, ResultsData, FamilyMaps, Notice } from '../../src/protocol-ml';
import { reportToCsv, reportToMarkdown } from '../../src/core/metrics/report';
import { renderMapRGBA } from '../../src/core/render/render-map';
import { contrastRange } from '../../src/core/render/percentile';
import { metricsTables, zScoreTable } from '../lib/metrics-table';
import { fitViewport, type Viewport } from '../lib/viewport';
import { formatValue } from '../lib/ticks';
import { asF32, canvasToPng, rgbaCanvas } from './png';
import type { XrfZScoreMap } from './zscore-map';
import '../controls/controls';
import './map-view';
import './metrics-table';
import './zscore-map';
import './scatter';
import './error-view';

const DEFAULT_DISPLAY: DisplaySettings = { colormap: 'viridis', scaling: 'linear', lowPercentile: 0.5, highPercentile: 99.5 };

function safe(s: string): string {
  return s.replace(/[\\/:*?"<>|\s]+/g, '_');
}

@customElement('xrf-results-view')
export class XrfResultsView extends LitElement {
  static override styles = css`
    :host { display: block; padding: 8px 16px 24px; }
    h1 { font-size: 1.3em; margin: 0 0 4px; }
    h2 { font-size: 1.15em; margin: 18px 0 6px; }
    .meta { color: var(--vscode-descriptionForeground); overflow-wrap: anywhere; }
    .bar { display: flex; gap: 8px; align-items: center; flex-wrap: wrap; margin: 8px 0; }
    .tables { display: flex; flex-wrap: wrap; gap: 0 32px; align-items: flex-start; }
    .notes { color: var(--vscode-descriptionForeground); font-size: 0.9em; }
    .row { display: grid; grid-template-columns: repeat(auto-fill, minmax(230px, 1fr)); gap: 12px; align-items: start; margin: 10px 0 18px; }
    .fig { display: flex; flex-direction: column; gap: 4px; min-width: 0; }
    .model { font-weight: 600; margin-top: 8px; }
    .notice { padding: 4px 8px; margin: 6px 0; border-left: 3px solid var(--vscode-notificationsInfoIcon-foreground, var(--vscode-focusBorder)); }
    .notice.error { border-color: var(--vscode-errorForeground); }
    #pixel-values { min-height: 1.4em; font-variant-numeric: tabular-nums; }
  `;

  endpoint!: Endpoint<ResultsWebviewSide, ResultsHostSide>;

  @state() private display: DisplaySettings = DEFAULT_DISPLAY;
  @state() private heading = 'Results';
  @state() private data: ResultsData | undefined;
  @state() private progress: { done: number; total: number; label: string } | undefined;
  @state() private error: ErrorViewData | undefined;
  @state() private line: string | undefined;
  @state() private family: FamilyMaps | undefined;
  @state() private viewport: Viewport = { cx: 0.5, cy: 0.5, zoom: 1 };
  @state() private hover: { row: number; col: number } | undefined;
  @state() private notice: Notice | undefined;
  private noticeTimer: ReturnType<typeof setTimeout> | undefined;

  connect(endpoint: Endpoint<ResultsWebviewSide, ResultsHostSide>): void {
    this.endpoint = endpoint;
    endpoint.on('init', (d) => {
      this.display = d.display;
      this.heading = d.title;
    });
    endpoint.on('progress', (p) => (this.progress = p));
    endpoint.on('results', (d) => {
      this.data = d;
      this.error = undefined;
      this.progress = undefined;
      this.viewport = fitViewport({ width: d.width, height: d.height });
      this.heading = d.title;
      void this.selectFamily(this.line && d.lines.includes(this.line) ? this.line : d.lines[0]);
    });
    endpoint.on('error', (e) => {
      this.error = e;
      this.progress = undefined;
    });
    endpoint.on('notice', (n) => this.showNotice(n));
  }

  private showNotice(n: Notice): void {
    this.notice = n;
    clearTimeout(this.noticeTimer);
    this.noticeTimer = setTimeout(() => (this.notice = undefined), n.level === 'error' ? 15_000 : 5_000);
  }

  private async selectFamily(line: string | undefined): Promise<void> {
    if (!line) return;
    this.line = line;
    try {
      const f = await this.endpoint.request('family', { line }, { timeoutMs: 120_000 });
      if (this.line !== line) return;
      this.family = { line: f.line, gt: asF32(f.gt), preds: f.preds.map((p) => (p ? asF32(p) : null)), zMaps: f.zMaps.map((z) => (z ? asF32(z) : null)) };
    } catch (e) {
      this.showNotice({ level: 'error', message: `Maps of ${line}: ${e instanceof Error ? e.message : String(e)}` });
    }
  }

  protected override updated(): void {
    this.dataset.state = this.error ? 'error' : this.data && this.family ? 'ready' : 'loading';
  }

  override render() {
    if (this.error) {
      return html`<xrf-error-view
        .error=${this.error}
        @reopen=${() => {
          this.error = undefined;
          void this.endpoint.request('rerun', {}).catch(() => undefined);
        }}
        @show-log=${() => void this.endpoint.request('showLog', {}).catch(() => undefined)}></xrf-error-view>`;
    }
    const d = this.data;
    return html`<h1 id="results-title">${this.heading}</h1>
      ${d ? html`<div class="meta">Ground truth: ${d.gt} · ${d.height} × ${d.width} pixels · SSIM window ${d.reports[0]?.ssimWindow ?? 7}</div>` : nothing}
      ${this.progress ? html`<xrf-progress id="progress" .done=${this.progress.done} .total=${this.progress.total} .label=${this.progress.label}></xrf-progress>` : nothing}
      ${this.notice ? html`<div class="notice ${this.notice.level}" role="status" id="notice">${this.notice.message}</div>` : nothing}
      ${d ? this.tables(d) : nothing} ${d ? this.figures(d) : nothing}`;
  }

  private tables(d: ResultsData) {
    const tables = [...metricsTables(d.reports, d.models), zScoreTable(d.reports, d.models)];
    const input = Object.fromEntries(d.reports.map((r, i) => [d.models[i], r]));
    const notes: string[] = [];
    d.reports.forEach((r, i) => {
      if (r.extra.inPred.length) notes.push(`${d.models[i]}: not in the ground truth, ignored: ${r.extra.inPred.join(', ')}`);
      if (r.extra.inGt.length) notes.push(`${d.models[i]}: not predicted, ignored: ${r.extra.inGt.join(', ')}`);
    });
    return html`<div class="bar">
        <xrf-button id="copy-report-markdown" label="Copy every table as Markdown" @click=${() => this.copy(reportToMarkdown(d.reports.length === 1 ? d.reports[0] : input, { title: this.heading }), 'the report (Markdown)')}
          >Copy report as Markdown</xrf-button
        >
        <xrf-button id="copy-report-csv" label="Copy every number as CSV" @click=${() => this.copy(reportToCsv(input), 'the report (CSV)')}>Copy report as CSV</xrf-button>
      </div>
      <div class="tables" @copy-table=${(e: CustomEvent<{ text: string; what: string }>) => this.copy(e.detail.text, e.detail.what)}>
        ${tables.map((t) => html`<xrf-metrics-table .table=${t}></xrf-metrics-table>`)}
      </div>
      ${notes.length ? html`<ul class="notes" id="results-notes">${notes.map((n) => html`<li>${n}</li>`)}</ul>` : nothing}`;
  }

  private figures(d: ResultsData) {
    const f = this.family;
    const options = d.lines.map((l) => ({ value: l, label: l }));
    const head = html`<h2>Maps</h2>
      <div class="bar">
        <xrf-select id="family" label="Line family" .value=${this.line ?? ''} .options=${options} @value-change=${(e: CustomEvent<{ value: string }>) => void this.selectFamily(e.detail.value)}></xrf-select>
        <xrf-button id="reset-view" label="Reset zoom and pan" @click=${() => (this.viewport = fitViewport({ width: d.width, height: d.height }))}>Reset view</xrf-button>
      </div>
      <div id="pixel-values">${this.pixelValues(d)}</div>`;
    if (!f || f.line !== this.line) return html`${head}<p>Loading the maps of ${this.line ?? '…'}</p>`;
    const range = contrastRange(f.gt, this.display.lowPercentile, this.display.highPercentile);
    const gtMap: MapData = { id: `gt:${f.line}`, label: f.line, kind: 'line', data: f.gt };
    const mapView = (m: MapData, who: string) => html`<div class="fig">
      <xrf-map-view
        .map=${m}
        .imgWidth=${d.width}
        .imgHeight=${d.height}
        .display=${this.display}
        .lo=${range.lo}
        .hi=${range.hi}
        .viewport=${this.viewport}
        .marker=${this.hover}
        data-who=${who}
        @viewport-change=${(e: CustomEvent<{ viewport: Viewport }>) => (this.viewport = e.detail.viewport)}
        @pixel-hover=${(e: CustomEvent<{ row: number; col: number } | null>) => (this.hover = e.detail ?? undefined)}
        @enlarge=${(e: Event) => e.stopPropagation()}
      ></xrf-map-view>
      <xrf-button data-export-png=${`${who}:${f.line}`} label=${`Export the ${who} map of ${f.line} as PNG`} @click=${() => void this.exportMap(m.data, `${safe(f.line)}_${safe(who)}`, range)}>Export PNG</xrf-button>
    </div>`;
    return html`${head}
      <div class="model">Ground truth</div>
      <div class="row">${mapView(gtMap, 'ground truth')}</div>
      ${d.models.map((model, i) => {
        const p = f.preds[i];
        const z = f.zMaps[i];
        const rep = d.reports[i].families[f.line];
        if (!p || !z || !rep) return html`<div class="model">${model}</div><p>${model} did not predict ${f.line}.</p>`;
        const pm: MapData = { id: `pred:${model}:${f.line}`, label: `${f.line} · ${model}`, kind: 'line', data: p };
        return html`<div class="model" data-model=${model}>${model} · SSIM ${rep.ssim.toFixed(3)} · r ${rep.pearson === null ? 'n/a' : rep.pearson.toFixed(3)} · α ${rep.slope === null ? 'n/a' : rep.slope.toFixed(3)}</div>
          <div class="row">
            ${mapView(pm, model)}
            <div class="fig">
              <xrf-zscore-map .z=${z} .imgWidth=${d.width} .imgHeight=${d.height} line=${f.line} model=${model}></xrf-zscore-map>
              <xrf-button data-export-png=${`zscore:${model}:${f.line}`} label=${`Export the z-score map of ${f.line}, ${model}, as PNG`} @click=${(e: Event) => void this.exportZ(e, `${safe(f.line)}_${safe(model)}_zscore`)}>Export PNG</xrf-button>
            </div>
            <div class="fig">
              <xrf-scatter .y=${f.gt} .yhat=${p} .slope=${rep.slope} line=${f.line} model=${model}></xrf-scatter>
              <xrf-button data-export-png=${`scatter:${model}:${f.line}`} label=${`Export the scatter of ${f.line}, ${model}, as PNG`} @click=${(e: Event) => void this.exportScatter(e, `${safe(f.line)}_${safe(model)}_scatter`)}>Export PNG</xrf-button>
            </div>
          </div>`;
      })}`;
  }

  private pixelValues(d: ResultsData) {
    const f = this.family;
    const p = this.hover;
    if (!f || !p) return html`Hover a map to read the pixel's values.`;
    const i = p.row * d.width + p.col;
    const parts = [`y ${formatValue(f.gt[i], 4)}`];
    d.models.forEach((m, k) => {
      const pr = f.preds[k];
      const z = f.zMaps[k];
      if (pr && z) parts.push(`${m}: ŷ ${formatValue(pr[i], 4)}, |z| ${formatValue(z[i], 3)}`);
    });
    return html`<strong>${f.line}, row ${p.row}, col ${p.col}:</strong> ${parts.join(' · ')}`;
  }

  private copy(text: string, what: string): void {
    void this.endpoint.request('copy', { text, what }).catch((e) => this.showNotice({ level: 'error', message: `Copy: ${e instanceof Error ? e.message : String(e)}` }));
  }

  private async save(canvas: HTMLCanvasElement, name: string): Promise<void> {
    try {
      const png = await canvasToPng(canvas);
      await this.endpoint.request('savePng', { defaultName: name, png }, { timeoutMs: 60 * 60_000 });
    } catch (e) {
      this.showNotice({ level: 'error', message: `Export: ${e instanceof Error ? e.message : String(e)}` });
    }
  }

  private exportMap(data: Float32Array, name: string, range: { lo: number; hi: number }): Promise<void> {
    const d = this.data!;
    const rgba = renderMapRGBA(data, d.width, d.height, { colormap: this.display.colormap, scale: this.display.scaling, lo: range.lo, hi: range.hi });
    return this.save(rgbaCanvas(rgba, d.width, d.height), name);
  }

  private exportZ(e: Event, name: string): Promise<void> {
    const el = (e.currentTarget as HTMLElement).parentElement?.querySelector('xrf-zscore-map') as XrfZScoreMap | null;
    return el ? this.save(el.exportCanvas(), name) : Promise.resolve();
  }

  private exportScatter(e: Event, name: string): Promise<void> {
    const el = (e.currentTarget as HTMLElement).parentElement?.querySelector('xrf-scatter');
    return el?.canvas ? this.save(el.canvas, name) : Promise.resolve();
  }
}

declare global {
  interface HTMLElementTagNameMap {
    'xrf-results-view': XrfResultsView;
  }
}
