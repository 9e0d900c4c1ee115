import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readSettings } from '../../src/host/settings';
import { DEFAULT_LINES } from '../../src/core/lines';

const from = (values: Record<string, unknown>) => (key: string) => values[key];

test('with nothing set: the thesis lines, no calibration override, viridis, linear, 0.5–99.5 %, auto backend', () => {
  const s = readSettings(from({}));
  assert.deepEqual(s.lines, [...DEFAULT_LINES]);
  assert.equal(s.calibration, undefined);
  assert.deepEqual(s.display, { colormap: 'viridis', scaling: 'linear', lowPercentile: 0.5, highPercentile: 99.5 });
  assert.equal(s.backend, 'auto');
  assert.deepEqual(s.warnings, []);
});

test('line names are normalized and de-duplicated; non-lines are reported, not fatal', () => {
  const s = readSettings(from({ lines: ['Fe_K', 'Pb-L', 'FeK', 'banana', 'Ca K'] }));
  assert.deepEqual(s.lines, ['Fe K', 'Pb L', 'Ca K']);
  assert.deepEqual(s.invalidLines, ['banana']);
  assert.match(s.warnings.join('\n'), /"banana"/);
  assert.deepEqual(readSettings(from({ lines: ['nope'] })).lines, [...DEFAULT_LINES], 'no valid line: fall back to the defaults');
});

test('a calibration set by the user is used; an invalid one is reported and ignored', () => {
  assert.deepEqual(readSettings(from({ 'calibration.offsetKeV': -0.96, 'calibration.gainKeV': 0.0101 })).calibration, { offsetKeV: -0.96, gainKeV: 0.0101 });
  assert.deepEqual(readSettings(from({ 'calibration.gainKeV': 0.02 })).calibration, { offsetKeV: 0, gainKeV: 0.02 });
  const bad = readSettings(from({ 'calibration.gainKeV': 0 }));
  assert.equal(bad.calibration, undefined);
  assert.match(bad.warnings[0], /gain must be a positive number/);
});

test('enumerated settings accept their values and fall back with a warning otherwise', () => {
  const s = readSettings(from({ colormap: 'inferno', scaling: 'log', backend: 'wasm' }));
  assert.deepEqual([s.display.colormap, s.display.scaling, s.backend], ['inferno', 'log', 'wasm']);
  const bad = readSettings(from({ colormap: 'jet', scaling: 3, backend: 'cuda' }));
  assert.deepEqual([bad.display.colormap, bad.display.scaling, bad.backend], ['viridis', 'linear', 'auto']);
  assert.equal(bad.warnings.length, 3);
});

test('contrast percentiles must satisfy 0 ≤ low < high ≤ 100', () => {
  const ok = readSettings(from({ 'contrast.lowPercentile': 1, 'contrast.highPercentile': 99 }));
  assert.deepEqual([ok.display.lowPercentile, ok.display.highPercentile], [1, 99]);
  const bad = readSettings(from({ 'contrast.lowPercentile': 99, 'contrast.highPercentile': 1 }));
  assert.deepEqual([bad.display.lowPercentile, bad.display.highPercentile], [0.5, 99.5]);
  assert.match(bad.warnings[0], /low < high/);
});
