import { test } from 'node:test';
import assert from 'node:assert/strict';
import { inflateSync } from 'node:zlib';
import { lossCurveFigure, comparisonFigure, zScoreFigure, niceTicks, zoomFor, TRAIN_RGB, VAL_RGB } from '../../src/core/experiment/figures';
import { encodePng } from '../../src/core/io/png';
import { Z_SCORE_RGB } from '../../src/core/render/index';

type Fig = { rgba: Uint8ClampedArray; width: number; height: number };

function count(f: Fig, c: readonly number[]): number {
  let n = 0;
  for (let i = 0; i < f.rgba.length; i += 4) if (f.rgba[i] === c[0] && f.rgba[i + 1] === c[1] && f.rgba[i + 2] === c[2]) n++;
  return n;
}

/** Columns (x) where colour c appears, as a sorted unique list. */
function columnsOf(f: Fig, c: readonly number[]): number[] {
  const xs = new Set<number>();
  for (let y = 0; y < f.height; y++) for (let x = 0; x < f.width; x++) {
    const o = 4 * (y * f.width + x);
    if (f.rgba[o] === c[0] && f.rgba[o + 1] === c[1] && f.rgba[o + 2] === c[2]) xs.add(x);
  }
  return [...xs].sort((a, b) => a - b);
}

/** Mean row of colour c within columns [x0, x1]. */
function meanRow(f: Fig, c: readonly number[], x0: number, x1: number): number {
  let s = 0;
  let n = 0;
  for (let y = 0; y < f.height; y++) for (let x = x0; x <= x1; x++) {
    const o = 4 * (y * f.width + x);
    if (f.rgba[o] === c[0] && f.rgba[o + 1] === c[1] && f.rgba[o + 2] === c[2]) {
      s += y;
      n++;
    }
  }
  return s / n;
}

test('nice ticks: steps of 1, 2 or 5 × 10^k covering the range', () => {
  assert.deepEqual(niceTicks(0, 10, 5), [0, 2, 4, 6, 8, 10]);
  assert.deepEqual(niceTicks(0.13, 0.61, 5), [0.2, 0.3, 0.4, 0.5, 0.6]);
  assert.deepEqual(niceTicks(1, 6, 6), [1, 2, 3, 4, 5, 6]);
  assert.deepEqual(niceTicks(3, 3), [3]);
  assert.equal(zoomFor(86, 113), 2);
  assert.equal(zoomFor(500, 600), 1);
});

test('loss curves: both curves drawn, falling losses go down the image, legend boxes present', () => {
  const f = lossCurveFigure({ train: [10, 6, 4, 3, 2.5], val: [9, 7, 5, 4.5, 4.4] }, { title: 'FCN' });
  assert.equal(f.rgba.length, f.width * f.height * 4);
  const train = columnsOf(f, TRAIN_RGB);
  const val = columnsOf(f, VAL_RGB);
  assert.ok(count(f, TRAIN_RGB) > 200 && count(f, VAL_RGB) > 200);
  // the curves span the plot from the first to the last epoch
  assert.ok(train[train.length - 1] - train[0] > f.width / 2);
  // falling loss: the curve's pixels near the right are lower in the image (larger y) than near the left
  const left = meanRow(f, TRAIN_RGB, train[0], train[0] + 10);
  const right = meanRow(f, TRAIN_RGB, 0.6 * f.width, 0.8 * f.width);
  assert.ok(right > left, `left ${left} right ${right}`);
  assert.ok(val.length > 0);
  // it encodes as a PNG of the same size
  const png = encodePng(f.rgba, f.width, f.height);
  assert.equal(new DataView(png.buffer, png.byteOffset).getUint32(16), f.width);
  assert.ok(inflateSync(png.subarray(41, png.length - 12)).length >= f.height);
});

test('loss curves: one epoch shows its points; NaN and empty histories do not throw', () => {
  const one = lossCurveFigure({ train: [3], val: [2] });
  assert.ok(count(one, TRAIN_RGB) >= 25 && count(one, VAL_RGB) >= 25);
  const bad = lossCurveFigure({ train: [NaN, 2, 1], val: [Infinity, 1.5, 1] });
  assert.ok(count(bad, TRAIN_RGB) > 0);
  const empty = lossCurveFigure({ train: [], val: [] });
  assert.equal(empty.rgba.length, empty.width * empty.height * 4);
});

test('comparison and z-score figures: one tile per family and map, z palette colours', () => {
  const h = 8;
  const w = 10;
  const gt = [new Float32Array(h * w).map((_, i) => i), new Float32Array(h * w).fill(1)];
  const pred = [gt[0].map((v) => v * 2), gt[1]];
  const cmp = comparisonFigure('t', ['Fe K', 'Pb L'], h, w, gt, [{ model: 'FCN', maps: pred }]);
  const zoom = zoomFor(h, w);
  assert.ok(cmp.width >= 2 * w * zoom && cmp.height >= 2 * h * zoom);
  const z = new Float32Array(h * w).map((_, i) => (i % 4) + 0.5); // bins 0..3
  const zf = zScoreFigure('z', ['Fe K'], h, w, [{ model: 'FCN', maps: [z] }, { model: 'FCN+', maps: [z] }]);
  for (const c of Z_SCORE_RGB.slice(1, 4)) assert.ok(count(zf, c) >= 2 * (h * w * zoom * zoom) / 4 - 1, `colour ${c}`);
});
