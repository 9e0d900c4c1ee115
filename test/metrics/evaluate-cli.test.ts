/** `xrfmaps evaluate` end to end (run through the CLI entry under tsx). */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { promises as fs } from 'node:fs';
import * as path from 'node:path';
import { spawnSync } from 'node:child_process';
import { writeNpy } from '../../src/core/io/npy-write';
import { withTempDir } from '../groundtruth/helpers';

const ROOT = path.join(__dirname, '..', '..');
const FIX = path.join(ROOT, 'test', 'fixtures', 'metrics');

function cli(...args: string[]): { code: number; out: string; err: string } {
  const r = spawnSync(process.execPath, ['--import', 'tsx', path.join(ROOT, 'src', 'cli', 'main.ts'), 'evaluate', ...args], {
    encoding: 'utf8',
    cwd: ROOT,
  });
  return { code: r.status ?? -1, out: r.stdout, err: r.stderr };
}

test('evaluate --json prints per-family ssim, pearson, slope, z shares, average and total (golden values)', async () => {
  const golden = JSON.parse(await fs.readFile(path.join(FIX, 'golden.json'), 'utf8')).cases.stack_18x22;
  const r = cli('--pred', path.join(FIX, 'stack_18x22.pred.npy'), '--gt', path.join(FIX, 'stack_18x22.gt.npy'), '--json');
  assert.equal(r.code, 0, r.err);
  const j = JSON.parse(r.out);
  assert.deepEqual(j.lines, golden.lines);
  for (const l of golden.lines) {
    for (const k of ['ssim', 'pearson', 'slope']) {
      const g = golden.families[l][k];
      if (g === null) assert.equal(j.families[l][k], null);
      else assert.ok(Math.abs(j.families[l][k] - g) < 1e-6, `${l} ${k}`);
    }
    assert.deepEqual(Object.keys(j.families[l].z).sort(), ['gt3', 'le1', 'le2', 'le3']);
  }
  assert.ok(Math.abs(j.total.ssim - golden.total.ssim) < 1e-6);
  assert.ok(Math.abs(j.average.pearson - golden.average.pearson) < 1e-6);
  assert.equal(j.height, 18);
  assert.equal(j.width, 22);
  assert.deepEqual(j.extra, { inPred: [], inGt: [] });
});

test('evaluate: several models as columns, Markdown by default, --out written and never silently replaced', async () => {
  await withTempDir(async (dir) => {
    const gt = path.join(FIX, 'stack_18x22.gt.npy');
    const pred = path.join(FIX, 'stack_18x22.pred.npy');
    const out = path.join(dir, 'res', 'metrics.md');
    const r = cli('--pred', `FCN=${pred}`, '--pred', `Perfect=${gt}`, '--gt', gt, '--out', out);
    assert.equal(r.code, 0, r.err);
    assert.ok(r.out.includes('|  | FCN | Perfect |'), r.out);
    assert.ok(r.out.includes('| **Total** | 0.456 | **1.000** |'), r.out);
    assert.equal(await fs.readFile(out, 'utf8'), r.out);
    const again = cli('--pred', pred, '--gt', gt, '--out', out);
    assert.notEqual(again.code, 0);
    assert.match(again.err, /metrics\.md: already exists \(use --force/);
    const csv = cli('--pred', pred, '--gt', gt, '--out', out.replace(/md$/, 'csv'));
    assert.equal(csv.code, 0, csv.err);
    assert.ok(csv.out.startsWith('model,line,ssim,pearson,slope'));
  });
});

test('evaluate: bad inputs exit non-zero naming the file and the problem', async () => {
  await withTempDir(async (dir) => {
    const gt = path.join(FIX, 'stack_18x22.gt.npy');
    // NaN in a prediction.
    const bad = path.join(dir, 'bad.npy');
    const d = new Float32Array(18 * 22 * 4).fill(1);
    d[(3 * 22 + 4) * 4 + 1] = Number.NaN;
    await writeNpy(bad, d, [18, 22, 4]);
    await fs.writeFile(path.join(dir, 'bad.json'), JSON.stringify({ lines: ['Pb L', 'Zn K', 'S K', 'Ca K'] }));
    let r = cli('--pred', bad, '--gt', gt);
    assert.equal(r.code, 1);
    assert.match(r.err, /bad\.npy: Zn K is NaN at pixel \(row 3, column 4\)/);
    // Shapes that differ.
    r = cli('--pred', path.join(FIX, 'exact_7x7.pred.npy'), '--gt', gt);
    assert.equal(r.code, 1);
    assert.match(r.err, /exact_7x7\.pred\.npy: prediction is 7×7 \(H×W\) but the ground truth .*stack_18x22\.gt\.npy is 18×22/);
    // A family asked for that one side lacks.
    r = cli('--pred', path.join(FIX, 'stack_18x22.pred.npy'), '--gt', gt, '--lines', 'Fe K');
    assert.equal(r.code, 1);
    assert.match(r.err, /stack_18x22\.pred\.npy: has no map for Fe K/);
    // Missing arguments: usage, exit 2.
    r = cli('--gt', gt);
    assert.equal(r.code, 2);
    assert.match(r.err, /usage: xrfmaps evaluate/);
  });
});
