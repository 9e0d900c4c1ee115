/**
 * <xrf-spectrum>: the spectrum plot. Energy (keV, from the calibration) across, counts on a log
 * scale up; the picked or hovered pixel's spectrum, the mean spectrum (sum ÷ number of pixels, so it
 * sits on the same axis as one pixel) and the max-pixel spectrum; markers of the configured lines; per
 * line family a toggle that overlays its pure spectrum scaled to the pixel (lib/overlay.ts says how).
 *
 * Mouse: drag across an energy window → `window-select {loChannel, hiChannel}` (the scan view makes a
 * map of it); wheel zooms the energy axis, double-click resets. Keyboard (canvas focused): ←/→ move the
 * cursor, Shift+←/→ extend a window, Enter maps it, + / − zoom, 0 resets, Escape clears.
 */
import { LitElement, html, css, nothing } from 'lit';
import { customElement, property, query, state } from 'lit/decorators.js';
import type { Calibration } from '../../src/core/cube/cube';
import { lineFamilyLines } from '../../src/core/physics/line-table';
import { pureSpectrum } from '../../src/core/physics/spectra';
import { roiChannels } from '../../src/core/physics/roi';
import {
  countToY,
  dragToWindow,
  energyToX,
  fullEnergyRange,
  logCountRange,
  logSeriesPolylines,
  xToChannel,
  zoomEnergy,
  type EnergyRange,
  type PlotBox,
} from '../lib/spectrum-axes';
import { roiScaleFactor, scaledOverlay } from '../lib/overlay';
import { formatValue, logTicks, niceTicks } from '../lib/ticks';
import '../controls/controls';
import { RedrawOnResize } from './redraw-on-resize';

export interface PixelSpectrum {
  row: number;
  col: number;
  spectrum: Float32Array;
  pinned: boolean;
}

const OVERLAY_COLORS = ['--vscode-charts-green', '--vscode-charts-purple', '--vscode-charts-red', '--vscode-charts-yellow'];

@customElement('xrf-spectrum')
export class XrfSpectrum extends LitElement {
  static override styles = css`
    :host { display: block; }
    .plot { position: relative; height: var(--xrf-spectrum-height, 260px); }
    canvas { display: block; width: 100%; height: 100%; cursor: crosshair; touch-action: none; }
    canvas:focus { outline: 1px solid var(--vscode-focusBorder); outline-offset: -1px; }
    .legend, .overlays { display: flex; flex-wrap: wrap; gap: 4px 14px; align-items: center; margin: 4px 0; }
    .readout { min-height: 1.4em; font-variant-numeric: tabular-nums; color: var(--vscode-descriptionForeground); }
    .swatch { display: inline-block; width: 12px; height: 3px; vertical-align: middle; margin-right: 4px; }
    .swatch.pixel { background: var(--vscode-charts-blue); }
    .swatch.mean { background: var(--vscode-descriptionForeground); }
    .swatch.max { background: var(--vscode-charts-orange); }
    .hint { color: var(--vscode-descriptionForeground); }
  `;

  @property({ attribute: false }) calibration: Calibration = { offsetKeV: 0, gainKeV: 0.01 };
  @property({ type: Number }) channels = 0;
  @property({ attribute: false }) sum: Float64Array | undefined;
  @property({ attribute: false }) max: Float32Array | undefined;
  @property({ type: Number }) pixelCount = 1;
  @property({ attribute: false }) pixel: PixelSpectrum | undefined;
  @property({ attribute: false }) lines: string[] = [];

  @state() private show = { pixel: true, mean: true, max: false };
  @state() private overlayLines = new Set<string>();
  @state() private range: EnergyRange | undefined;
  @state() private hoverX: number | undefined;
  @state() private drag: { x0: number; x1: number } | undefined;
  @state() private cursor: number | undefined;
  @state() private selection: { anchor: number; to: number } | undefined;

  @query('canvas') private canvas!: HTMLCanvasElement;
  private readonly redrawOnResize = new RedrawOnResize(this, () => this.renderRoot?.querySelector('canvas'), () => this.draw());
  private pureCache = new Map<string, Float32Array | null>();
  private pureKey = '';
  private mean: { of: Float64Array; data: Float32Array } | undefined;

