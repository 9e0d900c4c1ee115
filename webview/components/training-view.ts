/**
 * <xrf-training-view>: the page of a training run's panel: what is trained where, the backend and
 * why, the live loss chart, the latest epoch line, Cancel and "Export PNG". `data-state` is the run's
 * state (starting, reading, training, done, cancelled, failed); e2e tests wait on it.
 */
import { LitElement, html, css, nothing } from 'lit';
import { customElement, state, query } from 'lit/decorators.js';
import type { Endpoint } from '../../src/protocol';
import type { TrainingHostSide, TrainingWebviewSide, TrainingInit, TrainingStatus } from '../../src/protocol-ml';
import { canvasToPng } from './png';
import type { XrfLossChart } from './loss-chart';
import '../controls/controls';
import './loss-chart';

@customElement('xrf-training-view')
export class XrfTrainingView extends LitElement {
  static override styles = css`
    :host { display: block; padding: 8px 16px 24px; max-width: 1100px; }
    h1 { font-size: 1.3em; margin: 0 0 4px; }
    .meta { color: var(--vscode-descriptionForeground); margin: 2px 0; overflow-wrap: anywhere; }
    .status { margin: 10px 0; min-height: 1.4em; font-variant-numeric: tabular-nums; }
    .status.failed { color: var(--vscode-errorForeground); }
    .bar { display: flex; gap: 8px; margin: 8px 0; flex-wrap: wrap; }
  `;

  endpoint!: Endpoint<TrainingWebviewSide, TrainingHostSide>;
  @state() private init: TrainingInit | undefined;
  @state() private status: TrainingStatus = { state: 'starting', message: 'Starting…', bestEpoch: 0 };
  @state() private history = { train: [] as number[], val: [] as number[] };
  @state() private revision = 0;
  @state() private note = '';
  @query('xrf-loss-chart') private chart!: XrfLossChart;

  connect(endpoint: Endpoint<TrainingWebviewSide, TrainingHostSide>): void {
    this.endpoint = endpoint;
    endpoint.on('init', (d) => (this.init = d));
    endpoint.on('history', (h) => {
      this.history = { train: [...h.train], val: [...h.val] };
      this.revision++;
    });
    endpoint.on('epoch', (e) => {
      this.history.train[e.epoch - 1] = e.trainLoss;
      this.history.val[e.epoch - 1] = e.valLoss;
      this.history = { ...this.history };
      this.revision++;
    });
    endpoint.on('status', (s) => (this.status = s));
  }

  protected override updated(): void {
    this.dataset.state = this.status.state;
  }

  override render() {
    const i = this.init;
    const s = this.status;
    const running = s.state === 'starting' || s.state === 'reading' || s.state === 'training';
    return html`<h1 id="training-title">${i ? `Training ${i.model}` : 'Training'}</h1>
      ${i
        ? html`<div class="meta" id="training-out">Model folder: ${i.outDir}</div>
            <div class="meta">Paintings: ${i.paintings.join(', ')} · up to ${i.maxEpochs} epochs</div>`
        : nothing}
      ${s.backend ? html`<div class="meta" id="training-backend" title=${s.backend.reason}>Backend: ${s.backend.name} (${s.backend.reason})</div>` : nothing}
      ${s.samples ? html`<div class="meta">${s.samples.train} training and ${s.samples.val} validation spectra</div>` : nothing}
      <div class="status ${s.state}" id="training-status" role="status" data-state=${s.state}>${s.message}${s.bestEpoch > 0 ? ` · best epoch ${s.bestEpoch}` : ''}</div>
      <div class="bar">
        ${running
          ? html`<xrf-button id="training-cancel" label="Stop after the current batch and keep the best model" @click=${() => void this.endpoint.request('cancel', {}).catch(() => undefined)}
              >Cancel training</xrf-button
            >`
          : nothing}
        <xrf-button id="training-export" label="Export the loss chart as PNG" @click=${() => void this.exportPng()}>Export PNG</xrf-button>
        <xrf-button id="training-log" label="Show the XRF Maps log" @click=${() => void this.endpoint.request('showLog', {}).catch(() => undefined)}>Show log</xrf-button>
        <span>${this.note}</span>
      </div>
      <xrf-loss-chart .history=${this.history} .maxEpochs=${i?.maxEpochs ?? 0} .revision=${this.revision}></xrf-loss-chart>`;
  }

  private async exportPng(): Promise<void> {
    try {
      const png = await canvasToPng(this.chart.canvas);
      const name = `${this.init ? `loss_${this.init.model}_${this.init.outDir.split(/[\\/]/).pop()}` : 'loss'}`;
      const r = await this.endpoint.request('savePng', { defaultName: name, png }, { timeoutMs: 60 * 60_000 });
      this.note = r.path ? `Saved ${r.path}` : '';
    } catch (e) {
      this.note = `Export failed: ${e instanceof Error ? e.message : String(e)}`;
    }
  }
}

declare global {
  interface HTMLElementTagNameMap {
    'xrf-training-view': XrfTrainingView;
  }
}
