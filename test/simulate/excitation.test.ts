import { test } from 'node:test';
import assert from 'node:assert/strict';
import { excitationBins, scatterTents } from '../../src/core/simulate/excitation';
import { rhTubeSpectrum } from '../../src/core/physics/tube';

test('excitation bins hold all the tube photons above 1 keV, Rh lines kept as lines', () => {
  const tube = rhTubeSpectrum(50);
  const bins = excitationBins(50);
  const total = tube.weights.reduce((a, w, i) => a + (tube.energiesKeV[i] > 1 ? w : 0), 0);
  const binned = bins.reduce((a, b) => a + b.w, 0);
  assert.ok(Math.abs(binned - total) < 1e-9 * total);
  const rhKa = bins.find((b) => b.line && Math.abs(b.e - 20.2) < 0.2);
  assert.ok(rhKa, 'Rh Kα is a line bin');
  for (let i = 1; i < bins.length; i++) if (!bins[i].line && !bins[i - 1].line) assert.ok(bins[i].e > bins[i - 1].e);
});

test('scatter tents conserve photons and split each grid point between neighbouring centres', () => {
  const bins = excitationBins(50);
  const tents = scatterTents(bins);
  const before = bins.reduce((a, b) => a + b.w, 0);
  const after = tents.reduce((a, t) => a + t.reduce((s, [, w]) => s + w, 0), 0);
  assert.ok(Math.abs(after - before) < 1e-9 * before);
  // A grid point between two centres appears in both, with weights in proportion to proximity.
  const cont = bins.map((b, i) => ({ b, i })).filter(({ b }) => !b.line);
  const [a, c] = [cont[3], cont[4]];
  const e = (a.b.e + c.b.e) / 2;
  const near = (t: [number, number][]) => t.filter(([x]) => Math.abs(x - e) < 0.051);
  assert.ok(near(tents[a.i]).length > 0 && near(tents[c.i]).length > 0);
});
