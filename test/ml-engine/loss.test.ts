import { test } from 'node:test';
import assert from 'node:assert/strict';
import { aL1, aL1Numbers, aL1LossFn } from '../../src/core/ml/loss';
import { wasmTf } from './helpers/tf';

test('aL1Numbers on hand-computed cases, y = 0 weighted like y = 1', () => {
  // |4−2|/√4 = 1, |9−6|/√9 = 1, |16−16|/4 = 0, |1−3|/1 = 2  → mean 1
  assert.equal(aL1Numbers([4, 9, 16, 1], [2, 6, 16, 3]), 1);
  // y = 0: |0 − 0.5| / √max(0, 1) = 0.5; |0 − (−2)| = 2  → mean 1.25
  assert.equal(aL1Numbers([0, 0], [0.5, -2]), 1.25);
  // fractional y below ε is weighted like 1 count
  assert.equal(aL1Numbers([0.25], [1.25]), 1);
  assert.equal(aL1Numbers([100], [90]), 1);
  assert.throws(() => aL1Numbers([1, 2], [1]), /2 targets but 1 predictions/);
  assert.throws(() => aL1Numbers([], []), /no values/);
});

test('aL1 on tensors matches the hand-computed values and the plain-JS version', async () => {
  const tf = await wasmTf();
  const y = tf.tensor2d([[4, 9], [16, 1]]);
  const yhat = tf.tensor2d([[2, 6], [16, 3]]);
  assert.ok(Math.abs(aL1(tf, y, yhat).dataSync()[0] - 1) < 1e-6);
  const yv = [0, 0, 3, 250, 7, 1e4];
  const pv = [1, -1, 2.5, 260, 0, 9000];
  const got = aL1LossFn(tf)(tf.tensor2d(yv, [2, 3]), tf.tensor2d(pv, [2, 3])).dataSync()[0];
  const want = aL1Numbers(yv, pv);
  assert.ok(Math.abs(got - want) <= 1e-5 * want, `${got} vs ${want}`);
  // hand value: (1 + 1 + 0.5/√3 + 10/√250 + 7/√7 + 1000/100) / 6
  assert.ok(Math.abs(want - (1 + 1 + 0.5 / Math.sqrt(3) + 10 / Math.sqrt(250) + 7 / Math.sqrt(7) + 10) / 6) < 1e-12);
});

test('aL1 and its gradient stay finite where y = 0', async () => {
  const tf = await wasmTf();
  const y = tf.tensor1d([0, 0, 4]);
  const g = tf.grad((p: ReturnType<typeof tf.tensor>) => aL1(tf, y, p))(tf.tensor1d([0.5, -1, 5]));
  const gv = Array.from(g.dataSync());
  assert.ok(gv.every(Number.isFinite));
  // d/dŷ |y − ŷ|/√max(y,1) / N = sign(ŷ − y) / √max(y,1) / 3
  assert.deepEqual(gv.map((v) => Math.round(v * 1e6) / 1e6), [1 / 3, -1 / 3, 1 / 6].map((v) => Math.round(v * 1e6) / 1e6));
  assert.ok(Number.isFinite(aL1(tf, tf.zeros([5]), tf.zeros([5])).dataSync()[0]));
});
