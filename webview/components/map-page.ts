/**
 * What the scan editor's page (<xrf-scan-view>) and the maps editor's page (<xrf-maps-view>) share
 * around their map grid: the display controls, the grid with its events, the contrast ranges, the
 * hovered pixel's values and the map export. Template fragments and functions rather than a
 * component, so each page keeps the controls in its own shadow root (and toolbar) as before.
 */
import { html, type TemplateResult } from 'lit';
import type { DisplaySettings, ErrorViewData, ExportFormat, MapData } from '../../src/protocol';
import type { ContrastCache } from '../lib/contrast';
import { isRowFilled } from '../lib/filled-rows';
import { formatValue } from '../lib/ticks';
import type { Viewport } from '../lib/viewport';
import '../controls/controls';
import './map-grid';
import type { GridMap } from './map-grid';
import './error-view';

export const COLORMAP_OPTIONS = ['viridis', 'inferno', 'gray'].map((v) => ({ value: v, label: v }));
export const SCALING_OPTIONS = [
  { value: 'linear', label: 'linear' },
  { value: 'sqrt', label: 'square root' },
  { value: 'log', label: 'log' },
];

export interface PixelPos {
  row: number;
  col: number;
}

/** "What: why" for a notice about a failed request. */
export function failureMessage(what: string, e: unknown): string {
  return `${what}: ${e instanceof Error ? e.message : String(e)}`;
}

/** The page in its error state: the error view, whose buttons ask the host to reopen or show the log. */
export function errorPage(error: ErrorViewData, host: { reopen(): Promise<unknown>; showLog(): Promise<unknown> }, fail: (what: string, e: unknown) => void): TemplateResult {
  return html`<xrf-error-view
    .error=${error}
    @reopen=${() => void host.reopen().catch((e) => fail('Reopen', e))}
    @show-log=${() => void host.showLog().catch(() => undefined)}
  ></xrf-error-view>`;
}

/** Colormap, scaling, the contrast percentiles and "Reset view": the start of a page's toolbar. */
export function displayControls(
  d: DisplaySettings,
  on: { display(d: DisplaySettings): void; percentiles(lo: number, hi: number): void; resetView(): void },
  resetLabel: string,
): TemplateResult {
  return html`<xrf-select id="colormap" label="Colormap" .value=${d.colormap} .options=${COLORMAP_OPTIONS}
      @value-change=${(e: CustomEvent) => on.display({ ...d, colormap: e.detail.value })}></xrf-select>
    <xrf-select id="scaling" label="Scaling" .value=${d.scaling} .options=${SCALING_OPTIONS}
      @value-change=${(e: CustomEvent) => on.display({ ...d, scaling: e.detail.value })}></xrf-select>
    <xrf-number-field fieldId="contrast-low" label="Low %" .min=${0} .max=${100} .value=${d.lowPercentile}
      @value-change=${(e: CustomEvent) => on.percentiles(e.detail.value, d.highPercentile)}></xrf-number-field>
    <xrf-number-field fieldId="contrast-high" label="High %" .min=${0} .max=${100} .value=${d.highPercentile}
      @value-change=${(e: CustomEvent) => on.percentiles(d.lowPercentile, e.detail.value)}></xrf-number-field>
    <xrf-button id="reset-view" label=${resetLabel} @click=${() => on.resetView()}>Reset view</xrf-button>`;
}

/** The display with new contrast percentiles, or the problem with them. */
export function withPercentiles(d: DisplaySettings, lo: number, hi: number): DisplaySettings | string {
  if (!(lo < hi)) return `The low percentile (${lo}) must be below the high one (${hi}).`;
  return { ...d, lowPercentile: lo, highPercentile: hi };
}

/** The contrast range of each map that has its values (placeholders have none yet). */
export function contrastRanges(maps: GridMap[], contrast: ContrastCache, display: DisplaySettings): Map<string, { lo: number; hi: number }> {
  const out = new Map<string, { lo: number; hi: number }>();
  for (const m of maps) if (m.data) out.set(m.id, contrast.range(m.data, display, m.rows));
  return out;
}

/** "Fe K 12.5 · Pb L 3" at one pixel of maps `width` wide ("Pb L …" while a map, or that row of it, is still on its way). */
export function pixelValues(maps: GridMap[], width: number, p: PixelPos): string {
  const i = p.row * width + p.col;
  return maps.map((m) => `${m.label} ${m.data && isRowFilled(m.rows, p.row) ? formatValue(m.data[i], 4) : '…'}`).join(' · ');
}

export interface MapGridOptions {
  maps: GridMap[];
  width: number;
  height: number;
  display: DisplaySettings;
  ranges: Map<string, { lo: number; hi: number }>;
  viewport: Viewport;
  marker: PixelPos | undefined;
  enlarged: string | undefined;
  onViewport(v: Viewport): void;
  onHover(p: PixelPos | undefined): void;
  /** Only pages that pick a pixel (the scan editor) listen to clicks. */
  onPick?(p: PixelPos): void;
  onEnlarged(id: string | undefined): void;
  onExport(id: string, format: ExportFormat): void;
}

export function mapGrid(o: MapGridOptions): TemplateResult {
  const pick = o.onPick;
  return html`<xrf-map-grid
    .maps=${o.maps}
    .imgWidth=${o.width}
    .imgHeight=${o.height}
    .display=${o.display}
    .ranges=${o.ranges}
    .viewport=${o.viewport}
    .marker=${o.marker}
    .enlarged=${o.enlarged}
    @viewport-change=${(e: CustomEvent<{ viewport: Viewport }>) => o.onViewport(e.detail.viewport)}
    @pixel-hover=${(e: CustomEvent<PixelPos | null>) => o.onHover(e.detail ?? undefined)}
    @pixel-pick=${pick ? (e: CustomEvent<PixelPos>) => pick(e.detail) : undefined}
    @enlarge=${(e: CustomEvent<{ id: string }>) => o.onEnlarged(e.detail.id)}
    @leave-enlarged=${() => o.onEnlarged(undefined)}
    @export-map=${(e: CustomEvent<{ id: string; format: ExportFormat }>) => o.onExport(e.detail.id, e.detail.format)}
  ></xrf-map-grid>`;
}

export interface ExportMapParams {
  mapId: string;
  format: ExportFormat;
  display: DisplaySettings;
  lo: number;
  hi: number;
}

/**
 * Ask the host to export a map as shown (its display and contrast range); a failure becomes the
 * page's notice. `send` is the page's `endpoint.request('exportMap', …)` (both hosts answer it alike).
 */
export async function exportShownMap(
  send: (params: ExportMapParams, opts: { timeoutMs: number }) => Promise<unknown>,
  m: GridMap | undefined,
  contrast: ContrastCache,
  display: DisplaySettings,
  format: ExportFormat,
  fail: (what: string, e: unknown) => void,
): Promise<void> {
  if (!m) return;
  if (!m.data) {
    fail('Export', new Error(`the values of ${m.label} have not arrived yet`));
    return;
  }
  const r = contrast.range(m.data, display);
  try {
    // The save dialog waits for the user: no short timeout.
    await send({ mapId: m.id, format, display, lo: r.lo, hi: r.hi }, { timeoutMs: 60 * 60_000 });
  } catch (e) {
    fail('Export', e);
  }
}
