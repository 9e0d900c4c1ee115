/**
 * <xrf-map-view>: one map on a canvas with its title and colorbar. Wheel zooms at the cursor, drag
 * pans, the keyboard zooms (+ −), pans (arrows) and resets (0); hovering reports the pixel under the
 * cursor, a click picks it. The viewport is owned by the parent (all maps of a grid move together):
 * this element only reports `viewport-change` and draws what it is given. A map without `data` yet is
 * a placeholder: same frame and size, "loading" instead of the image, no colorbar values. A map with
 * `rows` (a preview of a pass still running) draws its filled rows; the others stay transparent.
 *
 * Events (bubbling, composed): viewport-change {viewport}, pixel-hover {row, col} | null,
 * pixel-pick {row, col}, enlarge {id}, leave-enlarged.
 */
import { LitElement, html, css, nothing } from 'lit';
import { customElement, property, query } from 'lit/decorators.js';
import { styleMap } from 'lit/directives/style-map.js';
import { renderMapRGBA } from '../../src/core/render/render-map';
import type { DisplaySettings, MapMeta } from '../../src/protocol';
import { hitPixel, imageToScreenTransform, panBy, viewportForKey, zoomAt, type Size, type Viewport } from '../lib/viewport';
import './colorbar';
import { RedrawOnResize } from './redraw-on-resize';
import { clearUnfilledRows, type FilledRows } from '../lib/filled-rows';

function fire(el: HTMLElement, name: string, detail: unknown): void {
  el.dispatchEvent(new CustomEvent(name, { detail, bubbles: true, composed: true }));
}

@customElement('xrf-map-view')
export class XrfMapView extends LitElement {
  static override styles = css`
    :host { display: flex; flex-direction: column; min-width: 0; }
    .head { display: flex; align-items: center; gap: 6px; min-height: 22px; }
    .title { font-weight: 600; flex: 1; overflow: hidden; text-overflow: ellipsis; white-space: nowrap; }
    .frame { position: relative; width: 100%; background: var(--vscode-editorWidget-background, transparent); border: 1px solid var(--vscode-widget-border, var(--vscode-panel-border, transparent)); box-sizing: border-box; }
    :host([large]) .frame { aspect-ratio: auto !important; height: min(65vh, 900px); }
    canvas { display: block; width: 100%; height: 100%; cursor: crosshair; touch-action: none; }
    canvas:focus { outline: 1px solid var(--vscode-focusBorder); outline-offset: -1px; }
    .enlarge { background: none; border: none; color: var(--vscode-icon-foreground, var(--vscode-foreground)); cursor: pointer; padding: 0 4px; font-size: 14px; }
    .enlarge:focus { outline: 1px solid var(--vscode-focusBorder); }
    .pending { position: absolute; inset: 0; display: flex; align-items: center; justify-content: center; pointer-events: none; color: var(--vscode-descriptionForeground); font-size: 0.9em; }
    .pending-bar { visibility: hidden; }
  `;

  @property({ attribute: false }) map!: MapMeta & { data?: Float32Array; rows?: FilledRows };
  @property({ type: Number }) imgWidth = 1;
  @property({ type: Number }) imgHeight = 1;
  @property({ attribute: false }) display!: DisplaySettings;
  @property({ type: Number }) lo = 0;
  @property({ type: Number }) hi = 1;
  @property({ attribute: false }) viewport!: Viewport;
  /** The pixel to outline (hovered or picked). */
  @property({ attribute: false }) marker: { row: number; col: number } | undefined;
  @property({ type: Boolean, reflect: true }) large = false;

  @query('canvas') private canvas!: HTMLCanvasElement;
  private image: { key: string; data: Float32Array; rows: FilledRows | undefined; canvas: HTMLCanvasElement } | undefined;
  private readonly redrawOnResize = new RedrawOnResize(this, () => this.renderRoot?.querySelector('canvas'), () => this.draw());
  private drag: { x: number; y: number; moved: number; id: number } | undefined;

