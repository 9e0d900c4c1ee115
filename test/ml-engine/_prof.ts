import { initBackend } from '../../src/core/ml/backend';
import { buildModel } from '../../src/core/ml/models';
import { aL1 } from '../../src/core/ml/loss';
(async () => {
  const { tf } = await initBackend('wasm');
  const d = 4096, l = 12, k = 12;
  const matrix = new Float32Array(l * d).map(() => Math.random());
  const arch = (process.argv[2] ?? '1DCNN+') as any;
  const m = buildModel(tf, { arch, channels: d, outputs: k, prior: arch.endsWith('+') ? { matrix, rows: l } : undefined });
  const opt = tf.train.adam(1e-3);
  const x = tf.randomUniform([64, d], 0, 10);
  const y = tf.randomUniform([64, k], 0, 100);
  const step = () => opt.minimize(() => aL1(tf, y, m.apply(x, { training: true }) as any), true, m.trainableWeights.map((w) => (w as any).val))!.dispose();
  step(); step();
  const c0 = process.cpuUsage(); const t0 = Date.now(); for (let i = 0; i < 3; i++) step(); const cu = process.cpuUsage(c0); console.log("step wall ms", (Date.now() - t0) / 3, "cpu ms", (cu.user + cu.system) / 3000);
  const p = await tf.profile(() => { step(); });
  const agg = new Map<string, number>();
  const rows: string[] = [];
  for (const kk of p.kernels) { const t = Number(kk.kernelTimeMs) || 0; agg.set(kk.name, (agg.get(kk.name) ?? 0) + t); if (t > 8) rows.push(`${kk.name} ${t.toFixed(1)} in=${JSON.stringify(kk.inputShapes)} out=${JSON.stringify(kk.outputShapes)}`); }
  console.log([...agg].sort((a, b) => b[1] - a[1]).slice(0, 15).map(([n, t]) => `${n}:${t.toFixed(0)}`).join(' '));
  console.log(rows.join('\n'));
})();
