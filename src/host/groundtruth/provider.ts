/**
 * The maps editor: a CustomReadonlyEditorProvider for ground-truth and predicted maps. A custom
 * editor has one priority, so it is registered under two view types (./view-types.ts):
 *  - xrfmaps.groundTruth, an "option" for *.npy (scans and predictions share it), *.csv, *.h5, *.hdf5:
 *    "Open With… → XRF Elemental Maps"; predictions open here after "Predict Elemental Maps";
 *  - xrfmaps.groundTruthDefault, the default for PyMca's *.edf images and *.tif / *.tiff.
 * Reading happens in the `evaluate` worker; this file only wires VS Code to ./controller.ts.
 */
import * as vscode from 'vscode';
import * as nodePath from 'node:path';
import { writeFileAtomic } from '../../core/io/atomic';
import type { MapsHostSide, MapsWebviewSide, MapsInfo } from '../../protocol-ml';
import { notOnDiskError, pickExportPath } from '../export/save-dialog';
import { setUpWebview } from '../webview-panel';
import { currentSettings } from '../vscode-settings';
import { xrfLog } from '../log';
import { ensureTrusted } from '../trust';
import { MapsEditorController } from './controller';
import { MAPS_VIEW_TYPE, MAPS_VIEW_TYPE_DEFAULT } from './view-types';
import { runMapsJob, showResults } from '../evaluate/panel';
import { askGroundTruthFor, askPredictions, setActiveMapsSource } from '../evaluate/pick';

class MapsDocument implements vscode.CustomDocument {
  constructor(readonly uri: vscode.Uri) {}
  dispose(): void {}
}

/** "Compare with prediction…" (ground truth) or "Compare with ground truth…" (a prediction). */
async function compare(file: string, info: MapsInfo): Promise<void> {
  if (!(await ensureTrusted('Evaluating predictions'))) return;
  if (info.model) {
    const gt = await askGroundTruthFor(file);
    if (gt) await showResults({ gt, predictions: [{ path: file }] });
    return;
  }
  const preds = await askPredictions(nodePath.dirname(file));
  if (preds?.length) await showResults({ gt: file, predictions: preds.map((path) => ({ path })) });
}

export class MapsEditorProvider implements vscode.CustomReadonlyEditorProvider<MapsDocument> {
  private readonly controllers = new Map<vscode.WebviewPanel, { controller: MapsEditorController; file: string }>();
  private active: vscode.WebviewPanel | undefined;

  static register(context: vscode.ExtensionContext): MapsEditorProvider {
    const provider = new MapsEditorProvider(context);
    const options = { webviewOptions: { retainContextWhenHidden: true }, supportsMultipleEditorsPerDocument: false };
    context.subscriptions.push(
      vscode.window.registerCustomEditorProvider(MAPS_VIEW_TYPE, provider, options),
      vscode.window.registerCustomEditorProvider(MAPS_VIEW_TYPE_DEFAULT, provider, options),
      vscode.commands.registerCommand('xrfmaps.compareWithPrediction', async () => {
        const a = provider.active ? provider.controllers.get(provider.active) : undefined;
        const info = a?.controller.mapsInfo;
        if (!a || !info) {
          void vscode.window.showInformationMessage('XRF Maps: open a ground-truth or prediction file in the maps editor first.');
          return;
        }
        try {
          await compare(a.file, info);
        } catch (e) {
          void vscode.window.showErrorMessage(`XRF Maps: ${e instanceof Error ? e.message : String(e)}`);
        }
      }),
    );
    setActiveMapsSource(() => {
      const a = provider.active ? provider.controllers.get(provider.active) : undefined;
      return a ? { file: a.file, isPrediction: !!a.controller.mapsInfo?.model } : undefined;
    });
    return provider;
  }

  private constructor(private readonly context: vscode.ExtensionContext) {}

  openCustomDocument(uri: vscode.Uri): MapsDocument {
    return new MapsDocument(uri);
  }

  async resolveCustomEditor(document: MapsDocument, panel: vscode.WebviewPanel): Promise<void> {
    const log = xrfLog();
    const file = document.uri.scheme === 'file' ? document.uri.fsPath : document.uri.toString();
    const endpoint = setUpWebview<MapsHostSide, MapsWebviewSide>(panel.webview, this.context.extensionUri, 'groundTruth', `XRF maps ${nodePath.basename(file)}`);
    const controller = new MapsEditorController({
      file,
      endpoint,
      runJob: (input, opts) => {
        if (document.uri.scheme !== 'file') {
          return Promise.reject(notOnDiskError(file, document.uri));
        }
        return runMapsJob(input, opts);
      },
      display: () => currentSettings(document.uri).display,
      trusted: () => vscode.workspace.isTrusted,
      pickSavePath: (defaultName, format) => pickExportPath(file, defaultName, format),
      writeFile: (target, parts) => writeFileAtomic(target, parts),
      compare,
      log,
      showLog: () => log.show(true),
    });
    this.controllers.set(panel, { controller, file });
    const track = () => {
      if (panel.active) this.active = panel;
      else if (this.active === panel) this.active = undefined;
    };
    track();
    panel.onDidChangeViewState(track);
    panel.onDidDispose(() => {
      this.controllers.delete(panel);
      if (this.active === panel) this.active = undefined;
      controller.dispose();
    });
    void controller.open().catch((e) => log.error(`maps editor: ${e instanceof Error ? e.stack : String(e)}`));
  }
}
