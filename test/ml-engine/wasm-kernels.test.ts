import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as tf from '@tensorflow/tfjs';
import { initBackend } from '../../src/core/ml/backend';
import { randomArray, maxRelDiff } from './helpers/tf';

type Vals = Float32Array[];

/** Runs f on the wasm backend (with our kernels) and on the cpu backend (tfjs's reference kernels). */
async function onBoth(f: () => tf.Tensor[]): Promise<{ wasm: Vals; cpu: Vals }> {
  const run = () => {
    const outs = f();
    const vals = outs.map((t) => t.dataSync() as Float32Array);
    tf.dispose(outs);
    return vals;
  };
  await initBackend('cpu');
  const cpu = run();
  await initBackend('wasm');
  const wasm = run();
  return { wasm, cpu };
}

function assertClose(r: { wasm: Vals; cpu: Vals }, what: string, tol = 1e-4) {
  assert.equal(r.wasm.length, r.cpu.length);
  r.wasm.forEach((w, i) => {
    const scale = Math.max(...Array.from(r.cpu[i], Math.abs));
    const d = maxRelDiff(w, r.cpu[i], scale * 1e-3);
    assert.ok(d <= tol, `${what}[${i}]: max relative difference ${d}`);
  });
}

interface Conv1dCase {
  n: number; len: number; ci: number; co: number; k: number; s: number; pad: 'valid' | 'same';
}
const conv1dCases: Conv1dCase[] = [
  { n: 4, len: 101, ci: 13, co: 8, k: 5, s: 2, pad: 'valid' }, // 1DCNN+ first layer, odd length
  { n: 3, len: 64, ci: 6, co: 5, k: 3, s: 2, pad: 'valid' },
  { n: 2, len: 50, ci: 3, co: 4, k: 3, s: 1, pad: 'valid' },
  { n: 2, len: 47, ci: 4, co: 3, k: 4, s: 3, pad: 'valid' },
  { n: 2, len: 31, ci: 2, co: 3, k: 5, s: 2, pad: 'same' },
  { n: 1, len: 9, ci: 1, co: 2, k: 2, s: 4, pad: 'valid' }, // kernel shorter than the stride
];

for (const c of conv1dCases) {
  test(`conv1d gradients on wasm equal cpu's: ${JSON.stringify(c)}`, async () => {
    const x = randomArray(c.n * c.len * c.ci, 1, -1, 1);
    const w = randomArray(c.k * c.ci * c.co, 2, -1, 1);
    const r = await onBoth(() => {
      const xt = tf.tensor3d(x, [c.n, c.len, c.ci]);
      const wt = tf.tensor3d(w, [c.k, c.ci, c.co]);
      const outLen = tf.conv1d(xt, wt, c.s, c.pad).shape[1];
      const R = tf.tensor3d(randomArray(c.n * outLen * c.co, 3, -1, 1), [c.n, outLen, c.co]);
      const g = tf.grads((a, b) => tf.sum(tf.mul(tf.conv1d(a as tf.Tensor3D, b as tf.Tensor3D, c.s, c.pad), R)));
      return g([xt, wt]);
    });
    assertClose(r, 'dx, dW');
  });
}

test("conv2d filter gradient (strided, 'same', 2-D kernel) on wasm equals cpu's", async () => {
  const x = randomArray(2 * 9 * 11 * 3, 4, -1, 1);
  const w = randomArray(3 * 2 * 3 * 4, 5, -1, 1);
  const r = await onBoth(() => {
    const xt = tf.tensor4d(x, [2, 9, 11, 3]);
    const wt = tf.tensor4d(w, [3, 2, 3, 4]);
    return tf.grads((a, b) => tf.sum(tf.square(tf.conv2d(a as tf.Tensor4D, b as tf.Tensor4D, [2, 3], 'same'))))([xt, wt]);
  });
  assertClose(r, 'dx, dW');
});

test('conv1d filter gradient at the 1DCNN+ first-layer size (13 × 4096, batch 2)', async () => {
  const x = randomArray(2 * 4096 * 13, 6, 0, 50);
  const w = randomArray(5 * 13 * 64, 7, -0.1, 0.1);
  const r = await onBoth(() => {
    const xt = tf.tensor3d(x, [2, 4096, 13]);
    const wt = tf.tensor3d(w, [5, 13, 64]);
    return [tf.grad((b) => tf.sum(tf.relu(tf.conv1d(xt, b as tf.Tensor3D, 2, 'valid'))))(wt)];
  });
  assertClose(r, 'dW');
});

