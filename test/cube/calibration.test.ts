import { test } from 'node:test';
import assert from 'node:assert/strict';
import { promises as fs } from 'node:fs';
import * as path from 'node:path';
import { createHash } from 'node:crypto';
import { openCube } from '../../src/core/cube/open';
import { resolveCalibration, sidecarPath, writeCalibrationSidecar } from '../../src/core/cube/calibration';
import { DEFAULT_CALIBRATION } from '../../src/core/cube/cube';
import { XrfInputError } from '../../src/core/errors';
import { npyOf, readBytes, testValues, withTempDir, writeRpl } from './writers';

const sha = async (f: string) => createHash('sha256').update(await readBytes(f)).digest('hex');

test('sidecarPath: painting.npy → painting.json, scan.rpl → scan.json', () => {
  assert.equal(sidecarPath('/a/b/painting.npy'), '/a/b/painting.json');
  assert.equal(sidecarPath('/a/scan.rpl'), '/a/scan.json');
  assert.equal(sidecarPath('rel/x.y.h5'), path.join('rel', 'x.y.json'));
});

test('resolveCalibration: file, else sidecar, else settings, else default — and says which', async () => {
  await withTempDir(async (dir) => {
    const v = testValues(2, 2, 8);
    const npy = path.join(dir, 'painting.npy');
    await fs.writeFile(npy, npyOf(v, 2, 2, 8, 'u2'));
    const cube = await openCube(npy);
    assert.deepEqual(await resolveCalibration(cube), { ...DEFAULT_CALIBRATION, source: 'default' });
    assert.deepEqual(await resolveCalibration(cube, { offsetKeV: 0.1, gainKeV: 0.02 }), { offsetKeV: 0.1, gainKeV: 0.02, source: 'settings' });
    // The simulator's sidecar carries other keys too; they are ignored.
    await fs.writeFile(path.join(dir, 'painting.json'), JSON.stringify({ lines: ['Fe K'], calibration: { offsetKeV: -0.01, gainKeV: 0.0105 } }));
    assert.deepEqual(await resolveCalibration(cube, { offsetKeV: 0.1, gainKeV: 0.02 }), { offsetKeV: -0.01, gainKeV: 0.0105, source: 'sidecar' });
    await cube.close();

    const rpl = await writeRpl(dir, 'bruker', v, 2, 2, 8, { extra: ['depthscaleorigin\t-0.5', 'depthscaleincrement\t0.01', 'depthscaleunits\tkeV'] });
    await fs.writeFile(path.join(dir, 'bruker.json'), JSON.stringify({ calibration: { offsetKeV: 9, gainKeV: 9 } }));
    const rc = await openCube(rpl);
    assert.deepEqual(await resolveCalibration(rc), { offsetKeV: -0.5, gainKeV: 0.01, source: 'file' }, 'the file wins over a sidecar it did not write');
    await rc.close();
  });
});

test('writeCalibrationSidecar: merges into the sidecar atomically, wins over the file, never touches the scan', async () => {
  await withTempDir(async (dir) => {
    const v = testValues(2, 2, 8);
    const rpl = await writeRpl(dir, 'scan', v, 2, 2, 8, { extra: ['depth-origin\t0', 'depth-scale\t20', 'depth-units\teV'] });
    const raw = path.join(dir, 'scan.raw');
    const before = [await sha(rpl), await sha(raw)];
    await fs.writeFile(path.join(dir, 'scan.json'), JSON.stringify({ lines: ['Fe K', 'Pb L'], note: 'keep me' }));
    const cube = await openCube(rpl);
    assert.equal((await resolveCalibration(cube)).source, 'file');
    const written = await writeCalibrationSidecar(rpl, { offsetKeV: 0.03, gainKeV: 0.0199 });
    assert.equal(written, path.join(dir, 'scan.json'));
    const json = JSON.parse(await fs.readFile(written, 'utf8'));
    assert.deepEqual(json.lines, ['Fe K', 'Pb L']);
    assert.equal(json.note, 'keep me');
    assert.deepEqual(json.calibration, { offsetKeV: 0.03, gainKeV: 0.0199 });
    assert.deepEqual(await resolveCalibration(cube), { offsetKeV: 0.03, gainKeV: 0.0199, source: 'sidecar' }, "the user's edit wins");
    assert.deepEqual([await sha(rpl), await sha(raw)], before, 'scan files unchanged');
    assert.deepEqual((await fs.readdir(dir)).sort(), ['scan.json', 'scan.raw', 'scan.rpl'], 'no temporary files left');
    await cube.close();
    await assert.rejects(writeCalibrationSidecar(rpl, { offsetKeV: 0, gainKeV: 0 }), RangeError);
    await assert.rejects(writeCalibrationSidecar(rpl, { offsetKeV: NaN, gainKeV: 0.01 }), RangeError);
  });
});

test('a broken sidecar is an input error naming the sidecar, and is not overwritten', async () => {
  await withTempDir(async (dir) => {
    const npy = path.join(dir, 'p.npy');
    await fs.writeFile(npy, npyOf(testValues(2, 2, 8), 2, 2, 8, 'u2'));
    const side = path.join(dir, 'p.json');
    const cube = await openCube(npy);
    for (const [text, problem] of [['{not json', /not valid JSON/], ['[1, 2]', /JSON object/], ['{"calibration": {"offsetKeV": 0, "gainKeV": -1}}', /gainKeV/]] as const) {
      await fs.writeFile(side, text);
      await assert.rejects(resolveCalibration(cube), (e: unknown) => e instanceof XrfInputError && e.file === side && problem.test(e.problem));
    }
    await fs.writeFile(side, '{not json');
    await assert.rejects(writeCalibrationSidecar(npy, { offsetKeV: 0, gainKeV: 0.01 }), XrfInputError);
    assert.equal(await fs.readFile(side, 'utf8'), '{not json');
    await cube.close();
  });
});
