import { test } from 'node:test';
import assert from 'node:assert/strict';
import { promises as fs } from 'node:fs';
import * as path from 'node:path';
import { openCube } from '../../src/core/cube/open';
import { aggregateScan, mergeRowBands } from '../../src/core/maps/aggregate';
import { defaultPassThreads, parallelAggregate, passLimits, passThreadsFor } from '../../src/workers/scan-pass-pool';
import { isCancelled, XrfInputError } from '../../src/core/errors';
import type { Progress } from '../../src/core/util/progress';
import { npyOf, testValues, withTempDir, writeRpl, zipOf } from '../cube/writers';
import { relDiff } from './helpers';

const H = 11;
const W = 6;
const C = 128;
const WINDOWS = [{ label: 'a', loChannel: 5, hiChannel: 40 }, { label: 'b', loChannel: 30, hiChannel: 128 }];

test('row bands: aggregateScan over bands joined by mergeRowBands equals the whole pass', async () => {
  await withTempDir(async (dir) => {
    const rpl = await writeRpl(dir, 's', testValues(H, W, C), H, W, C);
    const cube = await openCube(rpl);
    const whole = await aggregateScan(cube, WINDOWS);
    const bands = [];
    for (const [from, to] of [[0, 4], [4, 5], [5, 11]]) bands.push(await aggregateScan(cube, WINDOWS, { rows: { from, to } }));
    assert.deepEqual(bands.map((b) => b.height), [4, 1, 6]);
    const merged = mergeRowBands(bands);
    assert.deepEqual(merged.totalCounts, whole.totalCounts);
    assert.deepEqual(merged.roiMaps, whole.roiMaps);
    assert.deepEqual(merged.maxSpectrum, whole.maxSpectrum);
    assert.ok(relDiff(merged.sumSpectrum, whole.sumSpectrum) < 1e-12);
    await assert.rejects(aggregateScan(cube, WINDOWS, { rows: { from: 5, to: 5 } }), RangeError);
    await assert.rejects(aggregateScan(cube, WINDOWS, { rows: { from: 0, to: H + 1 } }), RangeError);
    await cube.close();
  });
});

test('parallelAggregate over worker threads equals the single-thread pass, with merged progress', async () => {
  await withTempDir(async (dir) => {
    const v = testValues(H, W, C, { fractional: true });
    const file = path.join(dir, 'p.npy');
    await fs.writeFile(file, npyOf(v, H, W, C, 'f4'));
    const cube = await openCube(file);
    try {
      const single = await aggregateScan(cube, WINDOWS);
      const progress: Progress[] = [];
      const par = await parallelAggregate(cube, WINDOWS, 3, { rowsPerBlock: 2, onProgress: (p) => progress.push(p) });
      assert.deepEqual(par.totalCounts, single.totalCounts);
      assert.deepEqual(par.roiMaps, single.roiMaps);
      assert.deepEqual(par.maxSpectrum, single.maxSpectrum);
      assert.ok(relDiff(par.sumSpectrum, single.sumSpectrum) < 1e-12);
      assert.equal(progress.at(-1)?.done, H);
      assert.ok(progress.every((p) => p.total === H && p.done <= H));
    } finally {
      await cube.close();
    }
  });
});

test('parallelAggregate: bad data in one band stops all with the XrfInputError; an abort cancels', async () => {
  await withTempDir(async (dir) => {
    const v = testValues(H, W, C, { fractional: true });
    v[(9 * W + 2) * C + 17] = Infinity;
    const file = path.join(dir, 'inf.npy');
    await fs.writeFile(file, npyOf(v, H, W, C, 'f8'));
    const cube = await openCube(file);
    try {
      await assert.rejects(parallelAggregate(cube, WINDOWS, 3, {}), (e: unknown) => e instanceof XrfInputError && e.file === file && /Inf value at row 9, column 2, channel 17/.test(e.problem));
      await assert.rejects(parallelAggregate(cube, WINDOWS, 2, { signal: AbortSignal.abort() }), (e: unknown) => isCancelled(e));
    } finally {
      await cube.close();
    }
    // An abort during the pass: on a clean file, so the bad row cannot win the race against the abort.
    const cleanFile = path.join(dir, 'clean.npy');
    await fs.writeFile(cleanFile, npyOf(testValues(H, W, C, { fractional: true }), H, W, C, 'f8'));
    const clean = await openCube(cleanFile);
    try {
      const ac = new AbortController();
      await assert.rejects(
        parallelAggregate(clean, WINDOWS, 2, { signal: ac.signal, rowsPerBlock: 1, onProgress: () => ac.abort() }),
        (e: unknown) => isCancelled(e),
      );
    } finally {
      await clean.close();
    }
  });
});

test('passThreadsFor: one thread for small scans and inflated-in-memory NPZ; no more threads than rows', async () => {
  await withTempDir(async (dir) => {
    const v = testValues(H, W, C);
    const file = path.join(dir, 'p.npy');
    await fs.writeFile(file, npyOf(v, H, W, C, 'u2'));
    const deflated = path.join(dir, 'd.npz');
    await fs.writeFile(deflated, zipOf([{ name: 'arr_0.npy', data: npyOf(v, H, W, C, 'u2'), deflate: true }]));
    const npy = await openCube(file);
    const npz = await openCube(deflated);
    const saved = passLimits.minBytes;
    try {
      assert.equal(passThreadsFor(npy, 4), 1, 'under the size threshold');
      passLimits.minBytes = 0;
      assert.equal(passThreadsFor(npy, 4), 4);
      assert.equal(passThreadsFor(npy, 1), 1);
      assert.equal(passThreadsFor(npy, 50), H, 'no more threads than rows');
      assert.equal(passThreadsFor(npz, 4), 1, 'inflated in memory: stays on one thread');
    } finally {
      passLimits.minBytes = saved;
      await npy.close();
      await npz.close();
    }
  });
});

test('defaultPassThreads: one thread below 4 cores (it matches the read there), else half the cores, at most 4', () => {
  assert.deepEqual([1, 2, 3, 4, 6, 8, 16, 64].map((cores) => defaultPassThreads(cores)), [1, 1, 1, 2, 3, 4, 4, 4]);
});
