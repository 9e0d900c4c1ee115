/** The simulator's ground truth (NPY + sidecar and PyMca CSV/EDF) reads back as one and the same stack. */
import { test } from 'node:test';
import * as path from 'node:path';
import assert from 'node:assert/strict';
import { simulatePreset } from '../../src/core/simulate/simulate';
import { readGroundTruth } from '../../src/core/groundtruth/read';
import { evaluate } from '../../src/core/metrics';
import { withTempDir } from './helpers';

test("simulated paintings' ground truth in every layout gives the same maps", async () => {
  await withTempDir(async (dir) => {
    const manifest = await simulatePreset('tiny', { outDir: dir, seed: 3, scale: 0.5 });
    const p = manifest.paintings[0];
    // Manifest paths are relative to the output folder.
    const at = (rel: string) => path.resolve(dir, rel);
    const npy = await readGroundTruth(at(p.groundTruth.npy));
    const csv = await readGroundTruth(at(p.groundTruth.pymcaCsv));
    const edf = await readGroundTruth(at(p.groundTruth.pymcaEdf[0]));
    assert.deepEqual(csv.lines, npy.lines);
    assert.deepEqual([...edf.lines].sort(), [...npy.lines].sort());
    for (const s of [csv, edf]) {
      assert.equal(s.height, npy.height);
      assert.equal(s.width, npy.width);
      for (const line of npy.lines) {
        const a = npy.maps[npy.lines.indexOf(line)];
        const b = s.maps[s.lines.indexOf(line)];
        for (let i = 0; i < a.length; i++) assert.ok(Math.abs(a[i] - b[i]) <= 1e-5 * Math.max(1, Math.abs(a[i])), `${line}[${i}]`);
      }
    }
    // Evaluating the truth against itself in another layout is (numerically) perfect.
    const rep = evaluate(csv, npy);
    for (const l of rep.lines) {
      const f = rep.families[l];
      assert.ok(f.ssim > 0.999999, `${l} ssim ${f.ssim}`);
      assert.equal(f.z.le1, 1);
    }
  });
});
