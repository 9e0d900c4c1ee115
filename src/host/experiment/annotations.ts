/**
 * What a config editor shows from its latest run, computed without `vscode` (tested under Node):
 * an inline hint after each entry of "lines" ("SSIM 0.971 · r 0.983 · α 1.02 · z≤1 92%"), a
 * warning on each entry whose SSIM is below the threshold, and a CodeLens line over "lines" naming
 * the run and its key figures. Positions are character offsets in the config text.
 */
import { findNode, findProperty, type JsonTree } from '../../core/experiment/json-tree';
import { flagLines, formatLineFigures, lineFiguresOf } from '../../core/experiment/line-figures';
import { normalizeLineName } from '../../core/lines';
import type { RunRecord, RunSummary } from '../../core/experiment/record';
import { formatKeyFigures } from '../../core/experiment/record';

export interface LineHint {
  line: string;
  /** Offset just after the entry's closing quote. */
  offset: number;
  /** Shown inline. */
  label: string;
  /** Shown on hover: every held-out painting and model. */
  tooltip: string;
}

export interface LineFlag {
  line: string;
  offset: number;
  length: number;
  message: string;
}

export interface ConfigAnnotations {
  hints: LineHint[];
  flags: LineFlag[];
  /** Over the "lines" key: "Latest run icons-demo-…: SSIM FCN 0.91 · 1DCNN+ 0.97 (1DCNN+ shown per line)". */
  lens?: { offset: number; title: string };
}

/** The entries of "lines" with their offsets and normalized names (entries that are not line families skipped). */
export function lineEntries(tree: JsonTree): { line: string; offset: number; length: number }[] {
  const node = findNode(tree.root, ['lines']);
  if (node?.type !== 'array') return [];
  return node.items!.flatMap((it) => {
    if (it.type !== 'string') return [];
    try {
      return [{ line: normalizeLineName(it.value as string), offset: it.offset, length: it.length }];
    } catch {
      return [];
    }
  });
}

function tooltipFor(summary: RunSummary, line: string): string {
  const rows: string[] = [];
  for (const f of summary.folds) {
    for (const m of summary.models) {
      const fam = f.reports[m]?.families[line];
      if (fam) rows.push(`${f.test} · ${m}: ${formatLineFigures({ line, ssim: fam.ssim, pearson: fam.pearson, slope: fam.slope, zLe1: fam.z.le1 }, false)}`);
    }
  }
  return rows.join('\n');
}

export function configAnnotations(tree: JsonTree, run: { record: RunRecord; summary: RunSummary }, threshold: number): ConfigAnnotations {
  const figures = lineFiguresOf(run.summary);
  const linesKey = findProperty(tree.root, ['lines']);
  const status = run.record.status === 'finished' ? '' : ` (${run.record.status})`;
  const lens = linesKey
    ? {
        offset: linesKey.keyOffset,
        title: `Latest run ${run.record.name}${status}: ${formatKeyFigures(run.record)}${figures ? ` · per line: ${figures.model}` : ''}`,
      }
    : undefined;
  if (!figures) return { hints: [], flags: [], lens };
  const entries = lineEntries(tree);
  const hints: LineHint[] = [];
  for (const e of entries) {
    const f = figures.byLine.get(e.line);
    if (!f) continue;
    hints.push({
      line: e.line,
      offset: e.offset + e.length,
      label: formatLineFigures(f, false),
      tooltip: `${e.line}, ${f.model}, mean over ${f.paintings.join(', ')}\n\n${tooltipFor(run.summary, e.line)}`,
    });
  }
  const flagged = flagLines(figures, threshold);
  const flags = flagged.flatMap((fl) => {
    const e = entries.find((x) => x.line === fl.line);
    return e ? [{ line: fl.line, offset: e.offset, length: e.length, message: fl.message }] : [];
  });
  return { hints, flags, lens };
}
