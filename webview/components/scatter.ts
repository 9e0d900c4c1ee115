/**
 * <xrf-scatter>: predicted against true values of one family (one point per pixel, binned into a
 * density image), the identity ŷ = y dashed and the fitted ŷ = α·y solid. Geometry in
 * webview/lib/scatter.ts. Canvas: `data-kind="scatter"`, `data-line`, `data-model`, `data-drawn`.
 */
import { LitElement, html, css } from 'lit';
import { customElement, property, query } from 'lit/decorators.js';
import { densityGrid, densityRGBA, fitLineSegment, scatterDomain } from '../lib/scatter';
import { niceTicks, formatValue } from '../lib/ticks';
import { themeColor } from './png';

const SIZE = 320;
/** Up to this many points are drawn one by one; more are binned into a density image. */
const SPARSE_POINTS = 5000;
const M = { left: 48, right: 10, top: 10, bottom: 36 };

function parseRgb(c: string): [number, number, number] {
  const m = /^#([0-9a-f]{6})$/i.exec(c.trim());
  if (m) return [parseInt(m[1].slice(0, 2), 16), parseInt(m[1].slice(2, 4), 16), parseInt(m[1].slice(4, 6), 16)];
  const r = /rgba?\(\s*(\d+)[ ,]+(\d+)[ ,]+(\d+)/i.exec(c);
  return r ? [Number(r[1]), Number(r[2]), Number(r[3])] : [55, 148, 255];
}

@customElement('xrf-scatter')
export class XrfScatter extends LitElement {
  static override styles = css`
    :host { display: flex; flex-direction: column; min-width: 0; }
    .title { font-weight: 600; min-height: 22px; }
    canvas { display: block; width: 100%; max-width: ${SIZE}px; aspect-ratio: 1 / 1; }
  `;

  @property({ attribute: false }) y!: Float32Array;
  @property({ attribute: false }) yhat!: Float32Array;
  @property({ attribute: false }) slope: number | null = null;
  @property() line = '';
  @property() model = '';
  @query('canvas') canvas!: HTMLCanvasElement;

  override render() {
    const a = this.slope === null ? 'n/a' : this.slope.toFixed(3);
    return html`<div class="title">ŷ against y · α = ${a}</div>
      <canvas
        data-kind="scatter"
        data-line=${this.line}
        data-model=${this.model}
        width=${SIZE}
        height=${SIZE}
        role="img"
        aria-label=${`Scatter of predicted against true ${this.line} values for ${this.model}; fitted slope ${a}`}
      ></canvas>`;
  }

  protected override updated(): void {
    this.draw();
  }

  draw(): void {
    const ctx = this.canvas?.getContext('2d');
    if (!ctx || !this.y || !this.yhat) return;
    const fg = themeColor(this, '--vscode-foreground', '#ccc');
    const grid = themeColor(this, '--vscode-widget-border', 'rgba(128,128,128,0.35)');
    const pts = themeColor(this, '--vscode-charts-blue', '#3794ff');
    const fit = themeColor(this, '--vscode-charts-red', '#f14c4c');
    const font = themeColor(this, '--vscode-font-family', 'sans-serif');
    const pw = SIZE - M.left - M.right;
    const ph = SIZE - M.top - M.bottom;
    const d = scatterDomain(this.y, this.yhat);
    const x = (v: number) => M.left + ((v - d.lo) / (d.hi - d.lo)) * pw;
    const yy = (v: number) => M.top + ph - ((v - d.lo) / (d.hi - d.lo)) * ph;
    ctx.clearRect(0, 0, SIZE, SIZE);
    ctx.font = `10px ${font}`;
    ctx.fillStyle = fg;
    ctx.strokeStyle = grid;
    ctx.lineWidth = 1;
    const ticks = niceTicks(d.lo, d.hi, 4);
    ctx.textAlign = 'center';
    ctx.textBaseline = 'top';
    for (const t of ticks) ctx.fillText(formatValue(t), x(t), M.top + ph + 4);
    ctx.textAlign = 'right';
    ctx.textBaseline = 'middle';
    for (const t of ticks) ctx.fillText(formatValue(t), M.left - 4, yy(t));
    ctx.strokeRect(M.left + 0.5, M.top + 0.5, pw, ph);
    ctx.textAlign = 'center';
    ctx.textBaseline = 'bottom';
    ctx.fillText('ground truth y', M.left + pw / 2, SIZE - 2);
    ctx.save();
    ctx.translate(10, M.top + ph / 2);
    ctx.rotate(-Math.PI / 2);
    ctx.textBaseline = 'middle';
    ctx.fillText('prediction ŷ', 0, 0);
    ctx.restore();
    const n = Math.min(this.y.length, this.yhat.length);
    if (n <= SPARSE_POINTS) {
      // Few points (a small map): each one visible as a dot.
      ctx.fillStyle = pts;
      ctx.globalAlpha = 0.7;
      for (let i = 0; i < n; i++) if (Number.isFinite(this.y[i]) && Number.isFinite(this.yhat[i])) ctx.fillRect(x(this.y[i]) - 1.5, yy(this.yhat[i]) - 1.5, 3, 3);
      ctx.globalAlpha = 1;
    } else {
      // Many points: their density, one cell per canvas pixel.
      const g = densityGrid(this.y, this.yhat, d, pw, ph);
      ctx.putImageData(new ImageData(densityRGBA(g, parseRgb(pts)) as Uint8ClampedArray<ArrayBuffer>, pw, ph), M.left, M.top);
    }
    ctx.strokeRect(M.left + 0.5, M.top + 0.5, pw, ph);
    // Identity, dashed; fitted slope through the origin, solid.
    ctx.save();
    ctx.beginPath();
    ctx.rect(M.left, M.top, pw, ph);
    ctx.clip();
    ctx.strokeStyle = fg;
    ctx.setLineDash([4, 4]);
    ctx.beginPath();
    ctx.moveTo(x(d.lo), yy(d.lo));
    ctx.lineTo(x(d.hi), yy(d.hi));
    ctx.stroke();
    ctx.setLineDash([]);
    const seg = fitLineSegment(this.slope, d);
    if (seg) {
      ctx.strokeStyle = fit;
      ctx.lineWidth = 2;
      ctx.beginPath();
      ctx.moveTo(x(seg.x0), yy(seg.y0));
      ctx.lineTo(x(seg.x1), yy(seg.y1));
      ctx.stroke();
    }
    ctx.restore();
    this.canvas.dataset.drawn = 'true';
  }
}

declare global {
  interface HTMLElementTagNameMap {
    'xrf-scatter': XrfScatter;
  }
}