  override render() {
    const label = this.map.label;
    const pending = !this.map.data;
    const partial = !pending && this.map.rows !== undefined;
    const aspect = `${this.imgWidth} / ${this.imgHeight}`;
    return html`<div class="head">
        <span class="title" title=${label}>${label}</span>
        ${this.large
          ? nothing
          : html`<button class="enlarge" aria-label=${`Enlarge ${label}`} title="Enlarge" @click=${() => fire(this, 'enlarge', { id: this.map.id })}>⤢</button>`}
      </div>
      <div class="frame" style=${styleMap({ 'aspect-ratio': aspect })}>
        <canvas
          tabindex="0"
          data-line=${label}
          data-map-id=${this.map.id}
          data-kind="map"
          data-pending=${pending ? 'true' : nothing}
          data-partial=${partial ? 'true' : nothing}
          role="img"
          aria-busy=${pending || partial ? 'true' : 'false'}
          aria-label=${`${label} map, ${this.imgHeight} by ${this.imgWidth} pixels${pending ? ', loading' : partial ? `, ${this.map.rows!.count} rows computed so far` : ''}. Arrows pan, plus and minus zoom, 0 resets${this.large ? ', Escape returns to the grid' : ', Enter enlarges'}.`}
          @wheel=${this.onWheel}
          @pointerdown=${this.onPointerDown}
          @pointermove=${this.onPointerMove}
          @pointerup=${this.onPointerUp}
          @pointerleave=${() => fire(this, 'pixel-hover', null)}
          @keydown=${this.onKey}
        ></canvas>
        ${pending ? html`<div class="pending" aria-hidden="true">loading…</div>` : nothing}
      </div>
      <xrf-colorbar class=${pending ? 'pending-bar' : ''} .colormap=${this.display.colormap} .scaling=${this.display.scaling} .lo=${this.lo} .hi=${this.hi}></xrf-colorbar>`;
  }

  protected override updated(): void {
    this.draw();
  }

  private cssSize(): Size {
    return { width: this.canvas.clientWidth || 1, height: this.canvas.clientHeight || 1 };
  }

  private img(): Size {
    return { width: this.imgWidth, height: this.imgHeight };
  }

  /**
   * The map as an image at 1 screen pixel per map pixel, re-rendered only when data, filled rows or
   * display change. A preview that gained rows under the same display and range draws only its new
   * rows onto the image it has (a full-size map is ~40 ms to render, and a preview updates often).
   */
  private mapImage(data: Float32Array, rows: FilledRows | undefined): HTMLCanvasElement {
    const key = `${this.display.colormap}|${this.display.scaling}|${this.lo}|${this.hi}|${this.imgWidth}x${this.imgHeight}`;
    const opts = { colormap: this.display.colormap, scale: this.display.scaling, lo: this.lo, hi: this.hi };
    const W = this.imgWidth;
    const old = this.image;
    if (old && old.key === key && old.data === data && old.rows === rows) return old.canvas;
    if (old && old.key === key && old.data === data && old.rows && rows && rows.filled.length === old.rows.filled.length) {
      const before = old.rows.filled;
      if (rows.filled.every((f, r) => f >= before[r])) {
        const ctx = old.canvas.getContext('2d')!;
        for (let r = 0; r < rows.filled.length; ) {
          if (!rows.filled[r] || before[r]) {
            r++;
            continue;
          }
          let r1 = r + 1;
          while (r1 < rows.filled.length && rows.filled[r1] && !before[r1]) r1++;
          const rgba = renderMapRGBA(data.subarray(r * W, r1 * W), W, r1 - r, opts);
          ctx.putImageData(new ImageData(rgba as Uint8ClampedArray<ArrayBuffer>, W, r1 - r), 0, r);
          r = r1;
        }
        this.image = { key, data, rows, canvas: old.canvas };
        return old.canvas;
      }
    }
    const c = document.createElement('canvas');
    c.width = W;
    c.height = this.imgHeight;
    const rgba = renderMapRGBA(data, W, this.imgHeight, opts);
    // Rows the pass has not reached are no data (the frame's background), not zero counts.
    if (rows) clearUnfilledRows(rgba, W, rows);
    c.getContext('2d')!.putImageData(new ImageData(rgba as Uint8ClampedArray<ArrayBuffer>, W, this.imgHeight), 0, 0);
    this.image = { key, data, rows, canvas: c };
    return c;
  }

