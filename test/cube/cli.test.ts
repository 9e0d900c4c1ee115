import { test } from 'node:test';
import assert from 'node:assert/strict';
import { promises as fs } from 'node:fs';
import { spawn } from 'node:child_process';
import * as path from 'node:path';
import { openCube } from '../../src/core/cube/open';
import { aggregateScan } from '../../src/core/maps/aggregate';
import { windowsForLines } from '../../src/core/maps/windows';
import { DEFAULT_LINES } from '../../src/core/lines';
import { readNpy } from '../../src/core/io/npy-read';
import { npyOf, testValues, withTempDir, writeRpl } from './writers';

const MAIN = path.resolve(__dirname, '../../src/cli/main.ts');

function cli(args: string[], env: Record<string, string> = {}): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((resolve, reject) => {
    const p = spawn(process.execPath, ['--import', 'tsx', MAIN, ...args], { env: { ...process.env, ...env }, cwd: path.resolve(__dirname, '../..') });
    let stdout = '';
    let stderr = '';
    p.stdout.on('data', (d) => (stdout += d));
    p.stderr.on('data', (d) => (stderr += d));
    p.on('error', reject);
    p.on('close', (code) => resolve({ code: code ?? -1, stdout, stderr }));
  });
}

test('xrfmaps info --json: format, shape, dtype, calibration and its source; human text without --json', async () => {
  await withTempDir(async (dir) => {
    const rpl = await writeRpl(dir, 'scan', testValues(3, 4, 50), 3, 4, 50, { dtype: 'u4', extra: ['depthscaleorigin -0.9', 'depthscaleincrement 0.02'] });
    const r = await cli(['info', rpl, '--json']);
    assert.equal(r.code, 0, r.stderr);
    assert.deepEqual(JSON.parse(r.stdout), { format: 'rpl', shape: [3, 4, 50], dtype: 'u4', calibration: { offsetKeV: -0.9, gainKeV: 0.02 }, calibrationSource: 'file' });

    const npy = path.join(dir, 'p.npy');
    await fs.writeFile(npy, npyOf(testValues(2, 3, 40), 2, 3, 40, 'f4'));
    const r2 = await cli(['info', npy, '--json', '--offset-kev', '0.1', '--gain-kev', '0.03']);
    assert.equal(r2.code, 0, r2.stderr);
    assert.deepEqual(JSON.parse(r2.stdout), { format: 'npy', shape: [2, 3, 40], dtype: 'f4', calibration: { offsetKeV: 0.1, gainKeV: 0.03 }, calibrationSource: 'settings' });
    const human = await cli(['info', npy]);
    assert.equal(human.code, 0);
    assert.match(human.stdout, /2 × 3 pixels × 40 channels/);
    assert.match(human.stdout, /from default/);
  });
});

test('xrfmaps info: bad input exits 1 naming the file and the problem; usage errors exit 2', async () => {
  await withTempDir(async (dir) => {
    const fake = path.join(dir, 'fake.h5');
    await fs.writeFile(fake, 'plain text');
    const r = await cli(['info', fake, '--json']);
    assert.equal(r.code, 1);
    assert.equal(r.stdout, '');
    assert.match(r.stderr, new RegExp(`xrfmaps info: ${fake.replace(/[.]/g, '\\.')}: not an HDF5 file`));
    const missing = await cli(['info', path.join(dir, 'nope.rpl')]);
    assert.equal(missing.code, 1);
    assert.match(missing.stderr, /nope\.rpl: file not found/);
    assert.equal((await cli(['info'])).code, 2);
    assert.equal((await cli(['info', fake, '--bogus'])).code, 1);
  });
});

