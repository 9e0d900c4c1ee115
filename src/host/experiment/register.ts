/**
 * Experiments in VS Code, registered from activate() with one call: the config editor's
 * diagnostics, inlay hints and CodeLens; the "XRF Runs" view; the commands Run Experiment, Create
 * Experiment Config, Open Run Results / Summary, Refresh; and the hook that makes "Train FCN" & co.
 * run the active config (or ask which config) instead of asking for scans.
 */
import * as vscode from 'vscode';
import * as nodePath from 'node:path';
import { isConfigPath } from '../../core/experiment/config';
import { readRunRecord } from '../../core/experiment/record';
import type { ModelArch } from '../../core/ml/models';
import { addTrainCommandHook } from '../training/hooks';
import { xrfLog } from '../log';
import { CONFIG_SELECTOR, ConfigEditorSupport } from './config-editor';
import { RunsTreeProvider } from './runs-view';
import { runConfig, type RunnerHooks } from './runner';
import { openRunResults, openSummary } from './results';
import { createConfigFromSelection } from './create-config';

/** The `*.xrfmaps.json` in the active editor, if any. */
export function activeConfigUri(): vscode.Uri | undefined {
  const doc = vscode.window.activeTextEditor?.document;
  return doc && doc.uri.scheme === 'file' && isConfigPath(doc.uri.fsPath) ? doc.uri : undefined;
}

/** Asks which workspace config to run; 'manual' when the user prefers to pick scans, undefined when dismissed. */
async function pickConfig(title: string, allowManual: boolean): Promise<vscode.Uri | 'manual' | 'none' | undefined> {
  const uris = await vscode.workspace.findFiles('**/*.xrfmaps.json', '**/node_modules/**');
  if (uris.length === 0) return 'none';
  const items: (vscode.QuickPickItem & { uri?: vscode.Uri })[] = uris.map((uri) => ({
    label: nodePath.basename(uri.fsPath),
    description: vscode.workspace.asRelativePath(nodePath.dirname(uri.fsPath)),
    uri,
  }));
  if (allowManual) items.push({ label: '$(files) Choose scans and ground truth instead…', description: 'train one model without a config' });
  const pick = await vscode.window.showQuickPick(items, { title, placeHolder: 'Which experiment config?' });
  if (!pick) return undefined;
  return pick.uri ?? 'manual';
}

export function registerExperiments(context: vscode.ExtensionContext): void {
  const support = new ConfigEditorSupport();
  const tree = new RunsTreeProvider();
  let pending: NodeJS.Timeout | undefined;
  const changed = () => {
    // Coalesce bursts (a job's files land together).
    clearTimeout(pending);
    pending = setTimeout(() => {
      tree.refresh();
      support.refreshAll();
    }, 300);
  };
  const hooks: RunnerHooks = {
    extensionUri: context.extensionUri,
    validate: async (uri) => {
      const doc = await vscode.workspace.openTextDocument(uri);
      const ok = await support.validate(doc);
      if (!ok) {
        const show = 'Show Problems';
        void vscode.window
          .showErrorMessage(`XRF Maps: ${nodePath.basename(uri.fsPath)} has problems (see the Problems panel); nothing was run.`, show)
          .then((p) => p && vscode.commands.executeCommand('workbench.actions.view.problems'));
      }
      return ok;
    },
    changed,
  };
  const run = (uri: vscode.Uri, models?: ModelArch[]) => runConfig(uri, hooks, models);

  const watcher = vscode.workspace.createFileSystemWatcher('**/{run.json,*.xrfmaps.json}');
  watcher.onDidCreate(changed);
  watcher.onDidChange(changed);
  watcher.onDidDelete(changed);

  context.subscriptions.push(
    support,
    watcher,
    vscode.languages.registerInlayHintsProvider(CONFIG_SELECTOR, support),
    vscode.languages.registerCodeLensProvider(CONFIG_SELECTOR, support),
    vscode.window.createTreeView('xrfmaps.runs', { treeDataProvider: tree, showCollapseAll: true }),
    vscode.commands.registerCommand('xrfmaps.runExperiment', async (arg?: vscode.Uri | { uri?: vscode.Uri }) => {
      // From the editor title or CodeLens: a Uri; from the runs view: its config node.
      const given = arg instanceof vscode.Uri ? arg : arg?.uri instanceof vscode.Uri ? arg.uri : undefined;
      const target = given ?? activeConfigUri() ?? (await pickConfig('Run which experiment?', false));
      if (target === 'none') {
        void vscode.window.showInformationMessage('XRF Maps: no *.xrfmaps.json in this workspace. Create one with "XRF Maps: Create Experiment Config" (explorer: select scans and ground truth).');
        return;
      }
      if (target instanceof vscode.Uri) await run(target);
    }),
    vscode.commands.registerCommand('xrfmaps.createExperimentConfig', (uri?: vscode.Uri, uris?: vscode.Uri[]) =>
      createConfigFromSelection(uri instanceof vscode.Uri ? uri : undefined, Array.isArray(uris) ? uris : undefined).catch((e: unknown) => {
        const msg = e instanceof Error ? e.message : String(e);
        xrfLog().error(`create experiment config: ${msg}`);
        void vscode.window.showErrorMessage(`XRF Maps: ${msg}`);
      }),
    ),
    vscode.commands.registerCommand('xrfmaps.openRun', async (arg?: string | { dir?: string; resourceUri?: vscode.Uri }, test?: string) => {
      const dir = typeof arg === 'string' ? arg : arg?.dir ?? arg?.resourceUri?.fsPath;
      if (!dir) return;
      const record = await readRunRecord(dir);
      if (!record) {
        void vscode.window.showErrorMessage(`XRF Maps: ${dir} holds no run.json`);
        return;
      }
      await openRunResults(dir, record, { test, beside: !!activeConfigUri() });
    }),
    vscode.commands.registerCommand('xrfmaps.openRunSummary', async (arg?: string | { dir?: string; resourceUri?: vscode.Uri }) => {
      const dir = typeof arg === 'string' ? arg : arg?.dir ?? arg?.resourceUri?.fsPath;
      if (dir) await openSummary(dir, false);
    }),
    vscode.commands.registerCommand('xrfmaps.refreshRuns', () => {
      tree.refresh();
      support.refreshAll();
    }),
    // "Train FCN" & co.: with a config in front, run it for that model; else offer the workspace's configs.
    addTrainCommandHook(async (arch) => {
      const active = activeConfigUri();
      if (active) {
        await run(active, [arch]);
        return true;
      }
      const pick = await pickConfig(`Train ${arch}: run it on an experiment config?`, true);
      if (pick === 'none' || pick === 'manual') return false;
      if (pick) await run(pick, [arch]);
      return true; // dismissed: the user said no to both ways
    }),
  );
}
