/**
 * The "XRF Runs" tree (explorer): each `*.xrfmaps.json` of the workspace, its runs (newest first)
 * with status and key figures (average SSIM per model), each run's held-out paintings, and each
 * painting's models with their Avg figures. Selecting a run or a painting opens its results view;
 * a model opens its loss curve.
 */
import * as vscode from 'vscode';
import { promises as fs } from 'node:fs';
import * as nodePath from 'node:path';
import { configNameFromPath } from '../../core/experiment/config';
import { formatKeyFigures, type JobRecord, type RunRecord } from '../../core/experiment/record';
import { formatLineFigures } from '../../core/experiment/line-figures';
import { runsOfConfig } from './latest-run';

type Node =
  | { kind: 'config'; uri: vscode.Uri }
  | { kind: 'run'; dir: string; record: RunRecord }
  | { kind: 'fold'; dir: string; record: RunRecord; test: string }
  | { kind: 'job'; dir: string; record: RunRecord; job: JobRecord };

const STATUS_ICON: Record<string, string> = {
  running: 'sync~spin',
  finished: 'pass',
  cancelled: 'circle-slash',
  failed: 'error',
  pending: 'circle-outline',
  training: 'sync~spin',
  predicting: 'sync~spin',
  evaluating: 'sync~spin',
};

export class RunsTreeProvider implements vscode.TreeDataProvider<Node> {
  private readonly changed = new vscode.EventEmitter<Node | undefined>();
  readonly onDidChangeTreeData = this.changed.event;

  refresh(): void {
    this.changed.fire(undefined);
  }

  async getChildren(node?: Node): Promise<Node[]> {
    if (!node) {
      const uris = await vscode.workspace.findFiles('**/*.xrfmaps.json', '**/node_modules/**');
      return uris.sort((a, b) => a.fsPath.localeCompare(b.fsPath)).map((uri) => ({ kind: 'config', uri }));
    }
    if (node.kind === 'config') {
      let text = '';
      try {
        text = await fs.readFile(node.uri.fsPath, 'utf8');
      } catch {
        return [];
      }
      return (await runsOfConfig(node.uri.fsPath, text)).map((r) => ({ kind: 'run', dir: r.dir, record: r.record }));
    }
    if (node.kind === 'run') return node.record.folds.map((f) => ({ kind: 'fold', dir: node.dir, record: node.record, test: f.test }));
    if (node.kind === 'fold') return node.record.jobs.filter((j) => j.test === node.test).map((job) => ({ kind: 'job', dir: node.dir, record: node.record, job }));
    return [];
  }

  getTreeItem(node: Node): vscode.TreeItem {
    switch (node.kind) {
      case 'config': {
        const item = new vscode.TreeItem(configNameFromPath(node.uri.fsPath), vscode.TreeItemCollapsibleState.Expanded);
        item.resourceUri = node.uri;
        item.description = vscode.workspace.asRelativePath(node.uri);
        item.iconPath = new vscode.ThemeIcon('beaker');
        item.contextValue = 'xrfmaps.config';
        item.command = { title: 'Open Config', command: 'vscode.open', arguments: [node.uri] };
        return item;
      }
      case 'run': {
        const r = node.record;
        const label = r.name.startsWith(r.configName + '-') ? r.name.slice(r.configName.length + 1) : r.name;
        const item = new vscode.TreeItem(label, vscode.TreeItemCollapsibleState.Collapsed);
        item.description = `${r.status} · ${formatKeyFigures(r)}`;
        item.tooltip = new vscode.MarkdownString(
          `**${r.name}** (${r.status})\n\n${r.models.join(', ')} · held out: ${r.folds.map((f) => f.test).join(', ')}\n\n${formatKeyFigures(r)}${r.error ? `\n\n${r.error}` : ''}`,
        );
        item.iconPath = new vscode.ThemeIcon(STATUS_ICON[r.status] ?? 'circle-outline');
        item.contextValue = 'xrfmaps.run';
        item.resourceUri = vscode.Uri.file(node.dir);
        item.command = { title: 'Open Results', command: 'xrfmaps.openRun', arguments: [node.dir] };
        return item;
      }
      case 'fold': {
        const jobs = node.record.jobs.filter((j) => j.test === node.test && j.status === 'finished' && typeof j.average?.ssim === 'number');
        const item = new vscode.TreeItem(`${node.test} held out`, vscode.TreeItemCollapsibleState.Collapsed);
        item.description = jobs.map((j) => `${j.model} ${(j.average!.ssim as number).toFixed(3)}`).join(' · ');
        item.iconPath = new vscode.ThemeIcon('file-media');
        item.contextValue = 'xrfmaps.runFold';
        item.command = { title: 'Open Results', command: 'xrfmaps.openRun', arguments: [node.dir, node.test] };
        return item;
      }
      case 'job': {
        const j = node.job;
        const item = new vscode.TreeItem(j.model, vscode.TreeItemCollapsibleState.None);
        const a = j.average;
        item.description =
          j.status === 'finished' && a
            ? formatLineFigures({ line: 'Avg', ssim: a.ssim, pearson: a.pearson, slope: a.slope, zLe1: j.total?.z.le1 ?? null }, false)
            : j.status + (j.error ? `: ${j.error}` : '');
        item.tooltip = j.error ?? `${j.model} with ${j.test} held out: ${j.status}${j.bestEpoch ? `, best epoch ${j.bestEpoch} of ${j.epochsRun}` : ''}`;
        item.iconPath = new vscode.ThemeIcon(STATUS_ICON[j.status] ?? 'circle-outline');
        item.contextValue = 'xrfmaps.runJob';
        const loss = vscode.Uri.file(nodePath.join(node.dir, j.dir, 'loss.png'));
        if (j.status === 'finished' || j.status === 'cancelled') item.command = { title: 'Open Loss Curve', command: 'vscode.open', arguments: [loss] };
        item.resourceUri = vscode.Uri.file(nodePath.join(node.dir, j.dir));
        return item;
      }
    }
  }
}
