import { test } from 'node:test';
import assert from 'node:assert/strict';
import { buildModel, minCnnChannels, type ModelArch } from '../../src/core/ml/models';
import { PriorLayer } from '../../src/core/ml/prior-layer';
import { aL1 } from '../../src/core/ml/loss';
import { initBackend, type TF } from '../../src/core/ml/backend';
import { randomArray } from './helpers/tf';

/**
 * Trains a few Adam steps the way the training loop does (optimizer.minimize over the trainable
 * weights) on a toy problem: targets are fixed linear functions of the spectrum. Returns the losses.
 */
function trainSteps(tf: TF, arch: ModelArch, d: number, steps: number, prior?: { matrix: Float32Array; rows: number }) {
  const k = 3;
  const n = 16;
  const m = buildModel(tf, { arch, channels: d, outputs: k, prior, seed: 1 });
  const X = tf.tensor2d(randomArray(n * d, 5, 0, 5), [n, d]);
  const A = tf.tensor2d(randomArray(d * k, 6, 0, 0.05), [d, k]);
  const Y = tf.add(tf.matMul(X, A), 1);
  const opt = tf.train.adam(1e-3);
  const losses: number[] = [];
  const vars = m.trainableWeights.map((w) => (w as unknown as { val: ReturnType<typeof tf.variable> }).val);
  for (let i = 0; i < steps; i++) {
    const loss = opt.minimize(() => aL1(tf, Y, m.apply(X, { training: true }) as ReturnType<typeof tf.tensor>), true, vars)!;
    losses.push(loss.dataSync()[0]);
    loss.dispose();
  }
  return { m, losses };
}

for (const arch of ['FCN+', '1DCNN+'] as const) {
  test(`${arch}: training changes the trainable weights but not the prior spectra (wasm)`, async () => {
    const { tf } = await initBackend('wasm');
    const d = arch === 'FCN+' ? 200 : minCnnChannels();
    const matrix = randomArray(4 * d, 9);
    const m0 = buildModel(tf, { arch, channels: d, outputs: 3, prior: { matrix, rows: 4 }, seed: 1 });
    const before = m0.trainableWeights.map((w) => w.read().dataSync().slice());
    m0.dispose();
    const { m, losses } = trainSteps(tf, arch, d, 5, { matrix, rows: 4 });
    const prior = m.getLayer('prior') as PriorLayer;
    assert.deepEqual(Array.from(prior.readMatrix()), Array.from(matrix), 'prior spectra unchanged');
    assert.equal(prior.trainableWeights.length, 0);
    assert.equal(prior.nonTrainableWeights.length, 1);
    const after = m.trainableWeights.map((w) => w.read().dataSync());
    assert.equal(after.length, before.length);
    assert.ok(after.some((a, i) => a.some((v, j) => v !== before[i][j])), 'trainable weights moved');
    assert.ok(losses.every(Number.isFinite));
    m.dispose();
  });
}

for (const backend of ['wasm', 'cpu'] as const) {
  for (const arch of ['FCN', 'FCN+', '1DCNN', '1DCNN+'] as const) {
    test(`${arch} trains on ${backend}: the loss falls over a few steps`, async () => {
      const { tf } = await initBackend(backend);
      try {
        const d = arch.startsWith('1DCNN') ? minCnnChannels() : 256;
        const prior = arch.endsWith('+') ? { matrix: randomArray(3 * d, 8, 0, 0.1), rows: 3 } : undefined;
        const steps = backend === 'cpu' && arch.startsWith('1DCNN') ? 4 : 25;
        const { m, losses } = trainSteps(tf, arch, d, steps, prior);
        assert.ok(losses.every(Number.isFinite), losses.join(', '));
        assert.ok(losses[losses.length - 1] < losses[0], `${arch} on ${backend}: ${losses[0]} → ${losses[losses.length - 1]}`);
        m.dispose();
      } finally {
        await initBackend('wasm');
      }
    });
  }
}
