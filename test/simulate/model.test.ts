import { test } from 'node:test';
import assert from 'node:assert/strict';
import { SpectrumModel, comptonEnergy } from '../../src/core/simulate/model';
import { STATE } from '../../src/core/simulate/scene';
import { PIGMENT_NAMES, arealMass, BINDER_PER_PIGMENT, type PigmentName } from '../../src/core/simulate/materials';
import { Rng } from '../../src/core/simulate/rng';
import { DEFAULT_LINES } from '../../src/core/lines';
import { lineFamilyLines, fwhmKeV, FWHM_PER_SIGMA } from '../../src/core/physics/index';

const CAL = { offsetKeV: 0, gainKeV: 0.02 };
const CHANNELS = 2048;
const model = new SpectrumModel({ cal: CAL, channels: CHANNELS, lines: DEFAULT_LINES });
const idx = (line: string) => model.lines.indexOf(line);

/** A pixel state: paint layers given as { pigment: µm of pigment layer } (binder added as in the scenes). */
function state(opts: { paint1?: Partial<Record<PigmentName, number>>; paint2?: Partial<Record<PigmentName, number>>; gildUm?: number } = {}): Float64Array {
  const s = new Float64Array(STATE.length);
  for (const [layer, base] of [[opts.paint1, STATE.paint1], [opts.paint2, STATE.paint2]] as const) {
    for (const [p, um] of Object.entries(layer ?? {})) s[base + PIGMENT_NAMES.indexOf(p as PigmentName)] = arealMass(um!, 3.0) / (1 + BINDER_PER_PIGMENT);
  }
  if (opts.gildUm) {
    s[STATE.bole] = arealMass(15, 2.0);
    s[STATE.gold] = arealMass(opts.gildUm, 19.3);
  }
  return s;
}

function expected(m: SpectrumModel, st: Float64Array, dwellS = 0.02) {
  const amp = m.amplitudes(st, new Float64Array(m.components.length));
  const counts = m.expectedCounts(amp, dwellS, new Float64Array(m.components.length));
  const truth = new Float64Array(m.lines.length);
  m.truth(counts, truth);
  return { counts, truth, spectrum: m.expectedSpectrum(counts, new Float64Array(m.channels)) };
}

test('a top layer of lead white lowers the Ca K signal of the gesso beneath, more as it thickens', () => {
  const ca = [0, 2, 5, 10, 20, 40].map((um) => expected(model, state({ paint1: um ? { leadWhite: um } : {} })).truth[idx('Ca K')]);
  const pb = [0, 2, 5, 10, 20, 40].map((um) => expected(model, state({ paint1: um ? { leadWhite: um } : {} })).truth[idx('Pb L')]);
  assert.ok(ca[0] > 50, `bare gesso shows Ca K (${ca[0]})`);
  for (let i = 1; i < ca.length; i++) assert.ok(ca[i] < ca[i - 1], `Ca K falls with lead white thickness: ${ca.join(', ')}`);
  assert.ok(ca[ca.length - 1] < 0.01 * ca[0], 'a thick lead white layer hides the ground almost entirely');
  assert.equal(pb[0], 0, 'no lead white, no Pb');
  for (let i = 1; i < pb.length; i++) assert.ok(pb[i] > pb[i - 1], `Pb L grows with thickness: ${pb.join(', ')}`);
  // Non-linear: doubling the layer does not double Pb L (self-absorption), and Ca K is attenuated exponentially.
  assert.ok(pb[5] < 1.9 * pb[4], 'Pb L saturates with thickness');
});

test('elements absent from a pixel have exactly zero ground truth', () => {
  const { truth } = expected(model, state({ paint1: { azurite: 20 } }));
  for (const line of ['Cr K', 'Mn K', 'Zn K', 'Au L', 'Hg L', 'Pb L']) assert.equal(truth[idx(line)], 0, line);
  assert.ok(truth[idx('Cu K')] > 100, 'azurite shows Cu K');
  const other = new SpectrumModel({ cal: CAL, channels: CHANNELS, lines: ['Ni K', 'Fe K'] });
  const t2 = expected(other, state({ paint1: { umber: 20 } })).truth;
  assert.equal(t2[0], 0, 'Ni is in no material');
  assert.ok(t2[1] > 0);
});

