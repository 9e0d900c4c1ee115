/**
 * Evaluation reports as the thesis's tables (§5.3): one table per measure with line families as rows,
 * "Total" and "Avg" rows first, one column per model, the best value of each row in bold (SSIM and r:
 * highest; slope: closest to 1; ties all bold, judged on the printed digits); then the z-score table
 * (one row per model, the pooled shares). And the same numbers as CSV at full precision.
 */
import type { EvaluationReport, SummaryMetrics, LineMetrics } from './evaluate';

/** One report, several in order, or several keyed by model name. */
export type ReportInput = EvaluationReport | EvaluationReport[] | Record<string, EvaluationReport>;

interface Column {
  name: string;
  report: EvaluationReport;
}

function isReport(x: unknown): x is EvaluationReport {
  return typeof x === 'object' && x !== null && 'families' in x && 'lines' in x && 'total' in x;
}

function columnsOf(input: ReportInput): Column[] {
  if (isReport(input)) return [{ name: input.model ?? 'Prediction', report: input }];
  if (Array.isArray(input)) return input.map((r, i) => ({ name: r.model ?? `Model ${i + 1}`, report: r }));
  return Object.entries(input).map(([name, report]) => ({ name, report }));
}

/** Row order: the first report's families, then any others' in their order. */
function rowLines(cols: Column[]): string[] {
  const out: string[] = [];
  for (const c of cols) for (const l of c.report.lines) if (!out.includes(l)) out.push(l);
  return out;
}

type Measure = 'ssim' | 'pearson' | 'slope';

const TITLES: Record<Measure, string> = {
  ssim: 'Structural similarity (SSIM)',
  pearson: 'Pearson correlation (r)',
  slope: 'Slope (α of ŷ = α·y)',
};

function fmt(v: number | null | undefined, digits: number): string {
  return v === null || v === undefined ? 'n/a' : v.toFixed(digits);
}

function boldBest(cells: (number | null | undefined)[], measure: Measure, digits: number): string[] {
  const shown = cells.map((v) => fmt(v, digits));
  if (cells.length < 2) return shown;
  const score = (v: number | null | undefined) =>
    v === null || v === undefined ? -Infinity : measure === 'slope' ? -Math.abs(Number(v.toFixed(digits)) - 1) : Number(v.toFixed(digits));
  const best = Math.max(...cells.map(score));
  if (best === -Infinity) return shown;
  return shown.map((s, i) => (score(cells[i]) === best ? `**${s}**` : s));
}

function table(header: string[], rows: string[][]): string {
  const line = (cells: string[]) => `| ${cells.join(' | ')} |`;
  return [line(header), line(header.map((_, i) => (i === 0 ? '---' : '---:'))), ...rows.map(line)].join('\n');
}

/** The thesis-style Markdown tables for one or more models' reports on the same scan. */
export function reportToMarkdown(input: ReportInput, opts: { digits?: number; title?: string } = {}): string {
  const digits = opts.digits ?? 3;
  const cols = columnsOf(input);
  if (cols.length === 0) return '';
  const lines = rowLines(cols);
  const parts: string[] = [];
  if (opts.title) parts.push(`## ${opts.title}`);
  for (const m of ['ssim', 'pearson', 'slope'] as Measure[]) {
    const rows: string[][] = [];
    const summary = (label: string, pick: (r: EvaluationReport) => SummaryMetrics) =>
      rows.push([`**${label}**`, ...boldBest(cols.map((c) => pick(c.report)[m]), m, digits)]);
    summary('Total', (r) => r.total);
    summary('Avg', (r) => r.average);
    for (const l of lines) {
      const cells = cols.map((c) => (c.report.families[l] as LineMetrics | undefined)?.[m]);
      rows.push([`**${l}**`, ...boldBest(cells, m, digits)]);
    }
    parts.push(`### ${TITLES[m]}\n\n${table(['', ...cols.map((c) => c.name)], rows)}`);
  }
  const zRows = cols.map((c) => {
    const z = c.report.total.z;
    return [c.name, ...[z.le1, z.le2, z.le3, z.gt3].map((v) => v.toFixed(digits))];
  });
  parts.push(`### Absolute z-score shares (all families pooled)\n\n${table(['Model', '[0, 1]', '(1, 2]', '(2, 3]', '> 3'], zRows)}`);
  const notes: string[] = [];
  for (const c of cols) {
    const { inPred, inGt } = c.report.extra;
    if (inPred.length) notes.push(`${c.name}: not in the ground truth, ignored: ${inPred.join(', ')}`);
    if (inGt.length) notes.push(`${c.name}: not predicted, ignored: ${inGt.join(', ')}`);
  }
  if (notes.length) parts.push(notes.map((n) => `- ${n}`).join('\n'));
  return parts.join('\n\n') + '\n';
}

function csvField(v: string): string {
  return /[",\n]/.test(v) ? `"${v.replace(/"/g, '""')}"` : v;
}

/** All numbers as CSV, full precision: one row per model and family, plus Avg and Total rows. */
export function reportToCsv(input: ReportInput): string {
  const out = ['model,line,ssim,pearson,slope,z_le1,z_le2,z_le3,z_gt3'];
  const num = (v: number | null | undefined) => (v === null || v === undefined ? '' : String(v));
  for (const c of columnsOf(input)) {
    const row = (label: string, m: SummaryMetrics | LineMetrics) =>
      out.push([csvField(c.name), csvField(label), num(m.ssim), num(m.pearson), num(m.slope), num(m.z.le1), num(m.z.le2), num(m.z.le3), num(m.z.gt3)].join(','));
    for (const l of c.report.lines) row(l, c.report.families[l]);
    row('Avg', c.report.average);
    row('Total', c.report.total);
  }
  return out.join('\n') + '\n';
}
