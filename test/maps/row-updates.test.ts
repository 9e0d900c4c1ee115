import { test } from 'node:test';
import assert from 'node:assert/strict';
import { aggregateScan } from '../../src/core/maps/aggregate';
import { rowUpdates } from '../../src/workers/row-updates';
import type { RowsUpdate } from '../../src/workers/scan-session-client';
import { testValues } from '../cube/writers';
import { memoryCube } from './helpers';
import { assertUpdatesTileSummary, sleep } from './rows-check';

const WINDOWS = [{ label: 'a', loChannel: 2, hiChannel: 20 }, { label: 'b', loChannel: 10, hiChannel: 64 }];

test('rowUpdates: a slow pass of many blocks sends fewer updates than blocks, still covering every row once', async () => {
  const H = 40, W = 3, C = 64;
  const cube = memoryCube(testValues(H, W, C), H, W, C, { delayMs: 20 });
  const updates: RowsUpdate[] = [];
  let blocks = 0;
  const rows = rowUpdates({ from: 0, to: H }, W, (u) => updates.push(u), { intervalMs: 100 });
  const s = await aggregateScan(cube, WINDOWS, {
    rowsPerBlock: 1,
    onRows: (a, b, maps) => {
      blocks++;
      rows.onRows(a, b, maps);
    },
  });
  rows.dispose();
  assert.equal(blocks, H);
  assert.ok(updates.length >= 2 && updates.length < blocks, `${updates.length} updates for ${blocks} blocks`);
  assert.deepEqual([updates[0].from, updates[0].to], [0, 1], 'the first block goes at once');
  assertUpdatesTileSummary(updates, s);
  updates.forEach((u, i) => assert.equal(u.from, i === 0 ? 0 : updates[i - 1].to, 'contiguous, in order'));
});

test('rowUpdates: rows held by the throttle go when the interval is up, not when the next (slow) block ends', async () => {
  const H = 3, W = 4, C = 64;
  const base = memoryCube(testValues(H, W, C), H, W, C);
  const events: string[] = [];
  const cube = {
    ...base,
    async readRows(row0: number, n: number, out?: Float32Array) {
      if (row0 === 2) {
        await sleep(1500);
        events.push('row 2 read');
      }
      return base.readRows(row0, n, out);
    },
  };
  const rows = rowUpdates({ from: 0, to: H }, W, (u) => events.push(`rows ${u.from}-${u.to}`), { intervalMs: 200 });
  const s = await aggregateScan(cube, WINDOWS, { rowsPerBlock: 1, engine: 'js', onRows: rows.onRows });
  rows.dispose();
  assert.deepEqual(events, ['rows 0-1', 'rows 1-2', 'row 2 read', 'rows 2-3']);
  assert.equal(s.height, H);
});

test('rowUpdates: a band of a pass reports absolute rows; nothing is sent after dispose', async () => {
  const H = 10, W = 2, C = 64;
  const cube = memoryCube(testValues(H, W, C), H, W, C);
  const updates: RowsUpdate[] = [];
  const rows = rowUpdates({ from: 4, to: 9 }, W, (u) => updates.push(u), { intervalMs: 10_000 });
  const band = await aggregateScan(cube, WINDOWS, { rows: { from: 4, to: 9 }, rowsPerBlock: 1, onRows: rows.onRows });
  // First block at once; the rest held by the long interval until the band's last block.
  assert.deepEqual(updates.map((u) => [u.from, u.to]), [[4, 5], [5, 9]]);
  assert.deepEqual(updates[1].totalCounts, band.totalCounts.slice(1 * W, 5 * W));
  updates[1].roiMaps.forEach((m, k) => assert.deepEqual(m, band.roiMaps[k].slice(1 * W, 5 * W)));

  const later: RowsUpdate[] = [];
  const held = rowUpdates({ from: 0, to: H }, W, (u) => later.push(u), { intervalMs: 50 });
  const maps = { totalCounts: new Float32Array(H * W), roiMaps: [new Float32Array(H * W)] };
  held.onRows(0, 1, maps);
  held.onRows(1, 2, maps); // held: the interval is not up
  held.dispose();
  held.onRows(2, 3, maps);
  await sleep(150);
  assert.deepEqual(later.map((u) => [u.from, u.to]), [[0, 1]], 'the held rows and later ones are dropped after dispose');
});
