/** Test helpers for maps that fill in: check that row updates tile a scan and match its final maps. */
import assert from 'node:assert/strict';
import type { ScanSummary } from '../../src/core/maps/summary';
import type { RowsUpdate } from '../../src/workers/scan-session-client';

/** Every row of the scan in exactly one update, each update's values equal to the final summary's rows. */
export function assertUpdatesTileSummary(updates: readonly RowsUpdate[], s: Pick<ScanSummary, 'height' | 'width' | 'totalCounts' | 'roiMaps'>): void {
  const { height: H, width: W } = s;
  const seen = new Uint8Array(H);
  for (const u of updates) {
    assert.ok(Number.isInteger(u.from) && Number.isInteger(u.to) && 0 <= u.from && u.from < u.to && u.to <= H, `update [${u.from}, ${u.to}) inside 0..${H}`);
    for (let r = u.from; r < u.to; r++) seen[r]++;
    const a = u.from * W;
    const b = u.to * W;
    assert.ok(u.totalCounts instanceof Float32Array);
    assert.deepEqual(u.totalCounts, s.totalCounts.slice(a, b), `total counts of rows [${u.from}, ${u.to})`);
    assert.equal(u.roiMaps.length, s.roiMaps.length, 'one array per line');
    u.roiMaps.forEach((m, k) => assert.deepEqual(m, s.roiMaps[k].slice(a, b), `map ${k}, rows [${u.from}, ${u.to})`));
  }
  const wrong = [...seen.keys()].filter((r) => seen[r] !== 1);
  assert.deepEqual(wrong, [], `every row in exactly one update (rows seen ${wrong.map((r) => `${r}×${seen[r]}`).join(', ')})`);
}

export const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
