import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Endpoint, RequestTimeoutError, type Side } from '../../src/protocol';
import { fakePortPair, settle } from './fake-port';

interface HostSide extends Side {
  serves: {
    double: { params: { values: Float32Array }; result: { values: Float32Array } };
    fail: { params: { why: string }; result: never };
    slow: { params: Record<string, never>; result: number };
  };
  emits: { progress: { done: number; total: number } };
}
interface ViewSide extends Side {
  serves: { ping: { params: { n: number }; result: { n: number } } };
  emits: { clicked: { id: string } };
}

function pair() {
  const ports = fakePortPair();
  const host = new Endpoint<HostSide, ViewSide>(ports.host, { waitForReady: true, timeoutMs: 200 });
  const view = new Endpoint<ViewSide, HostSide>(ports.webview, { timeoutMs: 200 });
  return { ports, host, view };
}

test('a request is answered with its result; typed arrays arrive as typed arrays', async () => {
  const { host, view } = pair();
  host.handle('double', ({ values }) => ({ values: values.map((v) => v * 2) }));
  const r = await view.request('double', { values: new Float32Array([1, 2.5, -3]) });
  assert.ok(r.values instanceof Float32Array, 'result is a Float32Array, not a JSON array');
  assert.deepEqual([...r.values], [2, 5, -6]);
});

test('a handler that throws sends an error reply with its name and message', async () => {
  const { host, view } = pair();
  host.handle('fail', ({ why }) => {
    const e = new Error(`/data/scan.rpl: ${why}`);
    e.name = 'XrfInputError';
    throw e;
  });
  await assert.rejects(view.request('fail', { why: 'truncated .raw' }), (e: Error) => {
    assert.equal(e.name, 'XrfInputError');
    assert.equal(e.message, '/data/scan.rpl: truncated .raw');
    return true;
  });
});

test('a request nobody handles gets an error reply naming it', async () => {
  const { view } = pair();
  await assert.rejects(view.request('slow', {}), /no handler for "slow"/);
});

test('a request without an answer times out, and a late answer is ignored', async () => {
  const { host, view } = pair();
  let release!: (v: number) => void;
  host.handle('slow', () => new Promise<number>((r) => (release = r)));
  const t0 = Date.now();
  await assert.rejects(view.request('slow', {}, { timeoutMs: 50 }), (e: Error) => e instanceof RequestTimeoutError && /"slow" within 50 ms/.test(e.message));
  assert.ok(Date.now() - t0 >= 45);
  release(7);
  await settle();
  // The endpoint still works after the stray response.
  release = () => undefined;
  host.handle('slow', () => 8);
  assert.equal(await view.request('slow', {}), 8);
});

test('concurrent requests are matched to their answers by id', async () => {
  const { host, view } = pair();
  host.handle('double', async ({ values }) => {
    await new Promise((r) => setTimeout(r, values[0])); // the first asked answers last
    return { values: values.map((v) => v * 2) };
  });
  const [a, b, c] = await Promise.all([
    view.request('double', { values: new Float32Array([30]) }),
    view.request('double', { values: new Float32Array([10]) }),
    view.request('double', { values: new Float32Array([1]) }),
  ]);
  assert.deepEqual([a.values[0], b.values[0], c.values[0]], [60, 20, 2]);
});

test('the host holds its messages until the webview says ready, then sends them in order', async () => {
  const { ports, host, view } = pair();
  ports.webviewLoaded = false; // whatever reaches the page before its script runs is lost…
  const seen: number[] = [];
  view.on('progress', (p) => seen.push(p.done));
  host.emit('progress', { done: 1, total: 3 });
  host.emit('progress', { done: 2, total: 3 });
  await settle();
  assert.equal(ports.log.filter(([from]) => from === 'host').length, 0, '…so the host has not posted anything yet');
  ports.webviewLoaded = true;
  view.ready();
  await settle();
  assert.deepEqual(seen, [1, 2]);
});

test('with an onReady listener, held events are dropped (it re-sends the state) and it runs on every ready', async () => {
  const { host, view } = pair();
  const seen: number[] = [];
  view.on('progress', (p) => seen.push(p.done));
  host.emit('progress', { done: 1, total: 3 }); // stale by the time the view listens
  let readies = 0;
  host.onReady(() => {
    readies++;
    host.emit('progress', { done: 2, total: 3 }); // the current state
  });
  view.ready();
  await settle();
  assert.deepEqual(seen, [2]);
  view.ready(); // a reloaded webview says ready again; the host hears it each time
  await settle();
  assert.equal(readies, 2);
  assert.deepEqual(seen, [2, 2]);
});

test('events reach every listener of their type only, and unsubscribe works', async () => {
  const { host, view } = pair();
  view.ready();
  const a: string[] = [];
  const b: string[] = [];
  const offA = host.on('clicked', (e) => a.push(e.id));
  host.on('clicked', (e) => b.push(e.id));
  view.emit('clicked', { id: 'Fe K' });
  await settle();
  offA();
  view.emit('clicked', { id: 'Pb L' });
  await settle();
  assert.deepEqual(a, ['Fe K']);
  assert.deepEqual(b, ['Fe K', 'Pb L']);
});

test('requests work in both directions', async () => {
  const { host, view } = pair();
  view.handle('ping', ({ n }) => ({ n: n + 1 }));
  view.ready();
  assert.deepEqual(await host.request('ping', { n: 41 }), { n: 42 });
});

test('dispose fails open requests at once and stops delivery', async () => {
  const { host, view } = pair();
  host.handle('slow', () => new Promise<number>(() => undefined));
  const p = view.request('slow', {}, { timeoutMs: 10_000 });
  await settle();
  view.dispose();
  await assert.rejects(p, /the view was closed/);
  await assert.rejects(view.request('slow', {}), /the view is closed/);
});

test('messages that are not ours are ignored', async () => {
  const { ports, host, view } = pair();
  host.handle('double', ({ values }) => ({ values }));
  for (const junk of [null, 42, 'hello', { kind: 'response', id: 999, type: 'x', data: 1 }, { kind: 'nonsense' }]) {
    ports.webview.post(junk as never);
  }
  await settle();
  const r = await view.request('double', { values: new Float32Array([5]) });
  assert.equal(r.values[0], 5);
});

test('emitAndWait resolves once the transport has delivered the event; false while the peer is not ready or after dispose', async () => {
  const { ports, host, view } = pair();
  const got: number[] = [];
  view.on('progress', (p) => got.push(p.done));
  assert.equal(await host.emitAndWait('progress', { done: 1, total: 3 }), false, 'held until the view is ready');
  view.ready();
  await settle();
  let release!: () => void;
  ports.holdToWebview = () => new Promise<void>((r) => (release = r));
  let resolved = false;
  const sent = host.emitAndWait('progress', { done: 2, total: 3 }).then((ok) => ((resolved = true), ok));
  await settle();
  assert.equal(resolved, false, 'not resolved while the transport holds the message');
  release();
  assert.equal(await sent, true);
  assert.deepEqual(got, [1, 2], 'delivered before the promise resolved (the held one went out on ready: this host has no onReady re-send)');
  host.dispose();
  assert.equal(await host.emitAndWait('progress', { done: 3, total: 3 }), false);
});
