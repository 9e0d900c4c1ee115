/**
 * Ground-truth readers against output written by PyMca's own batch-fit writer
 * (test/fixtures/metrics/pymca, made by make_pymca_fixture.py with PyMca5 XRFBatchFitOutput.OutputBuffer):
 * CSV, per-family EDF, per-family TIFF and HDF5 must all give the same maps and uncertainties.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { promises as fs } from 'node:fs';
import * as path from 'node:path';
import { readGroundTruth } from '../../src/core/groundtruth/read';
import type { MapStack } from '../../src/core/groundtruth/groundtruth';
import { spawnSync } from 'node:child_process';
import { pythonHas, withTempDir } from './helpers';

const DIR = path.join(__dirname, '..', 'fixtures', 'metrics', 'pymca');

interface Expected {
  height: number;
  width: number;
  lines: string[];
  maps: number[][];
  uncertainties: number[][];
}

function checkAgainst(s: MapStack, exp: Expected, rel: number, what: string): void {
  assert.deepEqual(s.lines, exp.lines, `${what}: lines`);
  assert.equal(s.height, exp.height);
  assert.equal(s.width, exp.width);
  const near = (a: number, b: number, w: string) =>
    assert.ok(Math.abs(a - b) <= rel * Math.max(1e-3, Math.abs(b)), `${what} ${w}: ${a} vs ${b}`);
  exp.maps.forEach((m, k) => m.forEach((v, i) => near(s.maps[k][i], v, `${exp.lines[k]}[${i}]`)));
  assert.ok(s.uncertainties, `${what}: uncertainties attached`);
  exp.uncertainties.forEach((m, k) => m.forEach((v, i) => near(s.uncertainties![k]![i], v, `s(${exp.lines[k]})[${i}]`)));
}

async function expected(dir = DIR): Promise<Expected> {
  return JSON.parse(await fs.readFile(path.join(dir, 'expected.json'), 'utf8'));
}

test('PyMca CSV: families, s(…) as uncertainties, w(…)/Scatter/chisq reported as ignored', async () => {
  const s = await readGroundTruth(path.join(DIR, 'IMAGES', 'scan1.csv'));
  // %g keeps 6 significant digits.
  checkAgainst(s, await expected(), 1e-5, 'csv');
  assert.deepEqual(
    [...(s.ignored ?? [])].sort(),
    ['Scatter_Compton000', 'chisq', 'w(Ca_K)', 'w(Fe_K)', 'w(Pb_L)', 's(Scatter_Compton000)'].sort(),
  );
});

test('PyMca EDF: one file opens the whole fit (its <entry>_*.edf siblings); the folder too', async () => {
  const exp = await expected();
  for (const p of [path.join(DIR, 'IMAGES', 'scan1_Fe_K.edf'), path.join(DIR, 'IMAGES', 'scan1_sPb_L.edf')]) {
    const s = await readGroundTruth(p);
    checkAgainst(s, exp, 0, path.basename(p));
    assert.ok(s.ignored?.includes('chisq'));
    assert.ok(s.ignored?.includes('w(Ca_K)'));
  }
  // The folder holds both EDF and TIFF: EDF wins, as documented.
  checkAgainst(await readGroundTruth(path.join(DIR, 'IMAGES')), exp, 0, 'folder');
});

test('PyMca per-family TIFF files read like the EDFs', async () => {
  const s = await readGroundTruth(path.join(DIR, 'IMAGES', 'scan1_Ca_K.tif'));
  checkAgainst(s, await expected(), 0, 'tif');
});

test('PyMca HDF5: /<entry>/xrf_fit/results/parameters with uncertainties; scatter parameters ignored', async () => {
  const exp = await expected();
  const s = await readGroundTruth(path.join(DIR, 'root.h5'));
  checkAgainst(s, exp, 0, 'h5');
  assert.deepEqual(s.ignored, ['Scatter_Compton000']);
  checkAgainst(await readGroundTruth(path.join(DIR, 'root.h5') + '::/scan1'), exp, 0, 'h5::/scan1');
  checkAgainst(await readGroundTruth(path.join(DIR, 'root.h5') + '::/scan1/xrf_fit/results/parameters'), exp, 0, 'h5::params');
});

test('readers agree with PyMca freshly installed (regenerates the fixture; optional)', { skip: pythonHas('PyMca5', 'numpy') ? false : '/usr/bin/python3 lacks PyMca5 (apt python3-pymca5)' }, async () => {
  await withTempDir(async (dir) => {
    const r = spawnSync('/usr/bin/python3', [path.join(DIR, 'make_pymca_fixture.py'), dir], { encoding: 'utf8' });
    assert.equal(r.status, 0, r.stderr);
    const exp = await expected(dir);
    checkAgainst(await readGroundTruth(path.join(dir, 'IMAGES', 'scan1.csv')), exp, 1e-5, 'live csv');
    checkAgainst(await readGroundTruth(path.join(dir, 'IMAGES', 'scan1_Fe_K.edf')), exp, 0, 'live edf');
    checkAgainst(await readGroundTruth(path.join(dir, 'IMAGES', 'scan1_Fe_K.tif')), exp, 0, 'live tif');
    checkAgainst(await readGroundTruth(path.join(dir, 'root.h5')), exp, 0, 'live h5');
  });
});
