/**
 * <xrf-map-grid>: every map of a scan as tiles sharing one viewport, or one map enlarged (with the
 * export buttons). Stateless about data: the scan view passes maps, contrast ranges and the viewport.
 * A map listed without its values yet is a placeholder tile of the same size (the scan editor lists
 * every map at once and sends their values one by one). A map with `rows` is a preview of a pass
 * still running: only those rows hold values, and it cannot be exported until the final maps come.
 * `data-state` is "empty", "drawing" or "ready" (every shown map drawn, final): end-to-end tests wait on it.
 */
import { LitElement, html, css } from 'lit';
import { customElement, property } from 'lit/decorators.js';
import { repeat } from 'lit/directives/repeat.js';
import type { DisplaySettings, ExportFormat, MapMeta } from '../../src/protocol';
import type { Viewport } from '../lib/viewport';
import type { FilledRows } from '../lib/filled-rows';
import '../controls/controls';
import './map-view';

/**
 * A map of the grid; `data` is absent while its values are on their way (a placeholder is shown);
 * `rows` is present while the map is a preview that fills in (only those rows of `data` hold values).
 */
export type GridMap = MapMeta & { data?: Float32Array; rows?: FilledRows };

/** Why the export buttons of a preview map are off. */
export const EXPORT_WAITS = 'Export is available when the pass over the scan ends (this map is still filling in)';

const EXPORTS: { format: ExportFormat; label: string; title: string }[] = [
  { format: 'png', label: 'PNG', title: 'Export as PNG, as displayed' },
  { format: 'tiff', label: 'TIFF', title: 'Export the values as float32 TIFF' },
  { format: 'npy', label: 'NPY', title: 'Export the values as float32 NumPy array' },
  { format: 'csv', label: 'CSV', title: 'Export the values as CSV' },
];

@customElement('xrf-map-grid')
export class XrfMapGrid extends LitElement {
  static override styles = css`
    :host { display: block; }
    .grid { display: grid; grid-template-columns: repeat(auto-fill, minmax(var(--xrf-tile-width, 180px), 1fr)); gap: 10px; }
    .bar { display: flex; align-items: center; gap: 6px; margin-bottom: 6px; flex-wrap: wrap; }
    .spacer { flex: 1; }
  `;
  @property({ attribute: false }) maps: GridMap[] = [];
  @property({ type: Number }) imgWidth = 1;
  @property({ type: Number }) imgHeight = 1;
  @property({ attribute: false }) display!: DisplaySettings;
  @property({ attribute: false }) ranges = new Map<string, { lo: number; hi: number }>();
  @property({ attribute: false }) viewport!: Viewport;
  @property({ attribute: false }) marker: { row: number; col: number } | undefined;
  /** Id of the enlarged map, or undefined for the grid. */
  @property() enlarged: string | undefined;

  private drawn = new Set<Float32Array>();

  constructor() {
    super();
    this.id = 'map-grid';
    this.addEventListener('map-drawn', (e) => {
      const id = (e as CustomEvent<{ id: string }>).detail.id;
      const m = this.maps.find((x) => x.id === id);
      if (m?.data) this.drawn.add(m.data);
      this.updateState();
    });
  }

  private shown(): GridMap[] {
    const big = this.enlarged ? this.maps.find((m) => m.id === this.enlarged) : undefined;
    return big ? [big] : this.maps;
  }

  private updateState(): void {
    const shown = this.shown();
    // A preview map drawn is still "drawing": "ready" means the final maps are on screen.
    this.dataset.state = shown.length === 0 ? 'empty' : shown.every((m) => m.data && !m.rows && this.drawn.has(m.data)) ? 'ready' : 'drawing';
  }

  protected override willUpdate(): void {
    // Forget maps that are gone, so a recomputed summary counts as not drawn until it is.
    const live = new Set(this.maps.map((m) => m.data));
    for (const d of this.drawn) if (!live.has(d)) this.drawn.delete(d);
    this.updateState();
  }

  override render() {
    const big = this.enlarged ? this.maps.find((m) => m.id === this.enlarged) : undefined;
    if (big) {
      return html`<div class="bar">
          <xrf-button id="back-to-grid" @click=${() => this.fire('leave-enlarged', null)} label="Back to all maps">← All maps</xrf-button>
          <span class="spacer"></span>
          <span>Export:</span>
          ${EXPORTS.map(
            (x) =>
              html`<xrf-button data-export=${x.format} label=${big.rows ? `${x.label}: ${EXPORT_WAITS}` : x.title} title=${big.rows ? EXPORT_WAITS : x.title}
                ?disabled=${!big.data || !!big.rows} @click=${() => this.fire('export-map', { id: big.id, format: x.format })}
                >${x.label}</xrf-button
              >`,
          )}
        </div>
        ${this.tile(big, true)}`;
    }
    return html`<div class="grid" role="list" aria-label="Elemental maps">
      ${repeat(this.maps, (m) => m.id, (m) => html`<div role="listitem">${this.tile(m, false)}</div>`)}
    </div>`;
  }

  private tile(m: GridMap, large: boolean) {
    const r = this.ranges.get(m.id) ?? { lo: 0, hi: 1 };
    return html`<xrf-map-view
      .map=${m}
      .imgWidth=${this.imgWidth}
      .imgHeight=${this.imgHeight}
      .display=${this.display}
      .lo=${r.lo}
      .hi=${r.hi}
      .viewport=${this.viewport}
      .marker=${this.marker}
      ?large=${large}
    ></xrf-map-view>`;
  }

  private fire(name: string, detail: unknown): void {
    this.dispatchEvent(new CustomEvent(name, { detail, bubbles: true, composed: true }));
  }
}

declare global {
  interface HTMLElementTagNameMap {
    'xrf-map-grid': XrfMapGrid;
  }
}
