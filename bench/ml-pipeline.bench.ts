/**
 * What streaming costs in training and prediction: the pipeline (strided extraction into a temporary
 * sample file, shuffled positional reads per batch, row-block prediction with NPY output) against
 * the same tfjs work on tensors already in memory, measured in the same run. A ratio of 1.0 means
 * the data path adds nothing; the model's own speed is engine's bench (speed of the networks).
 *
 * Data: one synthetic painting (test/ml/synthetic.ts), 48×48 pixels × 4096 channels of 10 eV,
 * 12 thesis lines; FCN+ (the fastest model, so pipeline overhead shows most) on the active backend.
 */
import { promises as fs } from 'node:fs';
import * as path from 'node:path';
import type { Tensor, Variable } from '@tensorflow/tfjs';
import { makePainting, tempDir } from '../test/ml/synthetic';
import { DEFAULT_LINES } from '../src/core/lines';
import { initBackend } from '../src/core/ml/backend';
import { trainModel } from '../src/core/ml/train';
import { predictScan } from '../src/core/ml/predict';
import { availableCores } from '../src/core/ml/threads';
import { prepareTrainingData } from '../src/core/ml/dataset';
import { openCube } from '../src/core/cube/open';
import { loadModelDir } from '../src/core/ml/model-dir';
import { buildModel } from '../src/core/ml/models';
import { aL1 } from '../src/core/ml/loss';
import { priorMatrix } from '../src/core/physics/index';

const H = 48;
const W = 48;
const C = 4096;
const CAL = { offsetKeV: 0, gainKeV: 0.01 };
const LINES = [...DEFAULT_LINES];
const BATCH = 64;
const EPOCHS = 3;

