/**
 * The scan editor: a CustomReadonlyEditorProvider for *.rpl, *.npy, *.npz, *.h5, *.hdf5, *.nxs.
 * A custom editor has one priority, so the provider is registered under two view types:
 *  - xrfmaps.scanViewer, the default editor for .rpl and .npz (nobody else opens those);
 *  - xrfmaps.scanViewerOption, an "option" for .npy/.h5/.hdf5/.nxs, which other tools and our own
 *    ground-truth editor also open: there the user picks "Open With… → XRF Scan", or runs
 *    "XRF Maps: Open Scan…" (also in the explorer's context menu), which opens it in this editor.
 * All reading happens in the ScanSession's worker thread; this file only wires VS Code to the controller:
 * dialogs, settings, the per-file display memory (workspaceState) and the file watcher.
 */
import * as vscode from 'vscode';
import * as path from 'node:path';
import { ScanSession } from '../../workers/scan-session-client';
import { writeFileAtomic } from '../../core/io/atomic';
import type { ScanHostSide, ScanWebviewSide } from '../../protocol';
import { notOnDiskError, pickExportPath } from '../export/save-dialog';
import { setUpWebview } from '../webview-panel';
import { currentSettings } from '../vscode-settings';
import { xrfLog } from '../log';
import { xrfStatusBar } from '../status-bar';
import { ScanEditorController, type ScanSessionLike } from './controller';
import { SCAN_VIEW_TYPE, SCAN_VIEW_TYPE_OPTION } from './view-types';
import { ScanViewMemory } from './view-memory';
import { removeStaleSpills } from '../../core/cube/spill-file';
import type { WatchFiles } from './scan-watch';

export { SCAN_VIEW_TYPE, SCAN_VIEW_TYPE_OPTION, scanViewTypeFor } from './view-types';

class ScanDocument implements vscode.CustomDocument {
  constructor(readonly uri: vscode.Uri) {}
  dispose(): void {}
}

export class ScanEditorProvider implements vscode.CustomReadonlyEditorProvider<ScanDocument> {
  private readonly controllers = new Map<vscode.WebviewPanel, { controller: ScanEditorController; uri: vscode.Uri }>();
  private active: vscode.WebviewPanel | undefined;
  private readonly viewMemory: ScanViewMemory;

  static register(context: vscode.ExtensionContext): ScanEditorProvider {
    const provider = new ScanEditorProvider(context);
    const options = { webviewOptions: { retainContextWhenHidden: true }, supportsMultipleEditorsPerDocument: false };
    context.subscriptions.push(
      vscode.window.registerCustomEditorProvider(SCAN_VIEW_TYPE, provider, options),
      vscode.window.registerCustomEditorProvider(SCAN_VIEW_TYPE_OPTION, provider, options),
      vscode.workspace.onDidChangeConfiguration((e) => {
        if (!e.affectsConfiguration('xrfmaps')) return;
        const changed = { lines: e.affectsConfiguration('xrfmaps.lines'), calibration: e.affectsConfiguration('xrfmaps.calibration') };
        for (const { controller } of provider.controllers.values()) controller.settingsChanged(changed);
      }),
    );
    return provider;
  }

  private constructor(private readonly context: vscode.ExtensionContext) {
    this.viewMemory = new ScanViewMemory(context.workspaceState);
    // Spills a killed window left behind (Windows only: elsewhere they are unlinked while open).
    void removeStaleSpills(this.spillDir());
  }

  private spillDir(): string {
    return path.join(this.context.globalStorageUri.fsPath, 'scan-spill');
  }

  openCustomDocument(uri: vscode.Uri): ScanDocument {
    return new ScanDocument(uri);
  }

  /** The scan editor in front, for commands such as "Export Map…". */
  activeController(): { controller: ScanEditorController; uri: vscode.Uri } | undefined {
    return this.active ? this.controllers.get(this.active) : undefined;
  }

  async resolveCustomEditor(document: ScanDocument, panel: vscode.WebviewPanel): Promise<void> {
    const log = xrfLog();
    const file = document.uri.scheme === 'file' ? document.uri.fsPath : document.uri.toString();
    const endpoint = setUpWebview<ScanHostSide, ScanWebviewSide>(panel.webview, this.context.extensionUri, 'scan', `XRF scan ${path.basename(file)}`);
    const settings = currentSettings(document.uri);
    for (const w of settings.warnings) log.warn(w);

    const controller = new ScanEditorController({
      file,
      endpoint,
      openSession: async (f, opts) => {
        if (document.uri.scheme !== 'file') {
          throw notOnDiskError(f, document.uri);
        }
        // A large compressed .npz spills its inflated bytes here: on disk, where the OS temp folder may be RAM.
        const session: ScanSessionLike = await ScanSession.open(f, { ...opts, spillDir: this.spillDir() });
        return session;
      },
      settings: () => currentSettings(document.uri),
      cacheDir: path.join(this.context.globalStorageUri.fsPath, 'scan-cache'),
      trusted: () => vscode.workspace.isTrusted,
      pickSavePath: (defaultName, format) => pickExportPath(file, defaultName, format),
      writeFile: (target, parts) => writeFileAtomic(target, parts),
      log,
      showLog: () => log.show(true),
      viewMemory: this.viewMemory,
      watchFiles: document.uri.scheme === 'file' ? watchWithVsCode : undefined,
    });
    this.controllers.set(panel, { controller, uri: document.uri });

    const showStatus = () => {
      if (panel.active) {
        this.active = panel;
        xrfStatusBar().set('scan', `$(symbol-color) ${path.basename(file)}`, `XRF scan ${file}`);
      } else if (this.active === panel) {
        this.active = undefined;
        xrfStatusBar().set('scan', undefined);
      }
    };
    showStatus();
    panel.onDidChangeViewState(showStatus);
    panel.onDidDispose(() => {
      this.controllers.delete(panel);
      if (this.active === panel) {
        this.active = undefined;
        xrfStatusBar().set('scan', undefined);
      }
      void controller.dispose();
    });
    // Not awaited: the editor shows at once, with progress; failures become the error view.
    void controller.open().catch((e) => log.error(`scan editor: ${e instanceof Error ? e.stack : String(e)}`));
  }
}

/**
 * VS Code's file watcher on the folders of `files`: a RelativePattern with a folder URI as its base
 * and a plain pattern is watched non-recursively, inside or outside the workspace folders, and not
 * subject to files.watcherExclude (the API's documented behaviour since 1.64). One watcher per folder
 * with "*", filtered by path, so file names with glob characters need no escaping.
 */
const watchWithVsCode: WatchFiles = (files, onEvent) => {
  const caseless = process.platform === 'win32' || process.platform === 'darwin';
  const norm = (p: string) => (caseless ? path.resolve(p).toLowerCase() : path.resolve(p));
  const wanted = new Map(files.map((f) => [norm(f), f]));
  const watchers = [...new Set(files.map((f) => path.dirname(f)))].map((dir) => {
    const w = vscode.workspace.createFileSystemWatcher(new vscode.RelativePattern(vscode.Uri.file(dir), '*'));
    const report = (kind: 'change' | 'delete') => (uri: vscode.Uri) => {
      const f = wanted.get(norm(uri.fsPath));
      if (f) onEvent(f, kind);
    };
    w.onDidChange(report('change'));
    w.onDidCreate(report('change'));
    w.onDidDelete(report('delete'));
    return w;
  });
  return { dispose: () => watchers.forEach((w) => w.dispose()) };
};
