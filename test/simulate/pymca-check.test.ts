/**
 * Independent check (optional): PyMca's fast linear fit of the tiny paintings agrees with the
 * simulator's ground truth. Runs scripts/check_sim_with_pymca.py; skipped when /usr/bin/python3 lacks
 * PyMca5.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { promises as fs, existsSync } from 'node:fs';
import { execFile, execFileSync } from 'node:child_process';
import { promisify } from 'node:util';
import * as os from 'node:os';
import * as path from 'node:path';
import { simulatePreset } from '../../src/core/simulate/index';

const python = '/usr/bin/python3';
function hasPyMca(): boolean {
  if (!existsSync(python)) return false;
  try {
    execFileSync(python, ['-c', 'import numpy, PyMca5.PyMcaPhysics.xrf.FastXRFLinearFit'], { stdio: 'ignore' });
    return true;
  } catch {
    return false;
  }
}

interface LineResult {
  pearson?: number;
  slope?: number;
  meanTruth?: number;
}

test('PyMca fast linear fit agrees with the ground truth (r > 0.9 for major lines)', { skip: hasPyMca() ? false : 'needs /usr/bin/python3 with PyMca5 (Debian python3-pymca5)', timeout: 300_000 }, async () => {
  const dir = await fs.mkdtemp(path.join(os.tmpdir(), 'xrf-pymca-check-'));
  try {
    const manifest = await simulatePreset('tiny', { outDir: path.join(dir, 'sim'), workers: 0 });
    const json = path.join(dir, 'check.json');
    const script = path.resolve(__dirname, '..', '..', 'scripts', 'check_sim_with_pymca.py');
    await promisify(execFile)(python, [script, path.join(dir, 'sim'), '--json', json]);
    const { results } = JSON.parse(await fs.readFile(json, 'utf8')) as { results: { painting: string; lines: Record<string, LineResult> }[] };
    assert.equal(results.length, manifest.paintings.length);
    let checked = 0;
    for (const r of results) {
      const p = manifest.paintings.find((x) => x.name === r.painting)!;
      const truth = await readTruth(path.join(dir, 'sim', p.groundTruth.npy), p.height * p.width, p.lines.length);
      for (const [j, line] of p.lines.entries()) {
        const e = r.lines[line];
        // Major: on average ≥ 20 counts, and a map whose spatial contrast is well above counting noise
        // (std ≥ 3·√mean): for flatter maps, Pearson r measures the noise rather than the agreement.
        const map = Float64Array.from({ length: p.height * p.width }, (_, i) => truth[i * p.lines.length + j]);
        const mean = map.reduce((a, b) => a + b, 0) / map.length;
        const std = Math.sqrt(map.reduce((a, b) => a + (b - mean) ** 2, 0) / map.length);
        if (!(mean >= 20 && std >= 3 * Math.sqrt(mean))) continue;
        assert.ok(e?.pearson !== undefined, `${p.name} ${line}: fitted`);
        assert.ok(e.pearson! > 0.9, `${p.name} ${line}: r = ${e.pearson}`);
        assert.ok(e.slope! > 0.8 && e.slope! < 1.25, `${p.name} ${line}: PyMca/truth slope ${e.slope}`);
        checked++;
      }
    }
    assert.ok(checked >= 15, `checked ${checked} major maps`);
  } finally {
    await fs.rm(dir, { recursive: true, force: true });
  }
});

async function readTruth(file: string, pixels: number, k: number): Promise<Float32Array> {
  const buf = await fs.readFile(file);
  const headerLen = 10 + buf.readUInt16LE(8);
  const out = new Float32Array(buf.buffer.slice(buf.byteOffset + headerLen, buf.byteOffset + buf.byteLength));
  assert.equal(out.length, pixels * k);
  return out;
}
