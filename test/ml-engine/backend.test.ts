import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Worker } from 'node:worker_threads';
import { join } from 'node:path';
import { initBackend, parseBackendPref, findWasmDir } from '../../src/core/ml/backend';

function nativeInstalled(pkg: string): boolean {
  try {
    require.resolve(pkg);
    return true;
  } catch {
    return false;
  }
}
const hasNative = nativeInstalled('@tensorflow/tfjs-node-gpu') || nativeInstalled('@tensorflow/tfjs-node');

test('auto picks the first backend that loads and says why', { skip: hasNative ? 'tfjs-node is installed here: auto picks it' : false }, async () => {
  const b = await initBackend('auto');
  assert.equal(b.name, 'wasm');
  assert.equal(b.tf.getBackend(), 'wasm');
  assert.match(b.reason, /^tfjs-node-gpu not installed; tfjs-node not installed; using wasm \((SIMD|no SIMD), 1 thread\)$/);
  assert.strictEqual(await initBackend('auto'), b, 'idempotent: the same selection is reused');
  assert.strictEqual(await initBackend(), b, "'auto' is the default");
});

test('a forced backend that cannot load is a clear error naming why', { skip: hasNative ? 'tfjs-node is installed here' : false }, async () => {
  await assert.rejects(initBackend('tensorflow'), /backend "tensorflow" is not available: tfjs-node-gpu not installed; tfjs-node not installed/);
  // and a failure is not cached as success: the active backend is unchanged
  assert.equal((await initBackend('wasm')).tf.getBackend(), 'wasm');
});

test('forcing cpu or wasm switches the active backend and reports the setting', async () => {
  const cpu = await initBackend('cpu');
  assert.equal(cpu.name, 'cpu');
  assert.equal(cpu.tf.getBackend(), 'cpu');
  assert.match(cpu.reason, /using cpu .*forced by the "cpu" setting/);
  const wasm = await initBackend('wasm');
  assert.equal(wasm.tf.getBackend(), 'wasm');
  assert.match(wasm.reason, /using wasm .*forced by the "wasm" setting/);
});

test('parseBackendPref accepts the four settings only', () => {
  assert.equal(parseBackendPref('WASM'), 'wasm');
  assert.equal(parseBackendPref(' auto '), 'auto');
  assert.throws(() => parseBackendPref('gpu'), /unknown backend "gpu": expected one of auto, tensorflow, wasm, cpu/);
});

test('the wasm binaries are found (package folder in development)', () => {
  const dir = findWasmDir();
  assert.ok(dir && /tfjs-backend-wasm[/\\]dist$|[/\\]wasm$/.test(dir), String(dir));
});

test('initBackend works in a worker thread, where wasm can train a conv1d', async () => {
  const msg = await new Promise<Record<string, unknown>>((resolve, reject) => {
    // A .ts worker entry with execArgv ['--import', 'tsx'] fails on Node 20 ("Unknown file extension
    // .ts"); registering tsx's CommonJS hook inside the worker works.
    const file = join(__dirname, 'fixtures', 'backend-worker.ts');
    const w = new Worker(`require('tsx/cjs/api').register(); require(${JSON.stringify(file)});`, { eval: true });
    w.once('message', (m) => {
      resolve(m);
      void w.terminate();
    });
    w.once('error', reject);
  });
  assert.equal(msg.error, undefined, String(msg.error));
  assert.equal(msg.same, true);
  assert.match(String(msg.reason), /using (wasm|tfjs-node)/);
  assert.deepEqual(msg.gradShape, [3, 2, 4]);
  assert.equal(msg.finite, true);
});
