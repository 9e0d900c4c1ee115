/**
 * The "XRF Maps" output channel (a LogOutputChannel: levels, timestamps, the user's log level).
 * Created once in activate(); every host module logs through `xrfLog()`.
 */
import * as vscode from 'vscode';

let channel: vscode.LogOutputChannel | undefined;

export function createXrfLog(context: vscode.ExtensionContext): vscode.LogOutputChannel {
  channel = vscode.window.createOutputChannel('XRF Maps', { log: true });
  context.subscriptions.push(channel);
  return channel;
}

export function xrfLog(): vscode.LogOutputChannel {
  if (!channel) channel = vscode.window.createOutputChannel('XRF Maps', { log: true });
  return channel;
}
