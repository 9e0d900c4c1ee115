import { test } from 'node:test';
import assert from 'node:assert/strict';
import { promises as fs } from 'node:fs';
import * as path from 'node:path';
import { openCube } from '../../src/core/cube/open';
import { aggregateScan } from '../../src/core/maps/aggregate';
import { parallelAggregate } from '../../src/workers/scan-pass-pool';
import type { RowsUpdate } from '../../src/workers/scan-session-client';
import { isCancelled } from '../../src/core/errors';
import { npyOf, testValues, withTempDir } from '../cube/writers';
import { assertUpdatesTileSummary, sleep } from './rows-check';

const H = 21;
const W = 5;
const C = 128;
const WINDOWS = [{ label: 'a', loChannel: 5, hiChannel: 40 }, { label: 'b', loChannel: 30, hiChannel: 128 }];

test('parallelAggregate onRows: updates from every band, absolute rows, tiling the scan, none after the result', async () => {
  await withTempDir(async (dir) => {
    const file = path.join(dir, 'p.npy');
    await fs.writeFile(file, npyOf(testValues(H, W, C, { fractional: true }), H, W, C, 'f4'));
    const cube = await openCube(file);
    try {
      const updates: RowsUpdate[] = [];
      const par = await parallelAggregate(cube, WINDOWS, 3, { rowsPerBlock: 2, onRows: (u) => updates.push(u) });
      const atResult = updates.length;
      const single = await aggregateScan(cube, WINDOWS);
      assert.deepEqual([par.totalCounts, par.roiMaps, par.maxSpectrum], [single.totalCounts, single.roiMaps, single.maxSpectrum], 'the result is unchanged');
      assertUpdatesTileSummary(updates, par);
      const bands = [[0, 7], [7, 14], [14, 21]];
      for (const [from, to] of bands) {
        const mine = updates.filter((u) => u.from >= from && u.to <= to);
        assert.ok(mine.length >= 1, `band [${from}, ${to}) sent rows`);
        // Within a band, updates follow each other in row order.
        mine.forEach((u, i) => assert.equal(u.from, i === 0 ? from : mine[i - 1].to));
      }
      assert.equal(updates.filter((u) => bands.some(([from, to]) => u.from >= from && u.to <= to)).length, updates.length, 'no update straddles two bands');
      await sleep(400);
      assert.equal(updates.length, atResult, 'no update after the result');
      // Without onRows the bands are not asked for rows and the result is the same.
      const plain = await parallelAggregate(cube, WINDOWS, 3, { rowsPerBlock: 2 });
      assert.deepEqual(plain.totalCounts, par.totalCounts);
    } finally {
      await cube.close();
    }
  });
});

test('parallelAggregate onRows: a cancel stops the updates before the rejection', async () => {
  await withTempDir(async (dir) => {
    const Hc = 80, Wc = 32, Cc = 256;
    const file = path.join(dir, 'c.npy');
    await fs.writeFile(file, npyOf(testValues(Hc, Wc, Cc), Hc, Wc, Cc, 'u2'));
    const cube = await openCube(file);
    try {
      const ac = new AbortController();
      const updates: RowsUpdate[] = [];
      let rejected = false;
      let afterAbort = 0;
      await assert.rejects(
        parallelAggregate(cube, WINDOWS, 2, {
          signal: ac.signal,
          rowsPerBlock: 1,
          onRows: (u) => {
            if (ac.signal.aborted || rejected) afterAbort++;
            updates.push(u);
            ac.abort();
          },
        }),
        (e: unknown) => isCancelled(e),
      );
      rejected = true;
      await sleep(400);
      assert.equal(updates.length, 1, 'only the update that triggered the cancel');
      assert.equal(afterAbort, 0, 'nothing after the abort, nor after the rejection');
      assert.ok(updates[0].to - updates[0].from < Hc, 'cancelled before the end');
    } finally {
      await cube.close();
    }
  });
});
