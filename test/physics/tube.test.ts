import { test } from 'node:test';
import assert from 'node:assert/strict';
import { rhTubeSpectrum } from '../../src/core/physics/tube';

test('Rh tube at 40 kV: continuum below kV, Rh K and L lines, Kα1 ≈ 2·Kα2', () => {
  const s = rhTubeSpectrum(40);
  assert.equal(s.energiesKeV.length, s.continuumPoints + s.lines.length);
  const cont = Array.from(s.weights.subarray(0, s.continuumPoints));
  for (const w of cont) assert.ok(w >= 0 && Number.isFinite(w));
  // Zero at and above the tube voltage (Duane-Hunt limit).
  for (let i = 0; i < s.continuumPoints; i++) if (s.energiesKeV[i] >= 40) assert.equal(s.weights[i], 0);
  // The continuum peaks at mid energies: low energies absorbed by anode and window, high ones fall off.
  const k = cont.indexOf(Math.max(...cont));
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