const poolCases: Array<{ shape: [number, number, number, number]; size: [number, number]; strides: [number, number] }> = [
  { shape: [3, 21, 1, 5], size: [2, 1], strides: [2, 1] }, // MaxPooling1D on an odd length
  { shape: [2, 16, 1, 4], size: [2, 1], strides: [2, 1] },
  { shape: [2, 1, 15, 3], size: [1, 2], strides: [1, 2] },
  { shape: [2, 7, 7, 2], size: [3, 3], strides: [2, 2] }, // not a pair pool: built-in kernel
];
for (const c of poolCases) {
  test(`max-pool gradient on wasm equals cpu's, ties included: ${JSON.stringify(c)}`, async () => {
    const n = c.shape.reduce((a, b) => a * b, 1);
    // Pair pools (ours): small integers, many ties, which must go to the first maximum as on cpu.
    // Other pools run tfjs's built-in wasm kernel, whose tie rule differs from cpu's: no ties there.
    const pair = c.size[0] * c.size[1] === 2;
    const x = pair ? randomArray(n, 8, 0, 4).map(Math.floor) : randomArray(n, 8, 0, 4);
    const r = await onBoth(() => {
      const xt = tf.tensor4d(x, c.shape);
      const y = tf.maxPool(xt, c.size, c.strides, 'valid');
      const R = tf.tensor(randomArray(y.size, 9, -1, 1), y.shape);
      return [tf.grad((a) => tf.sum(tf.mul(tf.maxPool(a as tf.Tensor4D, c.size, c.strides, 'valid'), R)))(xt)];
    });
    assertClose(r, 'dx', 0);
  });
}

test('sum over the leading axes (bias gradients) on wasm equals cpu, also keepDims and small inputs', async () => {
  const x = randomArray(40 * 300 * 7, 10, -1, 1);
  const r = await onBoth(() => {
    const xt = tf.tensor3d(x, [40, 300, 7]);
    return [tf.sum(xt, [0, 1]), tf.sum(xt, [1, 0], true), tf.sum(tf.slice(xt, [0, 0, 0], [2, 3, 7]), [0, 1]), tf.sum(xt, 1), tf.sum(xt)];
  });
  assert.deepEqual(r.wasm.map((v) => v.length), [7, 7, 7, 40 * 7, 1]);
  assertClose(r, 'sum');
});

test('identity and same-dtype cast share memory safely on wasm; real casts still convert', async () => {
  const { tf: t } = await initBackend('wasm');
  const a = t.tensor1d([1.5, -2.25, 3]);
  const b = t.clone(a);
  const c = t.cast(a, 'float32');
  a.dispose(); // the shared block must outlive the first owner
  assert.deepEqual(Array.from(b.dataSync()), [1.5, -2.25, 3]);
  assert.deepEqual(Array.from(c.dataSync()), [1.5, -2.25, 3]);
  b.dispose();
  assert.deepEqual(Array.from(c.dataSync()), [1.5, -2.25, 3]);
  const i = t.cast(c, 'int32');
  assert.equal(i.dtype, 'int32');
  assert.deepEqual(Array.from(i.dataSync()), [1, -2, 3]);
  const before = t.memory().numBytes;
  t.dispose([c, i]);
  assert.ok(t.memory().numBytes < before);
});

test('matMul with transposed operands (dense-layer weight gradients) on wasm equals cpu', async () => {
  const a2 = randomArray(37 * 50, 11, -1, 1);
  const b2 = randomArray(37 * 23, 12, -1, 1);
  const a3 = randomArray(3 * 9 * 7, 13, -1, 1);
  const b3 = randomArray(3 * 7 * 9, 14, -1, 1);
  const r = await onBoth(() => [
    tf.matMul(tf.tensor2d(a2, [37, 50]), tf.tensor2d(b2, [37, 23]), true, false), // xᵀ·dy
    tf.matMul(tf.tensor2d(a2, [37, 50]), tf.tensor2d(b2, [23, 37]), true, true),
    tf.matMul(tf.tensor2d(a2, [50, 37]), tf.tensor2d(b2, [23, 37]), false, true),
    tf.matMul(tf.tensor3d(a3, [3, 7, 9]), tf.tensor3d(b3, [3, 7, 9]), true, false), // batched
  ]);
  assert.deepEqual(r.wasm.map((v) => v.length), [50 * 23, 50 * 23, 50 * 23, 3 * 9 * 9]);
  assertClose(r, 'matMul');
});
