/** package.json's ML contributions against the code that serves them. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import * as path from 'node:path';
import { TRAIN_SETTING_KEYS } from '../../src/host/training/settings';
import { DEFAULT_TRAIN_SETTINGS } from '../../src/core/ml/jobs';
import { DEFAULT_MAPS_EXTENSIONS, MAPS_EDITOR_NAME, MAPS_VIEW_TYPE, MAPS_VIEW_TYPE_DEFAULT, OPTION_MAPS_EXTENSIONS } from '../../src/host/groundtruth/view-types';

const ROOT = path.resolve(__dirname, '..', '..');
const pkg = JSON.parse(readFileSync(path.join(ROOT, 'package.json'), 'utf8'));
const source = ['src/host/training/commands.ts', 'src/host/predict/commands.ts', 'src/host/evaluate/panel.ts', 'src/host/groundtruth/provider.ts']
  .map((f) => readFileSync(path.join(ROOT, f), 'utf8'))
  .join('\n');

const ML_COMMANDS: [string, string][] = [
  ['xrfmaps.trainFCN', 'Train FCN'],
  ['xrfmaps.trainFCNPlus', 'Train FCN+'],
  ['xrfmaps.train1DCNN', 'Train 1DCNN'],
  ['xrfmaps.train1DCNNPlus', 'Train 1DCNN+'],
  ['xrfmaps.predict', 'Predict Elemental Maps'],
  ['xrfmaps.evaluate', 'Evaluate Prediction'],
  ['xrfmaps.compareWithPrediction', 'Compare with Prediction…'],
];

test('the ML commands have the exact titles, the "XRF Maps" category, and are registered', () => {
  const cmds: { command: string; title: string; category: string }[] = pkg.contributes.commands;
  for (const [id, title] of ML_COMMANDS) {
    const c = cmds.find((x) => x.command === id);
    assert.ok(c, `${id} contributed`);
    assert.equal(c.title, title);
    assert.equal(c.category, 'XRF Maps');
    assert.ok(source.includes(`'${id}'`), `${id} registered in the code`);
  }
});

test('in Restricted Mode the ML commands are hidden from the palette and menus (they also refuse when run)', () => {
  const palette: { command: string; when: string }[] = pkg.contributes.menus.commandPalette;
  for (const [id] of ML_COMMANDS) {
    const entry = palette.find((m) => m.command === id);
    assert.ok(entry && /\bisWorkspaceTrusted\b/.test(entry.when), `${id}: palette when clause needs isWorkspaceTrusted`);
  }
  for (const menu of ['explorer/context', 'editor/title']) {
    for (const m of pkg.contributes.menus[menu] as { command: string; when: string }[]) {
      if (ML_COMMANDS.some(([id]) => id === m.command)) assert.match(m.when, /\bisWorkspaceTrusted\b/, `${menu} ${m.command}`);
    }
  }
  assert.match(source, /ensureTrusted\('Predicting elemental maps'\)/);
  assert.match(source, /ensureTrusted\(`Training \$\{arch\}`\)/);
  assert.match(source, /ensureTrusted\('Evaluating predictions'\)/);
});

test('the maps editor: an option for .npy/.csv/.h5/.hdf5, the default for .edf/.tif/.tiff', () => {
  const editors: { viewType: string; displayName: string; priority: string; selector: { filenamePattern: string }[] }[] = pkg.contributes.customEditors;
  const opt = editors.find((e) => e.viewType === MAPS_VIEW_TYPE)!;
  const def = editors.find((e) => e.viewType === MAPS_VIEW_TYPE_DEFAULT)!;
  assert.equal(opt.priority, 'option');
  assert.equal(def.priority, 'default');
  assert.deepEqual(opt.selector.map((s) => s.filenamePattern), OPTION_MAPS_EXTENSIONS.map((e) => `*.${e}`));
  assert.deepEqual(def.selector.map((s) => s.filenamePattern), DEFAULT_MAPS_EXTENSIONS.map((e) => `*.${e}`));
  assert.equal(opt.displayName, MAPS_EDITOR_NAME);
  const scanNames = editors.filter((e) => !e.viewType.startsWith('xrfmaps.groundTruth')).map((e) => e.displayName);
  assert.ok(!scanNames.includes(MAPS_EDITOR_NAME), '"Reopen Editor With…" must tell the maps editor from the scan editor');
});

test('training settings in package.json have the pipeline defaults', () => {
  const props = pkg.contributes.configuration.properties;
  for (const [field, spec] of Object.entries(TRAIN_SETTING_KEYS)) {
    const p = props[`xrfmaps.${spec.key}`];
    assert.ok(p, `xrfmaps.${spec.key} contributed`);
    assert.equal(p.default, DEFAULT_TRAIN_SETTINGS[field as keyof typeof DEFAULT_TRAIN_SETTINGS], spec.key);
    assert.equal(p.minimum, spec.min, spec.key);
    assert.equal(p.type, spec.integer ? 'integer' : 'number', spec.key);
  }
});
