/**
 * The preview's row bookkeeping in the webview (webview/lib/filled-rows.ts) and the contrast over
 * filled rows only (webview/lib/contrast.ts), without a browser.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { clearUnfilledRows, filledValues, isRowFilled, noRowsFilled, withRowsFilled } from '../../webview/lib/filled-rows';
import { ContrastCache, PREVIEW_STEADY, sampleFilled } from '../../webview/lib/contrast';
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

test('a preview\'s percentiles are taken over an even sample of its filled rows: every k-th value, in row order', () => {
  for (const [H, W, max] of [[7, 5, 9], [10, 4, 1000], [9, 3, 5], [6, 2, 3], [50, 33, 100]]) {
    const data = Float32Array.from({ length: H * W }, (_, i) => i * 1.5);
    const rows = withRowsFilled(withRowsFilled(noRowsFilled(H), 0, 2), 4, H);
    const all = filledValues(data, rows);
    const k = Math.max(1, Math.ceil(all.length / max));
    assert.deepEqual(Array.from(sampleFilled(data, rows, max)), Array.from(all.filter((_, i) => i % k === 0)), `${H}×${W}, at most ${max}`);
    assert.ok(sampleFilled(data, rows, max).length <= max);
  }
});

test('a preview keeps its range while a new one is within PREVIEW_STEADY of it, and takes the new one beyond', () => {
  const H = 100;
  const W = 10;
  const data = new Float32Array(H * W);
  const p = { lowPercentile: 0, highPercentile: 100 };
  for (let i = 0; i < 10 * W; i++) data[i] = i % 2 === 0 ? 0 : 1000;
  const cache = new ContrastCache();
  let rows = withRowsFilled(noRowsFilled(H), 0, 10);
  assert.deepEqual(cache.range(data, p, rows), { lo: 0, hi: 1000 });
  // Rows reaching 1000 · (1 + PREVIEW_STEADY / 2): close enough, the range stays (the tiles draw only the new rows).
  for (let i = 10 * W; i < 20 * W; i++) data[i] = 1000 * (1 + PREVIEW_STEADY / 2);
  rows = withRowsFilled(rows, 10, 20);
  assert.deepEqual(cache.range(data, p, rows), { lo: 0, hi: 1000 });
  // Rows reaching twice that: a new range.
  for (let i = 20 * W; i < 30 * W; i++) data[i] = 2000;
  rows = withRowsFilled(rows, 20, 30);
  assert.deepEqual(cache.range(data, p, rows), { lo: 0, hi: 2000 });
  // The final map is exact whatever the preview held.
  assert.deepEqual(cache.range(Float32Array.from(data), p), contrastRange(data, 0, 100));
});
