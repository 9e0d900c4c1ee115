/**
 * The orchestration (folds, run folder, outputs, summary, cancel, failures) with fake train/predict
 * jobs: predictions are the held-out painting's ground truth scaled per model, so the metrics are
 * known in advance (slope = the scale, r = 1). The real pipeline end to end is in demo.test.ts.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { promises as fs } from 'node:fs';
import * as path from 'node:path';
import { planFolds } from '../../src/core/experiment/folds';
import { createRunFolder, runFolderName, isRunFolderName, jobPaths, timestamp } from '../../src/core/experiment/run-folder';
import { loadExperiment } from '../../src/core/experiment/validate';
import { runExperiment, type ExperimentJobs } from '../../src/core/experiment/run';
import { listRuns, readRunRecord, readRunSummary, formatKeyFigures } from '../../src/core/experiment/record';
import { readGroundTruth } from '../../src/core/groundtruth/read';
import { writeNpy } from '../../src/core/io/npy-write';
import { XrfInputError } from '../../src/core/errors';
import type { TrainJobInput } from '../../src/core/ml/jobs';
import type { ModelArch } from '../../src/core/ml/models';
import type { CancelToken } from '../../src/core/util/progress';
import { tempDir, writePaintings, configText } from './helpers';

const LINES = ['Ca K', 'Fe K', 'Pb L'];
const SCALE: Record<ModelArch, number> = { FCN: 0.8, 'FCN+': 1.1, '1DCNN': 0.9, '1DCNN+': 1.0 };

interface FakeLog {
  trained: TrainJobInput[];
}

/** Train: writes a marker into the model folder. Predict: ground truth × SCALE[model] with a sidecar. */
function fakeJobs(log: FakeLog, opts: { cancelAtTrain?: number; failPredictFor?: ModelArch; abort?: AbortController } = {}): ExperimentJobs {
  return {
    async train(input, o: { token: CancelToken }) {
      log.trained.push(input);
      if (opts.cancelAtTrain === log.trained.length) opts.abort!.abort();
      await fs.mkdir(input.outDir, { recursive: true });
      await fs.writeFile(path.join(input.outDir, 'metadata.json'), JSON.stringify({ architecture: input.model }));
      const cancelled = o.token.cancelled;
      return {
        modelDir: input.outDir,
        epochsRun: cancelled ? 1 : 2,
        bestEpoch: cancelled ? 1 : 2,
        bestValLoss: 0.5,
        cancelled,
        history: { train: [2, 1], val: [1.5, 0.5] },
        backend: 'fake',
      };
    },
    async predict(input) {
      const model = JSON.parse(await fs.readFile(path.join(input.modelDir, 'metadata.json'), 'utf8')).architecture as ModelArch;
      if (model === opts.failPredictFor) throw new XrfInputError(input.scan, 'fake failure');
      const gt = await readGroundTruth(input.scan.replace(/\.npy$/, '_truth.npy'));
      const n = gt.height * gt.width;
      const out = new Float32Array(n * LINES.length);
      LINES.forEach((l, j) => {
        const m = gt.maps[gt.lines.indexOf(l)];
        for (let q = 0; q < n; q++) out[q * LINES.length + j] = m[q] * SCALE[model];
      });
      await writeNpy(input.out, out, [gt.height, gt.width, LINES.length]);
      await fs.writeFile(input.out.replace(/\.npy$/, '.json'), JSON.stringify({ lines: LINES, model: { name: model, architecture: model } }));
      return { out: input.out, lines: LINES, height: gt.height, width: gt.width, seconds: 0 };
    },
  };
}

async function setUp(extra: Record<string, unknown> = {}): Promise<{ dir: string; cfg: string }> {
  const dir = await tempDir();
  await writePaintings(dir, [{ name: 'p1', height: 12, width: 10 }, { name: 'p2', height: 10, width: 11 }, { name: 'p3', height: 9, width: 12 }], LINES);
  const cfg = path.join(dir, 'loo.xrfmaps.json');
  await fs.writeFile(cfg, configText(['p1', 'p2', 'p3'], extra));
  return { dir, cfg };
}

test('leave-one-out folds: each painting held out once, trained on all the others', () => {
  const paintings = ['a', 'b', 'c', 'd'].map((name) => ({ name, scan: `${name}.npy`, groundTruth: `${name}_t.npy` }));
  assert.deepEqual(planFolds({ paintings, protocol: { kind: 'leaveOneOut' } }), [
    { test: 'a', train: ['b', 'c', 'd'] },
    { test: 'b', train: ['a', 'c', 'd'] },
    { test: 'c', train: ['a', 'b', 'd'] },
    { test: 'd', train: ['a', 'b', 'c'] },
  ]);
  assert.deepEqual(planFolds({ paintings, protocol: { kind: 'test', heldOut: ['d', 'b'] } }), [
    { test: 'd', train: ['a', 'b', 'c'] },
    { test: 'b', train: ['a', 'c', 'd'] },
  ]);
});

