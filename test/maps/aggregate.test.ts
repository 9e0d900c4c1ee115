import { test } from 'node:test';
import assert from 'node:assert/strict';
import { aggregateScan, windowMap, defaultRowsPerBlock } from '../../src/core/maps/aggregate';
import { windowsForLines, userWindow } from '../../src/core/maps/windows';
import { openCube } from '../../src/core/cube/open';
import { roiChannels } from '../../src/core/physics';
import { tokenFromSignal, type Progress } from '../../src/core/util/progress';
import { isCancelled } from '../../src/core/errors';
import { testValues, withTempDir, writeRpl } from '../cube/writers';
import { bruteForce, memoryCube, relDiff } from './helpers';

const H = 9;
const W = 7;
const C = 64;

const WINDOWS = [
  { label: 'a', loChannel: 0, hiChannel: 1 },
  { label: 'b', loChannel: 10, hiChannel: 30 },
  { label: 'c', loChannel: 25, hiChannel: 64 },
  { label: 'empty', loChannel: 40, hiChannel: 40 },
  { label: 'all', loChannel: 0, hiChannel: 64 },
];

test('aggregateScan equals a brute-force computation, for any block size', async () => {
  const v = testValues(H, W, C, { fractional: true, signed: true });
  const ref = bruteForce(v, H, W, C, WINDOWS);
  for (const rowsPerBlock of [1, 2, 4, H, 100]) {
    const s = await aggregateScan(memoryCube(v, H, W, C), WINDOWS, { rowsPerBlock });
    assert.deepEqual([s.height, s.width, s.channels], [H, W, C]);
    assert.deepEqual(s.windows, WINDOWS);
    assert.ok(relDiff(s.totalCounts, ref.total) < 1e-6, `total counts, ${rowsPerBlock} rows/block`);
    assert.ok(relDiff(s.sumSpectrum, ref.sum) < 1e-12, 'sum spectrum (float64)');
    assert.ok(relDiff(s.maxSpectrum, ref.max) === 0, 'max spectrum');
    WINDOWS.forEach((w, k) => assert.ok(relDiff(s.roiMaps[k], ref.rois[k]) < 1e-6, `window ${w.label}`));
    assert.ok(s.sumSpectrum instanceof Float64Array);
  }
});

test('aggregateScan over a real file (RPL, record-by image) equals brute force; windowMap equals its window', async () => {
  await withTempDir(async (dir) => {
    const v = testValues(H, W, C);
    const rpl = await writeRpl(dir, 'img', v, H, W, C, { recordBy: 'image', dtype: 'u4' });
    const cube = await openCube(rpl);
    try {
      const ref = bruteForce(v, H, W, C, WINDOWS);
      const s = await aggregateScan(cube, WINDOWS, { rowsPerBlock: 4 });
      WINDOWS.forEach((w, k) => assert.equal(relDiff(s.roiMaps[k], ref.rois[k]), 0, w.label));
      const m = await windowMap(cube, 10, 30, { rowsPerBlock: 3 });
      assert.equal(relDiff(m, ref.rois[1]), 0);
    } finally {
      await cube.close();
    }
  });
});

test('progress counts rows up to the height; the token cancels a pass within one block', async () => {
  const v = testValues(H, W, C);
  const seen: Progress[] = [];
  await aggregateScan(memoryCube(v, H, W, C), WINDOWS, { rowsPerBlock: 2, onProgress: (p) => seen.push(p) });
  assert.deepEqual(seen.map((p) => p.done), [2, 4, 6, 8, 9]);
  assert.ok(seen.every((p) => p.total === H));

  const ac = new AbortController();
  const cube = memoryCube(v, H, W, C);
  const blocks: number[] = [];
  await assert.rejects(
    aggregateScan(cube, WINDOWS, {
      rowsPerBlock: 1,
      token: tokenFromSignal(ac.signal),
      onProgress: (p) => {
        blocks.push(p.done);
        if (p.done === 3) ac.abort();
      },
    }),
    (e: unknown) => isCancelled(e),
  );
  assert.deepEqual(blocks, [1, 2, 3], 'no block is summed after the cancel');
  assert.ok(cube.rowReads <= 5, `at most the block in flight is read after the cancel (read ${cube.rowReads})`);
});

