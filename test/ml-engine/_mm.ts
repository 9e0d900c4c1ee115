import { initBackend } from '../../src/core/ml/backend';
const cpuMs = () => { const u = process.cpuUsage(); return (u.user + u.system) / 1000; };
(async () => {
  const { tf } = await initBackend('wasm');
  const time = (name: string, f: () => any) => { for (let i = 0; i < 2; i++) tf.dispose(f()); const t0 = cpuMs(); const w0 = performance.now(); const R = 5; for (let i = 0; i < R; i++) tf.dispose(f()); console.log(name.padEnd(40), 'cpu', ((cpuMs() - t0) / R).toFixed(1), 'wall', ((performance.now() - w0) / R).toFixed(1), 'ms'); };
  for (const [ci, K, T, L] of [[13, 5, 2046, 4096], [1, 5, 2046, 4096], [64, 3, 511, 1023]]) {
    const n = 64, co = 64;
    console.log(`-- ci ${ci} K ${K} T ${T}`);
    const P = tf.randomNormal([n * T, K * ci]);
    const Pt = tf.transpose(P);
    const dy = tf.randomNormal([n * T, co]);
    const x = tf.randomNormal([n, 1, L, ci]);
    const dy4 = tf.reshape(dy, [n, 1, T, co]);
    time('A: mm Pt[Kci,nT] * dy (input=Pt)', () => tf.matMul(Pt, dy));
    time('B: transpose dy + mm dyT * P', () => tf.tidy(() => tf.matMul(tf.transpose(dy), P)));
    time('B0: mm dyT * P (dyT given)', () => { const t = tf.transpose(dy); const r = tf.matMul(t, P); t.dispose(); return r; });
    time('transpose dy', () => tf.transpose(dy));
    time('C: dilated conv', () => tf.tidy(() => tf.conv2d(tf.transpose(x, [3, 1, 2, 0]) as any, tf.transpose(dy4, [1, 2, 0, 3]) as any, 1, 'valid', 'NHWC', [1, 2])));
    time('fwd conv', () => tf.conv2d(x as any, tf.randomNormal([1, K, ci, co]) as any, [1, 2], 'valid'));
    tf.dispose([P, Pt, dy, x, dy4]);
  }
  const big = tf.randomNormal([64 * 2046, 64]);
  time('sum axis0 builtin', () => tf.tidy(() => tf.sum(tf.transpose(big), 1)));
  time('matmul ones', () => tf.tidy(() => tf.matMul(tf.ones([1, 64 * 2046]), big)));
})();
