import { test } from 'node:test';
import assert from 'node:assert/strict';
import { lineFamilyLines, hasLineFamily, atomicNumber, alphaGroup, lineFamilyReferenceKeV } from '../../src/core/physics';
import golden from './golden/xraylib-golden.json';

// Independent reference energies (keV): Bearden, Rev. Mod. Phys. 39 (1967) 78 / Deslattes et al. (2003).
const LITERATURE_KEV: Record<string, Record<string, number>> = {
  'Fe K': { KA1: 6.40384, KA2: 6.39084, KB1: 7.05798 },
  'Ca K': { KA1: 3.69168, KA2: 3.68809, KB1: 4.0127 },
  'S K': { KA1: 2.30784, KA2: 2.30664, KB1: 2.4640 },
  'Pb L': { LA1: 10.5515, LA2: 10.4495, LB1: 12.6137, LB2: 12.6226, LG1: 14.7644 },
};

function byLabel(line: string) {
  return new Map(lineFamilyLines(line).map((l) => [l.label, l]));
}

test('line energies match the literature to 3 eV (Fe K, Ca K, S K, Pb L)', () => {
  for (const [family, lines] of Object.entries(LITERATURE_KEV)) {
    const table = byLabel(family);
    for (const [label, e] of Object.entries(lines)) {
      const got = table.get(label);
      assert.ok(got, `${family} ${label} missing`);
      assert.ok(Math.abs(got.energyKeV - e) < 0.003, `${family} ${label}: ${got.energyKeV} keV vs ${e} keV`);
    }
  }
});

test('line energies and relative rates agree with the committed xraylib golden values', () => {
  for (const [family, g] of Object.entries(golden.lines)) {
    const table = byLabel(family);
    assert.equal(lineFamilyReferenceKeV(family), g.refKeV);
    const entries = Object.entries(g.lines as Record<string, { energyKeV: number; csAtRef: number }>);
    for (const [label, v] of entries) assert.ok(Math.abs(table.get(label)!.energyKeV - v.energyKeV) < 1e-4, `${family} ${label}`);
    // Rates are relative: compare every line's rate ratio to the first line's with xraylib's cross-section ratio.
    const [refLabel, refV] = entries[0];
    for (const [label, v] of entries.slice(1)) {
      const ratio = table.get(label)!.rate / table.get(refLabel)!.rate;
      const want = v.csAtRef / refV.csAtRef;
      assert.ok(Math.abs(ratio / want - 1) < 1e-3, `${family} ${label}/${refLabel}: ${ratio} vs xraylib ${want}`);
    }
  }
});

test('family rates sum to 1, lines are sorted by energy and physically ordered', () => {
  for (const family of ['Fe K', 'Pb L', 'Pb M', 'Hg L', 'Au L', 'U L', 'Na K', 'Sr K']) {
    const lines = lineFamilyLines(family);
    const sum = lines.reduce((s, l) => s + l.rate, 0);
    assert.ok(Math.abs(sum - 1) < 1e-12, `${family} rates sum to ${sum}`);
    for (let i = 1; i < lines.length; i++) assert.ok(lines[i].energyKeV >= lines[i - 1].energyKeV, `${family} sorted`);
    for (const l of lines) assert.ok(l.rate > 0 && l.energyKeV > 0);
  }
  // Kα1 ≈ 2·Kα2 (2p3/2 vs 2p1/2 occupancy) and Kβ/Kα ≈ 0.13 for iron (Scofield).
  const fe = byLabel('Fe K');
  assert.ok(Math.abs(fe.get('KA1')!.rate / fe.get('KA2')!.rate - 2) < 0.1);
  const kb = fe.get('KB1')!.rate + fe.get('KB3')!.rate;
  const ka = fe.get('KA1')!.rate + fe.get('KA2')!.rate;
  assert.ok(kb / ka > 0.11 && kb / ka < 0.16, `Fe Kβ/Kα = ${kb / ka}`);
  // Pb: Lα1 is the strongest L line.
  const pb = lineFamilyLines('Pb L');
  assert.equal(pb.reduce((a, b) => (b.rate > a.rate ? b : a)).label, 'LA1');
});

test('any spelling of a family name works; unknown families throw clear errors', () => {
  assert.deepEqual(lineFamilyLines('Fe_K'), lineFamilyLines('Fe K'));
  assert.deepEqual(lineFamilyLines('fe-k'), lineFamilyLines('Fe K'));
  assert.throws(() => lineFamilyLines('Xx K'), /not a line-family name/);
  assert.throws(() => lineFamilyLines('Fe M'), /Fe has no M lines.*available: Fe K, Fe L/);
  assert.throws(() => lineFamilyLines('O K'), /no emission lines tabulated for O/);
  assert.equal(hasLineFamily('Pb M'), true);
  assert.equal(hasLineFamily('Hg M'), true);
  assert.equal(hasLineFamily('Fe M'), false);
  assert.equal(hasLineFamily('nonsense'), false);
  for (const l of ['S K', 'K K', 'Ca K', 'Cr K', 'Mn K', 'Fe K', 'Cu K', 'Zn K', 'Sr K', 'Au L', 'Hg L', 'Pb L']) {
    assert.equal(hasLineFamily(l), true, l);
  }
});

test('every element Z = 11..92 has K and L lines, and M lines from Z = 57', () => {
  const symbols = 'Na Mg Al Si P S Cl Ar K Ca Sc Ti V Cr Mn Fe Co Ni Cu Zn Ga Ge As Se Br Kr Rb Sr Y Zr Nb Mo Tc Ru Rh Pd Ag Cd In Sn Sb Te I Xe Cs Ba La Ce Pr Nd Pm Sm Eu Gd Tb Dy Ho Er Tm Yb Lu Hf Ta W Re Os Ir Pt Au Hg Tl Pb Bi Po At Rn Fr Ra Ac Th Pa U'.split(' ');
  assert.equal(symbols.length, 82);
  for (const s of symbols) {
    assert.ok(hasLineFamily(`${s} K`), `${s} K`);
    if (atomicNumber(s) >= 13) assert.ok(hasLineFamily(`${s} L`), `${s} L`);
    if (atomicNumber(s) >= 57) assert.ok(hasLineFamily(`${s} M`), `${s} M`);
  }
});

test('atomicNumber maps symbols case-insensitively and rejects unknown ones', () => {
  assert.equal(atomicNumber('Fe'), 26);
  assert.equal(atomicNumber('pb'), 82);
  assert.equal(atomicNumber('H'), 1);
  assert.equal(atomicNumber('U'), 92);
  assert.throws(() => atomicNumber('Xx'), /unknown chemical symbol "Xx"/);
});

test('alpha groups: Kα1,2 for K, Lα1,2 for L, Mα1,2 for M', () => {
  const fe = alphaGroup('Fe K');
  assert.ok(fe.energyKeV > 6.390 && fe.energyKeV < 6.404, `${fe.energyKeV}`);
  assert.ok(Math.abs(fe.rate - 0.88) < 0.02);
  const pb = alphaGroup('Pb L');
  assert.ok(pb.energyKeV > 10.44 && pb.energyKeV < 10.56);
  const pbm = alphaGroup('Pb M');
  assert.ok(pbm.energyKeV > 2.34 && pbm.energyKeV < 2.35);
});
