/**
 * Commands of the scan viewer. Later features register theirs in their own modules, from activate().
 */
import * as vscode from 'vscode';
import type { ScanEditorProvider } from './scan-editor/provider';
import { DEFAULT_SCAN_EXTENSIONS, OPTION_SCAN_EXTENSIONS, scanViewTypeFor } from './scan-editor/view-types';
import { EXPORT_FORMATS } from './export/encode';
import type { ExportFormat } from '../protocol';
import { xrfLog } from './log';

export const SCAN_FILE_FILTERS = { 'MA-XRF scans': [...DEFAULT_SCAN_EXTENSIONS, ...OPTION_SCAN_EXTENSIONS] };

export function registerScanCommands(context: vscode.ExtensionContext, scans: ScanEditorProvider): void {
  context.subscriptions.push(
    vscode.commands.registerCommand('xrfmaps.openScan', async (uri?: vscode.Uri) => {
      const target =
        uri instanceof vscode.Uri
          ? uri
          : (await vscode.window.showOpenDialog({ canSelectMany: false, filters: SCAN_FILE_FILTERS, title: 'Open an MA-XRF scan' }))?.[0];
      if (target) await vscode.commands.executeCommand('vscode.openWith', target, scanViewTypeFor(target.path));
    }),
    vscode.commands.registerCommand('xrfmaps.exportMap', async () => {
      const active = scans.activeController();
      if (!active) {
        void vscode.window.showInformationMessage('XRF Maps: open a scan in the XRF scan viewer first, then export one of its maps.');
        return;
      }
      const maps = active.controller.mapList();
      if (maps.length === 0) {
        void vscode.window.showInformationMessage('XRF Maps: the maps of this scan are not ready yet.');
        return;
      }
      const map = await vscode.window.showQuickPick(
        maps.map((m) => ({ label: m.label, id: m.id })),
        { title: 'Export which map?' },
      );
      if (!map) return;
      const fmt = await vscode.window.showQuickPick(
        (Object.keys(EXPORT_FORMATS) as ExportFormat[]).map((f) => ({ label: f.toUpperCase(), description: EXPORT_FORMATS[f].label, format: f })),
        { title: `Export ${map.label} as` },
      );
      if (!fmt) return;
      try {
        await active.controller.exportFromCommand(map.id, fmt.format);
      } catch (e) {
        const msg = e instanceof Error ? e.message : String(e);
        xrfLog().error(`export: ${msg}`);
        void vscode.window.showErrorMessage(`XRF Maps: export failed: ${msg}`);
      }
    }),
    vscode.commands.registerCommand('xrfmaps.showLog', () => xrfLog().show(true)),
  );
}
