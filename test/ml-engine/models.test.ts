import { test } from 'node:test';
import assert from 'node:assert/strict';
import { buildModel, describeModel, parseModelArch, minCnnChannels, MODEL_ARCHS } from '../../src/core/ml/models';
import { PriorLayer } from '../../src/core/ml/prior-layer';
import { wasmTf, randomArray } from './helpers/tf';

const d = 4096;
const k = 12;
const l = 12;
const prior = { matrix: randomArray(l * d, 7), rows: l };

const dense = (i: number, o: number) => i * o + o;
const conv = (kernel: number, ci: number, co: number) => kernel * ci * co + co;
/** valid conv (stride 2) then valid max-pool (2, 2), as in the thesis / PyTorch defaults */
const block = (len: number, kernel: number) => Math.floor((Math.floor((len - kernel) / 2) + 1) / 2);

test('parseModelArch accepts the usual spellings and rejects others', () => {
  assert.equal(parseModelArch('fcn'), 'FCN');
  assert.equal(parseModelArch('fcn+'), 'FCN+');
  assert.equal(parseModelArch('FCN_plus'), 'FCN+');
  assert.equal(parseModelArch('1dcnn'), '1DCNN');
  assert.equal(parseModelArch(' 1DCNN+ '), '1DCNN+');
  assert.equal(parseModelArch('1d-cnn-plus'), '1DCNN+');
  assert.throws(() => parseModelArch('cnn'), /unknown model "cnn".*fcn, fcn\+, 1dcnn, 1dcnn\+/);
  assert.throws(() => parseModelArch('fcn++'), /unknown model/);
});

test('FCN: d → 512 → 64 → 64 → k with the thesis parameter counts', async () => {
  const tf = await wasmTf();
  const m = buildModel(tf, { arch: 'FCN', channels: d, outputs: k });
  const layers = describeModel(m).filter((x) => x.className === 'Dense');
  assert.deepEqual(layers.map((x) => x.outputShape), [[512], [64], [64], [k]]);
  assert.deepEqual(layers.map((x) => x.params), [dense(d, 512), dense(512, 64), dense(64, 64), dense(64, k)]);
  assert.equal(m.countParams(), 4096 * 512 + 512 + 512 * 64 + 64 + 64 * 64 + 64 + 64 * 12 + 12);
  // hidden layers ReLU, output linear
  const acts = m.layers.filter((x) => x.getClassName() === 'Dense').map((x) => (x.getConfig() as { activation: string }).activation);
  assert.deepEqual(acts, ['relu', 'relu', 'relu', 'linear']);
  m.dispose();
});

test('FCN+: prior layer of l dot products, then l → 512 → 64 → 64 → k; prior weights not trainable', async () => {
  const tf = await wasmTf();
  const m = buildModel(tf, { arch: 'FCN+', channels: d, outputs: k, prior });
  const desc = describeModel(m);
  const p = desc.find((x) => x.name === 'prior')!;
  assert.deepEqual(p.outputShape, [l]);
  assert.equal(p.params, d * l);
  assert.equal(p.trainableParams, 0);
  const trainable = dense(l, 512) + dense(512, 64) + dense(64, 64) + dense(64, k);
  assert.equal(desc.reduce((s, x) => s + x.trainableParams, 0), trainable);
  assert.equal(m.countParams(), trainable + d * l);
  m.dispose();
});

function expectedCnn(inChannels: number) {
  const convs = [[64, 5], [64, 3], [64, 3], [64, 3], [128, 3]] as const;
  let len = d;
  let ci = inChannels;
  const shapes: number[][] = [];
  const params: number[] = [];
  for (const [co, kk] of convs) {
    const convLen = Math.floor((len - kk) / 2) + 1;
    shapes.push([convLen, co]);
    len = block(len, kk);
    shapes.push([len, co]);
    params.push(conv(kk, ci, co), 0);
    ci = co;
  }
  return { shapes, params, flat: len * 128 };
}

for (const arch of ['1DCNN', '1DCNN+'] as const) {
  test(`${arch}: five strided convs with ReLU + max-pool, dropout 0.05, flatten, dense → k`, async () => {
    const tf = await wasmTf();
    const plus = arch === '1DCNN+';
    const m = buildModel(tf, { arch, channels: d, outputs: k, prior: plus ? prior : undefined });
    const desc = describeModel(m);
    const e = expectedCnn(plus ? l + 1 : 1);
    const stack = desc.filter((x) => x.className === 'Conv1D' || x.className === 'MaxPooling1D');
    assert.deepEqual(stack.map((x) => x.outputShape), e.shapes);
    assert.deepEqual(stack.map((x) => x.params), e.params);
    // d = 4096: 2046→1023, 511→255, 127→63, 31→15, 7→3; flatten 3·128
    assert.deepEqual(e.shapes.map((s) => s[0]), [2046, 1023, 511, 255, 127, 63, 31, 15, 7, 3]);
    const convs = m.layers.filter((x) => x.getClassName() === 'Conv1D').map((x) => x.getConfig() as { kernelSize: number[]; strides: number[]; activation: string; filters: number });
    assert.deepEqual(convs.map((c) => [c.filters, c.kernelSize[0], c.strides[0], c.activation]), [
      [64, 5, 2, 'relu'], [64, 3, 2, 'relu'], [64, 3, 2, 'relu'], [64, 3, 2, 'relu'], [128, 3, 2, 'relu'],
    ]);
    const drop = m.layers.find((x) => x.getClassName() === 'Dropout')!.getConfig() as { rate: number };
    assert.equal(drop.rate, 0.05);
    const out = desc[desc.length - 1];
    assert.deepEqual(out.outputShape, [k]);
    assert.equal(out.params, dense(e.flat, k));
    assert.equal(e.flat, 384);
    if (plus) {
      const p = desc.find((x) => x.name === 'prior')!;
      assert.deepEqual(p.outputShape, [d, l + 1]);
      assert.equal(p.trainableParams, 0);
      assert.equal(p.params, d * l);
    }
    const trainable = e.params.reduce((a, b) => a + b, 0) + dense(e.flat, k);
    assert.equal(desc.reduce((s, x) => s + x.trainableParams, 0), trainable);
    m.dispose();
  });
}