test('ground truth equals the noise-free net counts of the family\'s photopeaks', () => {
  // Net counts measured independently: the noise-free spectrum minus the same pixel with the family's
  // emission switched off (its absorption kept), summed over ±6σ windows around each of its lines.
  for (const [line, st] of [
    ['Ca K', state()],
    ['Fe K', state({ paint1: { redOchre: 15 }, paint2: { leadWhite: 3 } })],
    ['Cu K', state({ paint1: { malachite: 10, leadWhite: 5 } })],
  ] as const) {
    const silent = new SpectrumModel({ cal: CAL, channels: CHANNELS, lines: DEFAULT_LINES, silence: [line] });
    const full = expected(model, st);
    const off = expected(silent, st);
    const inWindow = new Uint8Array(CHANNELS);
    for (const l of lineFamilyLines(line)) {
      const half = (6 * fwhmKeV(l.energyKeV)) / FWHM_PER_SIGMA;
      for (let ch = Math.floor((l.energyKeV - half) / CAL.gainKeV); ch <= Math.ceil((l.energyKeV + half) / CAL.gainKeV); ch++) inWindow[ch] = 1;
    }
    let net = 0;
    for (let ch = 0; ch < CHANNELS; ch++) if (inWindow[ch]) net += full.spectrum[ch] - off.spectrum[ch];
    const gt = full.truth[idx(line)];
    assert.ok(gt > 10, `${line} present (${gt})`);
    assert.ok(Math.abs(net - gt) < 2e-3 * gt, `${line}: net ${net} vs truth ${gt}`);
    assert.equal(off.truth[idx(line)], 0);
  }
});

test('Poisson statistics: repeated draws of one pixel have per-channel mean and variance equal to the expected counts', () => {
  const st = state({ paint1: { vermilion: 10, yellowOchre: 10 }, paint2: { leadWhite: 2 } });
  const { counts, spectrum } = expected(model, st, 0.005);
  const n = 1500;
  const sum = new Float64Array(CHANNELS);
  const sum2 = new Float64Array(CHANNELS);
  const out = new Uint16Array(CHANNELS);
  const rng = new Rng(99);
  const totals: number[] = [];
  for (let i = 0; i < n; i++) {
    out.fill(0);
    model.sample(counts, rng, out);
    let t = 0;
    for (let ch = 0; ch < CHANNELS; ch++) {
      sum[ch] += out[ch];
      sum2[ch] += out[ch] * out[ch];
      t += out[ch];
    }
    totals.push(t);
  }
  let z2 = 0;
  let m = 0;
  let ratio = 0;
  let nr = 0;
  for (let ch = 0; ch < CHANNELS; ch++) {
    const lam = spectrum[ch];
    if (lam < 0.5) continue;
    const mean = sum[ch] / n;
    const variance = sum2[ch] / n - mean * mean;
    const z = (mean - lam) / Math.sqrt(lam / n);
    assert.ok(Math.abs(z) < 5.5, `channel ${ch}: mean ${mean} vs λ ${lam}`);
    z2 += z * z;
    m++;
    ratio += variance / lam;
    nr++;
  }
  assert.ok(m > 100, `enough channels with counts (${m})`);
  assert.ok(Math.abs(z2 / m - 1) < 0.25, `mean z² ${z2 / m} ≈ 1`);
  assert.ok(Math.abs(ratio / nr - 1) < 0.05, `variance/mean ${ratio / nr} ≈ 1`);
  // The total is Poisson too: variance ≈ mean.
  const tm = totals.reduce((a, b) => a + b, 0) / n;
  const tv = totals.reduce((a, b) => a + (b - tm) ** 2, 0) / (n - 1);
  const lamTot = spectrum.reduce((a, b) => a + b, 0);
  assert.ok(Math.abs(tm - lamTot) < 5 * Math.sqrt(lamTot / n), `total mean ${tm} vs ${lamTot}`);
  assert.ok(Math.abs(tv / lamTot - 1) < 0.15, `total variance ${tv} vs ${lamTot}`);
});

test('scatter peaks of the Rh tube lines sit at their Rayleigh and Compton energies', () => {
  const { spectrum } = expected(model, state());
  const peakNear = (e: number, tol: number) => {
    let best = -1;
    for (let ch = Math.floor((e - tol) / CAL.gainKeV); ch <= Math.ceil((e + tol) / CAL.gainKeV); ch++) if (best < 0 || spectrum[ch] > spectrum[best]) best = ch;
    return best * CAL.gainKeV;
  };
  assert.ok(Math.abs(peakNear(20.216, 0.3) - 20.2) < 0.1, 'Rh Kα Rayleigh');
  const ec = comptonEnergy(20.216);
  assert.ok(ec > 18.7 && ec < 19.1, `Compton energy at 135° (${ec})`);
  assert.ok(Math.abs(peakNear(ec, 0.4) - ec) < 0.15, 'Rh Kα Compton');
});

