/**
 * The host half of one maps editor tab (ground truth or prediction: PyMca CSV/EDF/HDF5, NPY + sidecar,
 * TIFF), without `vscode`: reads the file in the `evaluate` worker (op `read`), sends the maps to the
 * view (the scan editor's map grid), exports maps, and hands "Compare with prediction…" to the host.
 * ./provider.ts wires it to VS Code; tests use a fake port and job.
 */
import * as nodePath from 'node:path';
import type { Endpoint, DisplaySettings, ErrorViewData, MapData, ExportFormat } from '../../protocol';
import type { MapsHostSide, MapsWebviewSide, MapsInfo } from '../../protocol-ml';
import { isCancelled } from '../../core/errors';
import { errorToView } from '../error-view';
import { exportMapToFile, type ExportMapDeps } from '../export/export-map';
import type { Logger } from '../scan-editor/controller';
import type { MapsJobRunner } from '../evaluate/controller';

export interface MapsControllerDeps {
  file: string;
  endpoint: Endpoint<MapsHostSide, MapsWebviewSide>;
  runJob: MapsJobRunner;
  display(): DisplaySettings;
  trusted(): boolean;
  pickSavePath(defaultName: string, format: ExportFormat): Promise<string | undefined>;
  writeFile(target: string, parts: Uint8Array[]): Promise<void>;
  /** "Compare with prediction…": the host asks for the other side and opens the results view. */
  compare(file: string, info: MapsInfo): Promise<void>;
  log: Logger;
  showLog(): void;
}

export class MapsEditorController {
  private phase: 'opening' | 'ready' | 'error' | 'closed' = 'opening';
  private info: MapsInfo | undefined;
  private maps: MapData[] = [];
  private error: ErrorViewData | undefined;
  /** A warning about the file (non-finite values), re-sent when the view reloads. */
  private warning: string | undefined;
  private abort: AbortController | undefined;

  constructor(private readonly deps: MapsControllerDeps) {
    const ep = deps.endpoint;
    ep.onReady(() => this.sendState());
    ep.handle('exportMap', (p) => this.exportMap(p.mapId, p.format, p.display, p.lo, p.hi));
    ep.handle('compare', async () => {
      if (!this.info) throw new Error('the maps are not read yet');
      await deps.compare(deps.file, this.info);
      return { ok: true as const };
    });
    ep.handle('reopen', async () => {
      void this.open();
      return { ok: true as const };
    });
    ep.handle('showLog', async () => {
      deps.showLog();
      return { ok: true as const };
    });
  }

  get state(): 'opening' | 'ready' | 'error' | 'closed' {
    return this.phase;
  }

  get mapsInfo(): MapsInfo | undefined {
    return this.info;
  }

  async open(): Promise<void> {
    if (this.phase === 'closed') return;
    this.abort?.abort();
    const ac = new AbortController();
    this.abort = ac;
    this.phase = 'opening';
    this.info = undefined;
    this.maps = [];
    this.error = undefined;
    this.warning = undefined;
    const fileName = nodePath.basename(this.deps.file);
    this.deps.endpoint.emit('opening', { file: this.deps.file, fileName });
    const t0 = Date.now();
    try {
      const r = await this.deps.runJob({ op: 'read', path: this.deps.file }, { signal: ac.signal, onProgress: () => undefined });
      if (ac.signal.aborted || this.closed()) return;
      if (r.op !== 'read') throw new Error('the read job answered with something else');
      this.info = {
        file: this.deps.file,
        fileName,
        format: r.format,
        height: r.height,
        width: r.width,
        lines: r.lines,
        ignored: r.ignored,
        withUncertainties: r.withUncertainties,
        ...(r.model ? { model: r.model } : {}),
      };
      this.maps = r.lines.map((l, i) => ({ id: `line:${l}`, label: l, kind: 'line' as const, data: r.maps[i] }));
      this.phase = 'ready';
      this.deps.log.info(
        `maps ${this.deps.file}: ${r.format} ${r.height}×${r.width}, ${r.lines.join(', ')}` +
          (r.ignored.length ? `; not line families, ignored: ${r.ignored.join(', ')}` : '') +
          ` (${Date.now() - t0} ms)`,
      );
      if (r.nonFinite > 0) {
        this.warning = `${r.nonFinite} pixel values are NaN or infinite: shown as no data; the metrics refuse this file until they are fixed.`;
        this.deps.log.warn(`${this.deps.file}: ${this.warning}`);
      }
      this.sendState();
    } catch (e) {
      if (ac.signal.aborted || this.closed() || isCancelled(e)) return;
      this.phase = 'error';
      const view = errorToView(e, this.deps.file);
      this.error = { ...view, title: view.kind === 'input' ? 'These maps cannot be opened' : view.title };
      this.deps.log.error(`${this.error.file}: ${this.error.problem}${view.kind === 'internal' && e instanceof Error ? `\n${e.stack ?? ''}` : ''}`);
      this.deps.endpoint.emit('error', this.error);
    }
  }

  /** A method, not a field test: TypeScript would narrow `phase` across the awaits above. */
  private closed(): boolean {
    return this.phase === 'closed';
  }

  dispose(): void {
    if (this.phase === 'closed') return;
    this.phase = 'closed';
    this.abort?.abort();
    this.deps.endpoint.dispose();
  }

  private async exportMap(mapId: string, format: ExportFormat, display: DisplaySettings, lo: number, hi: number): Promise<{ path?: string }> {
    const map = this.maps.find((m) => m.id === mapId);
    if (!map || !this.info) throw new Error(`no map "${mapId}" to export`);
    const size = { width: this.info.width, height: this.info.height, baseName: this.info.fileName.replace(/\.[^.]+$/, '') };
    return exportMapToFile(this.exportDeps(), map, size, format, display, lo, hi);
  }

  private exportDeps(): ExportMapDeps {
    const d = this.deps;
    return { file: d.file, pickSavePath: (name, format) => d.pickSavePath(name, format), writeFile: (target, parts) => d.writeFile(target, parts), log: d.log, notify: (message) => d.endpoint.emit('notice', { level: 'info', message }) };
  }

  private sendState(): void {
    const ep = this.deps.endpoint;
    ep.emit('init', { display: this.deps.display(), trusted: this.deps.trusted() });
    ep.emit('opening', { file: this.deps.file, fileName: nodePath.basename(this.deps.file) });
    if (this.phase === 'ready' && this.info) {
      ep.emit('info', this.info);
      ep.emit('maps', { maps: this.maps });
      if (this.warning) ep.emit('notice', { level: 'warning', message: this.warning });
    } else if (this.phase === 'error' && this.error) ep.emit('error', this.error);
  }
}