test('run folder names: <config>-YYYYMMDD-HHMMSS, then -2, -3: never an existing folder', async () => {
  const dir = await tempDir();
  try {
    const d = new Date(2026, 10, 25, 9, 5, 7);
    assert.equal(timestamp(d), '20261125-090507');
    assert.equal(runFolderName('icons', d), 'icons-20261125-090507');
    assert.ok(isRunFolderName('icons-20261125-090507-3', 'icons'));
    assert.ok(!isRunFolderName('icons-extra-20261125-090507', 'icons'));
    const made = await Promise.all([1, 2, 3].map(() => createRunFolder(path.join(dir, 'runs'), 'icons', d)));
    assert.deepEqual(made.map((p) => path.basename(p)).sort(), ['icons-20261125-090507', 'icons-20261125-090507-2', 'icons-20261125-090507-3']);
    // a file already in a folder is never touched
    await fs.writeFile(path.join(made[0], 'keep.txt'), 'mine');
    const next = await createRunFolder(path.join(dir, 'runs'), 'icons', d);
    assert.equal(path.basename(next), 'icons-20261125-090507-4');
    assert.equal(await fs.readFile(path.join(made[0], 'keep.txt'), 'utf8'), 'mine');
  } finally {
    await fs.rm(dir, { recursive: true, force: true });
  }
});

