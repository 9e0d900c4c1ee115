/**
 * The results view's tables as a view model, built from evaluation reports, and that model as
 * Markdown and CSV (what "Copy as Markdown" / "Copy as CSV" put on the clipboard). Pure, unit-tested.
 *
 * Layout (thesis §5.3, Tables 5.2–5.8): line families as rows, with "Total" and "Avg" first.
 *  - one model: one table, columns SSIM, Pearson r, slope α;
 *  - several models of the same scan: one table per measure, one column per model, the best value
 *    of each row marked (SSIM, r: highest; α: closest to 1), judged on the printed digits so ties
 *    that look alike are all marked (as src/core/metrics/report.ts does for its Markdown);
 *  - the z-score table: one row per model with its pooled shares in (0,1], (1,2], (2,3], >3; for a
 *    single model also one row per family.
 */
import type { EvaluationReport, LineMetrics, SummaryMetrics } from '../../src/core/metrics/evaluate';

export type Measure = 'ssim' | 'pearson' | 'slope';

export interface Cell {
  /** Full precision (CSV); null when undefined (r of a flat map, α of an all-zero truth) or absent. */
  value: number | null;
  /** As shown ("0.982", "n/a", "–" when the model did not evaluate this family). */
  text: string;
  best: boolean;
}

export interface TableRow {
  label: string;
  kind: 'total' | 'avg' | 'family' | 'model';
  cells: Cell[];
}

export interface TableModel {
  id: string;
  title: string;
  /** Header of the label column. */
  corner: string;
  columns: string[];
  rows: TableRow[];
}

export const MEASURE_TITLES: Record<Measure, string> = {
  ssim: 'Structural similarity (SSIM)',
  pearson: 'Pearson correlation (r)',
  slope: 'Slope (α of ŷ = α·y)',
};
const MEASURE_SHORT: Record<Measure, string> = { ssim: 'SSIM', pearson: 'Pearson r', slope: 'Slope α' };
const MEASURES: Measure[] = ['ssim', 'pearson', 'slope'];
export const Z_BIN_LABELS = ['(0, 1]', '(1, 2]', '(2, 3]', '> 3'] as const;

function cell(v: number | null | undefined, digits: number): Cell {
  if (v === undefined) return { value: null, text: '–', best: false };
  if (v === null || !Number.isFinite(v)) return { value: null, text: 'n/a', best: false };
  return { value: v, text: v.toFixed(digits), best: false };
}

/** Mark the best cells of a row in place; needs at least two defined values to mark anything. */
export function markBest(cells: Cell[], measure: Measure, digits: number): Cell[] {
  const score = (c: Cell) => {
    if (c.value === null) return -Infinity;
    const shown = Number(c.value.toFixed(digits));
    return measure === 'slope' ? -Math.abs(shown - 1) : shown;
  };
  const defined = cells.filter((c) => c.value !== null);
  if (defined.length < 2) return cells;
  const best = Math.max(...cells.map(score));
  for (const c of cells) c.best = c.value !== null && score(c) === best;
  return cells;
}

/** Every family any report evaluated: the first report's order, then others' extras. */
export function unionLines(reports: EvaluationReport[]): string[] {
  const out: string[] = [];
  for (const r of reports) for (const l of r.lines) if (!out.includes(l)) out.push(l);
  return out;
}

function metricOf(r: EvaluationReport, row: 'total' | 'avg' | string, m: Measure): number | null | undefined {
  if (row === 'total') return r.total[m];
  if (row === 'avg') return r.average[m];
  return (r.families[row] as LineMetrics | undefined)?.[m];
}

/** The metrics tables: one combined table for one model, one per measure for several. */
export function metricsTables(reports: EvaluationReport[], models: string[], digits = 3): TableModel[] {
  if (reports.length === 0) return [];
  const lines = unionLines(reports);
  const rowKeys: { key: string; label: string; kind: TableRow['kind'] }[] = [
    { key: 'total', label: 'Total', kind: 'total' },
    { key: 'avg', label: 'Avg', kind: 'avg' },
    ...lines.map((l) => ({ key: l, label: l, kind: 'family' as const })),
  ];
  if (reports.length === 1) {
    const r = reports[0];
    return [
      {
        id: 'metrics',
        title: `Metrics of ${models[0] ?? 'the prediction'}`,
        corner: 'Line',
        columns: MEASURES.map((m) => MEASURE_SHORT[m]),
        rows: rowKeys.map(({ key, label, kind }) => ({ label, kind, cells: MEASURES.map((m) => cell(metricOf(r, key, m), digits)) })),
      },
    ];
  }
  return MEASURES.map((m) => ({
    id: m,
    title: MEASURE_TITLES[m],
    corner: 'Line',
    columns: [...models],
    rows: rowKeys.map(({ key, label, kind }) => ({
      label,
      kind,
      cells: markBest(reports.map((r) => cell(metricOf(r, key, m), digits)), m, digits),
    })),
  }));
}

/** The z-score shares (thesis Tables 5.5, 5.8): pooled per model; per family too for a single model. */
export function zScoreTable(reports: EvaluationReport[], models: string[], digits = 3): TableModel {
  const row = (label: string, kind: TableRow['kind'], z: SummaryMetrics['z']): TableRow => ({
    label,
    kind,
    cells: [z.le1, z.le2, z.le3, z.gt3].map((v) => cell(v, digits)),
  });
  const rows = reports.map((r, i) => row(models[i] ?? `Model ${i + 1}`, 'model', r.total.z));
  if (reports.length === 1) for (const l of reports[0].lines) rows.push(row(l, 'family', reports[0].families[l].z));
  return { id: 'zscores', title: 'Absolute z-score shares', corner: reports.length === 1 ? 'Model / line' : 'Model', columns: [...Z_BIN_LABELS], rows };
}

function mdEscape(s: string): string {
  return s.replace(/\|/g, '\\|');
}

/** GitHub-flavoured Markdown: summary-row labels and best cells in bold, numbers right-aligned. */
export function tableToMarkdown(t: TableModel): string {
  const line = (cells: string[]) => `| ${cells.map(mdEscape).join(' | ')} |`;
  const out = [`### ${t.title}`, '', line([t.corner, ...t.columns]), line([t.corner, ...t.columns].map((_, i) => (i === 0 ? '---' : '---:')))];
  for (const r of t.rows) {
    const label = r.kind === 'total' || r.kind === 'avg' ? `**${r.label}**` : r.label;
    out.push(line([label, ...r.cells.map((c) => (c.best ? `**${c.text}**` : c.text))]));
  }
  return out.join('\n') + '\n';
}

function csvField(s: string): string {
  return /[",\n]/.test(s) ? `"${s.replace(/"/g, '""')}"` : s;
}

/** CSV at full precision; undefined values are empty fields. */
export function tableToCsv(t: TableModel): string {
  const out = [[t.corner, ...t.columns].map(csvField).join(',')];
  for (const r of t.rows) out.push([csvField(r.label), ...r.cells.map((c) => (c.value === null ? '' : String(c.value)))].join(','));
  return out.join('\n') + '\n';
}
