import { test } from 'node:test';
import assert from 'node:assert/strict';
import { formatValue, logTicks, niceStep, niceTicks } from '../../webview/lib/ticks';

test('nice steps are 1, 2 or 5 times a power of ten', () => {
  assert.equal(niceStep(10, 5), 2);
  assert.equal(niceStep(7, 5), 2);
  assert.equal(niceStep(1000, 4), 500);
  assert.equal(niceStep(0.03, 3), 0.01);
  assert.equal(niceStep(0, 5), 1);
});

test('nice ticks lie inside the range at multiples of the step', () => {
  assert.deepEqual(niceTicks(0, 10, 5), [0, 2, 4, 6, 8, 10]);
  assert.deepEqual(niceTicks(1.3, 8.7, 4), [2, 4, 6, 8]);
  assert.deepEqual(niceTicks(0.1, 0.35, 5), [0.1, 0.15, 0.2, 0.25, 0.3, 0.35]);
  assert.deepEqual(niceTicks(-3, 3, 3), [-2, 0, 2]);
  assert.deepEqual(niceTicks(10, 0, 5), [0, 2, 4, 6, 8, 10], 'reversed range');
  assert.deepEqual(niceTicks(4, 4), [4]);
  assert.deepEqual(niceTicks(NaN, 1), []);
});

test('log ticks are decades, with 2× and 5× over short ranges', () => {
  assert.deepEqual(logTicks(0.1, 10000), [0.1, 1, 10, 100, 1000, 10000]);
  assert.deepEqual(logTicks(1, 100), [1, 2, 5, 10, 20, 50, 100]);
  assert.deepEqual(logTicks(3, 40), [5, 10, 20]);
  assert.deepEqual(logTicks(0, 10), []);
});

test('values print short', () => {
  assert.equal(formatValue(0), '0');
  assert.equal(formatValue(1234), '1234');
  assert.equal(formatValue(12.3456), '12.3');
  assert.equal(formatValue(123456), '1.23e5');
  assert.equal(formatValue(0.000123), '1.23e-4');
  assert.equal(formatValue(-0.5), '-0.5');
  assert.equal(formatValue(NaN), 'NaN');
});