  protected override willUpdate(changed: Map<string, unknown>): void {
    if (changed.has('calibration') || changed.has('channels')) {
      this.range = undefined;
      this.pureCache.clear();
    }
  }

  private full(): EnergyRange {
    return fullEnergyRange(this.calibration, this.channels);
  }

  private view(): EnergyRange {
    return this.range ?? this.full();
  }

  private box(): PlotBox {
    const w = this.canvas?.clientWidth || 300;
    const h = this.canvas?.clientHeight || 200;
    // Top margin: two rows of line-marker labels.
    return { left: 58, top: 30, width: Math.max(10, w - 58 - 12), height: Math.max(10, h - 30 - 28) };
  }

  private meanSpectrum(): Float32Array | undefined {
    if (!this.sum) return undefined;
    if (this.mean?.of !== this.sum) {
      const d = new Float32Array(this.sum.length);
      const n = Math.max(1, this.pixelCount);
      for (let i = 0; i < d.length; i++) d[i] = this.sum[i] / n;
      this.mean = { of: this.sum, data: d };
    }
    return this.mean.data;
  }

  /** The family's pure spectrum for this calibration, or null when it has no line in range. */
  private pure(line: string): Float32Array | null {
    const key = `${this.calibration.offsetKeV}|${this.calibration.gainKeV}|${this.channels}`;
    if (key !== this.pureKey) {
      this.pureCache.clear();
      this.pureKey = key;
    }
    if (!this.pureCache.has(line)) {
      try {
        this.pureCache.set(line, pureSpectrum(line, this.calibration, this.channels));
      } catch {
        this.pureCache.set(line, null);
      }
    }
    return this.pureCache.get(line)!;
  }

  private overlays(): { line: string; data: Float32Array; color: string }[] {
    const px = this.pixel?.spectrum;
    if (!px) return [];
    const out: { line: string; data: Float32Array; color: string }[] = [];
    let k = 0;
    for (const line of this.lines) {
      if (!this.overlayLines.has(line)) continue;
      const pure = this.pure(line);
      const color = OVERLAY_COLORS[k++ % OVERLAY_COLORS.length];
      if (!pure) continue;
      const roi = roiChannels(line, this.calibration, this.channels);
      out.push({ line, data: scaledOverlay(pure, roiScaleFactor(pure, px, roi.loChannel, roi.hiChannel)), color });
    }
    return out;
  }

  override render() {
    const px = this.pixel;
    return html`<div class="legend" role="group" aria-label="Spectra shown">
        <xrf-checkbox data-series="pixel" .checked=${this.show.pixel} @value-change=${(e: CustomEvent) => (this.show = { ...this.show, pixel: e.detail.checked })}
          ><span class="swatch pixel"></span>${px
            ? `Pixel (row ${px.row}, col ${px.col})${px.pinned ? ', picked' : ''}`
            : 'Pixel (hover or click a map)'}</xrf-checkbox
        >
        ${this.sum
          ? html`<xrf-checkbox data-series="mean" .checked=${this.show.mean} @value-change=${(e: CustomEvent) => (this.show = { ...this.show, mean: e.detail.checked })}
              ><span class="swatch mean"></span>Sum ÷ ${this.pixelCount} pixels (mean)</xrf-checkbox
            >`
          : nothing}
        ${this.max
          ? html`<xrf-checkbox data-series="max" .checked=${this.show.max} @value-change=${(e: CustomEvent) => (this.show = { ...this.show, max: e.detail.checked })}
              ><span class="swatch max"></span>Max pixel</xrf-checkbox
            >`
          : nothing}
      </div>
      <div class="plot">
        <canvas
          data-kind="spectrum"
          tabindex="0"
          role="img"
          aria-label="Spectrum plot, log counts against energy in keV. Drag or Shift+arrows to select an energy window, Enter makes its map; plus and minus zoom."
          @pointerdown=${this.onPointerDown}
          @pointermove=${this.onPointerMove}
          @pointerup=${this.onPointerUp}
          @pointerleave=${() => (this.hoverX = undefined)}
          @wheel=${this.onWheel}
          @dblclick=${() => (this.range = undefined)}
          @keydown=${this.onKey}
        ></canvas>
      </div>
      <div class="readout" aria-live="polite">${this.readout()}</div>
      <div class="overlays" role="group" aria-label="Overlay pure spectra">
        <span class="hint">Pure spectrum overlay${px ? '' : ' (needs a pixel)'}:</span>
        ${this.lines.map(
          (line) =>
            html`<xrf-checkbox data-overlay=${line} ?disabled=${!px} .checked=${this.overlayLines.has(line)} @value-change=${(e: CustomEvent) => this.toggleOverlay(line, e.detail.checked)}
              >${line}</xrf-checkbox
            >`,
        )}
      </div>`;
  }

