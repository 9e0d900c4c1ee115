/** The per-file memory of the scan view's display (kept in workspaceState in VS Code; a Map here). */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { ScanViewMemory, VIEW_MEMORY_KEY } from '../../src/host/scan-editor/view-memory';
import type { DisplaySettings } from '../../src/protocol';

function store(initial?: unknown) {
  const data = new Map<string, unknown>();
  if (initial !== undefined) data.set(VIEW_MEMORY_KEY, initial);
  return { data, get: <T>(k: string) => data.get(k) as T | undefined, update: async (k: string, v: unknown) => void data.set(k, JSON.parse(JSON.stringify(v))) };
}

const display = (lo: number): DisplaySettings => ({ colormap: 'gray', scaling: 'sqrt', lowPercentile: lo, highPercentile: 99 });

test('remembers per file, survives a new instance over the same store, and forgets files beyond the cap, oldest first', async () => {
  const s = store();
  const m = new ScanViewMemory(s, 3);
  await m.remember('/a.rpl', { display: display(1), selectedMap: 'line:Fe K' });
  await m.remember('/b.rpl', { display: display(2) });
  await m.remember('/c.rpl', { display: display(3) });
  await m.remember('/a.rpl', { display: display(4), selectedMap: 'total' }); // used again: now the most recent
  await m.remember('/d.rpl', { display: display(5) });
  const again = new ScanViewMemory(s, 3);
  assert.deepEqual(again.files(), ['/c.rpl', '/a.rpl', '/d.rpl'], '/b.rpl was the least recently used');
  assert.deepEqual(again.get('/a.rpl'), { display: display(4), selectedMap: 'total' });
  assert.equal(again.get('/b.rpl'), undefined);
});

test('the default cap is 200 files', async () => {
  const m = new ScanViewMemory(store());
  for (let i = 0; i < 205; i++) await m.remember(`/scan${i}.npy`, { display: display(1) });
  assert.equal(m.files().length, 200);
  assert.equal(m.files()[0], '/scan5.npy');
  assert.equal(m.get('/scan4.npy'), undefined);
  assert.ok(m.get('/scan204.npy'));
});

test('whatever else is in the store (another version, damaged entries) reads as nothing remembered', () => {
  assert.equal(new ScanViewMemory(store({ version: 2, entries: [['/a.rpl', { display: display(1) }]] })).get('/a.rpl'), undefined);
  assert.equal(new ScanViewMemory(store('garbage')).get('/a.rpl'), undefined);
  const m = new ScanViewMemory(
    store({
      version: 1,
      entries: [
        ['/bad-colormap.rpl', { display: { ...display(1), colormap: 'jet' } }],
        ['/nan.rpl', { display: { ...display(1), lowPercentile: null } }],
        ['/good.rpl', { display: display(1), selectedMap: 42 }],
        'not an entry',
      ],
    }),
  );
  assert.equal(m.get('/bad-colormap.rpl'), undefined);
  assert.equal(m.get('/nan.rpl'), undefined);
  assert.deepEqual(m.get('/good.rpl'), { display: display(1) }, 'a selected map that is not an id is dropped, the display kept');
});
