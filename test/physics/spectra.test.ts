import { test } from 'node:test';
import assert from 'node:assert/strict';
import {
  familyResponse,
  pureSpectrum,
  priorMatrix,
  roiWindow,
  roiChannels,
  lineFamilyLines,
  alphaGroup,
  fwhmKeV,
  DEFAULT_DETECTOR,
} from '../../src/core/physics';
import { DEFAULT_LINES } from '../../src/core/lines';

const CALS = [
  { offsetKeV: 0, gainKeV: 0.01 },
  { offsetKeV: -0.0213, gainKeV: 0.00987 },
  { offsetKeV: 0.05, gainKeV: 0.02 },
];

const sum = (a: ArrayLike<number>) => {
  let s = 0;
  for (let i = 0; i < a.length; i++) s += a[i];
  return s;
};

test('familyResponse has unit total area when the family lies inside the range', () => {
  for (const cal of CALS) {
    for (const line of ['Fe K', 'Ca K', 'S K', 'Pb L', 'Hg L', 'Au L', 'Sr K', 'Pb M']) {
      const r = familyResponse(line, cal, 4096);
      // Pb M's weakest escape peak (M5N3 1.84 keV → 0.10 keV) reaches below 0 keV, out of range.
      const tol = line === 'Pb M' ? 1e-4 : 1e-9;
      assert.ok(Math.abs(sum(r) - 1) < tol, `${line} @ ${JSON.stringify(cal)}: ${sum(r)}`);
      for (const v of r) assert.ok(v >= 0);
    }
  }
  // Cut off by the range: Sr K (14.2 keV) in 1024 channels of 10 eV (up to 10.2 keV) gives nothing,
  // Pb L loses its lines above 12 keV in 1200 channels.
  assert.equal(sum(familyResponse('Sr K', CALS[0], 1024)), 0);
  const partial = sum(familyResponse('Pb L', CALS[0], 1200));
  assert.ok(partial > 0.4 && partial < 0.9, `${partial}`);
});

test('familyResponse peaks at the Kα energy within half a channel', () => {
  for (const cal of CALS) {
    for (const line of ['Fe K', 'Ca K', 'Cu K', 'Zn K', 'Sr K']) {
      const r = familyResponse(line, cal, 4096);
      let k = 0;
      for (let i = 1; i < r.length; i++) if (r[i] > r[k]) k = i;
      // Parabolic refinement of the maximum, then compare with Kα (the rate-weighted Kα1,2 energy).
      const d = (r[k - 1] - r[k + 1]) / (2 * (r[k - 1] - 2 * r[k] + r[k + 1]));
      const peakKeV = cal.offsetKeV + cal.gainKeV * (k + d);
      const ka = alphaGroup(line).energyKeV;
      assert.ok(Math.abs(peakKeV - ka) < cal.gainKeV / 2, `${line}: peak ${peakKeV} keV vs Kα ${ka} keV`);
      // Where Kα1 and Kα2 are unresolved (light elements), the maximum channel holds Kα1.
      if (line === 'Fe K' || line === 'Ca K') {
        const ka1 = lineFamilyLines(line).find((l) => l.label === 'KA1')!.energyKeV;
        assert.ok(Math.abs(k - (ka1 - cal.offsetKeV) / cal.gainKeV) <= 1, `${line}: argmax ${k}`);
      }
    }
  }
});

test('pure spectra have unit L2 norm and are the normalized family response', () => {
  for (const cal of CALS) {
    for (const line of DEFAULT_LINES) {
      const p = pureSpectrum(line, cal, 4096);
      assert.ok(p instanceof Float32Array && p.length === 4096);
      let ss = 0;
      for (const v of p) ss += v * v;
      assert.ok(Math.abs(Math.sqrt(ss) - 1) < 1e-6, `${line}: ‖p‖ = ${Math.sqrt(ss)}`);
      const r = familyResponse(line, cal, 4096);
      const norm = Math.hypot(...r);
      const k = r.indexOf(Math.max(...r));
      assert.ok(Math.abs(p[k] - r[k] / norm) < 1e-6);
    }
  }
});

