import { test } from 'node:test';
import assert from 'node:assert/strict';
import { promises as fs } from 'node:fs';
import * as path from 'node:path';
import type { Worker } from 'node:worker_threads';
import { ScanSession, type RowsUpdate, type SessionReply } from '../../src/workers/scan-session-client';
import { isCancelled } from '../../src/core/errors';
import type { Progress } from '../../src/core/util/progress';
import { npyOf, testValues, withTempDir } from '../cube/writers';
import { assertUpdatesTileSummary, sleep } from './rows-check';

const LINES = ['Ca K', 'Fe K', 'Pb L'];

async function writeScan(dir: string, name: string, H: number, W: number, C: number): Promise<string> {
  const file = path.join(dir, name);
  await fs.writeFile(file, npyOf(testValues(H, W, C), H, W, C, 'u2'));
  return file;
}

/** Every reply the session's worker posts, as the client receives it (a look behind the client's back). */
function wireLog(s: ScanSession): SessionReply[] {
  const log: SessionReply[] = [];
  (s as unknown as { worker: Worker }).worker.on('message', (m: SessionReply) => log.push(m));
  return log;
}

/** The summary request's id: the one with 'rows' replies or its result, as seen on the wire. */
function rowsReplies(log: SessionReply[]): Extract<SessionReply, { type: 'rows' }>[] {
  return log.filter((m): m is Extract<SessionReply, { type: 'rows' }> => m.type === 'rows');
}

test('session rows: a single-thread pass sends rows that tile the scan, first before the result, none after', async () => {
  await withTempDir(async (dir) => {
    const H = 24, W = 5, C = 256;
    const file = await writeScan(dir, 'scan.npy', H, W, C);
    const s = await ScanSession.open(file, { rowsPerBlock: 2, passThreads: 1 });
    try {
      const wire = wireLog(s);
      const updates: RowsUpdate[] = [];
      let settled = false;
      let afterSettle = 0;
      const sum = await s
        .summary(LINES, {
          onRows: (u) => {
            if (settled) afterSettle++;
            updates.push(u);
          },
        })
        .finally(() => (settled = true));
      const atResult = updates.length;
      assert.ok(atResult >= 1, 'the first update arrived before the result');
      assertUpdatesTileSummary(updates, sum);
      assert.ok(updates.length <= H / 2, `no more updates (${updates.length}) than blocks (${H / 2})`);
      // Updates of a single-thread pass come in row order, each right after the last.
      updates.forEach((u, i) => assert.equal(u.from, i === 0 ? 0 : updates[i - 1].to));
      const rowsOnWire = rowsReplies(wire);
      assert.equal(rowsOnWire.length, updates.length, 'one rows reply per update');
      const resultAt = wire.findIndex((m) => m.type === 'result' && m.id === rowsOnWire[0].id);
      assert.ok(wire.slice(resultAt + 1).every((m) => m.type !== 'rows'), 'no rows reply after the result');
      await sleep(400); // longer than the throttle interval: a held update would have gone by now
      assert.equal(updates.length, atResult, 'no update after the result');
      assert.equal(afterSettle, 0);
    } finally {
      await s.close();
    }
  });
});

test('session rows: without onRows the worker posts no rows at all', async () => {
  await withTempDir(async (dir) => {
    const H = 30, W = 4, C = 128;
    const file = await writeScan(dir, 'scan.npy', H, W, C);
    const s = await ScanSession.open(file, { rowsPerBlock: 1, passThreads: 1 });
    try {
      const wire = wireLog(s);
      const progress: Progress[] = [];
      const sum = await s.summary(LINES, { onProgress: (p) => progress.push(p) });
      assert.equal(sum.height, H);
      assert.equal(progress.at(-1)?.done, H, 'the pass ran');
      assert.ok(wire.some((m) => m.type === 'result'), 'the log sees the replies');
      assert.equal(rowsReplies(wire).length, 0, 'no rows replies');
      // The same session with onRows does send them (the log would see them).
      const updates: RowsUpdate[] = [];
      const again = await s.summary(LINES, { onRows: (u) => updates.push(u) });
      assert.equal(rowsReplies(wire).length, updates.length);
      assertUpdatesTileSummary(updates, again);
    } finally {
      await s.close();
    }
  });
});