test('FCN+ features equal W·x computed in plain JS', async () => {
  const tf = await wasmTf();
  const dd = 300;
  const ll = 5;
  const W = randomArray(ll * dd, 11);
  const X = randomArray(3 * dd, 12, 0, 50);
  const m = buildModel(tf, { arch: 'FCN+', channels: dd, outputs: 4, prior: { matrix: W, rows: ll } });
  const priorOut = tf.model({ inputs: m.inputs, outputs: m.getLayer('prior').output as never });
  const got = (priorOut.predict(tf.tensor2d(X, [3, dd])) as ReturnType<typeof tf.tensor>).dataSync();
  for (let b = 0; b < 3; b++) {
    for (let i = 0; i < ll; i++) {
      let s = 0;
      for (let j = 0; j < dd; j++) s += W[i * dd + j] * X[b * dd + j];
      assert.ok(Math.abs(got[b * ll + i] - s) <= 1e-4 * Math.abs(s), `sample ${b} line ${i}: ${got[b * ll + i]} vs ${s}`);
    }
  }
  m.dispose();
});

test("1DCNN+ first convolution's input equals [x, x⊙w₁, …, x⊙w_l]", async () => {
  const tf = await wasmTf();
  const dd = minCnnChannels(); // 1367: the shortest spectrum the five valid conv + pool blocks accept
  const ll = 3;
  const W = randomArray(ll * dd, 21);
  const X = randomArray(2 * dd, 22, 0, 10);
  const m = buildModel(tf, { arch: '1DCNN+', channels: dd, outputs: 2, prior: { matrix: W, rows: ll } });
  const conv1 = m.getLayer('conv1');
  const firstIn = tf.model({ inputs: m.inputs, outputs: conv1.input as never });
  const got = (firstIn.predict(tf.tensor2d(X, [2, dd])) as ReturnType<typeof tf.tensor>);
  assert.deepEqual(got.shape, [2, dd, ll + 1]);
  const v = got.dataSync();
  for (let b = 0; b < 2; b++) {
    for (let j = 0; j < dd; j++) {
      const x = X[b * dd + j];
      assert.equal(v[(b * dd + j) * (ll + 1)], x);
      for (let i = 0; i < ll; i++) {
        const want = Math.fround(x * W[i * dd + j]);
        assert.ok(Math.abs(v[(b * dd + j) * (ll + 1) + 1 + i] - want) <= 1e-6 * Math.abs(want) + 1e-12);
      }
    }
  }
  m.dispose();
});

test('buildModel refuses inconsistent options with clear errors', async () => {
  const tf = await wasmTf();
  assert.throws(() => buildModel(tf, { arch: 'FCN+', channels: 64, outputs: 2 }), /FCN\+ needs the prior spectra/);
  assert.throws(() => buildModel(tf, { arch: 'FCN', channels: 64, outputs: 2, prior: { matrix: new Float32Array(64), rows: 1 } }), /FCN has no prior layer/);
  assert.throws(() => buildModel(tf, { arch: 'FCN+', channels: 64, outputs: 2, prior: { matrix: new Float32Array(60), rows: 1 } }), /matrix has 60 values, expected lines × channels = 1 × 64/);
  const nan = new Float32Array(64);
  nan[5] = NaN;
  assert.throws(() => buildModel(tf, { arch: 'FCN+', channels: 64, outputs: 2, prior: { matrix: nan, rows: 1 } }), /matrix value 5 is not finite/);
  assert.throws(() => buildModel(tf, { arch: '1DCNN', channels: minCnnChannels() - 1, outputs: 2 }), /needs spectra of at least/);
  assert.throws(() => buildModel(tf, { arch: 'FCN', channels: 0, outputs: 2 }), /channels must be a positive integer/);
  assert.throws(() => buildModel(tf, { arch: 'FCN', channels: 10, outputs: 0 }), /outputs must be a positive integer/);
  // the smallest accepted length builds and predicts
  const m = buildModel(tf, { arch: '1DCNN', channels: minCnnChannels(), outputs: 2 });
  assert.deepEqual((m.predict(tf.zeros([1, minCnnChannels()])) as ReturnType<typeof tf.tensor>).shape, [1, 2]);
  m.dispose();
});

test('the 1DCNN stack needs at least 1367 channels (valid convs and pools, as the thesis and PyTorch)', () => {
  let len = minCnnChannels();
  for (const kk of [5, 3, 3, 3, 3]) len = block(len, kk);
  assert.equal(len, 1);
  len = minCnnChannels() - 1;
  for (const kk of [5, 3, 3, 3]) len = block(len, kk);
  assert.ok(block(len, 3) < 1);
  assert.equal(minCnnChannels(), 1367);
});

test('every architecture is listed once and the prior layer class is registered for loading', () => {
  assert.deepEqual([...MODEL_ARCHS], ['FCN', 'FCN+', '1DCNN', '1DCNN+']);
  assert.equal(PriorLayer.className, 'XrfPriorLayer');
});
