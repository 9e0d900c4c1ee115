import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { promises as fs } from 'node:fs';
import * as path from 'node:path';
import { spawn } from 'node:child_process';
import { readModelMetadata } from '../../src/core/ml/model-dir';
import { makePainting, tempDir, readPrediction, TEST_LINES, type Painting } from './synthetic';

const ROOT = path.resolve(__dirname, '..', '..');
const CLI = path.join(ROOT, 'src', 'cli', 'main.ts');

let dir: string;
let a: Painting;
let b: Painting;

interface Run {
  code: number | null;
  stdout: string;
  stderr: string;
}

/** Runs `xrfmaps ARGS` from source; `onStdout` may act on the running process (e.g. send SIGINT). */
function xrfmaps(args: string[], onStdout?: (text: string, kill: (sig: NodeJS.Signals) => void) => void): Promise<Run> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ['--import', 'tsx', CLI, ...args], { cwd: ROOT, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d) => {
      stdout += d;
      onStdout?.(stdout, (sig) => child.kill(sig));
    });
    child.stderr.on('data', (d) => (stderr += d));
    child.on('error', reject);
    child.on('close', (code) => resolve({ code, stdout, stderr }));
  });
}

before(async () => {
  dir = await tempDir();
  a = await makePainting(dir, { seed: 41, height: 8, width: 8 });
  b = await makePainting(dir, { seed: 42, height: 8, width: 8 });
});

after(async () => {
  await fs.rm(dir, { recursive: true, force: true });
});

test('xrfmaps train then predict, end to end', async () => {
  const model = path.join(dir, 'cli-model');
  const t = await xrfmaps([
    'train', '--model', 'fcn+', '--train', `${a.scan}=${a.truth}`, '--train', `${b.scan}=${b.truth}`,
    '--out', model, '--epochs', '3', '--stride', '1', '--batch', '16', '--seed', '2', '--backend', 'wasm', '--threads', '2', '--lines', 'Fe_K, Pb-L',
  ]);
  assert.equal(t.code, 0, t.stderr);
  assert.match(t.stdout, /^backend: wasm \(.*wasm.*\)$/m);
  assert.match(t.stdout, /^data: 102 training and 26 validation spectra$/m);
  const epochLines = t.stdout.split('\n').filter((l) => l.startsWith('epoch '));
  assert.equal(epochLines.length, 3);
  assert.match(epochLines[0], /^epoch 1\/3 {2}train aL1 \d+\.\d{4} {2}val aL1 \d+\.\d{4} \* {2}\d+ samples\/s {2}ETA /);
  assert.match(t.stdout, /3 epochs, best epoch \d \(validation aL1 [\d.]+\); model in /);
  const meta = await readModelMetadata(model);
  assert.deepEqual(meta.lines, ['Fe K', 'Pb L']);
  assert.equal(meta.architecture, 'FCN+');
  assert.equal(meta.training.threads, 2, '--threads 2 is used and recorded');
  assert.match(t.stdout, /^training on 2 threads/m);

  const out = path.join(dir, 'cli-pred.npy');
  const p = await xrfmaps(['predict', '--model', model, '--scan', a.scan, '--out', out, '--backend', 'wasm']);
  assert.equal(p.code, 0, p.stderr);
  assert.match(p.stdout, /wrote .*cli-pred\.npy \(8×8×2: Fe K, Pb L\)/);
  assert.deepEqual((await readPrediction(out)).shape, [8, 8, 2]);
  assert.deepEqual(JSON.parse(await fs.readFile(path.join(dir, 'cli-pred.json'), 'utf8')).lines, ['Fe K', 'Pb L']);

  const again = await xrfmaps(['predict', '--model', model, '--scan', a.scan, '--out', out]);
  assert.equal(again.code, 1);
  assert.match(again.stderr, /already exists \(use --force/);
  const forced = await xrfmaps(['predict', '--model', model, '--scan', a.scan, '--out', out, '--force', '--backend', 'wasm']);
  assert.equal(forced.code, 0, forced.stderr);
});

test('xrfmaps train and predict: usage and input errors exit non-zero with a clear message', async () => {
  const usage = await xrfmaps(['train', '--model', 'fcn']);
  assert.equal(usage.code, 2);
  assert.match(usage.stderr, /usage: xrfmaps train/);
  const badModel = await xrfmaps(['train', '--model', 'resnet', '--train', `${a.scan}=${a.truth}`, '--out', path.join(dir, 'x')]);
  assert.equal(badModel.code, 1);
  assert.match(badModel.stderr, /unknown model "resnet"/);
  const mismatch = await xrfmaps(['train', '--model', 'fcn', '--train', `${a.scan}=${path.join(dir, 'nope.npy')}`, '--out', path.join(dir, 'y'), '--backend', 'wasm']);
  assert.equal(mismatch.code, 1);
  assert.match(mismatch.stderr, /^xrfmaps train: .*nope\.npy: /m);
  await assert.rejects(fs.access(path.join(dir, 'y')), 'no model folder after a failed run');
  const noModel = await xrfmaps(['predict', '--model', dir, '--scan', a.scan, '--out', path.join(dir, 'z.npy'), '--backend', 'wasm']);
  assert.equal(noModel.code, 1);
  assert.match(noModel.stderr, /not an xrfmaps model folder/);
  const help = await xrfmaps(['predict', '--help']);
  assert.equal(help.code, 0);
  assert.match(help.stdout, /--model <modelDir> --scan <scan> --out <pred\.npy>/);
});

test('Ctrl-C during xrfmaps train cancels cleanly and keeps the best model so far', async () => {
  const model = path.join(dir, 'interrupted');
  let sent = false;
  const t = await xrfmaps(
    ['train', '--model', 'fcn', '--train', `${a.scan}=${a.truth}`, '--out', model, '--epochs', '1000', '--stride', '1', '--batch', '16', '--backend', 'wasm'],
    (text, kill) => {
      if (!sent && /^epoch +1\//m.test(text)) {
        sent = true;
        kill('SIGINT');
      }
    },
  );
  assert.ok(sent, t.stdout + t.stderr);
  assert.equal(t.code, 130, t.stderr);
  assert.match(t.stderr, /cancelling after this batch/);
  assert.match(t.stdout, /^cancelled; \d+ epochs, best epoch \d+/m);
  const meta = await readModelMetadata(model);
  assert.equal(meta.cancelled, true);
  assert.ok(meta.bestEpoch >= 1 && meta.epochsRun < 1000);
  assert.deepEqual(meta.lines, TEST_LINES);
});
