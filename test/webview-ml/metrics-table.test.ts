import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { EvaluationReport, LineMetrics } from '../../src/core/metrics/evaluate';
import { markBest, metricsTables, tableToCsv, tableToMarkdown, zScoreTable, type Cell } from '../../webview/lib/metrics-table';

const z = (le1: number, le2 = 0, le3 = 0, gt3 = 1 - le1 - le2 - le3) => ({ le1, le2, le3, gt3 });
function fam(ssim: number, pearson: number | null, slope: number | null, zz = z(1)): LineMetrics {
  return { ssim, pearson, slope, z: zz, dataRange: 1, sigma: 1 };
}
function report(model: string, families: Record<string, LineMetrics>, extra: Partial<EvaluationReport> = {}): EvaluationReport {
  const lines = Object.keys(families);
  return {
    pred: `/p/${model}.npy`,
    gt: '/p/truth.npy',
    model,
    height: 10,
    width: 10,
    ssimWindow: 7,
    lines,
    families,
    average: { ssim: 0.5, pearson: 0.6, slope: 0.7, z: z(0.8, 0.1, 0.05) },
    total: { ssim: 0.55, pearson: 0.65, slope: 0.75, z: z(0.9, 0.05, 0.03) },
    extra: { inPred: [], inGt: [] },
    ...extra,
  };
}

const cells = (vs: (number | null)[]): Cell[] => vs.map((v) => ({ value: v, text: v === null ? 'n/a' : v.toFixed(3), best: false }));

test('best per row: highest SSIM and r, slope closest to 1, ties on the printed digits all marked', () => {
  assert.deepEqual(markBest(cells([0.9812, 0.9809, 0.95]), 'ssim', 3).map((c) => c.best), [true, true, false], '0.981 and 0.981 look alike: both best');
  assert.deepEqual(markBest(cells([0.9, null, 0.95]), 'pearson', 3).map((c) => c.best), [false, false, true]);
  assert.deepEqual(markBest(cells([0.97, 1.02, 1.5]), 'slope', 3).map((c) => c.best), [false, true, false]);
  assert.deepEqual(markBest(cells([0.8, 1.2]), 'slope', 3).map((c) => c.best), [true, true], '|0.8 − 1| = |1.2 − 1|');
  assert.deepEqual(markBest(cells([0.9, null]), 'ssim', 3).map((c) => c.best), [false, false], 'one defined value: nothing to compare');
  assert.deepEqual(markBest(cells([0.9]), 'ssim', 3).map((c) => c.best), [false]);
});

test('one model: one table with Total and Avg first, then the families, measures as columns', () => {
  const r = report('FCN+', { 'Fe K': fam(0.91, 0.95, 1.01), 'Pb L': fam(0.8, null, 0.9) });
  const [t, ...rest] = metricsTables([r], ['FCN+']);
  assert.equal(rest.length, 0);
  assert.deepEqual(t.columns, ['SSIM', 'Pearson r', 'Slope α']);
  assert.deepEqual(t.rows.map((x) => x.label), ['Total', 'Avg', 'Fe K', 'Pb L']);
  assert.deepEqual(t.rows[0].cells.map((c) => c.text), ['0.550', '0.650', '0.750']);
  assert.deepEqual(t.rows[3].cells.map((c) => c.text), ['0.800', 'n/a', '0.900']);
  assert.ok(t.rows.every((row) => row.cells.every((c) => !c.best)), 'nothing is "best" against itself');
});

test('several models: one table per measure, a column per model, best marked, a family one model lacks shows a dash', () => {
  const a = report('FCN', { 'Fe K': fam(0.9, 0.95, 0.97), 'Ca K': fam(0.7, 0.8, 1.3) });
  const b = report('1DCNN+', { 'Fe K': fam(0.95, 0.99, 1.02) }, { total: { ssim: 0.9, pearson: 0.99, slope: 1.0, z: z(0.95) } });
  const tables = metricsTables([a, b], ['FCN', '1DCNN+']);
  assert.deepEqual(tables.map((t) => t.id), ['ssim', 'pearson', 'slope']);
  const ssim = tables[0];
  assert.deepEqual(ssim.columns, ['FCN', '1DCNN+']);
  assert.deepEqual(ssim.rows.map((r) => r.label), ['Total', 'Avg', 'Fe K', 'Ca K']);
  const fe = ssim.rows[2];
  assert.deepEqual(fe.cells.map((c) => [c.text, c.best]), [['0.900', false], ['0.950', true]]);
  const ca = ssim.rows[3];
  assert.deepEqual(ca.cells.map((c) => c.text), ['0.700', '–']);
  assert.deepEqual(ca.cells.map((c) => c.best), [false, false]);
  const slopeFe = tables[2].rows[2];
  assert.deepEqual(slopeFe.cells.map((c) => c.best), [false, true], '1.02 is closer to 1 than 0.97');
});

test('a table copies as Markdown with bold summary labels and best cells', () => {
  const a = report('FCN', { 'Fe K': fam(0.9, 0.95, 0.97) });
  const b = report('FCN+', { 'Fe K': fam(0.95, 0.9, 1.1) });
  const md = tableToMarkdown(metricsTables([a, b], ['FCN', 'FCN+'])[0]);
  assert.equal(
    md,
    [
      '### Structural similarity (SSIM)',
      '',
      '| Line | FCN | FCN+ |',
      '| --- | ---: | ---: |',
      '| **Total** | **0.550** | **0.550** |',
      '| **Avg** | **0.500** | **0.500** |',
      '| Fe K | 0.900 | **0.950** |',
      '',
    ].join('\n'),
  );
});

test('a table copies as CSV at full precision with empty fields for undefined values', () => {
  const r = report('A, "quoted"', { 'Fe K': fam(0.912345678, null, 1.0123456789) });
  const csv = tableToCsv(metricsTables([r], ['A, "quoted"'])[0]);
  const rows = csv.trimEnd().split('\n');
  assert.equal(rows[0], 'Line,SSIM,Pearson r,Slope α');
  assert.equal(rows[3], 'Fe K,0.912345678,,1.0123456789');
  assert.equal(rows.length, 4);
});

test('the z-score table has one row per model (pooled shares), and per family for a single model', () => {
  const a = report('FCN', { 'Fe K': fam(0.9, 0.9, 1, z(0.7, 0.2, 0.05)), 'Pb L': fam(0.9, 0.9, 1, z(0.6, 0.3, 0.05)) });
  const one = zScoreTable([a], ['FCN']);
  assert.deepEqual(one.columns, ['(0, 1]', '(1, 2]', '(2, 3]', '> 3']);
  assert.deepEqual(one.rows.map((r) => r.label), ['FCN', 'Fe K', 'Pb L']);
  assert.deepEqual(one.rows[0].cells.map((c) => c.text), ['0.900', '0.050', '0.030', '0.020']);
  assert.deepEqual(one.rows[2].cells.map((c) => c.value), [0.6, 0.3, 0.05, 1 - 0.6 - 0.3 - 0.05]);
  const two = zScoreTable([a, a], ['FCN', 'FCN (2)']);
  assert.deepEqual(two.rows.map((r) => r.label), ['FCN', 'FCN (2)']);
  assert.match(tableToCsv(two), /^Model,"\(0, 1\]","\(1, 2\]","\(2, 3\]",> 3\nFCN,0\.9,/, "bin labels hold commas: quoted");
});
