import { test } from 'node:test';
import assert from 'node:assert/strict';
import {
  massAttenuation,
  photoCrossSection,
  rayleigh,
  compton,
  familyProductionCrossSection,
  elementDensity,
  atomicWeight,
  edgeEnergy,
  compoundMassAttenuation,
} from '../../src/core/physics/xs';
import golden from './golden/xraylib-golden.json';

const FN = { total: massAttenuation, photo: photoCrossSection, rayleigh, compton } as const;

test('cross sections at off-grid energies match the committed xraylib values within 1 %', () => {
  let worst = 0;
  for (const g of golden.attenuation) {
    for (const k of Object.keys(FN) as (keyof typeof FN)[]) {
      const got = FN[k](g.Z, g.E);
      const rel = Math.abs(got / g[k] - 1);
      worst = Math.max(worst, rel);
      assert.ok(rel < 0.01, `Z=${g.Z} E=${g.E} ${k}: ${got} vs xraylib ${g[k]}`);
    }
  }
  assert.ok(worst > 0, 'interpolation is not exact at off-grid energies (the check is live)');
});

test('total attenuation is the sum of its parts', () => {
  for (const z of [6, 26, 82]) {
    for (const e of [2.2, 7.5, 25]) {
      const parts = photoCrossSection(z, e) + rayleigh(z, e) + compton(z, e);
      assert.ok(Math.abs(parts / massAttenuation(z, e) - 1) < 0.01);
    }
  }
});

test('absorption edges are sharp: the Fe K jump and the Pb L3 jump', () => {
  const feK = edgeEnergy('Fe', 'K')!;
  assert.ok(Math.abs(feK - 7.112) < 0.002);
  const jump = massAttenuation('Fe', feK + 0.001) / massAttenuation('Fe', feK - 0.001);
  assert.ok(jump > 6 && jump < 10, `Fe K jump ${jump}`);
  const pbL3 = edgeEnergy(82, 'L3')!;
  const pbJump = massAttenuation(82, pbL3 + 0.001) / massAttenuation(82, pbL3 - 0.001);
  assert.ok(pbJump > 2 && pbJump < 3.5, `Pb L3 jump ${pbJump}`);
});

test('family production cross sections match xraylib and vanish below the edge', () => {
  for (const g of golden.production) {
    const got = familyProductionCrossSection(g.Z, g.family as 'K' | 'L' | 'M', g.E);
    assert.ok(Math.abs(got / g.cs - 1) < 0.01, `Z=${g.Z} ${g.family} at ${g.E} keV: ${got} vs ${g.cs}`);
  }
  assert.equal(familyProductionCrossSection('Fe', 'K', 7.0), 0);
  assert.ok(familyProductionCrossSection('Fe', 'K', 7.2) > 0);
  assert.equal(familyProductionCrossSection('Pb', 'L', 13.0), 0); // below the Pb L3 edge (13.04 keV)
  assert.equal(familyProductionCrossSection('Pb', 'K', 50), 0); // Pb K edge is 88 keV
  assert.throws(() => familyProductionCrossSection('O', 'K', 10), /no K-line production data for O/);
  assert.throws(() => familyProductionCrossSection('Fe', 'M', 10), /no M-line production data for Fe/);
});

test('densities, atomic weights and bad arguments', () => {
  assert.ok(Math.abs(elementDensity('Fe') - 7.874) < 0.01);
  assert.ok(Math.abs(elementDensity('Pb') - 11.35) < 0.05);
  assert.ok(Math.abs(atomicWeight('O') - 16.0) < 0.01);
  assert.ok(Math.abs(atomicWeight(92) - 238.03) < 0.05);
  assert.throws(() => massAttenuation(93, 10), /outside 1\.\.92/);
  assert.throws(() => massAttenuation('Fe', -1), /positive finite/);
  assert.throws(() => massAttenuation('Fe', NaN), /positive finite/);
  // Mixture rule: lead white-ish PbO (Pb 0.928, O 0.072).
  const mix = compoundMassAttenuation({ Pb: 0.928, O: 0.072 }, 10);
  assert.ok(Math.abs(mix - (0.928 * massAttenuation('Pb', 10) + 0.072 * massAttenuation(8, 10))) < 1e-9);
});
