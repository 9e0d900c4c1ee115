/**
 * Workspace trust. Declared in package.json as "limited": in Restricted Mode XRF Maps opens scans and
 * ground-truth files and shows their maps (all our own code, reading data); features that run work
 * configured by the workspace (training, predicting, evaluating experiment configs) ask for trust.
 * Exporting a map and editing the calibration stay allowed: they are explicit user actions that write
 * data (to a path picked in a save dialog, or the scan's JSON sidecar), and run nothing.
 */
import * as vscode from 'vscode';

/** True when trusted; otherwise says why `what` is off and offers to manage trust. */
export async function ensureTrusted(what: string): Promise<boolean> {
  if (vscode.workspace.isTrusted) return true;
  const manage = 'Manage Workspace Trust';
  const pick = await vscode.window.showWarningMessage(
    `XRF Maps: ${what} needs a trusted workspace (it runs jobs configured by files in this folder and writes results). ` +
      'Viewing scans and maps works in Restricted Mode.',
    manage,
  );
  if (pick === manage) await vscode.commands.executeCommand('workbench.trust.manage');
  return false;
}
