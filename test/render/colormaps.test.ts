import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { colormapLut, colormapColor, colormaps, COLORMAP_NAMES } from '../../src/core/render';

const hex = (h: string) => [parseInt(h.slice(1, 3), 16), parseInt(h.slice(3, 5), 16), parseInt(h.slice(5, 7), 16)];

test('viridis and inferno match their published tables at reference entries (±1)', () => {
  // Published 256-entry tables (BIDS/matplotlib): first, middle (128) and last entries.
  const refs: Record<string, [number, string][]> = {
    viridis: [[0, '#440154'], [64, '#3b528b'], [128, '#21918c'], [192, '#5ec962'], [255, '#fde725']],
    inferno: [[0, '#000004'], [64, '#56106e'], [128, '#bb3754'], [192, '#f98e09'], [255, '#fcffa4']],
  };
  for (const [name, entries] of Object.entries(refs)) {
    const lut = colormapLut(name as 'viridis' | 'inferno');
    assert.equal(lut.length, 768);
    for (const [i, h] of entries) {
      const want = hex(h);
      for (let c = 0; c < 3; c++) assert.ok(Math.abs(lut[3 * i + c] - want[c]) <= 1, `${name}[${i}] channel ${c}: ${lut[3 * i + c]} vs ${want[c]}`);
    }
  }
});

test('gray is the identity ramp; lookups clamp; unknown names throw', () => {
  const g = colormaps.gray;
  for (let i = 0; i < 256; i++) assert.deepEqual([g[3 * i], g[3 * i + 1], g[3 * i + 2]], [i, i, i]);
  assert.deepEqual(colormapColor('gray', -5), [0, 0, 0]);
  assert.deepEqual(colormapColor('gray', 2), [255, 255, 255]);
  assert.deepEqual(colormapColor('gray', NaN), [0, 0, 0]);
  assert.deepEqual(colormapColor('viridis', 1), hex('#fde725'));
  assert.deepEqual([...COLORMAP_NAMES], ['viridis', 'inferno', 'gray']);
  assert.throws(() => colormapLut('jet' as never), /unknown colormap "jet"/);
});

test('viridis is perceptually ordered: lightness (luma) rises monotonically', () => {
  for (const name of ['viridis', 'inferno'] as const) {
    const lut = colormapLut(name);
    const luma = (i: number) => 0.2126 * lut[3 * i] + 0.7152 * lut[3 * i + 1] + 0.0722 * lut[3 * i + 2];
    for (let i = 8; i < 256; i += 8) assert.ok(luma(i) > luma(i - 8), `${name} luma at ${i}`);
  }
});

const PY = '/usr/bin/python3';
const hasMatplotlib = spawnSync(PY, ['-c', 'import matplotlib'], { encoding: 'utf8' }).status === 0;

test('all 256 entries match matplotlib within ±1 (optional)', { skip: hasMatplotlib ? undefined : `matplotlib not importable by ${PY}` }, () => {
  const r = spawnSync(
    PY,
    ['-c', "import json, numpy as np\nfrom matplotlib import colormaps as c\nprint(json.dumps({n: (np.asarray(c[n](np.linspace(0, 1, 256)))[:, :3] * 255).tolist() for n in ['viridis', 'inferno', 'gray']}))"],
    { encoding: 'utf8' },
  );
  assert.equal(r.status, 0, r.stderr);
  const ref = JSON.parse(r.stdout) as Record<string, number[][]>;
  for (const name of ['viridis', 'inferno', 'gray'] as const) {
    const lut = colormapLut(name);
    ref[name].forEach((rgb, i) => rgb.forEach((v, c) => assert.ok(Math.abs(lut[3 * i + c] - v) <= 1, `${name}[${i}][${c}]: ${lut[3 * i + c]} vs ${v}`)));
  }
});