  private toggleOverlay(line: string, on: boolean): void {
    const s = new Set(this.overlayLines);
    if (on) s.add(line);
    else s.delete(line);
    this.overlayLines = s;
  }

  private readout() {
    const ch = this.hoverX !== undefined ? xToChannel(this.hoverX, this.view(), this.box(), this.calibration, this.channels) : this.cursor;
    if (ch === undefined || !this.channels) return nothing;
    const e = this.calibration.offsetKeV + this.calibration.gainKeV * ch;
    const parts = [`${e.toFixed(3)} keV (channel ${ch})`];
    if (this.pixel) parts.push(`pixel ${formatValue(this.pixel.spectrum[ch])}`);
    const mean = this.meanSpectrum();
    if (mean) parts.push(`mean ${formatValue(mean[ch])}`);
    if (this.max) parts.push(`max ${formatValue(this.max[ch])}`);
    const sel = this.selectionWindow();
    if (sel) parts.push(`window ${this.energyLabel(sel.loChannel, sel.hiChannel)} — Enter makes its map`);
    return parts.join(' · ');
  }

  private energyLabel(lo: number, hi: number): string {
    const c = this.calibration;
    return `${(c.offsetKeV + c.gainKeV * lo).toFixed(2)}–${(c.offsetKeV + c.gainKeV * (hi - 1)).toFixed(2)} keV`;
  }

  private selectionWindow(): { loChannel: number; hiChannel: number } | undefined {
    if (!this.selection) return undefined;
    const lo = Math.min(this.selection.anchor, this.selection.to);
    const hi = Math.max(this.selection.anchor, this.selection.to) + 1;
    return { loChannel: lo, hiChannel: hi };
  }

  protected override updated(): void {
    this.draw();
  }

  private color(name: string, fallback: string): string {
    return getComputedStyle(this).getPropertyValue(name).trim() || fallback;
  }

