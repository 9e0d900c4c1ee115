import { test } from 'node:test';
import assert from 'node:assert/strict';
import { promises as fs } from 'node:fs';
import * as path from 'node:path';
import { ScanSession } from '../../src/workers/scan-session-client';
import { openCube } from '../../src/core/cube/open';
import { aggregateScan } from '../../src/core/maps/aggregate';
import { windowsForLines } from '../../src/core/maps/windows';
import { isCancelled, XrfInputError } from '../../src/core/errors';
import type { Progress } from '../../src/core/util/progress';
import { maxAbsDiff, npyOf, testValues, withTempDir } from '../cube/writers';

const LINES = ['Ca K', 'Fe K', 'Pb L'];

async function writeScan(dir: string, name: string, H: number, W: number, C: number, sidecar?: object): Promise<{ file: string; v: Float64Array }> {
  const v = testValues(H, W, C);
  const file = path.join(dir, name);
  await fs.writeFile(file, npyOf(v, H, W, C, 'u2'));
  if (sidecar) await fs.writeFile(file.replace(/\.npy$/, '.json'), JSON.stringify(sidecar));
  return { file, v };
}

test('session: info, summary equal to the in-process pass, pixel, window map, errors as replies', async () => {
  await withTempDir(async (dir) => {
    const H = 8, W = 6, C = 1024;
    const cal = { offsetKeV: -0.02, gainKeV: 0.0125 };
    const { file, v } = await writeScan(dir, 'painting.npy', H, W, C, { calibration: cal, lines: ['Fe K'] });
    const s = await ScanSession.open(file);
    try {
      assert.deepEqual(s.info, { path: file, format: 'npy', height: H, width: W, channels: C, dtype: 'u2', calibration: { ...cal, source: 'sidecar' }, datasetPath: undefined, datasets: undefined, storedOrder: undefined });
      const progress: Progress[] = [];
      const sum = await s.summary(LINES, { onProgress: (p) => progress.push(p) });
      const cube = await openCube(file);
      const ref = await aggregateScan(cube, windowsForLines(LINES, cal, C));
      await cube.close();
      assert.deepEqual(sum, ref);
      assert.equal(progress.at(-1)?.done, H);
      const px = await s.pixel(5, 4);
      assert.ok(px instanceof Float32Array);
      assert.equal(maxAbsDiff(px, v.subarray((5 * W + 4) * C, (5 * W + 5) * C)), 0);
      const m = await s.windowMap(100, 200);
      assert.equal(m.length, H * W);
      let want = 0;
      for (let ch = 100; ch < 200; ch++) want += v[(2 * W + 3) * C + ch];
      assert.equal(m[2 * W + 3], want);
      // Errors come back as rejections; the session stays usable.
      await assert.rejects(s.pixel(H, 0), RangeError);
      await assert.rejects(s.summary(['Xx K']), /not a line-family name/);
      assert.equal((await s.pixel(0, 0)).length, C);
    } finally {
      await s.close();
    }
    await assert.rejects(s.pixel(0, 0), /closed/);
    await s.close(); // twice is fine
  });
});

test('session: pixel reads are answered while a pass runs; a cancelled pass stops and the session goes on', async () => {
  await withTempDir(async (dir) => {
    const H = 120, W = 64, C = 512;
    const { file, v } = await writeScan(dir, 'big.npy', H, W, C);
    const s = await ScanSession.open(file, { rowsPerBlock: 1 });
    try {
      let passDone = false;
      let rowsAtPixel = -1;
      let lastDone = 0;
      let pixelAsked: Promise<Float32Array> | undefined;
      const pass = s
        .summary(LINES, {
          onProgress: (p) => {
            lastDone = p.done;
            pixelAsked ??= s.pixel(7, 9).then((px) => {
              rowsAtPixel = passDone ? H : lastDone;
              return px;
            });
          },
        })
        .then((r) => ((passDone = true), r));
      const summary = await pass;
      const px = await pixelAsked!;
      assert.equal(maxAbsDiff(px, v.subarray((7 * W + 9) * C, (7 * W + 10) * C)), 0);
      assert.ok(rowsAtPixel >= 0 && rowsAtPixel < H, `the pixel came back during the pass (after ${rowsAtPixel} of ${H} rows)`);
      assert.equal(summary.totalCounts.length, H * W);

      const ac = new AbortController();
      let seen = 0;
      await assert.rejects(
        s.summary(LINES, {
          signal: ac.signal,
          onProgress: (p) => {
            seen = Math.max(seen, p.done);
            ac.abort(); // at the first progress message: the pass has started and has far to go
          },
        }),
        (e: unknown) => isCancelled(e),
      );
      assert.ok(seen < H, `cancelled before the end (${seen} of ${H} rows)`);
      const wm = s.windowMap(0, 10, { signal: AbortSignal.abort() });
      await assert.rejects(wm, (e: unknown) => isCancelled(e), 'an already-aborted signal rejects at once');
      assert.equal((await s.pixel(1, 1)).length, C, 'still answering after a cancel');
    } finally {
      await s.close();
    }
  });
});

