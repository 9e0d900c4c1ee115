import { test } from 'node:test';
import assert from 'node:assert/strict';
import { promises as fs } from 'node:fs';
import * as path from 'node:path';
import { aggregateScan } from '../../src/core/maps/aggregate';
import { cacheFileFor, defaultCacheDir, loadCachedSummary, storeCachedSummary, summaryCacheKey } from '../../src/core/maps/cache';
import { openCube } from '../../src/core/cube/open';
import { npyOf, readBytes, testValues, withTempDir, writeRpl } from '../cube/writers';

const H = 5;
const W = 6;
const C = 32;
const WINDOWS = [{ label: 'Fe K', loChannel: 3, hiChannel: 9 }, { label: 'Pb L', loChannel: 20, hiChannel: 31 }];
const CAL = { offsetKeV: 0, gainKeV: 0.01 };

test('a stored summary loads back identical; a changed scan, window or calibration misses', async () => {
  await withTempDir(async (dir) => {
    const cacheDir = path.join(dir, 'cache');
    const npy = path.join(dir, 'scan.npy');
    await fs.writeFile(npy, npyOf(testValues(H, W, C), H, W, C, 'u2'));
    const cube = await openCube(npy);
    const s = await aggregateScan(cube, WINDOWS);
    const key = await summaryCacheKey(cube, WINDOWS, CAL);
    assert.equal(await loadCachedSummary(cacheDir, key), undefined, 'empty cache misses');
    await storeCachedSummary(cacheDir, key, s);
    const hit = await loadCachedSummary(cacheDir, key);
    assert.ok(hit);
    assert.deepEqual(hit, s);

    assert.equal(await loadCachedSummary(cacheDir, await summaryCacheKey(cube, [WINDOWS[0]], CAL)), undefined, 'other windows');
    assert.equal(await loadCachedSummary(cacheDir, await summaryCacheKey(cube, WINDOWS, { offsetKeV: 0, gainKeV: 0.02 })), undefined, 'other calibration');
    // The same file read with another axis order (an HDF5 sidecar's "channelAxis"): another cube, a miss.
    const reread = { path: cube.path, format: cube.format, datasetPath: cube.datasetPath, height: W, width: H, channels: C };
    assert.equal(await loadCachedSummary(cacheDir, await summaryCacheKey(reread, WINDOWS, CAL)), undefined, 'other shape');
    assert.equal(await loadCachedSummary(cacheDir, await summaryCacheKey({ ...reread, height: H, width: W, channelAxis: 0 }, WINDOWS, CAL)), undefined, 'other channel axis');
    assert.ok(await loadCachedSummary(cacheDir, await summaryCacheKey({ ...reread, height: H, width: W }, WINDOWS, CAL)), 'same cube: hit');
    await cube.close();
    // Rewrite the scan (new size and mtime): the old entry no longer applies.
    await fs.writeFile(npy, npyOf(testValues(H, W, C + 1), H, W, C + 1, 'u2'));
    const cube2 = await openCube(npy);
    assert.equal(await loadCachedSummary(cacheDir, await summaryCacheKey(cube2, WINDOWS, CAL)), undefined, 'changed file');
    await cube2.close();
  });
});

test('corrupt or truncated cache entries read as misses and are rewritten by the next store', async () => {
  await withTempDir(async (dir) => {
    const cacheDir = path.join(dir, 'cache');
    const npy = path.join(dir, 'scan.npy');
    await fs.writeFile(npy, npyOf(testValues(H, W, C), H, W, C, 'u2'));
    const cube = await openCube(npy);
    const s = await aggregateScan(cube, WINDOWS);
    const key = await summaryCacheKey(cube, WINDOWS, CAL);
    const file = await storeCachedSummary(cacheDir, key, s);
    assert.equal(file, cacheFileFor(cacheDir, key));
    const good = await readBytes(file);
    const corruptions: [string, Uint8Array][] = [
      ['flipped byte in the maps', good.map((b, i) => (i === good.length - 40 ? b ^ 0xff : b))],
      ['truncated', good.subarray(0, good.length - 100)],
      ['empty', new Uint8Array(0)],
      ['garbage', new Uint8Array(300).fill(65)],
      ['bad header JSON', good.map((b, i) => (i === 30 ? 0x7b : b))],
    ];
    for (const [what, bytes] of corruptions) {
      await fs.writeFile(file, bytes);
      assert.equal(await loadCachedSummary(cacheDir, key), undefined, what);
    }
    await storeCachedSummary(cacheDir, key, s);
    assert.deepEqual(await loadCachedSummary(cacheDir, key), s, 'rewritten entry loads');
    assert.deepEqual(await fs.readdir(cacheDir), [path.basename(file)], 'no temporary files left');
    await cube.close();
  });
});

test('RPL cache keys include the .raw: rewriting only the data invalidates the entry', async () => {
  await withTempDir(async (dir) => {
    const v = testValues(H, W, C);
    const rpl = await writeRpl(dir, 's', v, H, W, C);
    const cube = await openCube(rpl);
    const k1 = await summaryCacheKey(cube, WINDOWS, CAL);
    assert.equal(k1.files.length, 2);
    await new Promise((r) => setTimeout(r, 20));
    await fs.writeFile(path.join(dir, 's.raw'), await readBytes(path.join(dir, 's.raw')));
    const k2 = await summaryCacheKey(cube, WINDOWS, CAL);
    assert.notDeepEqual(k1, k2);
    assert.notEqual(cacheFileFor(dir, k1), cacheFileFor(dir, k2));
    await cube.close();
  });
});

test('defaultCacheDir honours XDG_CACHE_HOME, else ~/.cache/xrfmaps', () => {
  const saved = process.env.XDG_CACHE_HOME;
  try {
    process.env.XDG_CACHE_HOME = '/tmp/xdg-test';
    assert.equal(defaultCacheDir(), '/tmp/xdg-test/xrfmaps');
    delete process.env.XDG_CACHE_HOME;
    assert.match(defaultCacheDir(), /\.cache\/xrfmaps$/);
  } finally {
    if (saved === undefined) delete process.env.XDG_CACHE_HOME;
    else process.env.XDG_CACHE_HOME = saved;
  }
});
