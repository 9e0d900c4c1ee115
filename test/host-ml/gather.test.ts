/** Step 1 of "Train …": the dialogs' answers → TrainJobInput, with a scripted fake of the prompts. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as path from 'node:path';
import { archSlug, defaultModelName, gatherTrainInput, groundTruthCandidates, modelNameProblem, type GatherEnv, type TrainPrompts } from '../../src/host/training/gather';
import { readTrainSettings } from '../../src/host/training/settings';
import { DEFAULT_TRAIN_SETTINGS } from '../../src/core/ml/jobs';

const NOW = new Date(2026, 10, 25, 20, 15, 30);

function fakeEnv(files: Record<string, string[]>, existing: string[] = [], truthLines: Record<string, string[]> = {}, warnings: string[] = []): GatherEnv {
  return {
    groundTruthLines: async (p) => {
      if (!(p in truthLines)) throw new Error(`ground truth ${p} read although xrfmaps.lines is empty`);
      return truthLines[p];
    },
    warn: (m) => warnings.push(m),
    listDir: async (d) => {
      if (!(d in files)) throw new Error(`ENOENT ${d}`);
      return files[d];
    },
    exists: async (p) => existing.includes(p),
    now: () => NOW,
    workspaceFolder: '/ws',
  };
}

interface Script {
  scans?: string[] | undefined;
  gt?: (scan: string, candidates: string[]) => string | undefined;
  parent?: string | undefined;
  name?: string | undefined;
}

function fakePrompts(s: Script, asked: string[]): TrainPrompts & { validations: (string | undefined)[] } {
  const validations: (string | undefined)[] = [];
  return {
    validations,
    async pickScans() {
      asked.push('scans');
      return s.scans;
    },
    async pickGroundTruth(scan, candidates) {
      asked.push(`gt ${path.basename(scan)} [${candidates.map((c) => path.basename(c)).join(', ')}]`);
      return s.gt?.(scan, candidates);
    },
    async pickOutputParent(suggested) {
      asked.push(`parent (suggested ${suggested})`);
      return s.parent;
    },
    async askModelName(suggested, validate) {
      asked.push(`name (suggested ${suggested})`);
      validations.push(await validate(suggested));
      if (s.name !== undefined) validations.push(await validate(s.name));
      return s.name;
    },
  };
}

const SETTINGS = { epochs: 7, patience: 3, batch: 16, stride: 4, valShare: 0.25, seed: 5, backend: 'wasm' as const, calibration: { offsetKeV: -0.1, gainKeV: 0.02 } };

test('the answers become a TrainJobInput: scans with their ground truth, a new model folder, the settings', async () => {
  const asked: string[] = [];
  const env = fakeEnv({
    '/data/a': ['p1.rpl', 'p1.raw', 'p1_truth.npy', 'p1_truth.json', 'p1.json', 'notes.txt'],
    '/data/b': ['p2.rpl', 'p2.raw', 'p2.csv'],
  });
  const prompts = fakePrompts({ scans: ['/data/a/p1.rpl', '/data/b/p2.rpl'], gt: (_s, c) => c[0], parent: '/ws/models', name: 'my-model' }, asked);
  const input = await gatherTrainInput('1DCNN+', prompts, env, SETTINGS);
  assert.deepEqual(asked, [
    'scans',
    'gt p1.rpl [p1_truth.npy]',
    'gt p2.rpl [p2.csv]',
    'parent (suggested /ws/models)',
    'name (suggested 1dcnn-plus-20261125-201530)',
  ]);
  assert.deepEqual(input, {
    model: '1DCNN+',
    train: [
      { scan: '/data/a/p1.rpl', groundTruth: '/data/a/p1_truth.npy', name: 'p1' },
      { scan: '/data/b/p2.rpl', groundTruth: '/data/b/p2.csv', name: 'p2' },
    ],
    outDir: path.join('/ws/models', 'my-model'),
    calibration: { offsetKeV: -0.1, gainKeV: 0.02 },
    epochs: 7,
    patience: 3,
    stride: 4,
    valShare: 0.25,
    batch: 16,
    seed: 5,
    backend: 'wasm',
  });
  assert.deepEqual(prompts.validations, [undefined, undefined]);
});

test('lines follow xrfmaps.lines: those every ground truth holds, in the setting\'s order; empty setting → the pipeline default', async () => {
  const files = { '/d': ['a.rpl', 'b.rpl'] };
  const truthLines = { '/d/a_gt.csv': ['Ca K', 'Fe K', 'Pb L', 'Hg L', 'Ti K'], '/d/b_gt.csv': ['Pb L', 'Fe K', 'Ca K', 'Ti K'] };
  const script: Script = { scans: ['/d/a.rpl', '/d/b.rpl'], gt: (scan) => scan.replace('.rpl', '_gt.csv'), parent: '/ws/models', name: 'm' };
  const run = async (lines: string[] | undefined, warnings: string[] = []) =>
    (await gatherTrainInput('FCN', fakePrompts(script, []), fakeEnv(files, [], truthLines, warnings), { ...SETTINGS, lines }))!;

  assert.deepEqual((await run(['Pb L', 'Hg L', 'Ti K', 'Fe K', 'Zn K'])).lines, ['Pb L', 'Ti K', 'Fe K'], 'Hg L is not in b, Zn K in neither');
  assert.deepEqual((await run(['Fe K', 'Pb L'])).lines, ['Fe K', 'Pb L'], 'the setting\'s order, not the files\'');
  const empty = await run([]);
  assert.ok(!('lines' in empty), 'an empty setting leaves the lines to the pipeline (and reads no ground truth)');
  assert.ok(!('lines' in (await run(undefined))));
  const warnings: string[] = [];
  const none = await run(['Zn K', 'Hg L'], warnings);
  assert.ok(!('lines' in none), 'no line of the setting in every ground truth: the pipeline default');
  assert.equal(warnings.length, 1);
  assert.match(warnings[0], /xrfmaps\.lines: none of Zn K, Hg L is in every ground truth/);
});

test('cancelling any dialog cancels the whole command (undefined, nothing else asked)', async () => {
  const env = fakeEnv({ '/d': ['s.rpl', 's_truth.npy', 's_truth.json'] });
  const base: Script = { scans: ['/d/s.rpl'], gt: (_s, c) => c[0], parent: '/ws', name: 'm' };
  const cases: [string, Script, number][] = [
    ['scans', { ...base, scans: undefined }, 1],
    ['no scans', { ...base, scans: [] }, 1],
    ['ground truth', { ...base, gt: () => undefined }, 2],
    ['parent', { ...base, parent: undefined }, 3],
    ['name', { ...base, name: undefined }, 4],
  ];
  for (const [step, script, askedCount] of cases) {
    const asked: string[] = [];
    assert.equal(await gatherTrainInput('FCN', fakePrompts(script, asked), env, SETTINGS), undefined, step);
    assert.equal(asked.length, askedCount, `${step}: ${asked.join(' | ')}`);
  }
});

test('a model folder that exists (or appears meanwhile) is refused: never overwritten', async () => {
  const env = fakeEnv({ '/d': ['s.rpl'] }, ['/ws/models/taken']);
  const asked: string[] = [];
  const prompts = fakePrompts({ scans: ['/d/s.rpl'], gt: () => '/d/gt.csv', parent: '/ws/models', name: 'taken' }, asked);
  await assert.rejects(gatherTrainInput('FCN', prompts, env, SETTINGS), /already exists; a model folder is never overwritten/);
  assert.match(String(prompts.validations[1]), /taken already exists/);
  assert.equal(await modelNameProblem('/ws', '  ', env.exists), 'Give the model folder a name.');
  assert.match(String(await modelNameProblem('/ws', 'a/b', env.exists)), /cannot hold/);
  assert.equal(await modelNameProblem('/ws', 'fresh', env.exists), undefined);
});

test('ground-truth candidates: same stem, a maps format, truth first, NPY only with its sidecar', () => {
  const names = ['painting.rpl', 'painting.raw', 'painting.json', 'painting.npy', 'painting_truth.npy', 'painting_truth.json', 'painting.fcn.npy', 'painting.csv', 'Painting_gt.tif', 'other_truth.npy', 'other_truth.json', 'painting.txt'];
  assert.deepEqual(groundTruthCandidates('/x/painting.rpl', names).map((p) => path.basename(p)), ['painting_truth.npy', 'Painting_gt.tif', 'painting.npy', 'painting.csv']);
  assert.deepEqual(groundTruthCandidates('/x/painting.npy', names).map((p) => path.basename(p)), ['painting_truth.npy', 'Painting_gt.tif', 'painting.csv'], 'never the scan itself');
});

test('names: architecture slugs and the default model folder name', () => {
  assert.deepEqual(['FCN', 'FCN+', '1DCNN', '1DCNN+'].map((a) => archSlug(a as never)), ['fcn', 'fcn-plus', '1dcnn', '1dcnn-plus']);
  assert.equal(defaultModelName('FCN+', NOW), 'fcn-plus-20261125-201530');
});

test('training settings: defaults from the pipeline, valid user values taken, invalid ones reported', () => {
  const none = readTrainSettings(() => undefined);
  assert.deepEqual(
    { epochs: none.epochs, patience: none.patience, batch: none.batch, stride: none.stride, valShare: none.valShare, seed: none.seed },
    { epochs: DEFAULT_TRAIN_SETTINGS.epochs, patience: DEFAULT_TRAIN_SETTINGS.patience, batch: DEFAULT_TRAIN_SETTINGS.batch, stride: DEFAULT_TRAIN_SETTINGS.stride, valShare: DEFAULT_TRAIN_SETTINGS.valShare, seed: DEFAULT_TRAIN_SETTINGS.seed },
  );
  assert.deepEqual(none.warnings, []);
  const values: Record<string, unknown> = { 'training.epochs': 20, 'training.batchSize': 0, 'training.validationShare': 0.95, 'training.stride': 2.5, 'training.seed': 3, 'training.patience': 'x' };
  const s = readTrainSettings((k) => values[k]);
  assert.equal(s.epochs, 20);
  assert.equal(s.seed, 3);
  assert.equal(s.batch, DEFAULT_TRAIN_SETTINGS.batch);
  assert.equal(s.valShare, DEFAULT_TRAIN_SETTINGS.valShare);
  assert.equal(s.stride, DEFAULT_TRAIN_SETTINGS.stride);
  assert.equal(s.patience, DEFAULT_TRAIN_SETTINGS.patience);
  assert.equal(s.warnings.length, 4);
  assert.ok(s.warnings.some((w) => w.startsWith('xrfmaps.training.batchSize must be an integer ≥ 1; got 0')));
  assert.ok(s.warnings.some((w) => w.includes('xrfmaps.training.validationShare') && w.includes('≤ 0.9')));
});