test('session: the cache makes the second open instant; setCalibration writes the sidecar and changes the windows', async () => {
  await withTempDir(async (dir) => {
    const H = 10, W = 10, C = 1024;
    const cacheDir = path.join(dir, 'cache');
    const { file } = await writeScan(dir, 'scan.npy', H, W, C);
    const spillDir = path.join(dir, 'storage', 'scan-spill');
    const first = await ScanSession.open(file, { cacheDir, spillDir, calibration: { offsetKeV: 0, gainKeV: 0.02 } });
    assert.deepEqual(first.info.calibration, { offsetKeV: 0, gainKeV: 0.02, source: 'settings' });
    assert.deepEqual(await fs.readdir(spillDir), [], 'the spill folder reaches the worker, which makes it (empty: an .npy never spills)');
    const a = await first.summary(LINES);
    await first.close();
    assert.equal((await fs.readdir(cacheDir)).length, 1, 'one cache entry written');

    const second = await ScanSession.open(file, { cacheDir, calibration: { offsetKeV: 0, gainKeV: 0.02 } });
    try {
      const messages: (string | undefined)[] = [];
      const b = await second.summary(LINES, { onProgress: (p) => messages.push(p.message) });
      assert.deepEqual(messages, ['from cache'], 'no pass ran');
      assert.deepEqual(b, a);

      const resolved = await second.setCalibration({ offsetKeV: 0.01, gainKeV: 0.01 });
      assert.deepEqual(resolved, { offsetKeV: 0.01, gainKeV: 0.01, source: 'sidecar' });
      assert.deepEqual(second.info.calibration, resolved);
      const side = JSON.parse(await fs.readFile(path.join(dir, 'scan.json'), 'utf8'));
      assert.deepEqual(side.calibration, { offsetKeV: 0.01, gainKeV: 0.01 });
      const messages2: (string | undefined)[] = [];
      const c = await second.summary(LINES, { onProgress: (p) => messages2.push(p.message) });
      assert.notDeepEqual(c.windows, a.windows, 'new calibration, new windows');
      assert.ok(!messages2.includes('from cache'), 'and a new pass');
    } finally {
      await second.close();
    }
  });
});

test('session: a bad scan rejects open with the input error; HDF5 lists its candidate datasets', async () => {
  await withTempDir(async (dir) => {
    const bad = path.join(dir, 'bad.h5');
    await fs.writeFile(bad, 'not hdf5 at all');
    await assert.rejects(ScanSession.open(bad), (e: unknown) => e instanceof XrfInputError && e.file === bad && /not an HDF5 file/.test(e.problem));
    await assert.rejects(ScanSession.open(path.join(dir, 'missing.npy')), (e: unknown) => e instanceof XrfInputError && /not found/.test(e.problem));

    // An input error found during a pass (NaN in float data) arrives as an XrfInputError too.
    const nanV = testValues(3, 4, 64, { fractional: true });
    nanV[(2 * 4 + 1) * 64 + 5] = NaN;
    const nanFile = path.join(dir, 'nan.npy');
    await fs.writeFile(nanFile, npyOf(nanV, 3, 4, 64, 'f4'));
    const ns = await ScanSession.open(nanFile);
    try {
      await assert.rejects(ns.summary(['Fe K']), (e: unknown) => e instanceof XrfInputError && e.file === nanFile && /NaN value at row 2, column 1, channel 5/.test(e.problem));
      await assert.rejects(ns.pixel(2, 1), XrfInputError);
      assert.equal((await ns.pixel(0, 0)).length, 64);
    } finally {
      await ns.close();
    }

    const { loadH5wasm } = await import('../../src/core/cube/hdf5');
    const h5 = await loadH5wasm();
    const f = new h5.File(path.join(dir, 'two.h5'), 'w');
    f.create_dataset({ name: 'a', data: new Uint16Array(2 * 3 * 16), shape: [2, 3, 16] });
    f.create_dataset({ name: 'b', data: new Uint16Array(4 * 3 * 16), shape: [4, 3, 16] });
    f.close();
    const s = await ScanSession.open(path.join(dir, 'two.h5'), { dataset: '/a' });
    try {
      assert.deepEqual([s.info.format, s.info.datasetPath, s.info.height], ['hdf5', '/a', 2]);
      assert.deepEqual(s.info.datasets, ['/b', '/a']);
      assert.deepEqual(s.info.storedOrder, { order: 'rows × columns × channels', from: 'default' });
      const sum = await s.summary(['Fe K']);
      assert.equal(sum.totalCounts.length, 6);
    } finally {
      await s.close();
    }
    // The sidecar's "channelAxis" turns /a (2 × 3 × 16) into 3 × 16 pixels of 2 channels, and says so.
    await fs.writeFile(path.join(dir, 'two.json'), JSON.stringify({ channelAxis: 0 }));
    const t = await ScanSession.open(path.join(dir, 'two.h5'), { dataset: '/a' });
    try {
      assert.deepEqual([t.info.height, t.info.width, t.info.channels], [3, 16, 2]);
      assert.deepEqual(t.info.storedOrder, { order: 'channels × rows × columns', from: 'user' });
    } finally {
      await t.close();
    }
  });
});
