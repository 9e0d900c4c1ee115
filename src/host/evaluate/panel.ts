/**
 * The results view (a WebviewPanel) and the "Evaluate Prediction" command. Other features open a
 * results view with `showResults(request)` or `vscode.commands.executeCommand('xrfmaps.showResults',
 * { gt, predictions: [{ path, model? }], lines?, title? })`.
 */
import * as vscode from 'vscode';
import * as nodePath from 'node:path';
import { runWorkerJob } from '../../workers/launch';
import { writeFileAtomic } from '../../core/io/atomic';
import type { ResultsHostSide, ResultsWebviewSide } from '../../protocol-ml';
import { setUpWebview, webviewOptions } from '../webview-panel';
import { currentSettings } from '../vscode-settings';
import { xrfLog } from '../log';
import { ensureTrusted } from '../trust';
import { ResultsController, resultsTitle, type ResultsRequest } from './controller';
import { savePng } from './png-save';
import type { MapsJobInput, MapsJobResult } from './job';
import { askGroundTruthFor, askPredictions, activeMapsFile } from './pick';

let extensionUri: vscode.Uri | undefined;

export const runMapsJob = (input: MapsJobInput, opts: { onProgress: (p: { done: number; total: number; message?: string }) => void; signal: AbortSignal }) =>
  runWorkerJob<MapsJobInput, MapsJobResult>('evaluate', input, opts);

/** Save dialog + atomic write, for figures (PNG). */
export async function pickPngPath(defaultDir: string, defaultName: string): Promise<string | undefined> {
  const uri = await vscode.window.showSaveDialog({
    title: 'Export figure as PNG',
    defaultUri: vscode.Uri.file(nodePath.join(defaultDir, defaultName)),
    filters: { 'PNG image': ['png'] },
  });
  return uri?.fsPath;
}

/** Open a results view and evaluate in the worker; resolves with its controller once the numbers (or the error) are out. */
export async function showResults(request: ResultsRequest): Promise<ResultsController> {
  if (!extensionUri) throw new Error('XRF Maps is not activated');
  const log = xrfLog();
  const title = resultsTitle(request);
  const panel = vscode.window.createWebviewPanel('xrfmaps.results', title, { viewColumn: vscode.ViewColumn.Active, preserveFocus: false }, {
    ...webviewOptions(extensionUri),
    retainContextWhenHidden: true,
  });
  const endpoint = setUpWebview<ResultsHostSide, ResultsWebviewSide>(panel.webview, extensionUri, 'results', title);
  const controller = new ResultsController(request, {
    endpoint,
    runJob: runMapsJob,
    display: () => currentSettings(vscode.Uri.file(request.gt)).display,
    copy: async (text) => vscode.env.clipboard.writeText(text),
    savePng: (p) =>
      savePng(p, {
        pickSavePath: (name) => pickPngPath(nodePath.dirname(request.gt), name),
        writeFile: (target, parts) => writeFileAtomic(target, parts),
      }),
    log,
    showLog: () => log.show(true),
  });
  panel.onDidDispose(() => controller.dispose());
  await controller.run();
  panel.title = controller.title;
  return controller;
}

export function registerEvaluateCommands(context: vscode.ExtensionContext): void {
  extensionUri = context.extensionUri;
  context.subscriptions.push(
    vscode.commands.registerCommand('xrfmaps.evaluate', async (uri?: vscode.Uri, uris?: vscode.Uri[]) => {
      if (!(await ensureTrusted('Evaluating predictions'))) return;
      try {
        const fromExplorer = (uris && uris.length ? uris : uri instanceof vscode.Uri ? [uri] : []).map((u) => u.fsPath);
        const active = activeMapsFile();
        let predictions: string[] | undefined = fromExplorer.length ? fromExplorer : active?.isPrediction ? [active.file] : undefined;
        let gt: string | undefined = !fromExplorer.length && active && !active.isPrediction ? active.file : undefined;
        if (!predictions) predictions = await askPredictions(gt ? nodePath.dirname(gt) : undefined);
        if (!predictions?.length) return;
        if (!gt) gt = await askGroundTruthFor(predictions[0]);
        if (!gt) return;
        await showResults({ gt, predictions: predictions.map((path) => ({ path })) });
      } catch (e) {
        const msg = e instanceof Error ? e.message : String(e);
        xrfLog().error(`evaluate: ${msg}`);
        void vscode.window.showErrorMessage(`XRF Maps: ${msg}`);
      }
    }),
    // For other features (experiment runs): not in the palette.
    vscode.commands.registerCommand('xrfmaps.showResults', async (request: ResultsRequest) => {
      if (!request || typeof request.gt !== 'string' || !Array.isArray(request.predictions)) {
        throw new Error('xrfmaps.showResults needs { gt, predictions: [{ path, model? }] }');
      }
      await showResults(request);
    }),
  );
}