test('session rows: a cancelled pass sends nothing after its rejection; a cache hit sends no rows', async () => {
  await withTempDir(async (dir) => {
    const H = 120, W = 64, C = 512;
    const file = await writeScan(dir, 'big.npy', H, W, C);
    const cacheDir = path.join(dir, 'cache');
    const s = await ScanSession.open(file, { rowsPerBlock: 1, passThreads: 1, cacheDir });
    try {
      const wire = wireLog(s);
      const ac = new AbortController();
      const updates: RowsUpdate[] = [];
      let rejected = false;
      let afterReject = 0;
      await assert.rejects(
        s.summary(LINES, {
          signal: ac.signal,
          onRows: (u) => {
            if (rejected) afterReject++;
            updates.push(u);
            ac.abort(); // at the first update: the pass has far to go
          },
        }),
        (e: unknown) => isCancelled(e),
      );
      rejected = true;
      assert.equal(updates.length, 1, 'the update that triggered the cancel, and none delivered after the abort');
      assert.ok(updates[0].to < H, 'cancelled before the end');
      await sleep(400);
      assert.equal(afterReject, 0, 'no update after the rejection');
      const id = rowsReplies(wire)[0].id;
      const errorAt = wire.findIndex((m) => m.type === 'error' && m.id === id);
      assert.ok(errorAt > 0, 'the pass ended with its cancel error');
      assert.ok(wire.slice(errorAt + 1).every((m) => !(m.type === 'rows' && m.id === id)), 'the worker sent no rows after the cancel error');
      assert.equal(await fs.readdir(cacheDir).catch(() => []).then((f) => f.length), 0, 'nothing cached from a cancelled pass');

      // A full pass fills the cache; the next request for the same lines is a cache hit, with no rows.
      const first: RowsUpdate[] = [];
      const a = await s.summary(LINES, { onRows: (u) => first.push(u) });
      assertUpdatesTileSummary(first, a);
      const before = rowsReplies(wire).length;
      const hitRows: RowsUpdate[] = [];
      const progress: Progress[] = [];
      const b = await s.summary(LINES, { onRows: (u) => hitRows.push(u), onProgress: (p) => progress.push(p) });
      assert.deepEqual(progress.map((p) => p.message), ['from cache'], 'a cache hit');
      assert.deepEqual(b, a);
      assert.equal(hitRows.length, 0, 'no updates for a cache hit');
      assert.equal(rowsReplies(wire).length, before, 'and no rows replies');
    } finally {
      await s.close();
    }
  });
});

test('session rows: a parallel pass (2 bands) sends rows from both bands that tile the scan', async () => {
  await withTempDir(async (dir) => {
    const H = 20, W = 4, C = 128;
    const file = await writeScan(dir, 'scan.npy', H, W, C);
    const s = await ScanSession.open(file, { rowsPerBlock: 2, passThreads: 2, passMinBytes: 0 });
    try {
      const wire = wireLog(s);
      const updates: RowsUpdate[] = [];
      const progress: Progress[] = [];
      const sum = await s.summary(LINES, { onRows: (u) => updates.push(u), onProgress: (p) => progress.push(p) });
      const atResult = updates.length;
      assert.ok(progress.some((p) => /2 threads/.test(p.message ?? '')), 'the pass ran in two bands');
      assertUpdatesTileSummary(updates, sum);
      // Bands [0, 10) and [10, 20): no update straddles them, and both sent some.
      assert.ok(updates.every((u) => u.to <= 10 || u.from >= 10), 'each update inside one band');
      assert.ok(updates.some((u) => u.from < 10) && updates.some((u) => u.from >= 10), 'rows from both bands');
      assert.ok(updates.length <= H / 2, 'no more updates than blocks');
      const id = rowsReplies(wire)[0].id;
      const resultAt = wire.findIndex((m) => m.type === 'result' && m.id === id);
      assert.ok(resultAt > 0 && wire.slice(resultAt + 1).every((m) => m.type !== 'rows'), 'no rows reply after the result');
      await sleep(400);
      assert.equal(updates.length, atResult, 'no update after the result');
    } finally {
      await s.close();
    }
  });
});

