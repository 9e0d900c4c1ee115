/**
 * "XRF Maps: Train FCN / FCN+ / 1DCNN / 1DCNN+". Each command: trust check → a hook may claim it
 * (experiment configs, ./hooks.ts) → gather the inputs with dialogs (./gather.ts) → `runTraining`:
 * the worker job with a cancellable progress notification and the live loss chart panel.
 * Other features call `runTraining(input)` with their own TrainJobInput.
 */
import * as vscode from 'vscode';
import { promises as fs } from 'node:fs';
import * as nodePath from 'node:path';
import { runWorkerJob } from '../../workers/launch';
import { writeFileAtomic } from '../../core/io/atomic';
import type { TrainJobInput, TrainJobResult } from '../../core/ml/jobs';
import type { ModelArch } from '../../core/ml/models';
import type { TrainingHostSide, TrainingWebviewSide } from '../../protocol-ml';
import { setUpWebview, webviewOptions } from '../webview-panel';
import { currentSettings } from '../vscode-settings';
import { xrfLog } from '../log';
import { xrfStatusBar } from '../status-bar';
import { ensureTrusted } from '../trust';
import { SCAN_FILE_FILTERS } from '../commands';
import { MAP_FILE_FILTERS } from '../evaluate/pick';
import { pickPngPath } from '../evaluate/panel';
import { savePng } from '../evaluate/png-save';
import { gatherTrainInput, type TrainPrompts, type GatherEnv } from './gather';
import type { MapsJobInput, MapsJobResult, ReadMapsResult } from '../evaluate/job';
import { readTrainSettings } from './settings';
import { trainCommandClaimed } from './hooks';
import { TrainingRun, resultMessage } from './run';

/** Command ids and the architecture each trains. */
export const TRAIN_COMMANDS: Record<string, ModelArch> = {
  'xrfmaps.trainFCN': 'FCN',
  'xrfmaps.trainFCNPlus': 'FCN+',
  'xrfmaps.train1DCNN': '1DCNN',
  'xrfmaps.train1DCNNPlus': '1DCNN+',
};

let extensionUri: vscode.Uri | undefined;

const prompts: TrainPrompts = {
  async pickScans() {
    const uris = await vscode.window.showOpenDialog({
      title: 'Training scans (one or more paintings)',
      canSelectMany: true,
      canSelectFiles: true,
      canSelectFolders: false,
      defaultUri: vscode.workspace.workspaceFolders?.[0]?.uri,
      filters: SCAN_FILE_FILTERS,
    });
    return uris?.map((u) => u.fsPath);
  },
  async pickGroundTruth(scan, candidates) {
    const browse = async () =>
      (
        await vscode.window.showOpenDialog({
          title: `Ground truth for ${nodePath.basename(scan)}`,
          canSelectMany: false,
          defaultUri: vscode.Uri.file(nodePath.dirname(scan)),
          filters: MAP_FILE_FILTERS,
        })
      )?.[0]?.fsPath;
    if (candidates.length === 0) return browse();
    const pick = await vscode.window.showQuickPick(
      [...candidates.map((c) => ({ label: nodePath.basename(c), description: 'beside the scan', path: c as string | undefined })), { label: '$(folder-opened) Browse…', description: '', path: undefined }],
      { title: `Ground truth for ${nodePath.basename(scan)}`, ignoreFocusOut: true },
    );
    if (!pick) return undefined;
    return pick.path ?? browse();
  },
  async pickOutputParent(suggested) {
    let defaultUri = vscode.Uri.file(suggested);
    try {
      await fs.access(suggested);
    } catch {
      defaultUri = vscode.Uri.file(nodePath.dirname(suggested));
    }
    const uris = await vscode.window.showOpenDialog({
      title: 'Folder to put the new model folder in',
      canSelectMany: false,
      canSelectFiles: false,
      canSelectFolders: true,
      openLabel: 'Put the model here',
      defaultUri,
    });
    return uris?.[0]?.fsPath;
  },
  async askModelName(suggested, validate) {
    return vscode.window.showInputBox({
      title: 'Name of the new model folder',
      prompt: 'Predictions made with this model are named after it.',
      value: suggested,
      ignoreFocusOut: true,
      validateInput: async (v) => (await validate(v)) ?? null,
    });
  },
};

const env = (): GatherEnv => ({
  listDir: (d) => fs.readdir(d),
  exists: async (p) =>
    fs.access(p).then(
      () => true,
      () => false,
    ),
  now: () => new Date(),
  workspaceFolder: vscode.workspace.workspaceFolders?.[0]?.uri.fsPath,
  // Read in the evaluate worker, like every maps file the host looks at.
  groundTruthLines: async (path) => ((await runWorkerJob<MapsJobInput, MapsJobResult>('evaluate', { op: 'read', path })) as ReadMapsResult).lines,
  warn: (m) => xrfLog().warn(m),
});

