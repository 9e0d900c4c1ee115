import { test } from 'node:test';
import assert from 'node:assert/strict';
import { countToY, dragToWindow, energyToX, fullEnergyRange, logCountRange, logSeriesPolylines, xToChannel, xToEnergy, zoomEnergy } from '../../webview/lib/spectrum-axes';

const CAL = { offsetKeV: -0.5, gainKeV: 0.01 };
const BOX = { left: 50, top: 10, width: 400, height: 200 };

test('the energy axis runs from channel 0 to the last channel through the calibration', () => {
  const r = fullEnergyRange(CAL, 4096);
  assert.equal(r.lo, -0.5);
  assert.ok(Math.abs(r.hi - (-0.5 + 0.01 * 4095)) < 1e-12);
  assert.equal(energyToX(r.lo, r, BOX), 50);
  assert.equal(energyToX(r.hi, r, BOX), 450);
  assert.ok(Math.abs(xToEnergy(energyToX(6.4, r, BOX), r, BOX) - 6.4) < 1e-12);
});

test('a screen x maps to the nearest channel, clamped to the cube', () => {
  const r = { lo: 0, hi: 4 }; // 400 px for 4 keV: 1 px per 10 eV channel at offset −0.5 keV
  assert.equal(xToChannel(50 + 64, r, BOX, CAL, 4096), 114); // 0.64 keV → (0.64 + 0.5) / 0.01
  assert.equal(xToChannel(0, r, BOX, CAL, 4096), 0, 'left of the box: −0.5 keV, channel 0');
  assert.equal(xToChannel(50, r, BOX, CAL, 4096), 50, 'the left edge: 0 keV');
  assert.equal(xToChannel(1e6, r, BOX, CAL, 100), 99);
  assert.equal(xToChannel(-1e6, { lo: -10, hi: 0 }, BOX, CAL, 100), 0);
});

test('a drag, either way, covers the channels under it as [lo, hi)', () => {
  const r = { lo: 0, hi: 4 };
  assert.deepEqual(dragToWindow(50 + 590 / 10, 50 + 700 / 10, r, BOX, CAL, 4096), { loChannel: 109, hiChannel: 121 });
  assert.deepEqual(dragToWindow(50 + 70, 50 + 59, r, BOX, CAL, 4096), { loChannel: 109, hiChannel: 121 });
});

test('the log counts range covers the data in whole decades and ignores zeros', () => {
  assert.deepEqual(logCountRange([new Float32Array([0, 3, 250, 0]), [0.5, 40]]), { lo: 0.1, hi: 1000 });
  assert.deepEqual(logCountRange([new Float32Array([0, 0])]), { lo: 0.1, hi: 10 }, 'an empty spectrum still has an axis');
  assert.deepEqual(logCountRange([[1000, 5, 7, 2000]], 1, 3), { lo: 1, hi: 10 }, 'only the channels shown count');
  const r = logCountRange([[1e-9, 1e6]]);
  assert.ok(r.lo >= 0.1 - 1e-12, 'at most seven decades below the peak');
});

test('counts map to heights logarithmically; zero sits on the axis', () => {
  const range = { lo: 1, hi: 1000 };
  assert.equal(countToY(1000, range, BOX), 10);
  assert.equal(countToY(1, range, BOX), 210);
  assert.ok(Math.abs(countToY(10 ** 1.5, range, BOX) - 110) < 1e-9);
  assert.equal(countToY(0, range, BOX), 210);
  assert.equal(countToY(1e9, range, BOX), 10, 'clamped to the top');
});

test('zero counts lie flat on the log axis floor and are never joined to positive channels (no spikes)', () => {
  const range = { lo: 1, hi: 1000 };
  const floor = BOX.top + BOX.height;
  const x = (c: number): number => 50 + 10 * c;
  //                         0   1   2  3  4  5  6   7  8
  const data = new Float32Array([10, 100, 0, 0, 0, 5, 0, 1000, 0]);
  const lines = logSeriesPolylines(data, 0, 9, x, range, BOX);
  for (const line of lines) {
    const onFloor = line.map((p) => p.y === floor);
    // A line either stays on the floor or never touches it (here every positive count is ≥ lo·10).
    const positiveLine = line.some((p) => p.y < floor);
    if (positiveLine) assert.ok(onFloor.every((f) => !f), 'a positive run never dips to the floor');
    else assert.ok(onFloor.every((f) => f), 'a zero run sits flat on the floor');
  }
  assert.deepEqual(lines[0], [{ x: 50, y: countToY(10, range, BOX) }, { x: 60, y: countToY(100, range, BOX) }]);
  assert.deepEqual(lines[1], [{ x: 70, y: floor }, { x: 90, y: floor }], 'the zero run 2..4 is one flat floor segment');
  assert.deepEqual(lines[2], [{ x: 95, y: countToY(5, range, BOX) }, { x: 105, y: countToY(5, range, BOX) }], 'a lone channel is a tick one channel wide');
  assert.deepEqual(lines[3], [{ x: 105, y: floor }, { x: 115, y: floor }]);
  assert.deepEqual(lines[4], [{ x: 115, y: BOX.top }, { x: 125, y: BOX.top }]);
  assert.deepEqual(lines[5], [{ x: 125, y: floor }, { x: 135, y: floor }]);
  assert.equal(lines.length, 6);
  const xs = lines.flat().map((p) => p.x);
  assert.ok(Math.min(...xs) >= 50 && Math.max(...xs) <= 135, 'every channel of the range is drawn, nothing outside it');
});

test('the polylines cover only the channels shown, and an empty range draws nothing', () => {
  const range = { lo: 1, hi: 100 };
  const x = (c: number): number => c;
  const lines = logSeriesPolylines([0, 0, 3, 4, 0, 0], 2, 4, x, range, BOX);
  assert.deepEqual(lines.map((l) => l.map((p) => p.x)), [[2, 3]]);
  assert.deepEqual(logSeriesPolylines([1, 2], 5, 9, x, range, BOX), []);
  assert.deepEqual(logSeriesPolylines([1, 2, 3], 0, 99, x, range, BOX).map((l) => l.length), [3], 'clamped to the data length');
});

test('zooming the energy axis keeps the energy under the cursor and stays inside the spectrum', () => {
  const full = { lo: 0, hi: 40 };
  const z = zoomEnergy(full, full, 0.5, 10, 0.1);
  assert.deepEqual(z, { lo: 5, hi: 25 });
  const edge = zoomEnergy({ lo: 30, hi: 40 }, full, 2, 39, 0.1);
  assert.deepEqual(edge, { lo: 20, hi: 40 });
  const tiny = zoomEnergy(full, full, 1e-9, 10, 0.16);
  assert.ok(Math.abs(tiny.hi - tiny.lo - 0.16) < 1e-12, 'not narrower than the minimum span');
});
