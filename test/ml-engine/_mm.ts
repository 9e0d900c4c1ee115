import { initBackend } from '../../src/core/ml/backend';
(async () => {
  const { tf } = await initBackend('wasm');
  const time = (name: string, f: () => any) => { for (let i = 0; i < 2; i++) tf.dispose(f()); const t0 = performance.now(); const R = 5; for (let i = 0; i < R; i++) tf.dispose(f()); console.log(name, ((performance.now() - t0) / R).toFixed(1), 'ms'); };
  const n = 64, T = 2046, co = 64, ci = 13, K = 5;
  const P = tf.randomNormal([n, T, K * ci]);
  const dy = tf.randomNormal([n, T, co]);
  const x = tf.randomNormal([n, 1, 4096, ci]);
  const dy4 = tf.reshape(dy, [n, 1, T, co]);
  time('bmm P^T dy (transposeA)', () => tf.tidy(() => tf.sum(tf.matMul(P, dy, true, false), 0)));
  time('bmm dy^T P (transposeA)', () => tf.tidy(() => tf.sum(tf.matMul(dy, P, true, false), 0)));
  const Pt = tf.transpose(P, [0, 2, 1]);
  time('bmm Pt dy (no transpose)', () => tf.tidy(() => tf.sum(tf.matMul(Pt, dy), 0)));
  time('transpose P', () => tf.transpose(P, [0, 2, 1]));
  time('single mm P2^T dy2', () => tf.tidy(() => tf.matMul(tf.reshape(P, [n * T, K * ci]), tf.reshape(dy, [n * T, co]), true, false)));
  const Pt2 = tf.transpose(tf.reshape(P, [n * T, K * ci]));
  time('single mm Pt2 dy2', () => tf.tidy(() => tf.matMul(Pt2, tf.reshape(dy, [n * T, co]))));
  time('dilated conv filter grad', () => tf.tidy(() => tf.conv2d(tf.transpose(x, [3, 1, 2, 0]) as any, tf.transpose(dy4, [1, 2, 0, 3]) as any, 1, 'valid', 'NHWC', [1, 2])));
  // bias sums
  const big = tf.randomNormal([n * T, co]);
  time('sum axis0 builtin via transpose', () => tf.tidy(() => tf.sum(tf.transpose(big), 1)));
  time('avgPool sum', () => tf.tidy(() => tf.sum(tf.avgPool(tf.reshape(big, [n, T, 1, co]) as any, [T, 1], [T, 1], 'valid'), [0, 1, 2])));
  time('matmul ones', () => tf.tidy(() => tf.matMul(tf.ones([1, n * T]), big)));
  time('matmul big^T ones transposeA', () => tf.tidy(() => tf.matMul(big, tf.ones([n * T, 1]), true, false)));
})();
