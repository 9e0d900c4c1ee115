import { test } from 'node:test';
import assert from 'node:assert/strict';
import { roiScaleFactor, scaledOverlay } from '../../webview/lib/overlay';
import { colorbarTicks } from '../../webview/lib/colorbar';
import { makeScaler } from '../../src/core/render/render-map';
import { pureSpectrum } from '../../src/core/physics/spectra';
import { roiChannels } from '../../src/core/physics/roi';

test('the overlay carries exactly the pixel\'s counts in the family\'s ROI window', () => {
  const pure = new Float32Array([0, 0.1, 0.6, 0.3, 0, 0.2]);
  const pixel = new Float32Array([5, 7, 40, 20, 6, 9]);
  const k = roiScaleFactor(pure, pixel, 1, 4);
  assert.ok(Math.abs(k - 67) < 1e-5, '(7 + 40 + 20) / (0.1 + 0.6 + 0.3)');
  const o = scaledOverlay(pure, k);
  assert.ok(Math.abs(o[1] + o[2] + o[3] - 67) < 1e-4);
  assert.equal(roiScaleFactor(pure, new Float32Array(6), 1, 4), 0, 'an empty pixel: no overlay, not NaN');
  assert.equal(roiScaleFactor(new Float32Array(6), pixel, 1, 4), 0);
});

test('on a real pure spectrum, the Fe K overlay of a pixel made of 250 × Fe K plus flat background matches its ROI sum', () => {
  const cal = { offsetKeV: 0, gainKeV: 0.01 };
  const pure = pureSpectrum('Fe K', cal, 2048);
  const pixel = Float32Array.from(pure, (v) => 250 * v + 0.5);
  const roi = roiChannels('Fe K', cal, 2048);
  const k = roiScaleFactor(pure, pixel, roi.loChannel, roi.hiChannel);
  let roiPure = 0;
  for (let i = roi.loChannel; i < roi.hiChannel; i++) roiPure += pure[i];
  const background = 0.5 * (roi.hiChannel - roi.loChannel);
  assert.ok(Math.abs(k - (250 + background / roiPure)) < 1e-3, 'the background in the window is counted, as the map counts it');
});

test('colorbar ticks sit where the map\'s own scaler puts their values', () => {
  for (const scale of ['linear', 'sqrt', 'log'] as const) {
    const ticks = colorbarTicks(scale, 2, 900);
    assert.ok(ticks.length >= 2, `${scale}: ${JSON.stringify(ticks)}`);
    const toT = makeScaler(scale, 2, 900);
    for (const t of ticks) {
      assert.ok(Math.abs(t.position - toT(t.value)) < 1e-12);
      assert.ok(t.value >= 2 && t.value <= 900);
    }
    for (let i = 1; i < ticks.length; i++) assert.ok(ticks[i].position - ticks[i - 1].position >= 0.14, `${scale}: labels do not collide`);
  }
  assert.deepEqual(colorbarTicks('log', 2, 900).map((t) => t.value), [10, 100], 'decades');
  assert.deepEqual(colorbarTicks('linear', 0, 1).map((t) => t.value), [0, 0.2, 0.4, 0.6, 0.8, 1]);
  // A log scale over a map with zeros spans three decades below its top.
  assert.deepEqual(colorbarTicks('log', 0, 1000).map((t) => t.value), [1, 10, 100, 1000]);
  assert.deepEqual(colorbarTicks('linear', 5, 5), [{ value: 5, position: 0 }], 'a flat map');
});
