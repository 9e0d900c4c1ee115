/**
 * The 'experiment' worker (what VS Code runs): real training and prediction of a small FCN on tiny
 * generated paintings, progress and events back to the caller, and a cancel through the signal.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { promises as fs } from 'node:fs';
import * as path from 'node:path';
import { runWorkerJob } from '../../src/workers/launch';
import type { ExperimentJobInput } from '../../src/workers/experiment.worker';
import type { ExperimentEvent, RunResult } from '../../src/core/experiment/run';
import { readRunRecord } from '../../src/core/experiment/record';
import type { Progress } from '../../src/core/util/progress';
import { tempDir, writePaintings, configText } from './helpers';

const LINES = ['Ca K', 'Fe K', 'Pb L'];

async function setUp(): Promise<{ dir: string; cfg: string }> {
  const dir = await tempDir();
  await writePaintings(dir, [{ name: 'p1', height: 10, width: 9 }, { name: 'p2', height: 9, width: 10 }, { name: 'p3', height: 8, width: 9 }], LINES, 16);
  const cfg = path.join(dir, 'w.xrfmaps.json');
  await fs.writeFile(cfg, configText(['p1', 'p2', 'p3'], { protocol: { test: ['p3', 'p1'] }, training: { epochs: 1, patience: 1, stride: 2, backend: 'wasm' } }));
  return { dir, cfg };
}

test('the experiment worker trains, predicts and evaluates, reporting progress and events', { timeout: 300_000 }, async () => {
  const { dir, cfg } = await setUp();
  try {
    const events: ExperimentEvent[] = [];
    const progress: Progress[] = [];
    const result = await runWorkerJob<ExperimentJobInput, RunResult>('experiment', { configPath: cfg, models: ['FCN'] }, {
      onEvent: (e) => events.push(e as ExperimentEvent),
      onProgress: (p) => progress.push(p),
    });
    assert.equal(result.record.status, 'finished', JSON.stringify(result.record.jobs));
    assert.deepEqual(result.record.jobs.map((j) => `${j.test}/${j.model}`), ['p3/FCN', 'p1/FCN']);
    assert.ok(events.some((e) => e.kind === 'train' && e.event.kind === 'epoch'));
    assert.equal(events.filter((e) => e.kind === 'job-end').length, 2);
    assert.deepEqual(progress[progress.length - 1], { done: 2, total: 2, message: 'finished' });
    const m = JSON.parse(await fs.readFile(path.join(result.runDir, 'p3', 'fcn', 'metrics.json'), 'utf8'));
    assert.deepEqual(m.lines, LINES);
    assert.equal(m.height, 8);
  } finally {
    await fs.rm(dir, { recursive: true, force: true });
  }
});

test('cancelling the worker keeps the run folder with its status', { timeout: 300_000 }, async () => {
  const { dir, cfg } = await setUp();
  try {
    const ac = new AbortController();
    const result = await runWorkerJob<ExperimentJobInput, RunResult>('experiment', { configPath: cfg, models: ['FCN'] }, {
      signal: ac.signal,
      onEvent: (e) => {
        const ev = e as ExperimentEvent;
        if (ev.kind === 'job-start') ac.abort();
      },
    });
    assert.equal(result.record.status, 'cancelled');
    const onDisk = (await readRunRecord(result.runDir))!;
    assert.equal(onDisk.status, 'cancelled');
    assert.ok(onDisk.jobs.every((j) => j.status !== 'finished'));
    await fs.access(path.join(result.runDir, 'summary.md'));
  } finally {
    await fs.rm(dir, { recursive: true, force: true });
  }
});