export async function bench(report: (line: string) => void): Promise<void> {
  const dir = await tempDir('xrfmaps-ml-bench-');
  try {
    const { tf, name } = await initBackend('auto');
    report(`backend ${name}; painting ${H}×${W}×${C}, ${LINES.length} lines, FCN+, batch ${BATCH}`);
    const p = await makePainting(dir, { height: H, width: W, channels: C, calibration: CAL, lines: LINES, seed: 5 });

    // Extraction: prepareTrainingData at the default stride 10 and at stride 1, against one streaming
    // pass of the scan reader over the whole scan (what any reader of the scan pays).
    const cube = await openCube(p.scan);
    let t = performance.now();
    const rowsPerBlock = Math.max(1, Math.floor((16 << 20) / (W * C * 4)));
    for (let r0 = 0; r0 < H; r0 += rowsPerBlock) await cube.readRows(r0, Math.min(rowsPerBlock, H - r0));
    const readSec = (performance.now() - t) / 1000;
    await cube.close();
    const mb = (H * W * C * 4) / 2 ** 20;
    for (const stride of [10, 1]) {
      t = performance.now();
      const data = await prepareTrainingData({ train: [{ scan: p.scan, groundTruth: p.truth }], stride, valShare: 0.2, seed: 1 });
      const sec = (performance.now() - t) / 1000;
      await data.store.dispose();
      report(`extraction, stride ${stride}: ${(mb / sec).toFixed(0)} MB of scan/s vs one reader pass ${(mb / readSec).toFixed(0)} MB/s: ratio ${(readSec / sec).toFixed(2)}`);
    }

    // Training: samples/s of trainModel's epochs 2…EPOCHS against the same steps on in-memory tensors.
    const rates: number[] = [];
    const r = await trainModel(
      { model: 'FCN+', train: [{ scan: p.scan, groundTruth: p.truth }], outDir: path.join(dir, 'model'), epochs: EPOCHS, patience: 100, stride: 1, valShare: 0.2, batch: BATCH, seed: 1, backend: 'auto', threads: 1 },
      { onEvent: (e) => e.kind === 'epoch' && e.epoch > 1 && rates.push(e.samplesPerSec) },
    );
    const pipelineRate = rates.reduce((a, b) => a + b, 0) / rates.length;
    const nTrain = Math.round(H * W * 0.8);
    const prior = priorMatrix(LINES, CAL, C);
    const model = buildModel(tf, { arch: 'FCN+', channels: C, outputs: LINES.length, prior: { matrix: prior, rows: LINES.length }, seed: 1 });
    const opt = tf.train.adam(1e-3);
    const vars = model.trainableWeights.map((w) => w.read() as Variable);
    const xs = tf.randomUniform([BATCH, C], 0, 2);
    const ys = tf.randomUniform([BATCH, LINES.length], 0, 100);
    const step = () => tf.tidy(() => opt.minimize(() => aL1(tf, ys, model.apply(xs, { training: true }) as Tensor), true, vars)!.dataSync()[0]);
    step(); // warm-up
    t = performance.now();
    const steps = Math.ceil(nTrain / BATCH);
    for (let i = 0; i < steps; i++) step();
    const memRate = nTrain / ((performance.now() - t) / 1000);
    report(`training: pipeline ${pipelineRate.toFixed(0)} samples/s vs in-memory steps ${memRate.toFixed(0)} samples/s: ratio ${(pipelineRate / memRate).toFixed(2)}`);
    tf.dispose([xs, ys]);
    opt.dispose();
    model.dispose();

    // Prediction: predictScan (row blocks from the NPY scan, NPY output) against model.predict on the
    // whole scan held in memory.
    const out = path.join(dir, 'pred.npy');
    await predictScan({ modelDir: r.modelDir, scan: p.scan, out, backend: 'auto', threads: 1 }); // warm-up
    await fs.rm(out);
    t = performance.now();
    await predictScan({ modelDir: r.modelDir, scan: p.scan, out, backend: 'auto', threads: 1 });
    const predictRate = (H * W) / ((performance.now() - t) / 1000);
    const loaded = await loadModelDir(tf, r.modelDir);
    const all = tf.randomUniform([H * W, C], 0, 2);
    tf.tidy(() => (loaded.model.predict(all, { batchSize: 256 }) as Tensor).dataSync());
    t = performance.now();
    tf.tidy(() => (loaded.model.predict(all, { batchSize: 256 }) as Tensor).dataSync());
    const memPredict = (H * W) / ((performance.now() - t) / 1000);
    all.dispose();
    loaded.model.dispose();
    report(`prediction: predictScan ${predictRate.toFixed(0)} spectra/s vs in-memory predict ${memPredict.toFixed(0)} spectra/s: ratio ${(predictRate / memPredict).toFixed(2)}`);

    // Data-parallel prediction (predict.ts): the same scan on 2 threads (and all cores when more) vs 1,
    // helpers' start (~0.5 s each, in parallel) included, for FCN+ (the fastest model) and 1DCNN+ (the
    // slowest; a one-epoch model is enough to time it).
    const cnn = await trainModel(
      { model: '1DCNN+', train: [{ scan: p.scan, groundTruth: p.truth }], outDir: path.join(dir, 'cnn'), epochs: 1, patience: 1, stride: 16, valShare: 0.2, batch: BATCH, seed: 1, backend: 'auto', threads: 1 },
    );
    for (const [arch, modelDir] of [['FCN+', r.modelDir], ['1DCNN+', cnn.modelDir]] as const) {
      const rate = async (threads: number) => {
        await fs.rm(out, { force: true });
        const t0 = performance.now();
        await predictScan({ modelDir, scan: p.scan, out, backend: 'auto', threads });
        return (H * W) / ((performance.now() - t0) / 1000);
      };
      const one = await rate(1);
      for (const n of [...new Set([2, Math.min(availableCores(), 8)])]) {
        const par = await rate(n);
        report(`prediction ${arch} on ${n} threads: ${par.toFixed(0)} spectra/s vs one thread ${one.toFixed(0)}: ratio ${(par / one).toFixed(2)}`);
      }
    }
  } finally {
    await fs.rm(dir, { recursive: true, force: true });
  }
}
