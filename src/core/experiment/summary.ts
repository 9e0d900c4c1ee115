/**
 * A run's summary: summary.md with the thesis-style tables (Tables 5.2-5.8: line families as rows,
 * models as columns, Total and Avg rows, best value per row in bold) for each held-out painting, the
 * z-score shares, an overview and the jobs' status; and summary.json with the same numbers.
 */
import { reportToMarkdown } from '../metrics/report';
import type { EvaluationReport } from '../metrics/evaluate';
import type { ModelArch } from '../ml/models';
import { formatDuration } from '../ml/jobs';
import type { RunRecord, RunSummary, SummaryFold } from './record';
import type { TrainingSettings } from './config';
import { MAPS_PNG, ZSCORES_PNG, safeName } from './run-folder';

function cell(v: number | null | undefined, digits = 3): string {
  return v === null || v === undefined || !Number.isFinite(v) ? 'n/a' : v.toFixed(digits);
}

function schedule(t: TrainingSettings): string {
  return `up to ${t.epochs} epochs, patience ${t.patience}, batch ${t.batch}, stride ${t.stride}, validation share ${t.valShare}, seed ${t.seed}, backend ${t.backend}`;
}

/** A Markdown table: the first `textColumns` columns left-aligned, the (numeric) rest right-aligned. */
function table(header: string[], rows: string[][], textColumns = 1): string {
  const line = (cells: string[]) => `| ${cells.join(' | ')} |`;
  return [line(header), line(header.map((_, i) => (i < textColumns ? '---' : '---:'))), ...rows.map(line)].join('\n');
}

/** Reports of a fold in the run's model order (the thesis's column order). */
export function orderedReports(fold: SummaryFold, models: ModelArch[]): Record<string, EvaluationReport> {
  const out: Record<string, EvaluationReport> = {};
  for (const m of models) if (fold.reports[m]) out[m] = fold.reports[m]!;
  return out;
}

/** The share of pixels with |z| ≤ 1 per line family (rows) and model (columns), as in thesis Table 5.5 per family. */
export function zShareTable(fold: SummaryFold, models: ModelArch[], lines: string[]): string {
  const cols = models.filter((m) => fold.reports[m]);
  const rows = lines.map((l) => [`**${l}**`, ...cols.map((m) => cell(fold.reports[m]!.families[l]?.z.le1))]);
  return table(['|z| ≤ 1', ...cols], rows);
}

export function summaryJson(record: RunRecord, folds: SummaryFold[]): RunSummary {
  return {
    format: 'xrfmaps-run-summary',
    run: record.name,
    configName: record.configName,
    config: record.config,
    status: record.status,
    lines: record.lines,
    models: record.models,
    folds,
  };
}

/** summary.md: what was run, the overview, then one set of thesis tables per held-out painting. */
export function summaryMarkdown(record: RunRecord, folds: SummaryFold[]): string {
  const t = record.training;
  const done = record.jobs.filter((j) => j.status === 'finished').length;
  const parts: string[] = [];
  parts.push(`# ${record.configName}: run ${record.name}`);
  parts.push(
    [
      `- Status: **${record.status}** (${done} of ${record.jobs.length} trainings evaluated)${record.error ? ` · ${record.error}` : ''}`,
      `- Started ${record.started}${record.finished ? `, ended ${record.finished}` : ''}${record.seconds !== undefined ? ` (${formatDuration(record.seconds)})` : ''}`,
      `- Config: \`${record.config}\` (snapshot: config.snapshot.json)`,
      `- Models: ${record.models.join(', ')} · line families: ${record.lines.join(', ')}`,
      `- Training: ${schedule(t)}`,
      ...Object.entries(record.trainingByModel ?? {}).map(([m, s]) => `- Training of ${m}: ${schedule(s)}`),
      `- Protocol: ${record.folds.map((f) => `${f.test} held out (trained on ${f.train.join(', ')})`).join('; ')}`,
    ].join('\n'),
  );

  const withReports = folds.filter((f) => Object.keys(f.reports).length > 0);
  if (withReports.length > 0) {
    const rows = withReports.map((f) => [f.test, ...record.models.map((m) => cell(f.reports[m]?.average.ssim))]);
    parts.push(`## Overview: average SSIM (Avg row) per held-out painting\n\n${table(['Held out', ...record.models], rows)}`);
  }

  for (const f of record.folds) {
    const fold = folds.find((x) => x.test === f.test);
    const reports = fold ? orderedReports(fold, record.models) : {};
    if (Object.keys(reports).length === 0) {
      parts.push(`## Held out: ${f.test}\n\nNo model finished for this painting.`);
      continue;
    }
    parts.push(reportToMarkdown(reports, { title: `Held out: ${f.test} (trained on ${f.train.join(', ')})` }).trimEnd());
    parts.push(`### Share of pixels with |z| ≤ 1 per line family\n\n${zShareTable(fold!, record.models, record.lines)}`);
    const dir = encodeURI(safeName(f.test));
    parts.push(`### Figures\n\n![Predicted and ground-truth maps of ${f.test}](${dir}/${MAPS_PNG})\n\n![Absolute z-scores of ${f.test}](${dir}/${ZSCORES_PNG})`);
  }

  const jobRows = record.jobs.map((j) => [
    j.test,
    j.model,
    j.status + (j.error ? `: ${j.error.replace(/\|/g, '\\|').replace(/\n/g, ' ')}` : ''),
    j.epochsRun !== undefined ? String(j.epochsRun) : '',
    j.bestEpoch !== undefined ? String(j.bestEpoch) : '',
    cell(j.bestValLoss ?? undefined, 4),
    j.trainSeconds !== undefined ? formatDuration(j.trainSeconds) : '',
    j.predictSeconds !== undefined ? formatDuration(j.predictSeconds) : '',
    j.status === 'finished' ? `[loss](${encodeURI(j.dir)}/loss.png)` : '',
  ]);
  parts.push(`## Trainings\n\n${table(['Held out', 'Model', 'Status', 'Epochs', 'Best epoch', 'Val aL1', 'Training', 'Prediction', 'Loss curve'], jobRows, 3)}`);
  return parts.join('\n\n') + '\n';
}
