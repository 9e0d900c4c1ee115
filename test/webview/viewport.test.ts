import { test } from 'node:test';
import assert from 'node:assert/strict';
import {
  clampViewport,
  fitScale,
  fitViewport,
  hitPixel,
  imageToScreen,
  maxZoom,
  panBy,
  screenToImage,
  viewportForKey,
  zoomAt,
  MAX_SCREEN_PX_PER_PIXEL,
} from '../../webview/lib/viewport';

const IMG = { width: 200, height: 100 };
const CANVAS = { width: 400, height: 400 };
const close = (a: number, b: number, eps = 1e-9) => Math.abs(a - b) <= eps;

test('at fit, the map fills the limiting canvas side and is centred', () => {
  const vp = fitViewport(IMG);
  assert.equal(fitScale(IMG, CANVAS), 2); // 400/200 across, 400/100 up → 2
  assert.deepEqual(imageToScreen(vp, IMG, CANVAS, 0, 0), { x: 0, y: 100 });
  assert.deepEqual(imageToScreen(vp, IMG, CANVAS, 200, 100), { x: 400, y: 300 });
});

test('hit-testing finds the pixel under a screen point, and nothing off the map', () => {
  const vp = fitViewport(IMG);
  assert.deepEqual(hitPixel(vp, IMG, CANVAS, 0.5, 100.5), { row: 0, col: 0 });
  assert.deepEqual(hitPixel(vp, IMG, CANVAS, 399.9, 299.9), { row: 99, col: 199 });
  assert.deepEqual(hitPixel(vp, IMG, CANVAS, 2 * 37 + 1, 100 + 2 * 12 + 1), { row: 12, col: 37 });
  assert.equal(hitPixel(vp, IMG, CANVAS, 200, 50), undefined, 'above the map (letterbox)');
  assert.equal(hitPixel(vp, IMG, CANVAS, 200, 300), undefined, 'the bottom edge belongs to no pixel');
});

test('screen ↔ image transforms invert each other at any zoom and pan', () => {
  const vp = { cx: 57.3, cy: 21.9, zoom: 6.5 };
  for (const [x, y] of [[0, 0], [13.25, 99.5], [200, 100]]) {
    const s = imageToScreen(vp, IMG, CANVAS, x, y);
    const back = screenToImage(vp, IMG, CANVAS, s.x, s.y);
    assert.ok(close(back.x, x) && close(back.y, y));
  }
});

test('wheel zoom keeps the image point under the cursor fixed', () => {
  const vp = fitViewport(IMG);
  const cursor = { x: 310, y: 140 };
  const before = screenToImage(vp, IMG, CANVAS, cursor.x, cursor.y);
  const z = zoomAt(vp, IMG, CANVAS, 3, cursor.x, cursor.y);
  assert.equal(z.zoom, 3);
  const after = screenToImage(z, IMG, CANVAS, cursor.x, cursor.y);
  assert.ok(close(after.x, before.x) && close(after.y, before.y));
  assert.deepEqual(hitPixel(z, IMG, CANVAS, cursor.x, cursor.y), hitPixel(vp, IMG, CANVAS, cursor.x, cursor.y));
});

test('zoom stays between fit and the maximum, where one pixel spans MAX_SCREEN_PX_PER_PIXEL', () => {
  const out = zoomAt(fitViewport(IMG), IMG, CANVAS, 0.1, 10, 10);
  assert.equal(out.zoom, 1);
  let vp = fitViewport(IMG);
  for (let i = 0; i < 50; i++) vp = zoomAt(vp, IMG, CANVAS, 2, 200, 200);
  assert.equal(vp.zoom, maxZoom(IMG, CANVAS));
  assert.equal(fitScale(IMG, CANVAS) * vp.zoom, MAX_SCREEN_PX_PER_PIXEL);
});

test('dragging moves the map with the pointer, and the centre cannot leave the map', () => {
  const vp = { cx: 100, cy: 50, zoom: 4 }; // 8 screen px per pixel
  const p = panBy(vp, IMG, CANVAS, 40, -16);
  assert.deepEqual(p, { cx: 95, cy: 52, zoom: 4 });
  // A point under the pointer moves with it.
  const a = screenToImage(vp, IMG, CANVAS, 100, 100);
  const b = screenToImage(p, IMG, CANVAS, 140, 84);
  assert.ok(close(a.x, b.x) && close(a.y, b.y));
  const far = panBy(vp, IMG, CANVAS, 1e6, -1e6);
  assert.deepEqual([far.cx, far.cy], [0, IMG.height]);
  assert.deepEqual(clampViewport({ cx: -5, cy: 500, zoom: 0.2 }, IMG, CANVAS), { cx: 0, cy: 100, zoom: 1 });
});

test('keyboard: + and − zoom about the centre, arrows pan a tenth of the canvas, 0 resets, others are not ours', () => {
  const vp = { cx: 100, cy: 50, zoom: 2 };
  const zin = viewportForKey('+', vp, IMG, CANVAS)!;
  assert.ok(close(zin.zoom, 2.5) && close(zin.cx, 100) && close(zin.cy, 50));
  assert.ok(close(viewportForKey('-', vp, IMG, CANVAS)!.zoom, 1.6));
  const right = viewportForKey('ArrowRight', vp, IMG, CANVAS)!; // view moves right: centre moves right by 40 px / 4 px per pixel
  assert.ok(close(right.cx, 110) && close(right.cy, 50));
  const up = viewportForKey('ArrowUp', vp, IMG, CANVAS)!;
  assert.ok(close(up.cy, 40));
  assert.deepEqual(viewportForKey('0', vp, IMG, CANVAS), fitViewport(IMG));
  assert.equal(viewportForKey('x', vp, IMG, CANVAS), undefined);
});
