/**
 * Shared set-up for every XRF Maps webview (scan editor now; ground-truth editor and results views
 * later): options, HTML with CSP, and an Endpoint over the webview's postMessage.
 */
import * as vscode from 'vscode';
import { Endpoint, type MessagePortLike, type Side } from '../protocol';
import { makeNonce, webviewHtml } from './webview-html';

export function webviewOptions(extensionUri: vscode.Uri): vscode.WebviewOptions {
  return {
    enableScripts: true,
    // Only the bundle and the stylesheet can be loaded; nothing from the workspace or the network.
    localResourceRoots: [vscode.Uri.joinPath(extensionUri, 'dist'), vscode.Uri.joinPath(extensionUri, 'media')],
  };
}

/** Fill `webview` with the page of `view` and return the host's endpoint for it. */
export function setUpWebview<Me extends Side, Peer extends Side>(
  webview: vscode.Webview,
  extensionUri: vscode.Uri,
  view: string,
  title: string,
): Endpoint<Me, Peer> {
  webview.options = webviewOptions(extensionUri);
  webview.html = webviewHtml(
    {
      cspSource: webview.cspSource,
      nonce: makeNonce(),
      scriptUri: webview.asWebviewUri(vscode.Uri.joinPath(extensionUri, 'dist', 'webview.js')).toString(),
      styleUri: webview.asWebviewUri(vscode.Uri.joinPath(extensionUri, 'media', 'webview.css')).toString(),
    },
    view,
    title,
  );
  const port: MessagePortLike = {
    post: (m) => webview.postMessage(m),
    listen: (h) => {
      const d = webview.onDidReceiveMessage(h);
      return () => d.dispose();
    },
  };
  return new Endpoint<Me, Peer>(port, { waitForReady: true });
}