test('session rows: a cancelled parallel pass delivers nothing after the abort, though bands had rows in flight', async () => {
  await withTempDir(async (dir) => {
    const H = 60, W = 32, C = 256;
    const file = await writeScan(dir, 'scan.npy', H, W, C);
    const s = await ScanSession.open(file, { rowsPerBlock: 1, passThreads: 2, passMinBytes: 0 });
    try {
      const ac = new AbortController();
      const updates: RowsUpdate[] = [];
      let afterAbort = 0;
      await assert.rejects(
        s.summary(LINES, {
          signal: ac.signal,
          onRows: (u) => {
            if (ac.signal.aborted) afterAbort++;
            updates.push(u);
            ac.abort(); // each band sends its first block at once: the other band's is likely on its way
          },
        }),
        (e: unknown) => isCancelled(e),
      );
      await sleep(400);
      assert.equal(afterAbort, 0, 'no update after the abort');
      assert.equal(updates.length, 1);
      assert.equal((await s.pixel(1, 1)).length, C, 'the session goes on');
    } finally {
      await s.close();
    }
  });
});

test('session rows: the client routes rows replies to onRows until the abort or the result, never after', async () => {
  // A stand-in for the worker thread, so the replies' timing is the test's to choose.
  const { EventEmitter } = await import('node:events');
  const posted: { id: number; type: string; rows?: boolean; target?: number }[] = [];
  const fake = Object.assign(new EventEmitter(), {
    postMessage: (m: (typeof posted)[number]) => posted.push(m),
    ref() {},
    unref() {},
    terminate: async () => 0,
  });
  const s = new (ScanSession as unknown as new (w: unknown) => ScanSession)(fake);
  const reply = (m: SessionReply) => fake.emit('message', m);
  const rowsOf = (id: number, from: number): SessionReply => ({ id, type: 'rows', from, to: from + 1, totalCounts: new Float32Array([from]), roiMaps: [new Float32Array([from])] });

  // Up to the result, then nothing.
  const got: number[] = [];
  const done = s.summary(['Fe K'], { onRows: (u) => got.push(u.from) });
  const a = posted.at(-1)!;
  assert.deepEqual([a.type, a.rows], ['summary', true], 'the request asks for rows');
  reply(rowsOf(a.id, 0));
  reply(rowsOf(a.id, 1));
  reply({ id: a.id, type: 'result', result: 'the summary' });
  reply(rowsOf(a.id, 2));
  assert.equal(await done, 'the summary');
  assert.deepEqual(got, [0, 1]);

  // Up to the abort, though the worker's rows keep coming until its cancel error.
  const ac = new AbortController();
  const cut: number[] = [];
  const cancelled = s.summary(['Fe K'], { signal: ac.signal, onRows: (u) => cut.push(u.from) });
  const b = posted.at(-1)!;
  reply(rowsOf(b.id, 0));
  ac.abort();
  assert.deepEqual([posted.at(-1)!.type, posted.at(-1)!.target], ['cancel', b.id], 'the cancel went to the worker');
  reply(rowsOf(b.id, 1)); // in flight when the cancel was sent
  reply({ id: b.id, type: 'error', name: 'CancelledError', message: 'cancelled' });
  reply(rowsOf(b.id, 2));
  await assert.rejects(cancelled, (e: unknown) => isCancelled(e));
  assert.deepEqual(cut, [0]);

  // Without onRows the request does not ask for rows.
  void s.summary(['Fe K']).catch(() => undefined);
  assert.equal(posted.at(-1)!.rows, false);
  fake.emit('exit', 0); // settles what is pending
});
