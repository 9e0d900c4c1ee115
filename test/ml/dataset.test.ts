import { test } from 'node:test';
import assert from 'node:assert/strict';
import { promises as fs } from 'node:fs';
import * as path from 'node:path';
import { spawnSync } from 'node:child_process';
import { prepareTrainingData, type DataRequest } from '../../src/core/ml/dataset';
import { writeNpy } from '../../src/core/io/npy-write';
import { makePainting, tempDir, TEST_LINES } from './synthetic';

const BASE = { stride: 1, valShare: 0.2, seed: 0 };

/** Runs prepareTrainingData with its temporary sample folder under `dir`/tmp (see leftovers). */
async function prepare(dir: string, req: DataRequest, log?: (m: string) => void) {
  const tempParent = path.join(dir, 'tmp');
  await fs.mkdir(tempParent, { recursive: true });
  return prepareTrainingData(req, { tempParent, log });
}

/** What remains in the temporary folder: must be nothing after a failure or a disposed store. */
async function leftovers(dir: string): Promise<string[]> {
  return fs.readdir(path.join(dir, 'tmp')).catch(() => []);
}

test('a ground truth of another size is an error naming both files and both sizes', async () => {
  const dir = await tempDir();
  try {
    const a = await makePainting(dir, { seed: 1, height: 5, width: 6, channels: 16 });
    const b = await makePainting(dir, { seed: 2, height: 4, width: 6, channels: 16 });
    await assert.rejects(prepare(dir, { ...BASE, train: [{ scan: a.scan, groundTruth: b.truth }] }), (e: Error) => {
      assert.equal(e.name, 'XrfInputError');
      assert.ok(e.message.includes(b.truth) && e.message.includes(a.scan), e.message);
      assert.match(e.message, /4×6.*5×6/);
      return true;
    });
    assert.deepEqual(await leftovers(dir), []);
  } finally {
    await fs.rm(dir, { recursive: true, force: true });
  }
});

test('a requested line missing from a ground truth is an error naming the file and the line', async () => {
  const dir = await tempDir();
  try {
    const a = await makePainting(dir, { seed: 1, height: 4, width: 4, channels: 16 });
    await assert.rejects(prepare(dir, { ...BASE, lines: ['Fe_K', 'Zn-K'], train: [{ scan: a.scan, groundTruth: a.truth }] }), (e: Error) => {
      assert.equal(e.name, 'XrfInputError');
      assert.ok(e.message.startsWith(a.truth), e.message);
      assert.match(e.message, /"Zn K"/);
      return true;
    });
    // Line names in any spelling select the same maps.
    const ok = await prepare(dir, { ...BASE, lines: ['pb_l', 'FeK'], train: [{ scan: a.scan, groundTruth: a.truth }] });
    assert.deepEqual(ok.lines, ['Pb L', 'Fe K']);
    await ok.store.dispose();
  } finally {
    await fs.rm(dir, { recursive: true, force: true });
  }
});

test('training scans with different channel counts or calibrations are refused, naming both', async () => {
  const dir = await tempDir();
  try {
    const a = await makePainting(dir, { seed: 1, height: 4, width: 4, channels: 16 });
    const b = await makePainting(dir, { seed: 2, height: 4, width: 4, channels: 20 });
    await assert.rejects(
      prepare(dir, { ...BASE, train: [a, b].map((p) => ({ scan: p.scan, groundTruth: p.truth })) }),
      (e: Error) => e.name === 'XrfInputError' && e.message.startsWith(b.scan) && /20 channels/.test(e.message) && e.message.includes(`${a.scan} has 16`),
    );
    const c = await makePainting(dir, { seed: 3, height: 4, width: 4, channels: 16, calibration: { offsetKeV: 0, gainKeV: 0.02 } });
    await assert.rejects(
      prepare(dir, { ...BASE, train: [a, c].map((p) => ({ scan: p.scan, groundTruth: p.truth })) }),
      (e: Error) => e.name === 'XrfInputError' && e.message.startsWith(c.scan) && /20 eV\/channel/.test(e.message) && /15 eV\/channel/.test(e.message),
    );
    assert.deepEqual(await leftovers(dir), []);
  } finally {
    await fs.rm(dir, { recursive: true, force: true });
  }
});

