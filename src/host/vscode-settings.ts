/** Feeds readSettings (./settings.ts) from VS Code's configuration: only values the user set count. */
import * as vscode from 'vscode';
import { readSettings, type XrfSettings } from './settings';
import { readTrainSettings, type TrainSettings } from './training/settings';

export function currentSettings(scope?: vscode.Uri): XrfSettings {
  const cfg = vscode.workspace.getConfiguration('xrfmaps', scope);
  return readSettings((key) => {
    const i = cfg.inspect(key);
    return i?.workspaceFolderValue ?? i?.workspaceValue ?? i?.globalValue;
  });
}

/** `xrfmaps.training.*`, validated (prediction and experiments read its `threads`). */
export function currentTrainSettings(scope?: vscode.Uri): TrainSettings {
  const cfg = vscode.workspace.getConfiguration('xrfmaps', scope);
  return readTrainSettings((key) => {
    const i = cfg.inspect(key);
    return i?.workspaceFolderValue ?? i?.workspaceValue ?? i?.globalValue;
  });
}
