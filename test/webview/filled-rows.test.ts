/**
 * The preview's row bookkeeping in the webview (webview/lib/filled-rows.ts) and the contrast over
 * filled rows only (webview/lib/contrast.ts), without a browser.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { clearUnfilledRows, filledValues, isRowFilled, noRowsFilled, withRowsFilled } from '../../webview/lib/filled-rows';
import { ContrastCache } from '../../webview/lib/contrast';
import { contrastRange } from '../../src/core/render/percentile';

test('filled rows grow by intervals in any order, as new objects; the count follows', () => {
  const none = noRowsFilled(6);
  assert.equal(none.count, 0);
  const a = withRowsFilled(none, 4, 6);
  const b = withRowsFilled(a, 0, 2);
  assert.notEqual(a, none);
  assert.equal(none.count, 0, 'the earlier object is unchanged');
  assert.deepEqual(Array.from(a.filled), [0, 0, 0, 0, 1, 1]);
  assert.deepEqual(Array.from(b.filled), [1, 1, 0, 0, 1, 1]);
  assert.equal(b.count, 4);
  assert.equal(withRowsFilled(b, 1, 5).count, 6, 'overlaps counted once');
  assert.equal(withRowsFilled(b, -3, 99).count, 6, 'clamped to the map');
  assert.equal(isRowFilled(b, 1), true);
  assert.equal(isRowFilled(b, 2), false);
  assert.equal(isRowFilled(undefined, 2), true, 'a final map has every row');
});

test('filledValues keeps the filled rows in order; clearUnfilledRows makes the others transparent', () => {
  const W = 2;
  const data = Float32Array.from({ length: 4 * W }, (_, i) => i + 1);
  const rows = withRowsFilled(withRowsFilled(noRowsFilled(4), 3, 4), 1, 2);
  assert.deepEqual(Array.from(filledValues(data, rows)), [3, 4, 7, 8]);
  assert.equal(filledValues(data, noRowsFilled(4)).length, 0);
  const rgba = new Uint8ClampedArray(4 * W * 4).fill(200);
  clearUnfilledRows(rgba, W, rows);
  const alpha = (r: number, c: number) => rgba[4 * (r * W + c) + 3];
  assert.deepEqual([alpha(0, 0), alpha(0, 1), alpha(1, 0), alpha(1, 1), alpha(2, 1), alpha(3, 0)], [0, 0, 200, 200, 0, 200]);
});

test('contrast of a preview map is taken over its filled rows only, and follows new rows in the same array', () => {
  const H = 10;
  const W = 4;
  const data = new Float32Array(H * W); // unfilled rows hold 0: they must not count as zero counts
  for (let i = 0; i < 3 * W; i++) data[i] = 100 + i; // rows 0-2: 100 … 111
  const p = { lowPercentile: 0, highPercentile: 100 };
  const cache = new ContrastCache();
  let rows = withRowsFilled(noRowsFilled(H), 0, 3);
  assert.deepEqual(cache.range(data, p, rows), { lo: 100, hi: 111 });
  assert.deepEqual(contrastRange(data, 0, 100), { lo: 0, hi: 111 }, 'over the whole array the zeros would set the low end');
  // Rows 3-4 arrive in the same array: the cached range must not be reused.
  for (let i = 3 * W; i < 5 * W; i++) data[i] = 500;
  rows = withRowsFilled(rows, 3, 5);
  assert.deepEqual(cache.range(data, p, rows), { lo: 100, hi: 500 });
  assert.deepEqual(cache.range(data, { lowPercentile: 50, highPercentile: 100 }, rows), contrastRange(filledValues(data, rows), 50, 100));
  // The final map (no rows) covers everything.
  assert.deepEqual(cache.range(data, p), { lo: 0, hi: 500 });
});