test('xrfmaps maps: float32 H×W×n in the given order with a lines sidecar; refuses to overwrite; bad input exits 1', async () => {
  await withTempDir(async (dir) => {
    const H = 4, W = 5, C = 1024;
    const v = testValues(H, W, C);
    const scan = path.join(dir, 'painting.npy');
    await fs.writeFile(scan, npyOf(v, H, W, C, 'u2'));
    const out = path.join(dir, 'out', 'maps.npy');
    const env = { XDG_CACHE_HOME: path.join(dir, 'xdg') };
    const r = await cli(['maps', scan, '--out', out, '--lines', 'Pb L, fe_k', '--gain-kev', '0.0125'], env);
    assert.equal(r.code, 0, r.stderr);
    assert.match(r.stderr, /maps: 100 %/);
    const maps = await readNpy(out);
    assert.deepEqual(maps.header.shape, [H, W, 2]);
    assert.equal(maps.header.descr, '<f4');
    assert.deepEqual(JSON.parse(await fs.readFile(path.join(dir, 'out', 'maps.json'), 'utf8')).lines, ['Pb L', 'Fe K']);
    const cube = await openCube(scan);
    const ref = await aggregateScan(cube, windowsForLines(['Pb L', 'Fe K'], { offsetKeV: 0, gainKeV: 0.0125 }, C));
    await cube.close();
    for (let p = 0; p < H * W; p++) {
      assert.equal(maps.data[p * 2], ref.roiMaps[0][p]);
      assert.equal(maps.data[p * 2 + 1], ref.roiMaps[1][p]);
    }
    assert.equal((await fs.readdir(path.join(dir, 'xdg', 'xrfmaps'))).length, 1, 'the summary went to the CLI cache');

    const again = await cli(['maps', scan, '--out', out], env);
    assert.equal(again.code, 1);
    assert.match(again.stderr, /already exists/);
    const all = await cli(['maps', scan, '--out', out, '--force', '--no-cache'], env);
    assert.equal(all.code, 0, all.stderr);
    assert.deepEqual((await readNpy(out)).header.shape, [H, W, DEFAULT_LINES.length]);

    const raw = await writeRpl(dir, 'cut', v, H, W, C);
    await fs.truncate(path.join(dir, 'cut.raw'), 100);
    const bad = await cli(['maps', raw, '--out', path.join(dir, 'x.npy')], env);
    assert.equal(bad.code, 1);
    assert.match(bad.stderr, /cut\.raw: file is truncated/);
    await assert.rejects(fs.access(path.join(dir, 'x.npy')), 'nothing written');
    const lines = await cli(['maps', scan, '--out', path.join(dir, 'y.npy'), '--lines', 'Fe K,Qq K'], env);
    assert.equal(lines.code, 1);
    assert.match(lines.stderr, /Qq K/);
    assert.equal((await cli(['maps', scan], env)).code, 2, 'no --out: usage');
  });
});

test('xrfmaps maps: when the maps cannot land, the sidecar that was there is put back and no temporary file is left', async () => {
  await withTempDir(async (dir) => {
    const H = 3, W = 4, C = 1024;
    const scan = path.join(dir, 'painting.npy');
    await fs.writeFile(scan, npyOf(testValues(H, W, C), H, W, C, 'u2'));
    const outDir = path.join(dir, 'out');
    // A folder in the output's place makes the final rename fail after the sidecar has been merged.
    const out = path.join(outDir, 'maps.npy');
    await fs.mkdir(out, { recursive: true });
    const mine = '{ "note": "the user\'s own" }\n';
    await fs.writeFile(path.join(outDir, 'maps.json'), mine);
    const r = await cli(['maps', scan, '--out', out, '--force', '--no-cache', '--lines', 'Fe K'], { XDG_CACHE_HOME: path.join(dir, 'xdg') });
    assert.equal(r.code, 1, r.stderr);
    assert.equal(await fs.readFile(path.join(outDir, 'maps.json'), 'utf8'), mine);
    assert.deepEqual((await fs.readdir(outDir)).sort(), ['maps.json', 'maps.npy']);
    assert.deepEqual(await fs.readdir(out), []);
  });
});
