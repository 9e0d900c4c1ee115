/** <xrf-colorbar>: the colormap as a horizontal bar under a map, with tick values in map units. */
import { LitElement, html, css } from 'lit';
import { customElement, property, query } from 'lit/decorators.js';
import { styleMap } from 'lit/directives/style-map.js';
import { colorbarRGBA } from '../../src/core/render/render-map';
import type { ColormapName, Scaling } from '../../src/protocol';
import { colorbarTicks } from '../lib/colorbar';
import { formatValue } from '../lib/ticks';

@customElement('xrf-colorbar')
export class XrfColorbar extends LitElement {
  static override styles = css`
    :host { display: block; font-size: 10px; color: var(--vscode-descriptionForeground); }
    canvas { display: block; width: 100%; height: 8px; image-rendering: auto; border: 1px solid var(--vscode-widget-border, transparent); box-sizing: border-box; }
    .ticks { position: relative; height: 1.4em; }
    .tick { position: absolute; top: 1px; transform: translateX(-50%); white-space: nowrap; }
    .tick.first { transform: none; }
    .tick.last { transform: translateX(-100%); }
  `;
  @property() colormap: ColormapName = 'viridis';
  @property() scaling: Scaling = 'linear';
  @property({ type: Number }) lo = 0;
  @property({ type: Number }) hi = 1;
  @query('canvas') private canvas!: HTMLCanvasElement;

  override render() {
    const ticks = colorbarTicks(this.scaling, this.lo, this.hi);
    return html`<canvas width="256" height="1" aria-hidden="true"></canvas>
      <div class="ticks" role="img" aria-label=${`color scale ${this.scaling}, ${formatValue(this.lo)} to ${formatValue(this.hi)}`}>
        ${ticks.map(
          (t) =>
            html`<span class="tick ${t.position < 0.08 ? 'first' : t.position > 0.92 ? 'last' : ''}" data-value=${t.value}
              style=${styleMap({ left: `${(t.position * 100).toFixed(2)}%` })}>${formatValue(t.value)}</span>`,
        )}
      </div>`;
  }

  protected override updated(): void {
    const ctx = this.canvas.getContext('2d');
    if (!ctx) return;
    ctx.putImageData(new ImageData(colorbarRGBA(this.colormap, 256, 1, false) as Uint8ClampedArray<ArrayBuffer>, 256, 1), 0, 0);
  }
}

declare global {
  interface HTMLElementTagNameMap {
    'xrf-colorbar': XrfColorbar;
  }
}
