/** The project's own readers (src/core/cube, src/core/groundtruth) open everything the simulator writes. */
import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import { promises as fs } from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { simulatePreset, PRESETS } from '../../src/core/simulate/index';
import { openCube } from '../../src/core/cube/open';
import { resolveCalibration } from '../../src/core/cube/calibration';
import { readGroundTruth } from '../../src/core/groundtruth/read';

const roots: string[] = [];
after(async () => {
  for (const d of roots) await fs.rm(d, { recursive: true, force: true });
});

test('scans in all three formats open with openCube, with the same counts and the file/sidecar calibration', async () => {
  const pixels: Float32Array[] = [];
  for (const format of ['rpl', 'npy', 'hdf5'] as const) {
    const d = await fs.mkdtemp(path.join(os.tmpdir(), `xrf-sim-${format}-`));
    roots.push(d);
    const m = await simulatePreset('tiny', { outDir: d, workers: 0, only: ['tiny4'], format, seed: 3 });
    const p = m.paintings[0];
    const cube = await openCube(path.join(d, p.scan.path));
    try {
      assert.equal(cube.height, p.height);
      assert.equal(cube.width, p.width);
      assert.equal(cube.channels, p.channels);
      const cal = await resolveCalibration(cube);
      assert.equal(cal.offsetKeV, 0);
      assert.equal(cal.gainKeV, PRESETS.tiny.calibration.gainKeV);
      assert.equal(cal.source, format === 'npy' ? 'sidecar' : 'file');
      const px = await cube.readPixel(7, 9);
      assert.ok(px.reduce((a, b) => a + b, 0) > 100);
      pixels.push(px);
    } finally {
      await cube.close();
    }
  }
  assert.deepEqual([...pixels[1]], [...pixels[0]]);
  assert.deepEqual([...pixels[2]], [...pixels[0]]);
});

test('ground truth reads back the same from NPY, PyMca CSV and PyMca EDF', async () => {
  const d = await fs.mkdtemp(path.join(os.tmpdir(), 'xrf-sim-gt-'));
  roots.push(d);
  const m = await simulatePreset('tiny', { outDir: d, workers: 0, only: ['tiny1'] });
  const p = m.paintings[0];
  const npy = await readGroundTruth(path.join(d, p.groundTruth.npy));
  const csv = await readGroundTruth(path.join(d, p.groundTruth.pymcaCsv));
  const edf = await readGroundTruth(path.join(d, p.groundTruth.pymcaEdf.find((f) => f.endsWith('_Fe_K.edf'))!));
  for (const s of [npy, csv, edf]) {
    assert.equal(s.height, p.height);
    assert.equal(s.width, p.width);
    assert.deepEqual(s.lines, p.lines);
  }
  for (let j = 0; j < p.lines.length; j++) {
    for (let i = 0; i < p.height * p.width; i++) {
      const v = npy.maps[j][i];
      assert.equal(edf.maps[j][i], v);
      assert.ok(Math.abs(csv.maps[j][i] - v) <= 1e-5 * Math.abs(v), `${p.lines[j]} pixel ${i}: ${csv.maps[j][i]} vs ${v}`);
    }
  }
  assert.ok(csv.uncertainties?.[5], 'the CSV carries s(…) columns');
});