  draw(): void {
    const canvas = this.canvas;
    if (!canvas || !this.channels) return;
    const dpr = window.devicePixelRatio || 1;
    const cw = canvas.clientWidth || 300;
    const chh = canvas.clientHeight || 200;
    if (canvas.width !== Math.round(cw * dpr) || canvas.height !== Math.round(chh * dpr)) {
      canvas.width = Math.round(cw * dpr);
      canvas.height = Math.round(chh * dpr);
    }
    const ctx = canvas.getContext('2d');
    if (!ctx) return;
    ctx.setTransform(dpr, 0, 0, dpr, 0, 0);
    ctx.clearRect(0, 0, cw, chh);
    const box = this.box();
    const r = this.view();
    const cal = this.calibration;
    const c0 = Math.max(0, Math.floor((r.lo - cal.offsetKeV) / cal.gainKeV));
    const c1 = Math.min(this.channels, Math.ceil((r.hi - cal.offsetKeV) / cal.gainKeV) + 1);

    const fg = this.color('--vscode-foreground', '#ccc');
    const faint = this.color('--vscode-widget-border', this.color('--vscode-panel-border', 'rgba(128,128,128,0.35)'));
    const font = this.color('--vscode-font-family', 'sans-serif');
    ctx.font = `11px ${font}`;

    const series: { data: ArrayLike<number>; color: string; width: number; measured: boolean }[] = [];
    const mean = this.meanSpectrum();
    if (this.show.mean && mean) series.push({ data: mean, color: this.color('--vscode-descriptionForeground', '#999'), width: 1, measured: true });
    if (this.show.max && this.max) series.push({ data: this.max, color: this.color('--vscode-charts-orange', '#d18616'), width: 1, measured: true });
    for (const o of this.overlays()) series.push({ data: o.data, color: this.color(o.color, '#89d185'), width: 1.25, measured: false });
    if (this.show.pixel && this.pixel) series.push({ data: this.pixel.spectrum, color: this.color('--vscode-charts-blue', '#3794ff'), width: 1.5, measured: true });
    // The counts axis fits the measured spectra; overlays' far Gaussian tails would stretch it by decades.
    const measured = series.filter((s) => s.measured).map((s) => s.data);
    const yr = logCountRange(measured.length ? measured : series.map((s) => s.data), c0, c1);

    // Axes and grid.
    ctx.strokeStyle = faint;
    ctx.fillStyle = fg;
    ctx.lineWidth = 1;
    ctx.textAlign = 'right';
    ctx.textBaseline = 'middle';
    for (const v of logTicks(yr.lo, yr.hi)) {
      const y = Math.round(countToY(v, yr, box)) + 0.5;
      ctx.beginPath();
      ctx.moveTo(box.left, y);
      ctx.lineTo(box.left + box.width, y);
      ctx.stroke();
      ctx.fillText(formatValue(v), box.left - 4, y);
    }
    ctx.textAlign = 'center';
    ctx.textBaseline = 'top';
    for (const e of niceTicks(r.lo, r.hi, Math.max(2, Math.floor(box.width / 70)))) {
      const x = Math.round(energyToX(e, r, box)) + 0.5;
      ctx.beginPath();
      ctx.moveTo(x, box.top + box.height);
      ctx.lineTo(x, box.top + box.height + 4);
      ctx.stroke();
      ctx.fillText(String(e), x, box.top + box.height + 6);
    }
    ctx.textAlign = 'right';
    ctx.fillText('keV', box.left + box.width, box.top + box.height + 16);
    ctx.textAlign = 'left';
    ctx.fillText('counts', 2, 2);
    ctx.strokeRect(box.left + 0.5, box.top + 0.5, box.width, box.height);

    ctx.save();
    ctx.beginPath();
    ctx.rect(box.left, box.top, box.width, box.height);
    ctx.clip();

    // The selected energy window (mouse drag or keyboard).
    const sel = this.drag ? dragToWindow(this.drag.x0, this.drag.x1, r, box, cal, this.channels) : this.selectionWindow();
    if (sel) {
      const xa = energyToX(cal.offsetKeV + cal.gainKeV * (sel.loChannel - 0.5), r, box);
      const xb = energyToX(cal.offsetKeV + cal.gainKeV * (sel.hiChannel - 0.5), r, box);
      ctx.fillStyle = this.color('--vscode-editor-selectionBackground', 'rgba(38,79,120,0.5)');
      ctx.globalAlpha = 0.6;
      ctx.fillRect(xa, box.top, xb - xa, box.height);
      ctx.globalAlpha = 1;
    }

    // Line markers: each family's lines above 2 % of the family, labelled at the strongest; a label
    // goes in the first of two rows where it does not overlap another, else it is left out. The
    // labels sit above the plot box, so the clip ends here and starts again for the spectra.
    ctx.restore();
    const labelRows: [number, number][][] = [[], []];
    const labels: { text: string; x: number; row: number }[] = [];
    ctx.setLineDash([3, 3]);
    ctx.textAlign = 'center';
    ctx.textBaseline = 'top';
    for (const line of this.lines) {
      let lines: { energyKeV: number; rate: number }[];
      try {
        lines = lineFamilyLines(line);
      } catch {
        continue;
      }
      const strongest = lines.reduce((a, b) => (b.rate > a.rate ? b : a), lines[0]);
      for (const l of lines) {
        if (l.rate < 0.02 || l.energyKeV < r.lo || l.energyKeV > r.hi) continue;
        const x = Math.round(energyToX(l.energyKeV, r, box)) + 0.5;
        ctx.strokeStyle = faint;
        ctx.beginPath();
        ctx.moveTo(x, box.top);
        ctx.lineTo(x, box.top + box.height);
        ctx.stroke();
        if (l === strongest) {
          const half = ctx.measureText(line).width / 2 + 2;
          const row = labelRows.findIndex((used) => used.every(([a, b]) => x + half < a || x - half > b));
          if (row >= 0) {
            labelRows[row].push([x - half, x + half]);
            labels.push({ text: line, x, row });
          }
        }
      }
    }
    ctx.setLineDash([]);
    ctx.fillStyle = fg;
    for (const l of labels) ctx.fillText(l.text, l.x, 2 + l.row * 13);
    ctx.save();
    ctx.beginPath();
    ctx.rect(box.left, box.top, box.width, box.height);
    ctx.clip();

    // Spectra.
    const channelX = (c: number): number => energyToX(cal.offsetKeV + cal.gainKeV * c, r, box);
    for (const s of series) {
      ctx.strokeStyle = s.color;
      ctx.lineWidth = s.width;
      ctx.beginPath();
      for (const line of logSeriesPolylines(s.data, c0, c1, channelX, yr, box)) {
        ctx.moveTo(line[0].x, line[0].y);
        for (let i = 1; i < line.length; i++) ctx.lineTo(line[i].x, line[i].y);
      }
      ctx.stroke();
    }

    // Cursor.
    const ch = this.hoverX !== undefined ? xToChannel(this.hoverX, r, box, cal, this.channels) : this.cursor;
    if (ch !== undefined) {
      const x = Math.round(energyToX(cal.offsetKeV + cal.gainKeV * ch, r, box)) + 0.5;
      ctx.strokeStyle = fg;
      ctx.globalAlpha = 0.5;
      ctx.lineWidth = 1;
      ctx.beginPath();
      ctx.moveTo(x, box.top);
      ctx.lineTo(x, box.top + box.height);
      ctx.stroke();
      ctx.globalAlpha = 1;
    }
    ctx.restore();
    canvas.dataset.drawn = 'true';
  }

