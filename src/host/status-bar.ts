/**
 * One status bar item shared by every feature. Each feature owns a named part ("scan": the active
 * scan's shape; later "backend": the ML backend and why) and sets or clears it; the item shows the
 * parts joined, and hides when there are none. Clicking it shows the log.
 */
import * as vscode from 'vscode';

interface Part {
  text: string;
  tooltip: string;
}

export class XrfStatusBar implements vscode.Disposable {
  private readonly item: vscode.StatusBarItem;
  private readonly parts = new Map<string, Part>();

  constructor() {
    this.item = vscode.window.createStatusBarItem('xrfmaps.status', vscode.StatusBarAlignment.Right, 100);
    this.item.name = 'XRF Maps';
    this.item.command = 'xrfmaps.showLog';
  }

  /** Set (or with `text` undefined, clear) one feature's part. */
  set(part: string, text: string | undefined, tooltip = ''): void {
    if (text === undefined) this.parts.delete(part);
    else this.parts.set(part, { text, tooltip });
    this.refresh();
  }

  private refresh(): void {
    if (this.parts.size === 0) {
      this.item.hide();
      return;
    }
    const parts = [...this.parts.values()];
    this.item.text = parts.map((p) => p.text).join('  ');
    this.item.tooltip = [...parts.map((p) => p.tooltip).filter(Boolean), 'Click to show the XRF Maps log'].join('\n');
    this.item.show();
  }

  dispose(): void {
    this.item.dispose();
  }
}

let shared: XrfStatusBar | undefined;

export function xrfStatusBar(): XrfStatusBar {
  if (!shared) shared = new XrfStatusBar();
  return shared;
}
