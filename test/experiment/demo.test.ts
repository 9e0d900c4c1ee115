/**
 * The real pipeline end to end: `xrfmaps demo --quick` (simulated icons at scale 0.06, the four
 * models, one epoch, icon4 and icon5 held out in turn) through the CLI, as `npm run demo` runs it.
 * About a minute on a 2-core machine.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { promises as fs } from 'node:fs';
import * as path from 'node:path';
import { spawn } from 'node:child_process';
import { tempDir } from './helpers';
import { readRunRecord } from '../../src/core/experiment/record';
import { listRuns } from '../../src/core/experiment/record';

const ROOT = path.resolve(__dirname, '..', '..');

function cli(args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ['--import', 'tsx', path.join(ROOT, 'src', 'cli', 'main.ts'), ...args], { cwd: ROOT, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d) => (stdout += d));
    child.stderr.on('data', (d) => (stderr += d));
    child.on('error', reject);
    child.on('close', (code) => resolve({ code: code ?? -1, stdout, stderr }));
  });
}

test('demo --quick: simulates, trains the four models per held-out painting, writes tables, figures and a workspace', { timeout: 600_000 }, async () => {
  const out = await tempDir('xrf-demo-');
  try {
    const r = await cli(['demo', '--quick', '--out', out]);
    assert.equal(r.code, 0, r.stderr.slice(-3000));
    // progress on the terminal (stderr), the tables at the end (stdout)
    assert.match(r.stderr, /simulate: 100%/);
    assert.match(r.stderr, /\[icon5 · 1DCNN\+\] epoch 1\/1/);
    assert.match(r.stdout, /## Held out: icon4 \(trained on icon1, icon2, icon3, icon5\)/);
    assert.match(r.stdout, /demo finished in/);

    // the workspace: data, config, README, one run
    await fs.access(path.join(out, 'data', 'manifest.json'));
    await fs.access(path.join(out, 'data', 'icon4.rpl'));
    await fs.access(path.join(out, 'README.md'));
    const config = path.join(out, 'icons-quick.xrfmaps.json');
    const runs = await listRuns(path.join(out, 'runs'), config);
    assert.equal(runs.length, 1);
    const runDir = runs[0].dir;
    const record = (await readRunRecord(runDir))!;
    assert.equal(record.status, 'finished');
    assert.deepEqual(record.folds.map((f) => f.test), ['icon4', 'icon5']);
    assert.deepEqual(record.jobs.map((j) => j.status), Array(8).fill('finished'));

    const md = await fs.readFile(path.join(runDir, 'summary.md'), 'utf8');
    for (const title of ['Structural similarity (SSIM)', 'Pearson correlation (r)', 'Slope (α of ŷ = α·y)']) {
      const tables = md.split(`### ${title}`).slice(1);
      assert.equal(tables.length, 2, `${title}: one table per held-out painting`);
      const rows = tables[0].trim().split('\n\n')[0].split('\n');
      assert.equal(rows[0], '|  | FCN | FCN+ | 1DCNN | 1DCNN+ |');
      assert.deepEqual(
        rows.slice(2).map((x) => x.split('|')[1].trim().replace(/\*/g, '')),
        ['Total', 'Avg', 'S K', 'K K', 'Ca K', 'Cr K', 'Mn K', 'Fe K', 'Cu K', 'Zn K', 'Sr K', 'Au L', 'Hg L', 'Pb L'],
      );
    }
    assert.equal((md.match(/### Absolute z-score shares/g) ?? []).length, 2);

    for (const test of ['icon4', 'icon5']) {
      for (const slug of ['fcn', 'fcn-plus', '1dcnn', '1dcnn-plus']) {
        const m = JSON.parse(await fs.readFile(path.join(runDir, test, slug, 'metrics.json'), 'utf8'));
        assert.equal(m.heldOut, test);
        assert.equal(m.lines.length, 12);
        assert.ok(Number.isFinite(m.average.ssim));
        const png = await fs.readFile(path.join(runDir, test, slug, 'loss.png'));
        assert.equal(png.subarray(1, 4).toString(), 'PNG');
      }
      for (const fig of ['maps.png', 'zscores.png']) assert.ok((await fs.stat(path.join(runDir, test, fig))).size > 1000);
    }

    // Another scale into the same folder is refused before anything is written.
    const clash = await cli(['demo', '--quick', '--scale', '0.05', '--out', out]);
    assert.equal(clash.code, 1);
    assert.match(clash.stderr, /manifest\.json: holds a simulation of preset icons at scale 0\.06 .*use another --out folder/);
    assert.equal((await listRuns(path.join(out, 'runs'))).length, 1);
  } finally {
    await fs.rm(out, { recursive: true, force: true });
  }
});