test('windows outside the cube are refused; user windows are clamped and ordered', async () => {
  const cube = memoryCube(testValues(2, 2, 8), 2, 2, 8);
  await assert.rejects(aggregateScan(cube, [{ label: 'x', loChannel: 4, hiChannel: 9 }]), RangeError);
  await assert.rejects(windowMap(cube, 5, 2), RangeError);
  assert.deepEqual(userWindow(12, -3, 8), { label: 'channels 0–8', loChannel: 0, hiChannel: 8 });
  assert.equal(userWindow(620, 660, 4096, { offsetKeV: 0, gainKeV: 0.01 }).label, '6.20–6.60 keV');
});

test('windowsForLines: the physics windows, names normalized, in order', () => {
  const cal = { offsetKeV: -0.02, gainKeV: 0.0101 };
  const w = windowsForLines(['Fe_K', 'pb-l', 'Ca K'], cal, 4096);
  assert.deepEqual(w.map((x) => x.label), ['Fe K', 'Pb L', 'Ca K']);
  assert.deepEqual(w[0], { label: 'Fe K', ...roiChannels('Fe K', cal, 4096) });
  // Fe Kα (6.40 keV) lies inside its window.
  const feCh = (6.4 + 0.02) / 0.0101;
  assert.ok(w[0].loChannel < feCh && feCh < w[0].hiChannel);
  assert.throws(() => windowsForLines(['Xx K'], cal, 4096), /not a line-family name/);
});

test('defaultRowsPerBlock keeps blocks near 16 MB and at least one row', () => {
  assert.equal(defaultRowsPerBlock({ height: 1000, width: 1000, channels: 4096 }), 1);
  assert.equal(defaultRowsPerBlock({ height: 1000, width: 100, channels: 4096 }), 10);
  assert.equal(defaultRowsPerBlock({ height: 3, width: 10, channels: 10 }), 3);
});

test('onRows reports every row of the range once, in order, with values that are already final', async () => {
  const v = testValues(H, W, C, { fractional: true });
  for (const engine of ['wasm', 'js'] as const) {
    for (const rows of [undefined, { from: 2, to: 8 }]) {
      const seen: [number, number][] = [];
      const snapshots: { from: number; to: number; total: Float32Array; rois: Float32Array[] }[] = [];
      const from = rows?.from ?? 0;
      const s = await aggregateScan(memoryCube(v, H, W, C), WINDOWS, {
        engine,
        rows,
        rowsPerBlock: 2,
        onRows: (a, b, maps) => {
          seen.push([a, b]);
          const cut = (m: Float32Array) => m.slice((a - from) * W, (b - from) * W);
          snapshots.push({ from: a, to: b, total: cut(maps.totalCounts), rois: maps.roiMaps.map(cut) });
        },
      });
      const to = rows?.to ?? H;
      const expected: [number, number][] = [];
      for (let r = from; r < to; r += 2) expected.push([r, Math.min(r + 2, to)]);
      assert.deepEqual(seen, expected, `${engine}: blocks of 2 rows from ${from} to ${to}`);
      for (const snap of snapshots) {
        const lo = (snap.from - from) * W;
        assert.deepEqual(snap.total, s.totalCounts.slice(lo, lo + snap.total.length), `${engine}: total counts of rows ${snap.from}-${snap.to}`);
        snap.rois.forEach((m, k) => assert.deepEqual(m, s.roiMaps[k].slice(lo, lo + m.length), `${engine}: ${WINDOWS[k].label}`));
      }
    }
  }
});
