/**
 * The runs of a config file, found where its "outputDir" points (no `vscode` here). The latest run
 * with at least one evaluated training is what the config editor annotates.
 */
import * as nodePath from 'node:path';
import { findNode, parseJsonTree } from '../../core/experiment/json-tree';
import { DEFAULT_OUTPUT_DIR } from '../../core/experiment/config';
import { listRuns, readRunSummary, type RunListing, type RunRecord, type RunSummary } from '../../core/experiment/record';

/** The absolute output folder a config's text names (its default when the text says nothing usable). */
export function outputDirOf(configPath: string, text: string): string {
  const node = findNode(parseJsonTree(text).root, ['outputDir']);
  const rel = node?.type === 'string' && (node.value as string).trim() ? (node.value as string).trim() : DEFAULT_OUTPUT_DIR;
  return nodePath.resolve(nodePath.dirname(configPath), rel);
}

export async function runsOfConfig(configPath: string, text: string): Promise<RunListing[]> {
  return listRuns(outputDirOf(configPath, text), configPath);
}

export interface AnnotatedRun {
  dir: string;
  record: RunRecord;
  summary: RunSummary;
}

/** The newest run of the config that has evaluated at least one training, with its summary. */
export async function latestEvaluatedRun(configPath: string, text: string): Promise<AnnotatedRun | undefined> {
  for (const r of await runsOfConfig(configPath, text)) {
    if (!r.record.jobs.some((j) => j.status === 'finished')) continue;
    const summary = await readRunSummary(r.dir);
    if (summary) return { dir: r.dir, record: r.record, summary };
  }
  return undefined;
}
