/**
 * "XRF Maps: Predict Elemental Maps": on the scan the command was invoked on (explorer context
 * menu), else the scan editor in front, else a scan picked in a dialog; asks for the model folder;
 * runs the `predict` worker (row blocks, progress, Cancel) writing `<scan>.<model>.npy` + sidecar
 * beside the scan (never over a file); opens the result in the maps editor.
 */
import * as vscode from 'vscode';
import { promises as fs } from 'node:fs';
import * as nodePath from 'node:path';
import { runWorkerJob } from '../../workers/launch';
import { defaultPredictionPath } from '../../core/ml/predict-path';
import type { PredictJobInput, PredictJobResult } from '../../core/ml/jobs';
import { isCancelled } from '../../core/errors';
import type { ScanEditorProvider } from '../scan-editor/provider';
import { SCAN_FILE_FILTERS } from '../commands';
import { currentSettings, currentTrainSettings } from '../vscode-settings';
import { xrfLog } from '../log';
import { ensureTrusted } from '../trust';
import { MAPS_VIEW_TYPE } from '../groundtruth/view-types';
import { describeModelFolder, scanToPredict } from './model-folder';

async function modelsFolder(): Promise<vscode.Uri | undefined> {
  const ws = vscode.workspace.workspaceFolders?.[0]?.uri;
  if (!ws) return undefined;
  const models = vscode.Uri.joinPath(ws, 'models');
  return fs.access(models.fsPath).then(
    () => models,
    () => ws,
  );
}

export function registerPredictCommand(context: vscode.ExtensionContext, scans: ScanEditorProvider): void {
  context.subscriptions.push(
    vscode.commands.registerCommand('xrfmaps.predict', async (uri?: vscode.Uri, modelUri?: vscode.Uri) => {
      if (!(await ensureTrusted('Predicting elemental maps'))) return;
      const log = xrfLog();
      try {
        const active = scans.activeController();
        const target = scanToPredict(uri instanceof vscode.Uri ? uri.fsPath : undefined, active && { file: active.uri.fsPath, dataset: active.controller.datasetPath });
        let scan = target?.scan;
        if (!scan) {
          scan = (
            await vscode.window.showOpenDialog({ title: 'Scan to predict elemental maps of', canSelectMany: false, filters: SCAN_FILE_FILTERS, defaultUri: vscode.workspace.workspaceFolders?.[0]?.uri })
          )?.[0]?.fsPath;
        }
        if (!scan) return;
        let modelDir = modelUri instanceof vscode.Uri ? modelUri.fsPath : undefined;
        if (!modelDir) {
          modelDir = (
            await vscode.window.showOpenDialog({
              title: `Model folder to predict ${nodePath.basename(scan)} with`,
              canSelectMany: false,
              canSelectFiles: false,
              canSelectFolders: true,
              openLabel: 'Predict with this model',
              defaultUri: await modelsFolder(),
            })
          )?.[0]?.fsPath;
        }
        if (!modelDir) return;
        const model = await describeModelFolder(modelDir);
        const out = await defaultPredictionPath(scan, modelDir);
        const settings = currentSettings(vscode.Uri.file(scan));
        const input: PredictJobInput = {
          modelDir,
          scan,
          out,
          backend: settings.backend,
          threads: currentTrainSettings(vscode.Uri.file(scan)).threads,
          ...(target?.dataset !== undefined ? { dataset: target.dataset } : {}),
          ...(settings.calibration ? { calibration: settings.calibration } : {}),
        };
        log.info(`predicting ${scan}${input.dataset ? ` (${input.dataset})` : ''} with ${model.architecture} model ${modelDir} → ${out}`);
        const result = await vscode.window.withProgress(
          { location: vscode.ProgressLocation.Notification, title: `XRF Maps: predicting ${nodePath.basename(scan)} with ${model.name}`, cancellable: true },
          (progress, token) => {
            const ac = new AbortController();
            token.onCancellationRequested(() => ac.abort());
            let shown = 0;
            return runWorkerJob<PredictJobInput, PredictJobResult>('predict', input, {
              signal: ac.signal,
              onProgress: (p) => {
                const pct = p.total > 0 ? (100 * p.done) / p.total : 0;
                progress.report({ message: p.message, increment: Math.max(0, pct - shown) });
                shown = Math.max(shown, pct);
              },
            });
          },
        );
        log.info(`predicted ${result.lines.length} maps (${result.height}×${result.width}) in ${result.seconds.toFixed(1)} s → ${result.out}`);
        await vscode.commands.executeCommand('vscode.openWith', vscode.Uri.file(result.out), MAPS_VIEW_TYPE);
      } catch (e) {
        if (isCancelled(e)) {
          log.info('prediction cancelled; no file was written');
          return;
        }
        const msg = e instanceof Error ? e.message : String(e);
        log.error(`predict: ${msg}${e instanceof Error && e.name !== 'XrfInputError' ? `\n${e.stack ?? ''}` : ''}`);
        void vscode.window.showErrorMessage(`XRF Maps: prediction failed: ${msg}`, 'Show Log').then((p) => p && log.show(true));
      }
    }),
  );
}