  private onPointerDown(e: PointerEvent): void {
    if (e.button !== 0) return;
    this.canvas.setPointerCapture(e.pointerId);
    this.drag = { x0: e.offsetX, x1: e.offsetX };
    this.selection = undefined;
  }

  private onPointerMove(e: PointerEvent): void {
    this.hoverX = e.offsetX;
    if (this.drag) this.drag = { ...this.drag, x1: e.offsetX };
  }

  private onPointerUp(e: PointerEvent): void {
    const d = this.drag;
    this.drag = undefined;
    if (!d) return;
    this.canvas.releasePointerCapture(e.pointerId);
    if (Math.abs(e.offsetX - d.x0) < 4) return; // a click, not a window
    this.emitWindow(dragToWindow(d.x0, e.offsetX, this.view(), this.box(), this.calibration, this.channels));
  }

  private emitWindow(w: { loChannel: number; hiChannel: number }): void {
    this.dispatchEvent(new CustomEvent('window-select', { detail: w, bubbles: true, composed: true }));
  }

  private onWheel(e: WheelEvent): void {
    e.preventDefault();
    const r = this.view();
    const box = this.box();
    const at = r.lo + ((e.offsetX - box.left) / box.width) * (r.hi - r.lo);
    this.range = zoomEnergy(r, this.full(), Math.exp(e.deltaY * 0.002), at, this.calibration.gainKeV * 16);
  }

  private onKey(e: KeyboardEvent): void {
    const n = this.channels;
    if (!n) return;
    const cur = this.cursor ?? Math.round(n / 2);
    const step = e.altKey ? 10 : 1;
    let handled = true;
    switch (e.key) {
      case 'ArrowLeft':
      case 'ArrowRight': {
        const next = Math.min(n - 1, Math.max(0, cur + (e.key === 'ArrowLeft' ? -step : step)));
        if (e.shiftKey) this.selection = { anchor: this.selection?.anchor ?? cur, to: next };
        else this.selection = undefined;
        this.cursor = next;
        this.hoverX = undefined;
        break;
      }
      case 'Enter': {
        const w = this.selectionWindow();
        if (w) this.emitWindow(w);
        break;
      }
      case 'Escape':
        this.selection = undefined;
        break;
      case '+':
      case '=':
      case '-':
      case '_': {
        const at = this.calibration.offsetKeV + this.calibration.gainKeV * cur;
        this.range = zoomEnergy(this.view(), this.full(), e.key === '+' || e.key === '=' ? 0.8 : 1.25, at, this.calibration.gainKeV * 16);
        break;
      }
      case '0':
        this.range = undefined;
        break;
      default:
        handled = false;
    }
    if (handled) e.preventDefault();
  }
}

declare global {
  interface HTMLElementTagNameMap {
    'xrf-spectrum': XrfSpectrum;
  }
}
