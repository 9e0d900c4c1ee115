import { test } from 'node:test';
import assert from 'node:assert/strict';
import {
  percentile,
  percentiles,
  contrastRange,
  renderMapRGBA,
  colorbarRGBA,
  colormapLut,
  zScoreBin,
  zScoreColor,
  renderZScoreRGBA,
  EXACT_LIMIT,
} from '../../src/core/render';

/** numpy.percentile's default (linear) definition, computed the slow, obvious way. */
function naivePercentile(values: ArrayLike<number>, p: number): number {
  const v = Array.from(values).filter(Number.isFinite).sort((a, b) => a - b);
  if (v.length === 0) return NaN;
  const rank = (p / 100) * (v.length - 1);
  const k = Math.floor(rank);
  return k + 1 < v.length ? v[k] + (rank - k) * (v[k + 1] - v[k]) : v[k];
}

function lcg(seed: number) {
  return () => ((seed = (seed * 1103515245 + 12345) % 2 ** 31) / 2 ** 31);
}

test('percentile equals the sorted-array definition, ignoring NaN and ±Inf', () => {
  const rand = lcg(42);
  for (const n of [1, 2, 3, 10, 101, 5000]) {
    const a = new Float32Array(n);
    for (let i = 0; i < n; i++) a[i] = rand() < 0.1 ? NaN : Math.floor(rand() * 50) * (rand() < 0.5 ? 1 : 0.37);
    if (n > 3) a[1] = Infinity;
    for (const p of [0, 1, 25, 50, 90, 99.5, 100]) {
      const want = naivePercentile(a, p);
      const got = percentile(a, p);
      if (Number.isNaN(want)) assert.ok(Number.isNaN(got));
      else assert.ok(Math.abs(got - want) < 1e-4, `n=${n} p=${p}: ${got} vs ${want}`);
    }
  }
  // The input is not reordered.
  const input = Float32Array.of(5, 1, 4, 2, 3);
  percentile(input, 50);
  assert.deepEqual(Array.from(input), [5, 1, 4, 2, 3]);
  assert.ok(Number.isNaN(percentile(Float32Array.of(NaN, NaN), 50)));
  assert.ok(Number.isNaN(percentile(new Float32Array(0), 50)));
  assert.throws(() => percentile([1, 2], 101), /within 0\.\.100/);
});

test('percentile of a large map uses a sample whose quantiles are within 0.2 % in rank of exact', () => {
  const n = EXACT_LIMIT * 3 + 12345;
  const a = new Float32Array(n);
  const rand = lcg(7);
  for (let i = 0; i < n; i++) a[i] = rand() * rand() * 1000; // skewed
  const sorted = Float32Array.from(a).sort();
  const rankOf = (v: number) => {
    let lo = 0;
    let hi = n;
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      if (sorted[mid] < v) lo = mid + 1;
      else hi = mid;
    }
    return lo / (n - 1);
  };
  for (const p of [1, 50, 99, 99.5]) {
    const got = percentile(a, p);
    assert.ok(Math.abs(rankOf(got) - p / 100) < 0.002, `p=${p}: ${got} sits at rank ${rankOf(got)}`);
  }
  assert.deepEqual(percentiles([3, 1, 2], [0, 50, 100]), [1, 2, 3]);
});

test('contrastRange returns the percentile pair; an all-NaN map gives {0, 0}', () => {
  const map = Float32Array.from({ length: 1001 }, (_, i) => i);
  assert.deepEqual(contrastRange(map, 1, 99), { lo: 10, hi: 990 });
  assert.deepEqual(contrastRange(Float32Array.of(NaN, NaN), 1, 99), { lo: 0, hi: 0 });
  assert.throws(() => contrastRange(map, 90, 10), /above high/);
});

