/** Metrics: hand-computed cases, an independent brute-force SSIM, edge-case definitions, errors, tables. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import {
  evaluate,
  evaluateDetailed,
  reportToMarkdown,
  reportToCsv,
  ssim,
  ssimWindowFor,
  pearson,
  slopeThroughOrigin,
  populationStd,
  pairStats,
  referenceRange,
  zScores,
  sharesOf,
  EvaluationReport,
} from '../../src/core/metrics';
import type { MapStack } from '../../src/core/groundtruth/groundtruth';
import { XrfInputError, isCancelled } from '../../src/core/errors';
import { tokenFromSignal } from '../../src/core/util/progress';

/** A small seeded generator (mulberry32) so the random maps are the same every run. */
function rng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** SSIM by its definition, window by window, with no summed-area tables (skimage's formula). */
function naiveSsim(x: Float32Array, y: Float32Array, h: number, w: number, R: number, win: number): number {
  const pad = (win - 1) / 2;
  const N = win * win;
  const C1 = (0.01 * R) ** 2;
  const C2 = (0.03 * R) ** 2;
  let sum = 0;
  let cnt = 0;
  for (let i = pad; i < h - pad; i++) {
    for (let j = pad; j < w - pad; j++) {
      let mx = 0, my = 0;
      for (let a = -pad; a <= pad; a++) for (let b = -pad; b <= pad; b++) {
        mx += x[(i + a) * w + j + b];
        my += y[(i + a) * w + j + b];
      }
      mx /= N;
      my /= N;
      let vx = 0, vy = 0, vxy = 0;
      for (let a = -pad; a <= pad; a++) for (let b = -pad; b <= pad; b++) {
        const dx = x[(i + a) * w + j + b] - mx;
        const dy = y[(i + a) * w + j + b] - my;
        vx += dx * dx;
        vy += dy * dy;
        vxy += dx * dy;
      }
      vx /= N - 1;
      vy /= N - 1;
      vxy /= N - 1;
      sum += ((2 * mx * my + C1) * (2 * vxy + C2)) / ((mx * mx + my * my + C1) * (vx + vy + C2));
      cnt++;
    }
  }
  return sum / cnt;
}

function stackOf(path: string, h: number, w: number, fams: Record<string, Float32Array>): MapStack {
  return { path, height: h, width: w, lines: Object.keys(fams), maps: Object.values(fams) };
}

function randomMap(r: () => number, n: number, scale = 100, offset = 0): Float32Array {
  return new Float32Array(n).map(() => offset + scale * r());
}

test('Pearson, slope and z bins on hand-computed cases', () => {
  assert.equal(pearson([1, 2, 3], [2, 4, 6]), 1);
  assert.equal(pearson([1, 2, 3], [3, 2, 1]), -1);
  assert.ok(Math.abs(pearson([1, 2, 3, 4], [1, 3, 2, 4])! - 0.8) < 1e-12);
  assert.equal(pearson([5, 5, 5], [1, 2, 3]), null, 'flat ground truth: r undefined');
  assert.equal(pearson([1, 2, 3], [7, 7, 7]), null, 'flat prediction: r undefined');
  assert.equal(slopeThroughOrigin([1, 2], [2, 4]), 2);
  assert.equal(slopeThroughOrigin([1, 3], [1, 1]), 0.4); // (1 + 3) / (1 + 9)
  assert.equal(slopeThroughOrigin([0, 0], [1, 2]), null, 'all-zero ground truth: α undefined');
  // y = [0, 2, 0, 2]: mean 1, population σ = 1 (sample σ would be 1.1547).
  const y = [0, 2, 0, 2];
  const z = new Float32Array(4);
  const { sigma, counts } = zScores(y, [0, 3, 2, 5.0001], z);
  assert.equal(sigma, 1);
  assert.deepEqual([...z].map((v) => +v.toFixed(4)), [0, 1, 2, 3.0001]);
  // z = 0 and z = 1 both in the first bin; 2 in (1, 2]; 3.0001 in > 3.
  assert.deepEqual(counts, { le1: 2, le2: 1, le3: 0, gt3: 1 });
  assert.deepEqual(zScores(y, [3, 5, 0, 2]).counts, { le1: 2, le2: 0, le3: 2, gt3: 0 }, 'z = 3 exactly is in (2, 3]');
  assert.deepEqual(sharesOf(counts), { le1: 0.5, le2: 0.25, le3: 0, gt3: 0.25 });
  // Flat ground truth: σ = 0, z = 0 where equal, +∞ (bin > 3) elsewhere.
  const flat = zScores([4, 4, 4], [4, 4.5, 3]);
  assert.equal(flat.sigma, 0);
  assert.deepEqual(flat.counts, { le1: 1, le2: 0, le3: 0, gt3: 2 });
  // The fused two-pass statistics agree with the single-purpose functions.
  const a = [3, 1, 4, 1, 5, 9, 2, 6];
  const b = [2, 7, 1, 8, 2, 8, 1, 8];
  const st = pairStats(a, b);
  assert.ok(Math.abs(st.pearson! - pearson(a, b)!) < 1e-15);
  assert.ok(Math.abs(st.slope! - slopeThroughOrigin(a, b)!) < 1e-15);
  assert.ok(Math.abs(st.sigmaY - populationStd(a)) < 1e-15);
  assert.deepEqual([st.minY, st.maxY, st.minP, st.maxP, st.meanY], [1, 9, 1, 8, 31 / 8]);
  assert.deepEqual(referenceRange(a, b), { min: 1, range: 8 });
  assert.deepEqual(referenceRange([2, 2], [1, 4]), { min: 2, range: 3 }, 'flat gt: pooled range');
  assert.deepEqual(referenceRange([2, 2], [2, 2]), { min: 2, range: 1 }, 'both flat and equal: 1');
});

test('SSIM with summed-area tables equals a brute-force window-by-window SSIM', () => {
  const r = rng(42);
  for (const [h, w] of [[7, 7], [9, 13], [20, 11], [5, 6], [3, 8], [40, 33]]) {
    const x = randomMap(r, h * w, 100);
    const y = x.map((v) => v * 0.9 + 20 * r());
    const R = 100;
    const win = ssimWindowFor(h, w)!;
    const ours = ssim(x, y, h, w, R);
    const ref = naiveSsim(x, y, h, w, R, win);
    assert.equal(ours.window, win);
    assert.ok(Math.abs(ours.ssim - ref) < 1e-10, `${h}×${w}: ${ours.ssim} vs ${ref}`);
    assert.equal(ours.count, (h - win + 1) * (w - win + 1));
  }
  // Large offsets do not lose precision (maps centred before squaring).
  const x = randomMap(r, 20 * 20, 1, 1e6);
  const y = x.map((v) => v + 0.1 * (r() - 0.5));
  assert.ok(Math.abs(ssim(x, y, 20, 20, 1).ssim - naiveSsim(x, y, 20, 20, 1, 7)) < 1e-6);
});

test('SSIM windows: 7, the largest odd size that fits, none below 3×3', () => {
  assert.equal(ssimWindowFor(100, 100), 7);
  assert.equal(ssimWindowFor(7, 300), 7);
  assert.equal(ssimWindowFor(6, 300), 5);
  assert.equal(ssimWindowFor(3, 3), 3);
  assert.equal(ssimWindowFor(2, 50), undefined);
  assert.throws(() => ssim(new Float32Array(10), new Float32Array(10), 2, 5, 1, { file: 'gt.npy' }), (e: unknown) => {
    assert.ok(e instanceof XrfInputError);
    assert.match(e.message, /^gt\.npy: maps of 2×5 pixels are too small for SSIM \(its window needs at least 3×3\)/);
    return true;
  });
  const tiny = stackOf('gt.npy', 2, 5, { 'Fe K': new Float32Array(10) });
  assert.throws(() => evaluate({ ...tiny, path: 'pred.npy' }, tiny), /gt\.npy: maps of 2×5 pixels are too small for SSIM/);
});

test('identical maps score perfectly; flat maps follow the documented definitions', () => {
  const r = rng(1);
  const h = 12, w = 10, n = h * w;
  const fe = randomMap(r, n);
  const zeros = new Float32Array(n);
  const five = new Float32Array(n).fill(5);
  const gt = stackOf('gt', h, w, { 'Fe K': fe, 'S K': zeros, 'K K': five });
  const rep = evaluate(stackOf('pred', h, w, { 'Fe K': fe.slice(), 'S K': zeros.slice(), 'K K': five.slice() }), gt);
  const f = rep.families['Fe K'];
  assert.equal(f.ssim, 1);
  assert.equal(f.pearson, 1);
  assert.equal(f.slope, 1);
  assert.deepEqual(f.z, { le1: 1, le2: 0, le3: 0, gt3: 0 });
  // Both all zero: SSIM 1 (R falls back to 1), r and α undefined, every z = 0.
  assert.equal(rep.families['S K'].ssim, 1);
  assert.equal(rep.families['S K'].dataRange, 1);
  assert.equal(rep.families['S K'].pearson, null);
  assert.equal(rep.families['S K'].slope, null);
  assert.equal(rep.families['K K'].slope, 1);
  // Averages skip undefined values; Total is defined over the pooled scaled values.
  assert.equal(rep.average.pearson, 1);
  assert.equal(rep.average.ssim, 1);
  assert.equal(rep.total.ssim, 1);
  assert.deepEqual(rep.total.z, { le1: 1, le2: 0, le3: 0, gt3: 0 });
  // Flat ground truth, varying prediction: R is the pooled range, so SSIM is finite and low.
  const noisy = five.map((v) => v + (r() - 0.5));
  const rep2 = evaluate(stackOf('pred', h, w, { 'K K': noisy }), stackOf('gt', h, w, { 'K K': five }));
  const k = rep2.families['K K'];
  assert.ok(Number.isFinite(k.ssim) && k.ssim < 0.5, `flat-gt SSIM ${k.ssim}`);
  let lo = Infinity, hi = -Infinity;
  for (const v of [...noisy, 5]) { lo = Math.min(lo, v); hi = Math.max(hi, v); }
  assert.ok(Math.abs(k.dataRange - (hi - lo)) < 1e-6);
  assert.equal(k.pearson, null);
});

test('Total row: equals the family values for one family whose ground truth starts at 0', () => {
  const r = rng(5);
  const h = 15, w = 14, n = h * w;
  const y = randomMap(r, n);
  y[0] = 0; // min 0: scaling is a pure division, to which SSIM (with R scaled), r and α are invariant
  const yhat = y.map((v) => v * 1.1 + 5 * r());
  const rep = evaluate(stackOf('p', h, w, { 'Cu K': yhat }), stackOf('g', h, w, { 'Cu K': y }));
  const f = rep.families['Cu K'];
  assert.ok(Math.abs(rep.total.ssim! - f.ssim) < 1e-12);
  assert.ok(Math.abs(rep.total.pearson! - f.pearson!) < 1e-12);
  assert.ok(Math.abs(rep.total.slope! - f.slope!) < 1e-12);
  assert.deepEqual(rep.total.z, f.z);
  // With an offset the Total SSIM differs (luminance is measured from the family's minimum).
  const y2 = y.map((v) => v + 1000);
  const rep2 = evaluate(stackOf('p', h, w, { 'Cu K': yhat.map((v) => v + 1000) }), stackOf('g', h, w, { 'Cu K': y2 }));
  assert.ok(rep2.families['Cu K'].ssim > rep2.total.ssim!, 'an offset inflates the per-family luminance term, not the Total');
});

test('Total weighs families by their own range: a weak family counts as much as a strong one', () => {
  const r = rng(9);
  const h = 16, w = 16, n = h * w;
  const strong = randomMap(r, n, 1e4);
  const weak = randomMap(r, n, 1);
  const good = strong.map((v) => v * 1.01);
  const bad = weak.map(() => r()); // unrelated to the ground truth
  const rep = evaluate(stackOf('p', h, w, { 'Pb L': good, 'Zn K': bad }), stackOf('g', h, w, { 'Pb L': strong, 'Zn K': weak }));
  // Pooled unscaled values would give r ≈ 1 (the strong family dominates); scaled pooling does not.
  assert.ok(rep.total.pearson! < 0.8, `total r ${rep.total.pearson}`);
  assert.ok(rep.families['Pb L'].pearson! > 0.99);
});

test('NaN or Inf is an error naming the file, the family and the first pixel', () => {
  const h = 8, w = 9, n = h * w;
  const ok = new Float32Array(n).map((_, i) => i);
  const withNaN = ok.slice();
  withNaN[2 * w + 5] = Number.NaN;
  withNaN[3 * w] = Number.NaN;
  const gt = stackOf('truth.csv', h, w, { 'Fe K': ok, 'Zn K': ok });
  assert.throws(() => evaluate(stackOf('pred.npy', h, w, { 'Fe K': ok, 'Zn K': withNaN }), gt), (e: unknown) => {
    assert.ok(e instanceof XrfInputError);
    assert.equal(e.file, 'pred.npy');
    assert.equal(e.problem, 'prediction of Zn K is NaN at pixel (row 2, column 5)');
    return true;
  });
  const withInf = ok.slice();
  withInf[7] = -Infinity;
  assert.throws(
    () => evaluate(stackOf('pred.npy', h, w, { 'Fe K': ok }), stackOf('truth.csv', h, w, { 'Fe K': withInf })),
    /^XrfInputError: truth\.csv: ground truth of Fe K is -Inf at pixel \(row 0, column 7\)$/,
  );
  // A NaN in a family that only one side has is not evaluated, so it is not an error.
  const rep = evaluate(stackOf('pred.npy', h, w, { 'Fe K': ok, 'Cu K': withNaN }), stackOf('truth.csv', h, w, { 'Fe K': ok }));
  assert.deepEqual(rep.extra, { inPred: ['Cu K'], inGt: [] });
  assert.deepEqual(rep.lines, ['Fe K']);
});

test('evaluateDetailed returns the z-score map of each family', () => {
  const h = 7, w = 7, n = h * w;
  const y = new Float32Array(n).map((_, i) => (i % 2) * 2); // σ = 0.99979…
  const yhat = y.map((v, i) => (i === 10 ? v + 5 : v));
  const { report, zMaps } = evaluateDetailed(stackOf('p', h, w, { 'Ca K': yhat }), stackOf('g', h, w, { 'Ca K': y }));
  assert.equal(zMaps.length, 1);
  const sigma = report.families['Ca K'].sigma;
  assert.ok(Math.abs(zMaps[0][10] - 5 / sigma) < 1e-5);
  assert.equal(zMaps[0].filter((v) => v !== 0).length, 1);
  assert.deepEqual(report.families['Ca K'].z, { le1: 48 / 49, le2: 0, le3: 0, gt3: 1 / 49 });
});

function fakeReport(model: string, fam: Record<string, [number, number | null, number | null]>, total = 0.9): EvaluationReport {
  const z = { le1: 0.9, le2: 0.05, le3: 0.03, gt3: 0.02 };
  const families = Object.fromEntries(
    Object.entries(fam).map(([l, [s, p, a]]) => [l, { ssim: s, pearson: p, slope: a, z, dataRange: 1, sigma: 1 }]),
  );
  return {
    pred: `${model}.npy`, gt: 'gt.npy', model, height: 10, width: 10, ssimWindow: 7, lines: Object.keys(fam), families,
    average: { ssim: total - 0.1, pearson: 0.9, slope: 1.1, z }, total: { ssim: total, pearson: 0.95, slope: 0.98, z },
    extra: { inPred: [], inGt: model === 'FCN' ? ['Au L'] : [] },
  };
}

test('Markdown tables: families as rows, Total/Avg first, one column per model, best in bold', () => {
  const md = reportToMarkdown({
    FCN: fakeReport('FCN', { 'Fe K': [0.9951, 0.999, 0.999], 'Pb L': [0.761, null, 1.2] }, 0.982),
    '1DCNN+': fakeReport('1DCNN+', { 'Fe K': [0.9990, 0.999, 1.009], 'Pb L': [0.965, 0.998, 0.95] }, 0.998),
  });
  const lines = md.split('\n');
  const ssimAt = lines.indexOf('### Structural similarity (SSIM)');
  assert.ok(ssimAt >= 0, md);
  assert.equal(lines[ssimAt + 2], '|  | FCN | 1DCNN+ |');
  assert.equal(lines[ssimAt + 4], '| **Total** | 0.982 | **0.998** |');
  assert.equal(lines[ssimAt + 6], '| **Fe K** | 0.995 | **0.999** |');
  assert.equal(lines[ssimAt + 7], '| **Pb L** | 0.761 | **0.965** |');
  const rAt = lines.indexOf('### Pearson correlation (r)');
  assert.equal(lines[rAt + 6], '| **Fe K** | **0.999** | **0.999** |', 'ties are all bold');
  assert.equal(lines[rAt + 7], '| **Pb L** | n/a | **0.998** |', 'undefined r shows as n/a');
  const aAt = lines.indexOf('### Slope (α of ŷ = α·y)');
  assert.equal(lines[aAt + 6], '| **Fe K** | **0.999** | 1.009 |', 'slope: closest to 1 wins');
  assert.equal(lines[aAt + 7], '| **Pb L** | 1.200 | **0.950** |');
  assert.ok(md.includes('| Model | [0, 1] | (1, 2] | (2, 3] | > 3 |'));
  assert.ok(md.includes('| FCN | 0.900 | 0.050 | 0.030 | 0.020 |'));
  assert.ok(md.includes('- FCN: not predicted, ignored: Au L'));
  // A single report has one column and nothing in bold but the row labels.
  const one = reportToMarkdown(fakeReport('FCN+', { 'Fe K': [0.5, 0.6, 0.7] }));
  assert.ok(one.includes('|  | FCN+ |'));
  assert.ok(one.includes('| **Fe K** | 0.500 |'));
});

test('CSV holds every number at full precision, empty where undefined', () => {
  const rep = fakeReport('FCN', { 'Fe K': [0.123456789, null, 1.5] });
  const csv = reportToCsv([rep]).trim().split('\n');
  assert.equal(csv[0], 'model,line,ssim,pearson,slope,z_le1,z_le2,z_le3,z_gt3');
  assert.equal(csv[1], 'FCN,Fe K,0.123456789,,1.5,0.9,0.05,0.03,0.02');
  assert.equal(csv[2], 'FCN,Avg,0.8,0.9,1.1,0.9,0.05,0.03,0.02');
  assert.equal(csv[3], 'FCN,Total,0.9,0.95,0.98,0.9,0.05,0.03,0.02');
  assert.equal(reportToCsv({ 'a,b': rep }).split('\n')[1].split(',Fe K')[0], '"a,b"');
});

test('evaluate reports progress per family and stops when cancelled', () => {
  const h = 8, w = 8, n = h * w;
  const m = new Float32Array(n).map((_, i) => i);
  const st = stackOf('g', h, w, { 'Fe K': m, 'Zn K': m, 'Pb L': m });
  const seen: number[] = [];
  evaluate({ ...st, path: 'p' }, st, { onProgress: (p) => seen.push(p.done) });
  assert.deepEqual(seen, [0, 1, 2, 3]);
  const ac = new AbortController();
  assert.throws(
    () => evaluate({ ...st, path: 'p' }, st, { token: tokenFromSignal(ac.signal), onProgress: (p) => { if (p.done === 1) ac.abort(); } }),
    (e: unknown) => isCancelled(e),
  );
});
