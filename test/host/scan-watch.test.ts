/**
 * What the scan editor watches on disk, and the debounce that turns a file written in pieces into
 * one reopen. The controller's use of both is in scan-controller.test.ts.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { promises as fs } from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { ChangeDebouncer, scanFiles } from '../../src/host/scan-editor/scan-watch';

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

test('watched files: the scan and its sidecar; for RPL the .raw as spelled on disk; for a .raw opened directly its .rpl', async () => {
  const dir = await fs.mkdtemp(path.join(os.tmpdir(), 'xrf-watch-'));
  try {
    await fs.writeFile(path.join(dir, 'Scan1.rpl'), 'width\t1\n');
    await fs.writeFile(path.join(dir, 'Scan1.RAW'), '');
    assert.deepEqual(await scanFiles(path.join(dir, 'Scan1.rpl')), { data: [path.join(dir, 'Scan1.rpl'), path.join(dir, 'Scan1.RAW')], sidecar: path.join(dir, 'Scan1.json') });
    assert.deepEqual((await scanFiles(path.join(dir, 'Scan1.RAW'))).data, [path.join(dir, 'Scan1.RAW'), path.join(dir, 'Scan1.rpl')]);
    // The .raw is missing (the error view says so): watch the name it will most likely get.
    assert.deepEqual((await scanFiles(path.join(dir, 'other.rpl'))).data, [path.join(dir, 'other.rpl'), path.join(dir, 'other.raw')]);
    assert.deepEqual(await scanFiles(path.join(dir, 'cube.h5')), { data: [path.join(dir, 'cube.h5')], sidecar: path.join(dir, 'cube.json') });
  } finally {
    await fs.rm(dir, { recursive: true, force: true });
  }
});

test('the debouncer waits for quiet: a burst of changes gives one call with every file that changed', async () => {
  const calls: string[][] = [];
  const d = new ChangeDebouncer(40, (files) => calls.push(files.sort()));
  for (let i = 0; i < 6; i++) {
    d.touch(i % 2 ? '/s/a.raw' : '/s/a.rpl');
    await sleep(15); // each change restarts the wait
  }
  assert.deepEqual(calls, [], 'nothing while the file is still being written');
  await sleep(80);
  assert.deepEqual(calls, [['/s/a.raw', '/s/a.rpl']]);
  d.touch('/s/a.rpl');
  d.dispose();
  await sleep(80);
  assert.equal(calls.length, 1, 'nothing after dispose');
});