test('a leave-one-out run writes every job, metrics.json per fold and model, and the thesis-style summary', async () => {
  const { dir, cfg } = await setUp();
  try {
    const log: FakeLog = { trained: [] };
    const exp = await loadExperiment(cfg);
    const fixed = new Date(2026, 0, 2, 3, 4, 5);
    const { runDir, record } = await runExperiment(exp, { jobs: fakeJobs(log), now: () => fixed });
    assert.equal(path.basename(runDir), 'loo-20260102-030405');
    assert.equal(record.status, 'finished');
    // Training pixels come from the others only: the held-out painting is never a training scan.
    assert.deepEqual(
      log.trained.map((t) => [t.model, t.train.map((s) => s.name).join('+')]),
      [['FCN', 'p2+p3'], ['FCN+', 'p2+p3'], ['FCN', 'p1+p3'], ['FCN+', 'p1+p3'], ['FCN', 'p1+p2'], ['FCN+', 'p1+p2']],
    );
    assert.deepEqual(log.trained[0].lines, LINES);
    assert.equal(log.trained[0].stride, 2);
    assert.equal(log.trained[0].train[0].scan, path.join(dir, 'p2.npy'));

    for (const test of ['p1', 'p2', 'p3']) {
      for (const model of ['FCN', 'FCN+'] as ModelArch[]) {
        const p = jobPaths(runDir, test, model);
        const metrics = JSON.parse(await fs.readFile(p.metrics, 'utf8'));
        assert.equal(metrics.heldOut, test);
        assert.deepEqual(metrics.lines, LINES);
        // prediction = truth × scale: slope is the scale, r is 1
        assert.ok(Math.abs(metrics.families['Fe K'].slope - SCALE[model]) < 1e-5, `slope ${metrics.families['Fe K'].slope}`);
        assert.ok(Math.abs(metrics.families['Fe K'].pearson - 1) < 1e-6);
        await fs.access(p.prediction);
        await fs.access(p.lossPng);
        await fs.access(path.join(p.modelDir, 'metadata.json'));
      }
      await fs.access(path.join(runDir, test, 'maps.png'));
      await fs.access(path.join(runDir, test, 'zscores.png'));
    }
    assert.equal(await fs.readFile(path.join(runDir, 'config.snapshot.json'), 'utf8'), exp.text);
    assert.match(await fs.readFile(path.join(runDir, 'log.txt'), 'utf8'), /\[p2 · FCN\+\] done: avg SSIM/);

    const md = await fs.readFile(path.join(runDir, 'summary.md'), 'utf8');
    for (const test of ['p1', 'p2', 'p3']) {
      const others = ['p1', 'p2', 'p3'].filter((x) => x !== test).join(', ');
      assert.ok(md.includes(`## Held out: ${test} (trained on ${others})`), test);
    }
    // One SSIM table per held-out painting: models as columns, Total/Avg then the families as rows.
    const ssimTables = md.split('### Structural similarity (SSIM)').slice(1);
    assert.equal(ssimTables.length, 3);
    const rows = ssimTables[0].trim().split('\n\n')[0].split('\n');
    assert.equal(rows[0], '|  | FCN | FCN+ |');
    assert.deepEqual(rows.slice(2).map((r) => r.split('|')[1].trim()), ['**Total**', '**Avg**', '**Ca K**', '**Fe K**', '**Pb L**']);
    assert.equal((md.match(/### Absolute z-score shares \(all families pooled\)/g) ?? []).length, 3);
    assert.match(md, /\| Held out \| FCN \| FCN\+ \|/);
    // the slope table marks FCN+ (1.1) and FCN (0.8): 1.1 is closer to 1
    const slope = md.split('### Slope (α of ŷ = α·y)')[1].split('\n\n')[1];
    assert.match(slope, /\*\*Fe K\*\* \| 0\.800 \| \*\*1\.100\*\*/);

    const summary = (await readRunSummary(runDir))!;
    assert.deepEqual(summary.folds.map((f) => Object.keys(f.reports)), [['FCN', 'FCN+'], ['FCN', 'FCN+'], ['FCN', 'FCN+']]);
    const listed = await listRuns(path.join(dir, 'runs'), cfg);
    assert.equal(listed.length, 1);
    assert.match(formatKeyFigures(listed[0].record), /^SSIM FCN 0\.\d{3} · FCN\+ 0\.\d{3}$/);

    // A second run with the same clock: a new folder, the first untouched.
    const before = await fs.readFile(path.join(runDir, 'run.json'), 'utf8');
    const againLog: FakeLog = { trained: [] };
    const withOverride = { ...exp, config: { ...exp.config, trainingByModel: { 'FCN+': { ...exp.config.training, epochs: 7 } } } };
    const again = await runExperiment(withOverride, { jobs: fakeJobs(againLog), now: () => fixed, models: ['FCN+'] });
    assert.deepEqual(againLog.trained.map((t) => t.epochs), [7, 7, 7], 'the per-model schedule is what trains');
    assert.match(await fs.readFile(path.join(again.runDir, 'summary.md'), 'utf8'), /- Training of FCN\+: up to 7 epochs/);
    assert.equal(path.basename(again.runDir), 'loo-20260102-030405-2');
    assert.deepEqual(again.record.models, ['FCN+']);
    assert.equal(again.record.jobs.length, 3);
    assert.equal(await fs.readFile(path.join(runDir, 'run.json'), 'utf8'), before);
  } finally {
    await fs.rm(dir, { recursive: true, force: true });
  }
});

test('cancel: finished jobs keep their results, the cut job is marked, the run is recorded as cancelled', async () => {
  const { dir, cfg } = await setUp();
  try {
    const abort = new AbortController();
    const token: CancelToken = {
      get cancelled() {
        return abort.signal.aborted;
      },
      throwIfCancelled() {
        if (abort.signal.aborted) throw Object.assign(new Error('cancelled'), { name: 'CancelledError' });
      },
    };
    const log: FakeLog = { trained: [] };
    const exp = await loadExperiment(cfg);
    // The third training (p2 · FCN) is cancelled while it runs: the p1 fold is complete.
    const { runDir, record } = await runExperiment(exp, { jobs: fakeJobs(log, { cancelAtTrain: 3, abort }), token });
    assert.equal(record.status, 'cancelled');
    assert.deepEqual(record.jobs.map((j) => `${j.test}/${j.model}:${j.status}`), [
      'p1/FCN:finished',
      'p1/FCN+:finished',
      'p2/FCN:cancelled',
      'p2/FCN+:pending',
      'p3/FCN:pending',
      'p3/FCN+:pending',
    ]);
    assert.equal(log.trained.length, 3, 'nothing is started after the cancel');
    const onDisk = (await readRunRecord(runDir))!;
    assert.equal(onDisk.status, 'cancelled');
    assert.ok(onDisk.finished);
    await fs.access(jobPaths(runDir, 'p1', 'FCN+').metrics);
    await fs.access(path.join(jobPaths(runDir, 'p2', 'FCN').modelDir, 'metadata.json')); // the cut model is kept
    await assert.rejects(fs.access(jobPaths(runDir, 'p2', 'FCN').metrics));
    const md = await fs.readFile(path.join(runDir, 'summary.md'), 'utf8');
    assert.match(md, /Status: \*\*cancelled\*\* \(2 of 6 trainings evaluated\)/);
    assert.match(md, /## Held out: p1 \(trained on p2, p3\)\n\n### Structural similarity/);
    assert.match(md, /## Held out: p3\n\nNo model finished for this painting\./);
  } finally {
    await fs.rm(dir, { recursive: true, force: true });
  }
});

test('a failing job is recorded with its error and the run goes on', async () => {
  const { dir, cfg } = await setUp({ protocol: { test: 'p3' } });
  try {
    const exp = await loadExperiment(cfg);
    const { runDir, record } = await runExperiment(exp, { jobs: fakeJobs({ trained: [] }, { failPredictFor: 'FCN' }) });
    assert.equal(record.status, 'failed');
    assert.deepEqual(record.jobs.map((j) => j.status), ['failed', 'finished']);
    assert.match(record.jobs[0].error!, /p3\.npy: fake failure/);
    assert.match(record.error!, /1 of 2 trainings failed/);
    const md = await fs.readFile(path.join(runDir, 'summary.md'), 'utf8');
    assert.match(md, /\| p3 \| FCN \| failed: .*fake failure/);
    assert.match(md, /\|  \| FCN\+ \|\n/, 'the table has the finished model only');
  } finally {
    await fs.rm(dir, { recursive: true, force: true });
  }
});
