/**
 * "Export" of one map from an editor (scan editor or maps editor): ask where, encode as shown, write,
 * log and tell the view. The controllers differ only in where their maps come from. No `vscode` here.
 */
import type { DisplaySettings, ExportFormat } from '../../protocol';
import { encodeExport, exportFileName } from './encode';

export interface ExportMapDeps {
  /** The editor's file (named in the log). */
  file: string;
  pickSavePath(defaultName: string, format: ExportFormat): Promise<string | undefined>;
  writeFile(target: string, parts: Uint8Array[]): Promise<void>;
  log: { info(msg: string): void };
  /** An info notice in the view. */
  notify(message: string): void;
}

export interface ExportableMap {
  label: string;
  data: Float32Array;
}

/** Export `map` (width × height) under a name from `baseName`; `{}` when the user cancels the dialog. */
export async function exportMapToFile(
  deps: ExportMapDeps,
  map: ExportableMap,
  size: { width: number; height: number; baseName: string },
  format: ExportFormat,
  display: DisplaySettings,
  lo: number,
  hi: number,
): Promise<{ path?: string }> {
  const target = await deps.pickSavePath(exportFileName(size.baseName, map.label, format), format);
  if (!target) return {};
  const parts = encodeExport({ format, map: map.data, label: map.label, width: size.width, height: size.height, display, lo, hi });
  await deps.writeFile(target, parts);
  deps.log.info(`exported ${map.label} of ${deps.file} as ${format.toUpperCase()} to ${target}`);
  deps.notify(`Exported ${map.label} to ${target}`);
  return { path: target };
}
