import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtemp, rm, readFile, writeFile, readdir, truncate, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { buildModel, minCnnChannels, MODEL_ARCHS } from '../../src/core/ml/models';
import { writeModelFiles, readModelFiles } from '../../src/core/ml/model-files';
import { PriorLayer } from '../../src/core/ml/prior-layer';
import { XrfInputError } from '../../src/core/errors';
import { wasmTf, randomArray } from './helpers/tf';

async function withTmp(f: (dir: string) => Promise<void>) {
  const dir = await mkdtemp(join(tmpdir(), 'xrf-ml-files-'));
  try {
    await f(dir);
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

for (const arch of MODEL_ARCHS) {
  test(`${arch}: write → read model files gives identical predictions and prior spectra`, async () => {
    const tf = await wasmTf();
    const d = arch.startsWith('1DCNN') ? minCnnChannels() : 300;
    const matrix = randomArray(4 * d, 31);
    const m = buildModel(tf, { arch, channels: d, outputs: 5, prior: arch.endsWith('+') ? { matrix, rows: 4 } : undefined, seed: 3 });
    const x = tf.tensor2d(randomArray(6 * d, 32, 0, 20), [6, d]);
    const before = (m.predict(x) as ReturnType<typeof tf.tensor>).dataSync();
    await withTmp(async (dir) => {
      const out = join(dir, 'model');
      await writeModelFiles(m, out);
      assert.deepEqual((await readdir(out)).sort(), ['model.json', 'weights.bin']);
      const loaded = await readModelFiles(tf, out);
      const after = (loaded.predict(x) as ReturnType<typeof tf.tensor>).dataSync();
      assert.deepEqual(Array.from(after), Array.from(before));
      assert.equal(loaded.countParams(), m.countParams());
      assert.equal(loaded.trainableWeights.length, m.trainableWeights.length);
      if (arch.endsWith('+')) {
        const p = loaded.getLayer('prior') as PriorLayer;
        assert.ok(p instanceof PriorLayer);
        assert.equal(p.trainableWeights.length, 0, 'prior stays untrainable after loading');
        assert.deepEqual(Array.from(p.readMatrix()), Array.from(matrix));
      }
      loaded.dispose();
    });
    m.dispose();
  });
}

test('readModelFiles: missing, corrupt, truncated and NaN model files are XrfInputErrors naming the file', async () => {
  const tf = await wasmTf();
  const m = buildModel(tf, { arch: 'FCN', channels: 40, outputs: 2, seed: 1 });
  await withTmp(async (dir) => {
    await assert.rejects(readModelFiles(tf, join(dir, 'nothing')), (e: unknown) => e instanceof XrfInputError && /nothing[/\\]model\.json: no model\.json/.test(e.message));

    const good = join(dir, 'good');
    await writeModelFiles(m, good);
    const json = await readFile(join(good, 'model.json'), 'utf8');
    const bin = new Uint8Array(await readFile(join(good, 'weights.bin')));

    const badJson = join(dir, 'badjson');
    await writeModelFiles(m, badJson);
    await writeFile(join(badJson, 'model.json'), json.slice(0, 50));
    await assert.rejects(readModelFiles(tf, badJson), (e: unknown) => e instanceof XrfInputError && /model\.json: not valid JSON/.test(e.message));

    const notModel = join(dir, 'notmodel');
    await writeModelFiles(m, notModel);
    await writeFile(join(notModel, 'model.json'), '{"hello": 1}');
    await assert.rejects(readModelFiles(tf, notModel), /no modelTopology/);

    const short = join(dir, 'short');
    await writeModelFiles(m, short);
    await truncate(join(short, 'weights.bin'), bin.length - 8);
    await assert.rejects(readModelFiles(tf, short), (e: unknown) => e instanceof XrfInputError && /weights\.bin: weights hold \d+ bytes but model\.json describes \d+/.test(e.message));

    const nan = join(dir, 'nan');
    await writeModelFiles(m, nan);
    const poisoned = new Uint8Array(bin);
    new DataView(poisoned.buffer).setFloat32(4 * 10, NaN, true);
    await writeFile(join(nan, 'weights.bin'), poisoned);
    await assert.rejects(readModelFiles(tf, nan), (e: unknown) => e instanceof XrfInputError && /holds a non-finite value/.test(e.message));

    const escape = join(dir, 'escape');
    await writeModelFiles(m, escape);
    await writeFile(join(escape, 'model.json'), json.replace('./weights.bin', '../good/weights.bin'));
    await assert.rejects(readModelFiles(tf, escape), /must be a file inside the model folder/);

    // reading never writes: the good folder is untouched
    const st = await stat(join(good, 'model.json'));
    await readModelFiles(tf, good);
    assert.equal((await stat(join(good, 'model.json'))).mtimeMs, st.mtimeMs);
    assert.deepEqual(new Uint8Array(await readFile(join(good, 'weights.bin'))), bin);
  });
  m.dispose();
});