  draw(): void {
    const canvas = this.canvas;
    if (!canvas || !this.map || !this.viewport) return;
    const css = this.cssSize();
    const dpr = window.devicePixelRatio || 1;
    const w = Math.max(1, Math.round(css.width * dpr));
    const h = Math.max(1, Math.round(css.height * dpr));
    if (canvas.width !== w || canvas.height !== h) {
      canvas.width = w;
      canvas.height = h;
    }
    const ctx = canvas.getContext('2d');
    if (!ctx) return;
    ctx.setTransform(1, 0, 0, 1, 0, 0);
    ctx.clearRect(0, 0, w, h);
    const data = this.map.data;
    if (!data) {
      // A placeholder (the same tile may have shown the previous pass's map: forget it).
      this.image = undefined;
      delete canvas.dataset.drawn;
      delete canvas.dataset.drawnRows;
      return;
    }
    const rows = this.map.rows;
    const fresh = !this.image || this.image.data !== data || this.image.rows !== rows;
    const image = this.mapImage(data, rows);
    const t = imageToScreenTransform(this.viewport, this.img(), css);
    ctx.setTransform(t.s * dpr, 0, 0, t.s * dpr, t.ox * dpr, t.oy * dpr);
    ctx.imageSmoothingEnabled = false;
    ctx.drawImage(image, 0, 0);
    if (this.marker) {
      // Outline the pixel; at least a few screen pixels wide so it stays visible when zoomed out.
      const size = Math.max(1, 6 / t.s);
      const x = this.marker.col + 0.5 - size / 2;
      const y = this.marker.row + 0.5 - size / 2;
      ctx.lineWidth = 2 / t.s;
      ctx.strokeStyle = 'rgba(0,0,0,0.85)';
      ctx.strokeRect(x, y, size, size);
      ctx.lineWidth = 1 / t.s;
      ctx.strokeStyle = 'rgba(255,255,255,0.95)';
      ctx.strokeRect(x, y, size, size);
    }
    if (fresh) {
      // Tells the grid this map's data is on screen (it sets data-state="ready" when all are).
      canvas.dataset.drawn = 'true';
      // How many rows of a preview are on screen (tests wait on it); absent for a final map.
      if (rows) canvas.dataset.drawnRows = String(rows.count);
      else delete canvas.dataset.drawnRows;
      fire(this, 'map-drawn', { id: this.map.id });
    }
  }

  private onWheel(e: WheelEvent): void {
    e.preventDefault();
    const factor = Math.exp(-e.deltaY * (e.deltaMode === 1 ? 0.05 : 0.002));
    fire(this, 'viewport-change', { viewport: zoomAt(this.viewport, this.img(), this.cssSize(), factor, e.offsetX, e.offsetY) });
  }

  private onPointerDown(e: PointerEvent): void {
    if (e.button !== 0) return;
    this.canvas.setPointerCapture(e.pointerId);
    this.drag = { x: e.offsetX, y: e.offsetY, moved: 0, id: e.pointerId };
  }

  private onPointerMove(e: PointerEvent): void {
    if (this.drag) {
      const dx = e.offsetX - this.drag.x;
      const dy = e.offsetY - this.drag.y;
      this.drag.moved += Math.abs(dx) + Math.abs(dy);
      this.drag.x = e.offsetX;
      this.drag.y = e.offsetY;
      if (this.drag.moved > 3) fire(this, 'viewport-change', { viewport: panBy(this.viewport, this.img(), this.cssSize(), dx, dy) });
      return;
    }
    fire(this, 'pixel-hover', hitPixel(this.viewport, this.img(), this.cssSize(), e.offsetX, e.offsetY) ?? null);
  }

  private onPointerUp(e: PointerEvent): void {
    const d = this.drag;
    this.drag = undefined;
    if (!d) return;
    this.canvas.releasePointerCapture(d.id);
    if (d.moved > 3) return; // a drag, not a click
    const px = hitPixel(this.viewport, this.img(), this.cssSize(), e.offsetX, e.offsetY);
    if (px) fire(this, 'pixel-pick', px);
    if (!this.large) fire(this, 'enlarge', { id: this.map.id });
  }

  private onKey(e: KeyboardEvent): void {
    if (e.key === 'Enter' && !this.large) {
      fire(this, 'enlarge', { id: this.map.id });
      e.preventDefault();
      return;
    }
    if (e.key === 'Escape' && this.large) {
      fire(this, 'leave-enlarged', null);
      e.preventDefault();
      return;
    }
    const vp = viewportForKey(e.key, this.viewport, this.img(), this.cssSize());
    if (vp) {
      e.preventDefault();
      fire(this, 'viewport-change', { viewport: vp });
    }
  }
}

declare global {
  interface HTMLElementTagNameMap {
    'xrf-map-view': XrfMapView;
  }
}
