/**
 * <xrf-zscore-map>: the absolute z-score map of one family and model in the thesis's palette (Figure
 * 5.4: white (0,1], yellow (1,2], orange (2,3], red > 3; black no data), with its legend and shares.
 * Canvas: `data-kind="zscore-map"`, `data-line`, `data-model`, `data-drawn="true"` once drawn.
 */
import { LitElement, html, css } from 'lit';
import { customElement, property, query } from 'lit/decorators.js';
import { styleMap } from 'lit/directives/style-map.js';
import { renderZScoreRGBA, zLegend, zBinShares } from '../lib/zscore';
import { rgbaCanvas } from './png';

@customElement('xrf-zscore-map')
export class XrfZScoreMap extends LitElement {
  static override styles = css`
    :host { display: flex; flex-direction: column; min-width: 0; }
    .title { font-weight: 600; min-height: 22px; }
    .frame { width: 100%; border: 1px solid var(--vscode-widget-border, rgba(128, 128, 128, 0.5)); box-sizing: border-box; }
    canvas { display: block; width: 100%; height: 100%; image-rendering: pixelated; }
    .legend { display: flex; flex-wrap: wrap; gap: 4px 10px; font-size: 10px; color: var(--vscode-descriptionForeground); margin-top: 3px; }
    .sw { display: inline-block; width: 10px; height: 10px; border: 1px solid var(--vscode-widget-border, #888); vertical-align: -1px; margin-right: 3px; }
  `;

  @property({ attribute: false }) z!: Float32Array;
  @property({ type: Number }) imgWidth = 1;
  @property({ type: Number }) imgHeight = 1;
  @property() line = '';
  @property() model = '';
  @query('canvas') canvas!: HTMLCanvasElement;
  private drawnFor: Float32Array | undefined;

  override render() {
    const shares = zBinShares(this.z);
    return html`<div class="title">|z| ${this.model}</div>
      <div class="frame" style=${styleMap({ 'aspect-ratio': `${this.imgWidth} / ${this.imgHeight}` })}>
        <canvas
          data-kind="zscore-map"
          data-line=${this.line}
          data-model=${this.model}
          width=${this.imgWidth}
          height=${this.imgHeight}
          role="img"
          aria-label=${`Absolute z-score map of ${this.line}, ${this.model}: ${(100 * shares.le1).toFixed(1)} % of pixels within one σ`}
        ></canvas>
      </div>
      <div class="legend">
        ${zLegend(shares).map((e) => html`<span><span class="sw" style=${styleMap({ background: e.color })}></span>${e.label} ${((e.share ?? 0) * 100).toFixed(1)} %</span>`)}
      </div>`;
  }

  protected override updated(): void {
    if (!this.canvas || this.drawnFor === this.z) return;
    this.canvas.getContext('2d')?.putImageData(new ImageData(renderZScoreRGBA(this.z, this.imgWidth, this.imgHeight) as Uint8ClampedArray<ArrayBuffer>, this.imgWidth, this.imgHeight), 0, 0);
    this.drawnFor = this.z;
    this.canvas.dataset.drawn = 'true';
  }

  /** The map at one pixel per map pixel, for PNG export. */
  exportCanvas(): HTMLCanvasElement {
    return rgbaCanvas(renderZScoreRGBA(this.z, this.imgWidth, this.imgHeight), this.imgWidth, this.imgHeight);
  }
}

declare global {
  interface HTMLElementTagNameMap {
    'xrf-zscore-map': XrfZScoreMap;
  }
}
