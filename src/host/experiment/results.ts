/**
 * Opening a run's results: the UI's results view (`xrfmaps.showResults`, one view per held-out
 * painting comparing its models' predictions), beside the config editor. Where that command is not
 * available, the run's summary.md opens in the Markdown preview instead.
 */
import * as vscode from 'vscode';
import * as nodePath from 'node:path';
import type { RunRecord } from '../../core/experiment/record';
import { SUMMARY_MD } from '../../core/experiment/run-folder';
import { xrfLog } from '../log';

/** The results requests of a run: per held-out painting, its finished models' predictions. */
export function resultsRequests(runDir: string, record: RunRecord, onlyTest?: string): { gt: string; predictions: { path: string; model: string }[]; lines: string[]; title: string }[] {
  return record.folds
    .filter((f) => !onlyTest || f.test === onlyTest)
    .flatMap((f) => {
      const painting = record.paintings?.find((p) => p.name === f.test);
      const done = record.jobs.filter((j) => j.test === f.test && j.status === 'finished');
      if (!painting || done.length === 0) return [];
      return [
        {
          gt: painting.groundTruth,
          predictions: done.map((j) => ({ path: nodePath.join(runDir, j.dir, 'prediction.npy'), model: j.model })),
          lines: record.lines,
          title: `${record.name}: ${f.test} held out`,
        },
      ];
    });
}

/** Moves focus to the editor group right of the active one (creating it), so what opens next sits beside. */
export async function focusBeside(): Promise<void> {
  const before = vscode.window.tabGroups.activeTabGroup;
  await vscode.commands.executeCommand('workbench.action.focusRightGroup');
  if (vscode.window.tabGroups.activeTabGroup === before) await vscode.commands.executeCommand('workbench.action.newGroupRight');
}

export async function openSummary(runDir: string, beside: boolean): Promise<void> {
  const uri = vscode.Uri.file(nodePath.join(runDir, SUMMARY_MD));
  await vscode.commands.executeCommand(beside ? 'markdown.showPreviewToSide' : 'markdown.showPreview', uri);
}

/**
 * Opens the results of a run (or of one held-out painting). `beside`: next to the active editor
 * (the config). Falls back to summary.md when the results view is missing or the run has no results.
 */
export async function openRunResults(runDir: string, record: RunRecord, opts: { beside?: boolean; test?: string } = {}): Promise<void> {
  const requests = resultsRequests(runDir, record, opts.test);
  const available = (await vscode.commands.getCommands(true)).includes('xrfmaps.showResults');
  if (!available || requests.length === 0) {
    if (!available) xrfLog().info('the results view (xrfmaps.showResults) is not available: opening summary.md instead');
    await openSummary(runDir, !!opts.beside);
    return;
  }
  if (opts.beside) await focusBeside();
  for (const r of requests) {
    try {
      await vscode.commands.executeCommand('xrfmaps.showResults', r);
    } catch (e) {
      xrfLog().error(`results of ${r.title}: ${e instanceof Error ? e.message : String(e)}`);
    }
  }
}
