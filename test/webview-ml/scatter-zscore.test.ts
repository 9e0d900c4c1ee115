import { test } from 'node:test';
import assert from 'node:assert/strict';
import { densityGrid, densityRGBA, fitLineSegment, scatterDomain } from '../../webview/lib/scatter';
import { renderZScoreRGBA, zBinShares, zLegend } from '../../webview/lib/zscore';

test('the scatter domain is shared by both axes, includes 0 and pads the top', () => {
  const d = scatterDomain(Float32Array.from([1, 5, 10]), Float32Array.from([2, 20, NaN]));
  assert.equal(d.lo, 0);
  assert.ok(Math.abs(d.hi - 20.6) < 1e-9, `${d.hi}`);
  const neg = scatterDomain([-10, 0], [0, 10]);
  assert.ok(Math.abs(neg.lo - -10.6) < 1e-9 && Math.abs(neg.hi - 10.6) < 1e-9);
  assert.deepEqual(scatterDomain([0, 0], [0, 0]), { lo: -1, hi: 1 }, 'all-zero maps still get an axis');
});

test('the fitted line ŷ = α·y is clipped to the square plot', () => {
  const d = { lo: 0, hi: 10 };
  assert.deepEqual(fitLineSegment(1, d), { x0: 0, y0: 0, x1: 10, y1: 10 });
  assert.deepEqual(fitLineSegment(2, d), { x0: 0, y0: 0, x1: 5, y1: 10 }, 'steep: leaves through the top');
  assert.deepEqual(fitLineSegment(0.5, d), { x0: 0, y0: 0, x1: 10, y1: 5 }, 'shallow: leaves through the right');
  assert.deepEqual(fitLineSegment(-1, { lo: -2, hi: 10 }), { x0: -2, y0: 2, x1: 2, y1: -2 });
  assert.deepEqual(fitLineSegment(0, d), { x0: 0, y0: 0, x1: 10, y1: 0 });
  assert.equal(fitLineSegment(null, d), undefined, 'α undefined (all-zero truth): no line');
  assert.equal(fitLineSegment(-1, d), undefined, 'a negative slope misses a plot starting at 0 (it only touches the corner)');
});

test('the density grid counts every in-domain point once, corners in the corner cells', () => {
  const d = { lo: 0, hi: 4 };
  const y = Float32Array.from([0, 4, 4, 1.5, 1.6, NaN, 5]);
  const yhat = Float32Array.from([0, 4, 0, 2.5, 2.6, 1, 1]);
  const g = densityGrid(y, yhat, d, 4, 4);
  assert.equal(g.reduce((a, b) => a + b, 0), 5, 'NaN and the point outside the domain are skipped');
  assert.equal(g[3 * 4 + 0], 1, '(0, 0) is the bottom-left cell');
  assert.equal(g[0 * 4 + 3], 1, '(4, 4) is the top-right cell');
  assert.equal(g[3 * 4 + 3], 1, '(4, 0) is the bottom-right cell');
  assert.equal(g[1 * 4 + 1], 2, '(1.5, 2.5) and (1.6, 2.6) share a cell');
  const rgba = densityRGBA(g, [10, 20, 30]);
  assert.equal(rgba[(1 * 4 + 1) * 4 + 3], 255, 'the densest cell is opaque');
  assert.ok(rgba[(3 * 4 + 0) * 4 + 3] > 80 && rgba[(3 * 4 + 0) * 4 + 3] < 255, 'a lone point is visible but lighter');
  assert.equal(rgba[(0 * 4 + 0) * 4 + 3], 0, 'empty cells are transparent');
  assert.deepEqual([...rgba.subarray(4 * 5, 4 * 5 + 3)], [10, 20, 30]);
});

test('z-score palette: white, yellow, orange, red for (0,1], (1,2], (2,3], >3; black for no data', () => {
  assert.deepEqual(
    zLegend().map((e) => [e.label, e.color]),
    [
      ['(0, 1]', 'rgb(255, 255, 255)'],
      ['(1, 2]', 'rgb(255, 255, 0)'],
      ['(2, 3]', 'rgb(255, 165, 0)'],
      ['> 3', 'rgb(255, 0, 0)'],
    ],
  );
  const z = Float32Array.from([0, 1, 1.0001, 2, 2.5, 3, 3.5, Infinity, NaN]);
  const rgba = renderZScoreRGBA(z, 9, 1);
  const px = (i: number) => [...rgba.subarray(4 * i, 4 * i + 4)];
  assert.deepEqual(px(0), [255, 255, 255, 255], '0 counts in the first bin');
  assert.deepEqual(px(1), [255, 255, 255, 255], 'bins are closed on the right: 1 is white');
  assert.deepEqual(px(2), [255, 255, 0, 255]);
  assert.deepEqual(px(3), [255, 255, 0, 255]);
  assert.deepEqual(px(4), [255, 165, 0, 255]);
  assert.deepEqual(px(5), [255, 165, 0, 255]);
  assert.deepEqual(px(6), [255, 0, 0, 255]);
  assert.deepEqual(px(7), [255, 0, 0, 255], 'a flat truth that the prediction misses gives z = ∞: red');
  assert.deepEqual(px(8), [0, 0, 0, 255]);
  const s = zBinShares(z);
  assert.deepEqual([s.le1, s.le2, s.le3, s.gt3, s.noData].map((v) => v * 9), [2, 2, 2, 2, 1]);
  assert.deepEqual(zLegend({ le1: 0.5, le2: 0.25, le3: 0.125, gt3: 0.125 }).map((e) => e.share), [0.5, 0.25, 0.125, 0.125]);
});
