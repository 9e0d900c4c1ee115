import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtemp, rm, writeFile, readFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { buildModel, CNN_CONVS } from '../../src/core/ml/models';
import { wasmTf, randomArray, maxRelDiff } from './helpers/tf';

const PY = '/usr/bin/python3';
function torchMissing(): string | false {
  const r = spawnSync(PY, ['-c', 'import torch, numpy'], { encoding: 'utf8' });
  if (r.error) return `${PY} not found`;
  return r.status === 0 ? false : `${PY} lacks torch/numpy (install python3-torch)`;
}
const skip = torchMissing();

for (const arch of ['1DCNN', '1DCNN+'] as const) {
  test(`${arch}: the same weights in an equivalent PyTorch network give the same forward output`, { skip, timeout: 120_000 }, async () => {
    const tf = await wasmTf();
    const d = 4096; // the flatten holds 3 positions × 128 channels, so its order matters
    const l = 3;
    const k = 4;
    const n = 5;
    const prior = arch === '1DCNN+' ? randomArray(l * d, 41, 0, 0.2) : undefined;
    const m = buildModel(tf, { arch, channels: d, outputs: k, prior: prior && { matrix: prior, rows: l }, seed: 9 });
    // non-zero biases so their layout is checked too
    for (const layer of m.layers) {
      if (layer.getWeights().length === 2) layer.setWeights([layer.getWeights()[0], tf.tensor(randomArray(layer.getWeights()[1].size, 42, -0.1, 0.1))]);
    }
    const x = randomArray(n * d, 43, 0, 30);
    const ours = (m.predict(tf.tensor2d(x, [n, d])) as ReturnType<typeof tf.tensor>).dataSync();
    const dir = await mkdtemp(join(tmpdir(), 'xrf-torch-'));
    try {
      const f32 = (a: ArrayLike<number>) => new Uint8Array(new Float32Array(a).buffer);
      await writeFile(join(dir, 'x.bin'), f32(x));
      if (prior) await writeFile(join(dir, 'prior.bin'), f32(prior));
      const convs: number[][] = [];
      let ci = prior ? l + 1 : 1;
      for (let i = 0; i < CNN_CONVS.length; i++) {
        const [co, kk] = CNN_CONVS[i];
        const [kernel, bias] = m.getLayer(`conv${i + 1}`).getWeights();
        await writeFile(join(dir, `conv${i + 1}_kernel.bin`), f32(kernel.dataSync()));
        await writeFile(join(dir, `conv${i + 1}_bias.bin`), f32(bias.dataSync()));
        convs.push([kk, ci, co]);
        ci = co;
      }
      const [ok, ob] = m.getLayer('output').getWeights();
      await writeFile(join(dir, 'output_kernel.bin'), f32(ok.dataSync()));
      await writeFile(join(dir, 'output_bias.bin'), f32(ob.dataSync()));
      await writeFile(join(dir, 'meta.json'), JSON.stringify({ n, channels: d, outputs: k, prior_rows: prior ? l : 0, convs }));
      const r = spawnSync(PY, [join(__dirname, 'fixtures', 'torch_forward.py'), dir], { encoding: 'utf8' });
      assert.equal(r.status, 0, r.stderr);
      const theirs = new Float32Array((await readFile(join(dir, 'out.bin'))).buffer.slice(0));
      assert.equal(theirs.length, n * k);
      const scale = Math.max(...Array.from(theirs, Math.abs));
      const diff = maxRelDiff(ours, theirs, scale * 1e-3);
      assert.ok(diff <= 1e-4, `max relative difference ${diff}\nours ${Array.from(ours)}\ntorch ${Array.from(theirs)}`);
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
    m.dispose();
  });
}
