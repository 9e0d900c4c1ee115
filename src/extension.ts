/**
 * Entry point of the extension host. Activation happens only when a scan editor or an XRF Maps command
 * is used (package.json activationEvents); activate() registers and returns at once, nothing heavy runs here.
 */
import * as vscode from 'vscode';
import { createXrfLog } from './host/log';
import { xrfStatusBar } from './host/status-bar';
import { ScanEditorProvider } from './host/scan-editor/provider';
import { registerScanCommands } from './host/commands';
import { MapsEditorProvider } from './host/groundtruth/provider';
import { registerEvaluateCommands } from './host/evaluate/panel';
import { registerTrainingCommands } from './host/training/commands';
import { registerPredictCommand } from './host/predict/commands';
import { registerExperiments } from './host/experiment/register';

export function activate(context: vscode.ExtensionContext): void {
  const log = createXrfLog(context);
  context.subscriptions.push(xrfStatusBar());
  const scans = ScanEditorProvider.register(context);
  registerScanCommands(context, scans);
  MapsEditorProvider.register(context);
  registerEvaluateCommands(context);
  registerTrainingCommands(context);
  registerPredictCommand(context, scans);
  registerExperiments(context);
  log.info(`XRF Maps ${String(context.extension.packageJSON.version)} activated (workspace ${vscode.workspace.isTrusted ? 'trusted' : 'in Restricted Mode'})`);
}

export function deactivate(): void {}