/** The loss chart panel of a run (reopened by "Show Loss Chart" while it trains). */
function openLossChart(run: TrainingRun): vscode.WebviewPanel {
  const title = `Training ${run.input.model} · ${nodePath.basename(run.input.outDir)}`;
  const panel = vscode.window.createWebviewPanel('xrfmaps.training', title, { viewColumn: vscode.ViewColumn.Beside, preserveFocus: true }, {
    ...webviewOptions(extensionUri!),
    retainContextWhenHidden: true,
  });
  const endpoint = setUpWebview<TrainingHostSide, TrainingWebviewSide>(panel.webview, extensionUri!, 'training', title);
  run.attach(endpoint);
  panel.onDidDispose(() => {
    run.detach(endpoint);
    endpoint.dispose();
  });
  return panel;
}

/**
 * Train one model in the worker with a cancellable progress notification and the live loss chart.
 * Resolves with the result (cancelled runs keep the best model), or undefined when cancelled before
 * any data was read; failures are shown and logged, then rethrown.
 */
export async function runTraining(input: TrainJobInput): Promise<TrainJobResult | undefined> {
  if (!extensionUri) throw new Error('XRF Maps is not activated');
  const log = xrfLog();
  let report: (message: string, percent: number) => void = () => undefined;
  const run = new TrainingRun(input, {
    runJob: (i, o) => runWorkerJob<TrainJobInput, TrainJobResult>('train', i, o),
    report: (m, p) => report(m, p),
    setBackend: (name, reason) => xrfStatusBar().set('backend', `$(chip) ${name}`, `XRF Maps ML backend: ${name} (${reason})`),
    savePng: (p) => savePng(p, { pickSavePath: (n) => pickPngPath(nodePath.dirname(input.outDir), n), writeFile: (t, parts) => writeFileAtomic(t, parts) }),
    showLog: () => log.show(true),
    log,
  });
  openLossChart(run);
  try {
    const result = await vscode.window.withProgress(
      { location: vscode.ProgressLocation.Notification, title: `XRF Maps: training ${input.model}`, cancellable: true },
      (progress, token) => {
        token.onCancellationRequested(() => run.cancel());
        let shown = 0;
        report = (message, percent) => {
          const increment = Math.max(0, Math.min(100, percent) - shown);
          shown += increment;
          progress.report({ message, increment });
        };
        return run.start();
      },
    );
    if (result) {
      const open = 'Predict with It…';
      const reveal = 'Reveal in Explorer';
      void vscode.window.showInformationMessage(`XRF Maps: ${resultMessage(result, input.model)}`, open, reveal).then(async (pick) => {
        if (pick === reveal) await vscode.commands.executeCommand('revealInExplorer', vscode.Uri.file(result.modelDir));
        if (pick === open) await vscode.commands.executeCommand('xrfmaps.predict', undefined, vscode.Uri.file(result.modelDir));
      });
    } else void vscode.window.showInformationMessage('XRF Maps: training cancelled before any data was read; nothing was written.');
    return result;
  } catch (e) {
    const msg = e instanceof Error ? e.message : String(e);
    void vscode.window.showErrorMessage(`XRF Maps: training ${input.model} failed: ${msg}`, 'Show Log').then((p) => p && log.show(true));
    throw e;
  }
}

export function registerTrainingCommands(context: vscode.ExtensionContext): void {
  extensionUri = context.extensionUri;
  for (const [id, arch] of Object.entries(TRAIN_COMMANDS)) {
    context.subscriptions.push(
      vscode.commands.registerCommand(id, async () => {
        if (!(await ensureTrusted(`Training ${arch}`))) return;
        let input: TrainJobInput | undefined;
        try {
          if (await trainCommandClaimed(arch)) return;
          const settings = currentSettings(vscode.workspace.workspaceFolders?.[0]?.uri);
          const cfg = vscode.workspace.getConfiguration('xrfmaps');
          const training = readTrainSettings((key) => {
            const i = cfg.inspect(key);
            return i?.workspaceFolderValue ?? i?.workspaceValue ?? i?.globalValue;
          });
          for (const w of training.warnings) xrfLog().warn(w);
          // An empty `xrfmaps.lines` leaves the choice to the pipeline (parseLines would fill in DEFAULT_LINES).
          const rawLines = cfg.get<unknown>('lines');
          const lines = Array.isArray(rawLines) && rawLines.length > 0 ? settings.lines : undefined;
          input = await gatherTrainInput(arch, prompts, env(), { ...training, backend: settings.backend, calibration: settings.calibration, lines });
        } catch (e) {
          const msg = e instanceof Error ? e.message : String(e);
          xrfLog().error(`train ${arch}: ${msg}`);
          void vscode.window.showErrorMessage(`XRF Maps: ${msg}`);
          return;
        }
        if (!input) return;
        // runTraining shows and logs its own failures.
        await runTraining(input).catch(() => undefined);
      }),
    );
  }
}