test('renderMapRGBA maps lo/hi to the colormap ends, NaN to transparent, and scales correctly', () => {
  const lut = colormapLut('viridis');
  const rgb = (k: number) => [lut[3 * k], lut[3 * k + 1], lut[3 * k + 2], 255];
  const map = Float32Array.of(-5, 0, 25, 100, 200, NaN);
  const px = (img: Uint8ClampedArray, i: number) => Array.from(img.subarray(4 * i, 4 * i + 4));

  const lin = renderMapRGBA(map, 3, 2, { colormap: 'viridis', scale: 'linear', lo: 0, hi: 100 });
  assert.equal(lin.length, 24);
  assert.deepEqual(px(lin, 0), rgb(0)); // below lo
  assert.deepEqual(px(lin, 1), rgb(0));
  assert.deepEqual(px(lin, 2), rgb(64)); // 25 % → entry 64
  assert.deepEqual(px(lin, 3), rgb(255));
  assert.deepEqual(px(lin, 4), rgb(255)); // above hi
  assert.deepEqual(px(lin, 5), [0, 0, 0, 0]); // no data

  const sq = renderMapRGBA(map, 3, 2, { colormap: 'viridis', scale: 'sqrt', lo: 0, hi: 100 });
  assert.deepEqual(px(sq, 2), rgb(128)); // √0.25 = 0.5

  const logMap = Float32Array.of(1, 10, 100, 1000);
  const lg = renderMapRGBA(logMap, 4, 1, { colormap: 'gray', scale: 'log', lo: 1, hi: 1000 });
  assert.deepEqual([lg[0], lg[4], lg[8], lg[12]], [0, 85, 170, 255]); // thirds of three decades
  // lo ≤ 0 under log: three decades below hi.
  const lg0 = renderMapRGBA(Float32Array.of(0, 1, 31.7, 1000), 4, 1, { colormap: 'gray', scale: 'log', lo: 0, hi: 1000 });
  assert.deepEqual([lg0[0], lg0[4], lg0[8], lg0[12]], [0, 0, 128, 255]);

  // Degenerate range: above lo is the top colour.
  const flat = renderMapRGBA(Float32Array.of(1, 2), 2, 1, { colormap: 'gray', scale: 'linear', lo: 1, hi: 1 });
  assert.deepEqual([flat[0], flat[4]], [0, 255]);
  // Custom no-data colour.
  const nd = renderMapRGBA(Float32Array.of(NaN), 1, 1, { colormap: 'gray', scale: 'linear', lo: 0, hi: 1, noDataRGBA: [255, 0, 255, 255] });
  assert.deepEqual(Array.from(nd), [255, 0, 255, 255]);
  assert.throws(() => renderMapRGBA(map, 4, 2, { colormap: 'gray', scale: 'linear', lo: 0, hi: 1 }), /needs 8/);
});

test('colorbar runs from the first colour at the bottom to the last at the top', () => {
  const lut = colormapLut('inferno');
  const bar = colorbarRGBA('inferno', 2, 100);
  assert.deepEqual(Array.from(bar.subarray(0, 3)), Array.from(lut.subarray(765, 768)));
  const bottom = 4 * (99 * 2);
  assert.deepEqual(Array.from(bar.subarray(bottom, bottom + 3)), Array.from(lut.subarray(0, 3)));
  const horiz = colorbarRGBA('gray', 256, 1, false);
  for (let x = 0; x < 256; x++) assert.equal(horiz[4 * x], x);
});

test('z-score bins follow the thesis palette: (0,1] white, (1,2] yellow, (2,3] orange, >3 red, NaN black', () => {
  const cases: [number, number][] = [[0, 0], [0.5, 0], [1, 0], [1.0001, 1], [2, 1], [-1.5, 1], [2.5, 2], [3, 2], [3.01, 3], [-40, 3], [Infinity, 3], [NaN, 4]];
  for (const [z, bin] of cases) assert.equal(zScoreBin(z), bin, `z = ${z}`);
  assert.deepEqual(zScoreColor(0.5), [255, 255, 255]);
  assert.deepEqual(zScoreColor(1.5), [255, 255, 0]);
  assert.deepEqual(zScoreColor(2.5), [255, 165, 0]);
  assert.deepEqual(zScoreColor(7), [255, 0, 0]);
  assert.deepEqual(zScoreColor(NaN), [0, 0, 0]);
  const img = renderZScoreRGBA(Float32Array.of(0.2, 2.2, NaN, 9), 2, 2);
  assert.deepEqual(Array.from(img), [255, 255, 255, 255, 255, 165, 0, 255, 0, 0, 0, 255, 255, 0, 0, 255]);
});