test('NaN in a scan is an error naming the scan; negative targets are clamped to 0 and reported', async () => {
  const dir = await tempDir();
  try {
    const a = await makePainting(dir, { seed: 1, height: 3, width: 4, channels: 8 });
    const bad = path.join(dir, 'nan.npy');
    const cube = new Float32Array(3 * 4 * 8).fill(1);
    cube[5 * 8 + 2] = NaN;
    await writeNpy(bad, cube, [3, 4, 8]);
    await assert.rejects(prepare(dir, { ...BASE, train: [{ scan: bad, groundTruth: a.truth }] }), (e: Error) => {
      assert.equal(e.name, 'XrfInputError');
      assert.ok(e.message.startsWith(bad), e.message);
      return true;
    });
    assert.deepEqual(await leftovers(dir), []);

    const neg = path.join(dir, 'neg-truth.npy');
    const maps = new Float32Array(3 * 4 * TEST_LINES.length).fill(10);
    maps[0] = -3;
    maps[7] = -0.5;
    await writeNpy(neg, maps, [3, 4, TEST_LINES.length]);
    await fs.writeFile(path.join(dir, 'neg-truth.json'), JSON.stringify({ lines: TEST_LINES }));
    const logs: string[] = [];
    const data = await prepare(dir, { ...BASE, train: [{ scan: a.scan, groundTruth: neg }] }, (m) => logs.push(m));
    try {
      assert.equal(data.negativeTargetsClamped, 2);
      assert.ok(logs.some((m) => /2 negative target values clamped to 0/.test(m)), logs.join('\n'));
      const all = Uint32Array.from({ length: data.store.count }, (_, i) => i);
      const rec = await data.store.read(all, 0, all.length, new Float32Array(all.length * data.store.recordFloats));
      const rf = data.store.recordFloats;
      assert.equal(rec[0 * rf + 8 + 0], 0);
      assert.equal(rec[1 * rf + 8 + 3], 0);
      assert.equal(rec[1 * rf + 8 + 2], 10);
    } finally {
      await data.store.dispose();
    }
    assert.deepEqual(await leftovers(dir), []);
  } finally {
    await fs.rm(dir, { recursive: true, force: true });
  }
});

test('too few sampled pixels for a split, or no scans, are clear errors', async () => {
  const dir = await tempDir();
  try {
    const a = await makePainting(dir, { seed: 1, height: 2, width: 2, channels: 8 });
    await assert.rejects(prepare(dir, { ...BASE, stride: 4, train: [{ scan: a.scan, groundTruth: a.truth }] }), /1 sampled pixel cannot be split/);
    await assert.rejects(prepare(dir, { ...BASE, train: [] }), /no training scans/);
    assert.deepEqual(await leftovers(dir), []);
  } finally {
    await fs.rm(dir, { recursive: true, force: true });
  }
});

test('the temporary sample folder is removed even when the process exits without disposing it', async () => {
  const dir = await tempDir();
  try {
    const script = path.join(dir, 'exit.ts');
    const store = JSON.stringify(path.resolve(__dirname, '../../src/core/ml/dataset-store.ts'));
    await fs.writeFile(script, `import { SampleStore } from ${store};\nSampleStore.create(4, 1, ${JSON.stringify(dir)}).then((s) => { console.log(s.dir); process.exit(3); });\n`);
    const r = spawnSync(process.execPath, ['--import', 'tsx', script], { cwd: path.resolve(__dirname, '../..'), encoding: 'utf8' });
    assert.equal(r.status, 3, r.stderr);
    const made = r.stdout.trim();
    assert.ok(made.startsWith(path.join(dir, 'xrfmaps-train-')), r.stdout);
    await assert.rejects(fs.access(made), 'removed by the exit hook');
  } finally {
    await fs.rm(dir, { recursive: true, force: true });
  }
});
