/**
 * <xrf-loss-chart>: aL1 per epoch, training and validation, on a log axis (thesis Figures 5.6–5.7),
 * redrawn as epochs arrive. Geometry from webview/lib/loss-chart.ts; this element only strokes it.
 * The canvas carries `data-kind="loss-chart"`, `data-epochs` (points drawn) and `data-drawn="true"`.
 */
import { LitElement, html, css } from 'lit';
import { customElement, property, query } from 'lit/decorators.js';
import { layoutLossChart, type LossHistory } from '../lib/loss-chart';
import { themeColor } from './png';
import { RedrawOnResize } from './redraw-on-resize';

@customElement('xrf-loss-chart')
export class XrfLossChart extends LitElement {
  static override styles = css`
    :host { display: block; }
    .frame { position: relative; width: 100%; height: var(--xrf-loss-chart-height, 320px); }
    canvas { display: block; width: 100%; height: 100%; }
    .legend { display: flex; gap: 16px; font-size: 0.9em; color: var(--vscode-descriptionForeground); margin-top: 4px; }
    .swatch { display: inline-block; width: 18px; height: 3px; vertical-align: middle; margin-right: 6px; }
  `;

  @property({ attribute: false }) history: LossHistory = { train: [], val: [] };
  @property({ type: Number }) maxEpochs = 0;
  /** Bumped by the parent when the history arrays grow in place. */
  @property({ type: Number }) revision = 0;

  @query('canvas') canvas!: HTMLCanvasElement;
  private readonly redrawOnResize = new RedrawOnResize(this, () => this.renderRoot?.querySelector('canvas'), () => this.draw());

  private colors() {
    return {
      train: themeColor(this, '--vscode-charts-blue', '#3794ff'),
      val: themeColor(this, '--vscode-charts-orange', '#d18616'),
      fg: themeColor(this, '--vscode-foreground', '#ccc'),
      grid: themeColor(this, '--vscode-widget-border', 'rgba(128,128,128,0.35)'),
      font: themeColor(this, '--vscode-font-family', 'sans-serif'),
    };
  }

  override render() {
    const c = this.colors();
    const n = Math.max(this.history.train.length, this.history.val.length);
    return html`<div class="frame">
        <canvas
          data-kind="loss-chart"
          data-epochs=${n}
          role="img"
          aria-label=${`Loss per epoch, log scale: ${n} epochs; last training aL1 ${this.history.train.at(-1)?.toFixed(4) ?? 'none'}, last validation aL1 ${this.history.val.at(-1)?.toFixed(4) ?? 'none'}`}
        ></canvas>
      </div>
      <div class="legend" aria-hidden="true">
        <span><span class="swatch" style="background:${c.train}"></span>training aL1</span>
        <span><span class="swatch" style="background:${c.val}"></span>validation aL1</span>
        <span>○ best validation epoch</span>
      </div>`;
  }

  protected override updated(): void {
    this.draw();
  }

  draw(): void {
    const canvas = this.canvas;
    if (!canvas) return;
    const cssW = canvas.clientWidth || 600;
    const cssH = canvas.clientHeight || 320;
    const dpr = window.devicePixelRatio || 1;
    canvas.width = Math.round(cssW * dpr);
    canvas.height = Math.round(cssH * dpr);
    const ctx = canvas.getContext('2d');
    if (!ctx) return;
    const c = this.colors();
    const L = layoutLossChart(this.history, { width: cssW, height: cssH }, { maxEpochs: this.maxEpochs });
    ctx.setTransform(dpr, 0, 0, dpr, 0, 0);
    ctx.clearRect(0, 0, cssW, cssH);
    ctx.font = `11px ${c.font}`;
    ctx.fillStyle = c.fg;
    ctx.strokeStyle = c.grid;
    ctx.lineWidth = 1;
    // Grid and ticks.
    ctx.textAlign = 'right';
    ctx.textBaseline = 'middle';
    for (const t of L.yTicks) {
      ctx.beginPath();
      ctx.moveTo(L.plot.left, Math.round(t.px) + 0.5);
      ctx.lineTo(L.plot.right, Math.round(t.px) + 0.5);
      ctx.stroke();
      ctx.fillText(t.label, L.plot.left - 6, t.px);
    }
    ctx.textAlign = 'center';
    ctx.textBaseline = 'top';
    for (const t of L.xTicks) {
      ctx.beginPath();
      ctx.moveTo(Math.round(t.px) + 0.5, L.plot.bottom);
      ctx.lineTo(Math.round(t.px) + 0.5, L.plot.bottom + 4);
      ctx.stroke();
      ctx.fillText(t.label, t.px, L.plot.bottom + 6);
    }
    ctx.strokeRect(L.plot.left + 0.5, L.plot.top + 0.5, L.plot.right - L.plot.left, L.plot.bottom - L.plot.top);
    ctx.fillText('epoch', (L.plot.left + L.plot.right) / 2, L.plot.bottom + 20);
    ctx.save();
    ctx.translate(12, (L.plot.top + L.plot.bottom) / 2);
    ctx.rotate(-Math.PI / 2);
    ctx.textBaseline = 'middle';
    ctx.fillText('aL1 (log)', 0, 0);
    ctx.restore();
    // Curves: a lone point (one epoch) is drawn as a dot.
    ctx.save();
    ctx.beginPath();
    ctx.rect(L.plot.left, L.plot.top, L.plot.right - L.plot.left, L.plot.bottom - L.plot.top);
    ctx.clip();
    for (const s of L.series) {
      const color = s.name === 'train' ? c.train : c.val;
      ctx.strokeStyle = color;
      ctx.fillStyle = color;
      ctx.lineWidth = 2;
      for (const seg of s.segments) {
        if (seg.length === 1) {
          ctx.beginPath();
          ctx.arc(seg[0][0], seg[0][1], 2.5, 0, 2 * Math.PI);
          ctx.fill();
          continue;
        }
        ctx.beginPath();
        seg.forEach(([x, y], i) => (i === 0 ? ctx.moveTo(x, y) : ctx.lineTo(x, y)));
        ctx.stroke();
      }
    }
    ctx.restore();
    // The best-epoch ring is drawn unclipped: it often sits on the frame (the latest epoch).
    if (L.best) {
      ctx.strokeStyle = c.val;
      ctx.lineWidth = 1.5;
      ctx.beginPath();
      ctx.arc(L.best.x, L.best.y, 5, 0, 2 * Math.PI);
      ctx.stroke();
    }
    canvas.dataset.drawn = 'true';
  }
}

declare global {
  interface HTMLElementTagNameMap {
    'xrf-loss-chart': XrfLossChart;
  }
}
