import { test } from 'node:test';
import assert from 'node:assert/strict';
import { formatLineFigures, lineFiguresOf, flagLines, pickModel } from '../../src/core/experiment/line-figures';
import type { RunRecord, RunSummary } from '../../src/core/experiment/record';
import type { EvaluationReport, LineMetrics } from '../../src/core/metrics/evaluate';
import { parseJsonTree } from '../../src/core/experiment/json-tree';
import { configAnnotations, lineEntries } from '../../src/host/experiment/annotations';

function fam(ssim: number, pearson: number | null, slope: number | null, le1: number): LineMetrics {
  return { ssim, pearson, slope, z: { le1, le2: 1 - le1, le3: 0, gt3: 0 }, dataRange: 1, sigma: 1 };
}

function report(model: string, families: Record<string, LineMetrics>): EvaluationReport {
  const vals = Object.values(families);
  const avg = (k: 'ssim' | 'pearson' | 'slope') => vals.reduce((s, f) => s + (f[k] ?? 0), 0) / vals.length;
  return {
    pred: 'p.npy',
    gt: 'g.npy',
    model,
    height: 10,
    width: 10,
    ssimWindow: 7,
    lines: Object.keys(families),
    families,
    average: { ssim: avg('ssim'), pearson: avg('pearson'), slope: avg('slope'), z: { le1: 0.9, le2: 0.1, le3: 0, gt3: 0 } },
    total: { ssim: avg('ssim'), pearson: avg('pearson'), slope: avg('slope'), z: { le1: 0.9, le2: 0.1, le3: 0, gt3: 0 } },
    extra: { inPred: [], inGt: [] },
  };
}

const SUMMARY: RunSummary = {
  format: 'xrfmaps-run-summary',
  run: 'demo-20260101-000000',
  configName: 'demo',
  config: '/x/demo.xrfmaps.json',
  status: 'finished',
  lines: ['Zn K', 'Pb L'],
  models: ['FCN', '1DCNN+'],
  folds: [
    {
      test: 'icon4',
      train: ['icon5'],
      reports: {
        FCN: report('FCN', { 'Zn K': fam(0.5, 0.6, 0.7, 0.5), 'Pb L': fam(0.6, 0.7, 0.8, 0.6) }),
        '1DCNN+': report('1DCNN+', { 'Zn K': fam(0.962, 0.98, 1.01, 0.91), 'Pb L': fam(0.99, 0.999, 1.0, 0.97) }),
      },
    },
    {
      test: 'icon5',
      train: ['icon4'],
      reports: {
        FCN: report('FCN', { 'Zn K': fam(0.4, 0.5, 0.6, 0.4), 'Pb L': fam(0.5, 0.6, 0.7, 0.5) }),
        '1DCNN+': report('1DCNN+', { 'Zn K': fam(0.98, 0.986, 1.03, 0.93), 'Pb L': fam(0.75, 0.9, 1.0, 0.8) }),
      },
    },
  ],
};

test('the hint text: "Zn K · SSIM 0.971 · r 0.983 · α 1.02 · z≤1 92%"', () => {
  assert.equal(formatLineFigures({ line: 'Zn K', ssim: 0.9712, pearson: 0.98349, slope: 1.0199, zLe1: 0.9216 }), 'Zn K · SSIM 0.971 · r 0.983 · α 1.02 · z≤1 92%');
  assert.equal(formatLineFigures({ line: 'Cr K', ssim: 0.5, pearson: null, slope: null, zLe1: null }, false), 'SSIM 0.500 · r n/a · α n/a · z≤1 n/a');
});

test('per-line figures: the best model, averaged over the held-out paintings', () => {
  assert.deepEqual(pickModel(SUMMARY), { model: '1DCNN+', avgSsim: (0.976 + 0.865) / 2 });
  const figs = lineFiguresOf(SUMMARY)!;
  assert.equal(figs.model, '1DCNN+');
  const zn = figs.byLine.get('Zn K')!;
  assert.equal(formatLineFigures(zn), 'Zn K · SSIM 0.971 · r 0.983 · α 1.02 · z≤1 92%');
  assert.deepEqual(zn.paintings, ['icon4', 'icon5']);
  assert.deepEqual(zn.worst, { painting: 'icon4', ssim: 0.962 });
  // an explicit model
  assert.equal(lineFiguresOf(SUMMARY, 'FCN')!.byLine.get('Pb L')!.ssim, 0.55);
});

test('flags: a family below the threshold on any held-out painting, naming the worst one', () => {
  const figs = lineFiguresOf(SUMMARY)!;
  assert.deepEqual(flagLines(figs, 0.8).map((f) => f.message), ['Pb L: SSIM 0.750 with 1DCNN+ on held-out icon5 is below 0.8 (xrfmaps.flagSsimBelow)']);
  assert.deepEqual(flagLines(figs, 0.97).map((f) => f.line), ['Zn K', 'Pb L']);
  assert.deepEqual(flagLines(figs, 0.5), []);
});

test('config annotations: hints after each "lines" entry, flags on the entry, a lens over "lines"', () => {
  const text = '{\n  "lines": ["Zn_K", "Pb L", "Fe K"],\n  "paintings": []\n}';
  const tree = parseJsonTree(text);
  assert.deepEqual(lineEntries(tree).map((e) => [e.line, text.slice(e.offset, e.offset + e.length)]), [
    ['Zn K', '"Zn_K"'],
    ['Pb L', '"Pb L"'],
    ['Fe K', '"Fe K"'],
  ]);
  const record = {
    name: 'demo-20260101-000000',
    status: 'finished',
    models: ['FCN', '1DCNN+'],
    jobs: [
      { test: 'icon4', model: 'FCN', status: 'finished', dir: 'x', average: { ssim: 0.55 } },
      { test: 'icon4', model: '1DCNN+', status: 'finished', dir: 'y', average: { ssim: 0.92 } },
    ],
  } as unknown as RunRecord;
  const ann = configAnnotations(tree, { record, summary: SUMMARY }, 0.8);
  assert.equal(ann.hints.length, 2, 'Fe K has no figures');
  assert.equal(ann.hints[0].label, 'SSIM 0.971 · r 0.983 · α 1.02 · z≤1 92%');
  assert.equal(text.slice(ann.hints[0].offset - 6, ann.hints[0].offset), '"Zn_K"');
  assert.equal(text[ann.hints[0].offset], ',', 'the hint sits right after the closing quote');
  assert.match(ann.hints[0].tooltip, /icon5 · 1DCNN\+: SSIM 0\.980/);
  assert.deepEqual(ann.flags.map((f) => text.slice(f.offset, f.offset + f.length)), ['"Pb L"']);
  assert.equal(ann.lens!.title, 'Latest run demo-20260101-000000: SSIM FCN 0.550 · 1DCNN+ 0.920 · per line: 1DCNN+');
  assert.equal(text.slice(ann.lens!.offset, ann.lens!.offset + 7), '"lines"');
});
