import { initBackend } from '../../src/core/ml/backend';
import * as tf from '@tensorflow/tfjs';
const cpuMs = () => { const u = process.cpuUsage(); return (u.user + u.system) / 1000; };
(async () => {
  await initBackend('wasm');
  const big = tf.randomNormal([64, 2046, 64]);
  const time = (name: string, f: (x: tf.Tensor) => tf.Tensor) => { const R = 8; let tot = 0; for (let i = 0; i < R + 2; i++) { const x = tf.add(big, 0); const t0 = cpuMs(); tf.dispose(f(x)); if (i >= 2) tot += cpuMs() - t0; x.dispose(); } console.log(name.padEnd(30), (tot / R).toFixed(1), 'ms cpu'); };
  time('sum [0,1] (ours)', (x) => tf.sum(x, [0, 1]));
  time('sum via transpose + sum(1)', (x) => tf.tidy(() => tf.sum(tf.transpose(tf.reshape(x, [-1, 64])), 1)));
  time('matmul ones', (x) => tf.tidy(() => tf.matMul(tf.ones([1, 64 * 2046]), tf.reshape(x, [-1, 64]))));
  time('maxPoolGrad pool1', (x) => tf.tidy(() => tf.grad((a) => tf.sum(tf.maxPool(a as tf.Tensor4D, [2, 1], [2, 1], 'valid')))(tf.reshape(x, [64, 2046, 1, 64]))));
  time('relu', (x) => tf.relu(x));
  time('copy (add 0)', (x) => tf.add(x, 0));
})();
(async () => {
  await new Promise((r) => setTimeout(r, 3000));
  const big = tf.randomNormal([64, 2046, 64]);
  const time = (name: string, f: (x: tf.Tensor) => tf.Tensor) => { const R = 8; let tot = 0; for (let i = 0; i < R + 2; i++) { const x = tf.add(big, 0); const t0 = cpuMs(); tf.dispose(f(x)); if (i >= 2) tot += cpuMs() - t0; x.dispose(); } console.log(name.padEnd(30), (tot / R).toFixed(1), 'ms cpu'); };
  time('avgPool [n,L,1,c] win L', (x) => tf.tidy(() => tf.mul(tf.sum(tf.avgPool(tf.reshape(x, [64, 2046, 1, 64]) as tf.Tensor4D, [2046, 1], [2046, 1], 'valid'), [0, 1, 2]), 2046)));
  time('avgPool [1,m,1,c] win m', (x) => tf.tidy(() => tf.mul(tf.avgPool(tf.reshape(x, [1, 64 * 2046, 1, 64]) as tf.Tensor4D, [64 * 2046, 1], [64 * 2046, 1], 'valid'), 64 * 2046)));
  const f = tf.tile(tf.tensor4d([-1, 1], [2, 1, 1, 1]), [1, 1, 64, 1]);
  time('depthwise diff pairs', (x) => tf.depthwiseConv2d(tf.reshape(x, [64, 2046, 1, 64]) as tf.Tensor4D, f as tf.Tensor4D, [2, 1], 'valid'));
  time('concat interleave', (x) => tf.tidy(() => { const h = tf.reshape(tf.slice(x, [0, 0, 0], [-1, 1023, -1]), [64, 1023, 1, 64]); return tf.concat([h, h], 2); }));
  time('slice half (contig)', (x) => tf.slice(x, [0, 0, 0], [-1, 1023, -1]));
  time('step', (x) => tf.step(x));
  time('mul', (x) => tf.mul(x, x));
})();