test('model emits the target families and distractors', () => {
  const fams = model.emittedFamilies();
  for (const l of [...DEFAULT_LINES, 'Ti K', 'Co K', 'As K', 'Ba L', 'Ar K']) assert.ok(fams.includes(l), l);
  // Ar from the air shows on every pixel.
  const { counts } = expected(model, state());
  const ar = model.groupsOf('Ar K').reduce((s, g) => s + counts[g.peak], 0);
  assert.ok(ar > 0.1, `Ar K from air (${ar})`);
});

test('a spectrum with more than 65535 counts is still sampled (clipping only channels that overflow)', () => {
  const st = state({ paint1: { leadWhite: 30 } });
  const { counts } = expected(model, st, 1.0); // 1 s: ~150 000 counts in the spectrum
  const lamTot = counts.reduce((a, b) => a + b, 0);
  assert.ok(lamTot > 100_000);
  const m = new SpectrumModel({ cal: CAL, channels: CHANNELS, lines: DEFAULT_LINES });
  const out = new Uint16Array(CHANNELS);
  const placed = m.sample(counts, new Rng(1), out);
  assert.equal(placed, out.reduce((a, b) => a + b, 0));
  assert.ok(Math.abs(placed - lamTot) < 6 * Math.sqrt(lamTot), `placed ${placed} vs λ ${lamTot}`);
  assert.equal(m.clippedChannels, 0, 'no single channel reaches 65535 here');
  // Same draws again: reproducible.
  const again = new Uint16Array(CHANNELS);
  m.sample(counts, new Rng(1), again);
  assert.deepEqual([...again], [...out]);
  // 30 s: the Pb Lα channels pass 65535 and are clipped, and counted.
  const big = expected(model, st, 30).counts;
  const clipped = new Uint16Array(CHANNELS);
  m.sample(big, new Rng(2), clipped);
  assert.ok(m.clippedChannels > 0);
  assert.equal(Math.max(...clipped), 0xffff);
});

test('optional pile-up adds a sum peak at twice Fe Kα and leaves the ground truth unchanged', () => {
  const piled = new SpectrumModel({ cal: CAL, channels: CHANNELS, lines: DEFAULT_LINES, pileupResolvingTimeS: 0.2e-6 });
  const st = state({ paint1: { redOchre: 40 } });
  const off = expected(model, st);
  const on = expected(piled, st);
  assert.deepEqual([...on.truth], [...off.truth]);
  const eSum = 2 * 6.40;
  const ch = Math.round(eSum / CAL.gainKeV);
  const win = (s: Float64Array) => s.slice(ch - 5, ch + 6).reduce((a, b) => a + b, 0);
  const extra = win(on.spectrum) - win(off.spectrum);
  // Expected: r_Fe² · τ · dwell (α group only) — a few % of the Fe Kα counts at these rates.
  const feRate = on.truth[idx('Fe K')] / 0.02;
  assert.ok(extra > 0.5 * 0.7 * 0.7 * feRate * feRate * 0.2e-6 * 0.02, `sum peak counts ${extra}`);
  assert.ok(extra < feRate * feRate * 0.2e-6 * 0.02, `sum peak counts ${extra}`);
  assert.ok(model.components.every((c) => c.kind !== 'pileup'), 'off by default');
});

test('the scattered background is smooth: no steps at excitation-bin edges', () => {
  const { counts } = expected(model, state({ paint1: { leadWhite: 20 } }), 1);
  const bg = new Float64Array(CHANNELS);
  model.components.forEach((c, k) => {
    if (c.kind !== 'rayleigh' && c.kind !== 'compton') return;
    const f = counts[k] / (c.inRange || 1);
    for (let i = 0; i < c.shape.length; i++) bg[c.lo + i] += f * c.shape[i];
  });
  // Bin edges at 8, 10, …, 20 keV: the background changes by < 1 % between neighbouring channels there.
  for (const e of [8, 10, 12, 14, 16, 18]) {
    const ch = Math.round(e / CAL.gainKeV);
    const jump = Math.abs(Math.log(bg[ch + 1] / bg[ch]));
    assert.ok(jump < 0.01, `background step of ${(100 * jump).toFixed(2)} % at ${e} keV`);
  }
});
