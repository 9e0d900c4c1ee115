import { test } from 'node:test';
import assert from 'node:assert/strict';
import { layoutLossChart, logAxisTicks, logDomain } from '../../webview/lib/loss-chart';

const close = (a: number, b: number, tol = 1e-9) => assert.ok(Math.abs(a - b) <= tol * Math.max(1, Math.abs(b)), `${a} vs ${b}`);

test('the log domain covers every positive finite value with 5 % of its decades as margin', () => {
  const [lo, hi] = logDomain([0.1, 10, 1])!;
  // Two decades → 0.1 decade of padding each way.
  close(lo, 0.1 / 10 ** 0.1);
  close(hi, 10 * 10 ** 0.1);
  // A single value gets a third of a decade each way; zeros, negatives, NaN and Inf are ignored.
  const [a, b] = logDomain([0, -3, NaN, Infinity, 2])!;
  close(a, 2 / 10 ** (1 / 3));
  close(b, 2 * 10 ** (1 / 3));
  assert.equal(logDomain([0, NaN, -1]), undefined);
});

test('log-axis ticks are decades over long spans and linear steps inside one decade', () => {
  assert.deepEqual(logAxisTicks(0.0794, 12.59), [0.1, 1, 10]);
  assert.deepEqual(logAxisTicks(0.15, 0.9), [0.2, 0.5]);
  // A converged run, 0.21 … 0.29: no 1-2-5 tick falls inside, so linear steps of 0.02.
  assert.deepEqual(logAxisTicks(0.21, 0.29), [0.22, 0.24, 0.26, 0.28]);
});

test('the layout places epochs linearly and losses logarithmically inside the plot box', () => {
  const L = layoutLossChart({ train: [1, 0.1, 0.01], val: [2, 0.2, 0.05] }, { width: 400, height: 300 });
  assert.deepEqual(L.plot, { left: 56, top: 12, right: 386, bottom: 266 });
  assert.deepEqual(L.xDomain, [1, 3]);
  const [train, val] = L.series;
  assert.equal(train.name, 'train');
  assert.equal(train.segments.length, 1);
  const pts = train.segments[0];
  // Epoch 1 at the left edge, epoch 3 at the right, epoch 2 half way.
  close(pts[0][0], 56);
  close(pts[2][0], 386);
  close(pts[1][0], 221);
  // Each tenfold drop moves the curve down by the same distance (log axis), and lower is smaller.
  close(pts[1][1] - pts[0][1], pts[2][1] - pts[1][1], 1e-9);
  assert.ok(pts[0][1] < pts[2][1], 'a larger loss is drawn higher');
  // Every point lies inside the plot.
  for (const s of [train, val]) for (const seg of s.segments) for (const [x, y] of seg) assert.ok(x >= 56 && x <= 386 && y >= 12 && y <= 266);
  // Decade ticks are evenly spaced too.
  const t = L.yTicks.filter((k) => [0.01, 0.1, 1].includes(k.value));
  assert.equal(t.length, 3);
  close(t[0].px - t[1].px, t[1].px - t[2].px, 1e-9);
  assert.equal(L.best?.epoch, 3);
  close(L.best!.y, val.segments[0][2][1]);
});

test('values a log axis cannot show break the curve instead of reaching the axis', () => {
  const L = layoutLossChart({ train: [0.5, 0.4, 0.3, 0.2], val: [0.6, NaN, 0, 0.25] }, { width: 300, height: 200 });
  const val = L.series[1];
  assert.equal(val.segments.length, 2);
  assert.equal(val.segments[0].length, 1);
  assert.equal(val.segments[1].length, 1);
  assert.equal(L.best?.epoch, 4, 'the best epoch ignores NaN and 0');
  assert.ok(L.yDomain[0] > 0 && L.yDomain[0] < 0.2 && L.yDomain[1] > 0.6);
});

test('an empty history still lays out axes (waiting for the first epoch)', () => {
  const L = layoutLossChart({ train: [], val: [] }, { width: 300, height: 200 }, { maxEpochs: 1000 });
  assert.deepEqual(L.xDomain, [1, 10]);
  assert.deepEqual(L.series.map((s) => s.segments.length), [0, 0]);
  assert.equal(L.best, undefined);
  assert.ok(L.xTicks.length >= 2 && L.xTicks[0].value === 1);
  assert.ok(L.yTicks.length >= 2);
});
