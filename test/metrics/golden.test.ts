/**
 * Our metrics against golden values computed independently by scripts/golden_metrics.py with
 * scikit-image's structural_similarity and NumPy (committed in test/fixtures/metrics/golden.json),
 * on committed fixture maps: flat maps, zeros, 7×7 and smaller, non-square, offsets, negatives, a stack.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { promises as fs } from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { spawnSync } from 'node:child_process';
import { readGroundTruth } from '../../src/core/groundtruth/read';
import { evaluate, EvaluationReport } from '../../src/core/metrics/evaluate';
import { pythonHas } from '../groundtruth/helpers';

const FIX = path.join(__dirname, '..', 'fixtures', 'metrics');
const REL = 1e-6;

type Golden = { cases: Record<string, any> };

function close(actual: number | null, expected: number | null, what: string): void {
  if (expected === null) {
    assert.equal(actual, null, `${what}: expected undefined (null), got ${actual}`);
    return;
  }
  assert.ok(actual !== null, `${what}: got null, expected ${expected}`);
  const tol = REL * Math.max(1, Math.abs(expected));
  assert.ok(Math.abs(actual - expected) <= tol, `${what}: ${actual} vs golden ${expected} (|Δ| = ${Math.abs(actual - expected)})`);
}

function compare(report: EvaluationReport, golden: any, name: string): void {
  assert.deepEqual(report.lines, golden.lines, `${name}: lines`);
  assert.equal(report.height, golden.height);
  assert.equal(report.width, golden.width);
  assert.equal(report.ssimWindow, golden.ssimWindow, `${name}: window`);
  const bins = ['le1', 'le2', 'le3', 'gt3'] as const;
  for (const line of golden.lines) {
    const g = golden.families[line];
    const m = report.families[line];
    close(m.ssim, g.ssim, `${name} ${line} ssim`);
    close(m.pearson, g.pearson, `${name} ${line} pearson`);
    close(m.slope, g.slope, `${name} ${line} slope`);
    close(m.sigma, g.sigma, `${name} ${line} sigma`);
    close(m.dataRange, g.dataRange, `${name} ${line} data range`);
    for (const b of bins) close(m.z[b], g.z[b], `${name} ${line} z ${b}`);
  }
  for (const row of ['average', 'total'] as const) {
    close(report[row].ssim, golden[row].ssim, `${name} ${row} ssim`);
    close(report[row].pearson, golden[row].pearson, `${name} ${row} pearson`);
    close(report[row].slope, golden[row].slope, `${name} ${row} slope`);
    for (const b of bins) close(report[row].z[b], golden[row].z[b], `${name} ${row} z ${b}`);
  }
}

async function evaluateCase(name: string): Promise<EvaluationReport> {
  const gt = await readGroundTruth(path.join(FIX, `${name}.gt.npy`));
  const pred = await readGroundTruth(path.join(FIX, `${name}.pred.npy`));
  return evaluate(pred, gt);
}

test('metrics match the committed scikit-image/NumPy golden values on every fixture', async () => {
  const golden: Golden = JSON.parse(await fs.readFile(path.join(FIX, 'golden.json'), 'utf8'));
  const names = Object.keys(golden.cases);
  // The fixtures must cover the cases the issue names.
  for (const must of ['flat_gt_10x12', 'flat_both_zero_9x9', 'zeros_20x20', 'exact_7x7', 'small_5x6', 'small_3x9', 'nonsquare_32x24', 'stack_18x22']) {
    assert.ok(names.includes(must), `fixture ${must} missing from golden.json`);
  }
  for (const name of names) compare(await evaluateCase(name), golden.cases[name], name);
});

test(
  'golden values recomputed live by scripts/golden_metrics.py agree with ours (optional)',
  { skip: pythonHas('numpy', 'skimage') ? false : '/usr/bin/python3 lacks numpy or skimage (apt python3-skimage)' },
  async () => {
    const dir = await fs.mkdtemp(path.join(os.tmpdir(), 'xrf-golden-'));
    try {
      const out = path.join(dir, 'golden.json');
      const script = path.join(__dirname, '..', '..', 'scripts', 'golden_metrics.py');
      const r = spawnSync('/usr/bin/python3', [script, '--out', out], { encoding: 'utf8' });
      assert.equal(r.status, 0, r.stderr);
      const live: Golden = JSON.parse(await fs.readFile(out, 'utf8'));
      for (const name of Object.keys(live.cases)) compare(await evaluateCase(name), live.cases[name], name);
    } finally {
      await fs.rm(dir, { recursive: true, force: true });
    }
  },
);
