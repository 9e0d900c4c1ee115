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
function trainSteps(tf: TF, arch: ModelArch, d: number, steps: number, prior?: { matrix: Float32Array; rows: number }, n = 16) {
  const k = 3;
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

for (const arch of ['FCN', 'FCN+', '1DCNN', '1DCNN+'] as const) {
  test(`${arch} trains on wasm: the loss falls over a few steps`, async () => {
    const { tf } = await initBackend('wasm');
    const d = arch.startsWith('1DCNN') ? minCnnChannels() : 256;
    const prior = arch.endsWith('+') ? { matrix: randomArray(3 * d, 8, 0, 0.1), rows: 3 } : undefined;
    const { m, losses } = trainSteps(tf, arch, d, 20, prior);
    assert.ok(losses.every(Number.isFinite), losses.join(', '));
    assert.ok(losses[losses.length - 1] < losses[0], `${arch}: ${losses[0]} → ${losses[losses.length - 1]}`);
    m.dispose();
  });

  // tfjs's cpu kernels are ~100× slower than wasm for convolutions, so on cpu: one training step,
  // and its gradients must equal those computed on wasm (the kernels we replaced there) for the
  // same weights and data.
  test(`${arch} trains on cpu, with the same gradients as on wasm`, async () => {
    const d = arch.startsWith('1DCNN') ? minCnnChannels() : 128;
    const prior = arch.endsWith('+') ? { matrix: randomArray(3 * d, 8, 0, 0.1), rows: 3 } : undefined;
    const n = 4;
    const X = randomArray(n * d, 5, 0, 5);
    const Y = randomArray(n * 3, 6, 1, 50);
    const grads: Float32Array[][] = [];
    try {
      for (const backend of ['cpu', 'wasm'] as const) {
        const { tf } = await initBackend(backend);
        const m = buildModel(tf, { arch, channels: d, outputs: 3, prior, seed: 4 });
        const x = tf.tensor2d(X, [n, d]);
        const y = tf.tensor2d(Y, [n, 3]);
        const vars = m.trainableWeights.map((w) => (w as unknown as { val: ReturnType<typeof tf.variable> }).val);
        // training: false keeps dropout out of the comparison; the gradient path is the same
        const { grads: g } = tf.variableGrads(() => aL1(tf, y, m.apply(x, { training: false }) as ReturnType<typeof tf.tensor>), vars);
        grads.push(vars.map((v) => g[v.name].dataSync() as Float32Array));
        if (backend === 'cpu') {
          const before = vars.map((v) => v.dataSync().slice());
          const loss = tf.train.adam(1e-3).minimize(() => aL1(tf, y, m.apply(x, { training: true }) as ReturnType<typeof tf.tensor>), true, vars)!;
          assert.ok(Number.isFinite(loss.dataSync()[0]));
          assert.ok(vars.every((v, i) => v.dataSync().some((val, j) => val !== before[i][j])), 'every weight moved');
        }
        m.dispose();
      }
    } finally {
      await initBackend('wasm');
    }
    const [cpu, wasm] = grads;
    assert.equal(cpu.length, wasm.length);
    cpu.forEach((gc, i) => {
      let num = 0;
      let den = 0;
      for (let j = 0; j < gc.length; j++) {
        num += (gc[j] - wasm[i][j]) ** 2;
        den += gc[j] ** 2;
      }
      assert.ok(den > 0, `gradient ${i} is zero`);
      assert.ok(Math.sqrt(num / den) < 1e-4, `gradient ${i}: relative difference ${Math.sqrt(num / den)}`);
    });
  });
}

test('training steps on wasm leak no tensors and no heap blocks (replacement kernels included)', async () => {
  const { tf } = await initBackend('wasm');
  const d = minCnnChannels() + 1; // odd lengths exercise the slicing paths
  const m = buildModel(tf, { arch: '1DCNN+', channels: d, outputs: 3, prior: { matrix: randomArray(2 * d, 3), rows: 2 }, seed: 2 });
  const x = tf.tensor2d(randomArray(8 * d, 4, 0, 5), [8, d]);
  const y = tf.tensor2d(randomArray(24, 5, 1, 9), [8, 3]);
  const opt = tf.train.adam(1e-3);
  const vars = m.trainableWeights.map((w) => (w as unknown as { val: ReturnType<typeof tf.variable> }).val);
  const step = () => opt.minimize(() => aL1(tf, y, m.apply(x, { training: true }) as ReturnType<typeof tf.tensor>), true, vars)!.dispose();
  step(); // creates the optimizer's moment variables
  const tensors = tf.memory().numTensors;
  const blocks = tf.engine().backend.numDataIds();
  for (let i = 0; i < 3; i++) step();
  assert.equal(tf.memory().numTensors, tensors);
  assert.equal(tf.engine().backend.numDataIds(), blocks);
  m.dispose();
});
