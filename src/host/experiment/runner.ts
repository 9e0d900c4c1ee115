/**
 * Running a config from VS Code: check it (its problems show in the Problems panel), then run it in
 * the 'experiment' worker with a cancellable progress notification; log lines go to the XRF Maps
 * log. When it ends the runs view and the config's annotations refresh and the run's results open
 * beside the config. Cancel keeps what finished (the run is recorded as cancelled).
 */
import * as vscode from 'vscode';
import * as nodePath from 'node:path';
import { runWorkerJob } from '../../workers/launch';
import type { ExperimentJobInput } from '../../workers/experiment.worker';
import type { ExperimentEvent, RunResult } from '../../core/experiment/run';
import type { ModelArch } from '../../core/ml/models';
import { formatKeyFigures } from '../../core/experiment/record';
import { xrfLog } from '../log';
import { currentTrainSettings } from '../vscode-settings';
import { ensureTrusted } from '../trust';
import { openRunResults, openSummary } from './results';
import { ExperimentLossChart } from './loss-chart';

export interface RunnerHooks {
  /** For the live loss chart's webview. */
  extensionUri: vscode.Uri;
  /** Validate the config; resolves false (after showing why) when it has errors. */
  validate(uri: vscode.Uri): Promise<boolean>;
  /** Something changed on disk (a job finished, the run ended). */
  changed(): void;
}

const running = new Map<string, AbortController>();

export function isRunning(configPath: string): boolean {
  return running.has(nodePath.resolve(configPath));
}

/** Cancels the run of a config, if one is going. */
export function cancelRun(configPath: string): boolean {
  const ac = running.get(nodePath.resolve(configPath));
  ac?.abort();
  return !!ac;
}

/** Runs a config (all its models, or only `models`). Resolves when the run has ended. */
export async function runConfig(uri: vscode.Uri, hooks: RunnerHooks, models?: ModelArch[]): Promise<RunResult | undefined> {
  const name = nodePath.basename(uri.fsPath);
  if (!(await ensureTrusted(`Running the experiment ${name}`))) return undefined;
  const key = nodePath.resolve(uri.fsPath);
  if (running.has(key)) {
    void vscode.window.showInformationMessage(`XRF Maps: ${name} is already running (cancel it from its progress notification).`);
    return undefined;
  }
  const doc = vscode.workspace.textDocuments.find((d) => d.uri.fsPath === uri.fsPath);
  if (doc?.isDirty) await doc.save();
  if (!(await hooks.validate(uri))) return undefined;

  const log = xrfLog();
  const ac = new AbortController();
  const chart = new ExperimentLossChart(hooks.extensionUri, name.replace(/\.xrfmaps\.json$/i, ''), () => ac.abort());
  running.set(key, ac);
  hooks.changed();
  const what = models?.length ? `training ${models.join(', ')} on ${name}` : `training the models of ${name}`;
  log.info(`experiment: ${what}`);
  try {
    const result = await vscode.window.withProgress(
      { location: vscode.ProgressLocation.Notification, title: `XRF Maps: ${what}`, cancellable: true },
      async (progress, token) => {
        token.onCancellationRequested(() => ac.abort());
        let shown = 0;
        return runWorkerJob<ExperimentJobInput, RunResult>('experiment', { configPath: uri.fsPath, models, threads: currentTrainSettings(uri).threads }, {
          signal: ac.signal,
          onProgress: (p) => {
            const percent = (100 * p.done) / Math.max(1, p.total);
            const increment = Math.max(0, percent - shown);
            shown += increment;
            progress.report({ message: p.message, increment });
          },
          onEvent: (raw) => {
            const e = raw as ExperimentEvent;
            if (e.kind === 'log') log.info(`experiment: ${e.message}`);
            else if (e.kind === 'job-start') chart.jobStart(e.input, e.test);
            else if (e.kind === 'train') chart.trainEvent(e.event);
            else if (e.kind === 'trained') chart.trained(e.result);
            else if (e.kind === 'job-end') {
              chart.jobEnd(e.job);
              hooks.changed();
            } else if (e.kind === 'run') hooks.changed();
          },
        });
      },
    );
    hooks.changed();
    const { record, runDir } = result;
    const summary = 'Open Summary';
    const msg =
      record.status === 'finished'
        ? `XRF Maps: ${record.name} finished: ${formatKeyFigures(record)}.`
        : record.status === 'cancelled'
          ? `XRF Maps: ${record.name} cancelled; ${record.jobs.filter((j) => j.status === 'finished').length} finished training(s) kept.`
          : `XRF Maps: ${record.name} ended with failures: ${record.error ?? 'see the log'}.`;
    const show = record.status === 'failed' ? vscode.window.showWarningMessage : vscode.window.showInformationMessage;
    void show(msg, summary).then((p) => p && openSummary(runDir, false));
    if (record.jobs.some((j) => j.status === 'finished')) {
      // The results sit beside the config, which is brought to the front first.
      const editor = vscode.window.visibleTextEditors.find((e) => e.document.uri.fsPath === uri.fsPath);
      if (editor) await vscode.window.showTextDocument(editor.document, { viewColumn: editor.viewColumn, preserveFocus: false });
      await openRunResults(runDir, record, { beside: !!editor });
    }
    return result;
  } catch (e) {
    const msg = e instanceof Error ? e.message : String(e);
    log.error(`experiment ${name}: ${msg}`);
    void vscode.window.showErrorMessage(`XRF Maps: ${name}: ${msg}`, 'Show Log').then((p) => p && log.show(true));
    return undefined;
  } finally {
    chart.dispose();
    running.delete(key);
    hooks.changed();
  }
}
