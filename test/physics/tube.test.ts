import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { rhTubeSpectrum } from '../../src/core/physics/tube';

// PyMca5 5.8.0 XRayTubeEbel (an independent implementation of Ebel 1999) for a Rh anode at 40 kV,
// 90° electron incidence, 20° take-off, 125 µm Be (1.848 g/cm³):
// continuumEbel(['Rh', 12.41, 0.1], 40, E, window=['Be', 1.848, 0.0125], alphae=90, alphax=20)
const PYMCA_CONTINUUM: [number, number][] = [
  [2, 2.7663931e10],
  [5, 9.9792521e10],
  [10, 1.3711566e11],
  [15, 9.2287387e10],
  [20, 5.8602931e10],
  [30, 1.9665647e10],
  [38, 3.3256493e9],
];
// characteristicEbel(...) with the same arguments: Rh KL2, KL3, KM2, KM3.
const PYMCA_K_LINES: Record<string, number> = { KA2: 7.9198258e10, KA1: 1.5009111e11, KB3: 1.3726720e10, KB1: 2.6745421e10 };

/** Continuum density (photons/(s·sr·mA·keV)) at E, from a narrow bin. */
function density(kV: number, e: number): number {
  const s = rhTubeSpectrum(kV, [e - 0.01, e, e + 0.01], { lLines: false });
  return s.weights[1] / 0.01;
}

test('continuum and Rh K lines agree with PyMca\'s Ebel model (committed golden values)', () => {
  for (const [e, want] of PYMCA_CONTINUUM) {
    const got = density(40, e);
    assert.ok(Math.abs(got / want - 1) < 0.02, `continuum at ${e} keV: ${got} vs PyMca ${want}`);
  }
  const s = rhTubeSpectrum(40);
  for (const [label, want] of Object.entries(PYMCA_K_LINES)) {
    const got = s.lines.find((l) => l.label === `Rh ${label}`)!.weight;
    assert.ok(Math.abs(got / want - 1) < 0.1, `Rh ${label}: ${got} vs PyMca ${want}`);
  }
});

const PYMCA_SKIP =
  spawnSync('/usr/bin/python3', ['-c', 'from PyMca5.PyMcaPhysics.xrf import XRayTubeEbel'], { encoding: 'utf8' }).status === 0
    ? undefined
    : 'PyMca5 not importable by /usr/bin/python3';

test('continuum agrees with live PyMca at 25 and 50 kV (optional)', { skip: PYMCA_SKIP }, () => {
  for (const kV of [25, 50]) {
    const energies = [1.5, 3.3, 7.1, 12.9, 19.5, kV - 2];
    const r = spawnSync(
      '/usr/bin/python3',
      ['-c', `import json, sys
from PyMca5.PyMcaPhysics.xrf import XRayTubeEbel as X
a = json.loads(sys.argv[1])
print(json.dumps([float(v) for v in X.continuumEbel(['Rh', 12.41, 0.1], a['kV'], a['e'], window=['Be', 1.848, 0.0125], alphae=90, alphax=20)]))`,
        JSON.stringify({ kV, e: energies })],
      { encoding: 'utf8' },
    );
    assert.equal(r.status, 0, r.stderr);
    const ref = JSON.parse(r.stdout) as number[];
    energies.forEach((e, i) => assert.ok(Math.abs(density(kV, e) / ref[i] - 1) < 0.02, `${kV} kV, ${e} keV: ${density(kV, e)} vs ${ref[i]}`));
  }
});

test('Rh tube at 40 kV: continuum below kV, Rh K and L lines, Kα1 ≈ 2·Kα2', () => {
  const s = rhTubeSpectrum(40);
  assert.equal(s.energiesKeV.length, s.continuumPoints + s.lines.length);
  const cont = Array.from(s.weights.subarray(0, s.continuumPoints));
  for (const w of cont) assert.ok(w >= 0 && Number.isFinite(w));
  // Zero at and above the tube voltage (Duane-Hunt limit).
  for (let i = 0; i < s.continuumPoints; i++) if (s.energiesKeV[i] >= 40) assert.equal(s.weights[i], 0);
  // Above the Rh L edges (3.0–3.4 keV, where the continuum spikes just below each edge) it peaks at mid
  // energies: low energies are absorbed by anode and window, high ones fall off.
  const firstAbove = s.energiesKeV.findIndex((e) => e > 3.5);
  const k = firstAbove + cont.slice(firstAbove).indexOf(Math.max(...cont.slice(firstAbove)));
  const peak = s.energiesKeV[k];
  assert.ok(peak > 5 && peak < 20, `continuum peaks at ${peak} keV`);
  assert.ok(cont[cont.length - 1] < cont[k] / 20);
  const ka1 = s.lines.find((l) => l.label === 'Rh KA1')!;
  const ka2 = s.lines.find((l) => l.label === 'Rh KA2')!;
  assert.ok(Math.abs(ka1.energyKeV - 20.216) < 0.002);
  assert.ok(Math.abs(ka1.weight / ka2.weight - 1.9) < 0.2);
  assert.ok(s.lines.some((l) => l.label === 'Rh LA1'));
  // The Kα lines carry about as many photons as 0.5–5 keV of continuum around them (Ebel's ratio).
  const contPerKeV = cont[Math.round((20.2 - 1.05) / 0.1)] / 0.1;
  const ratio = (ka1.weight + ka2.weight) / contPerKeV;
  assert.ok(ratio > 0.5 && ratio < 5, `Kα over continuum ${ratio} keV`);
});

test('no Rh K lines below the Rh K edge (23.2 keV); the harder continuum grows with voltage', () => {
  const low = rhTubeSpectrum(20);
  assert.ok(!low.lines.some((l) => l.label.startsWith('Rh K')));
  assert.ok(low.lines.some((l) => l.label.startsWith('Rh L')));
  // Above ~10 keV; lower down, deeper electron penetration at higher kV raises anode self-absorption
  // about as fast as the Kramers factor grows (Ebel's model at a 20° take-off).
  const grid = [10, 15, 20];
  const a = rhTubeSpectrum(30, grid).weights;
  const b = rhTubeSpectrum(50, grid).weights;
  for (let i = 0; i < grid.length; i++) assert.ok(b[i] > a[i]);
});

test('a thicker Be window cuts low energies more than high ones', () => {
  const grid = [2, 20];
  const thin = rhTubeSpectrum(40, grid, { beWindowUm: 50 }).weights;
  const thick = rhTubeSpectrum(40, grid, { beWindowUm: 500 }).weights;
  assert.ok(thick[0] / thin[0] < 0.5 * (thick[1] / thin[1]));
  assert.throws(() => rhTubeSpectrum(0.5), /1–100 kV/);
  assert.throws(() => rhTubeSpectrum(40, [5, 4]), /ascending/);
});