test('a pure spectrum of a family outside the energy range is an error, not a row of zeros', () => {
  assert.throws(() => pureSpectrum('Sr K', CALS[0], 1024), /Sr K: no lines inside the spectrum's energy range/);
  assert.throws(() => pureSpectrum('Fe K', { offsetKeV: 0, gainKeV: 0 }, 1024), /gain > 0/);
  assert.throws(() => pureSpectrum('Fe K', CALS[0], 0), /positive integer/);
});

test('priorMatrix stacks pure spectra as l×d row-major rows in the given order', () => {
  const lines = ['Pb L', 'Fe K', 'S K'];
  const m = priorMatrix(lines, CALS[1], 2048);
  assert.equal(m.length, 3 * 2048);
  lines.forEach((line, i) => assert.deepEqual(m.subarray(i * 2048, (i + 1) * 2048), pureSpectrum(line, CALS[1], 2048)));
  // Different elements are nearly orthogonal; the same element has unit overlap.
  const row = (i: number) => m.subarray(i * 2048, (i + 1) * 2048);
  const dot = (a: Float32Array, b: Float32Array) => a.reduce((s, v, j) => s + v * b[j], 0);
  assert.ok(dot(row(1), row(2)) < 0.01);
  assert.ok(Math.abs(dot(row(0), row(0)) - 1) < 1e-6);
});

test('the Fe K ROI window holds Kα and excludes Kβ; it spans ±1 FWHM around Kα', () => {
  const cal = CALS[0];
  const w = roiWindow('Fe K', cal);
  const lines = new Map(lineFamilyLines('Fe K').map((l) => [l.label, l.energyKeV]));
  for (const l of ['KA1', 'KA2']) assert.ok(lines.get(l)! > w.loKeV && lines.get(l)! < w.hiKeV, l);
  for (const l of ['KB1', 'KB3']) assert.ok(lines.get(l)! > w.hiKeV, l);
  const ka = alphaGroup('Fe K').energyKeV;
  assert.ok(Math.abs((w.hiKeV - w.loKeV) / 2 - fwhmKeV(ka)) < 1e-12);
  assert.ok(Math.abs((w.hiKeV + w.loKeV) / 2 - ka) < 1e-12);

  const { loChannel, hiChannel } = roiChannels('Fe K', cal, 4096);
  // Half-open: every channel centre in [lo, hi) lies inside the window, the neighbours outside.
  const e = (c: number) => cal.offsetKeV + cal.gainKeV * c;
  assert.ok(e(loChannel) >= w.loKeV && e(loChannel - 1) < w.loKeV);
  assert.ok(e(hiChannel - 1) <= w.hiKeV && e(hiChannel) > w.hiKeV);
  // The window catches most of the Kα counts and almost none of Kβ.
  const r = familyResponse('Fe K', cal, 4096);
  const inWin = sum(r.subarray(loChannel, hiChannel));
  assert.ok(inWin > 0.8 && inWin < 0.88, `Fe K counts in window ${inWin}`);
});

test('ROI windows centre on Lα for L and Mα for M, and channels clamp to the range', () => {
  const pb = roiWindow('Pb L', CALS[0]);
  assert.ok(pb.loKeV < 10.5515 && pb.hiKeV > 10.5515 && pb.hiKeV < 12.3);
  const pbm = roiWindow('Pb M', CALS[0]);
  assert.ok(pbm.loKeV < 2.3477 && pbm.hiKeV > 2.3477);
  // Partly outside: clamped; fully outside: empty.
  const clamped = roiChannels('Fe K', CALS[0], 630);
  assert.equal(clamped.hiChannel, 630);
  assert.ok(clamped.loChannel < 630);
  const empty = roiChannels('Sr K', CALS[0], 1024);
  assert.equal(empty.loChannel, empty.hiChannel);
  const belowOffset = roiChannels('S K', { offsetKeV: 5, gainKeV: 0.01 }, 1024);
  assert.deepEqual(belowOffset, { loChannel: 0, hiChannel: 0 });
  // A narrower detector makes a narrower window.
  const narrow = roiWindow('Fe K', CALS[0], { ...DEFAULT_DETECTOR, fwhmMnKaKeV: 0.125 });
  const wide = roiWindow('Fe K', CALS[0]);
  assert.ok(narrow.hiKeV - narrow.loKeV < wide.hiKeV - wide.loKeV);
});
