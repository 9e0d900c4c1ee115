/**
 * package.json's `contributes` against the code that serves it: view types, file patterns, commands,
 * settings and their defaults; and what `vsce` would put in the .vsix.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync, existsSync, readdirSync } from 'node:fs';
import { execFileSync } from 'node:child_process';
import * as path from 'node:path';
import { DEFAULT_LINES } from '../../src/core/lines';
import { DEFAULT_DISPLAY } from '../../src/host/settings';
import { DEFAULT_SCAN_EXTENSIONS, OPTION_SCAN_EXTENSIONS, SCAN_VIEW_TYPE, SCAN_VIEW_TYPE_OPTION, scanViewTypeFor } from '../../src/host/scan-editor/view-types';

const ROOT = path.resolve(__dirname, '..', '..');
const pkg = JSON.parse(readFileSync(path.join(ROOT, 'package.json'), 'utf8'));

test('the scan editor is the default for .rpl/.npz and an option for .npy/.h5/.hdf5/.nxs', () => {
  const editors: { viewType: string; priority: string; selector: { filenamePattern: string }[] }[] = pkg.contributes.customEditors;
  const byType = new Map(editors.map((e) => [e.viewType, e]));
  const def = byType.get(SCAN_VIEW_TYPE)!;
  const opt = byType.get(SCAN_VIEW_TYPE_OPTION)!;
  assert.equal(def.priority, 'default');
  assert.equal(opt.priority, 'option');
  assert.deepEqual(def.selector.map((s) => s.filenamePattern), DEFAULT_SCAN_EXTENSIONS.map((e) => `*.${e}`));
  assert.deepEqual(opt.selector.map((s) => s.filenamePattern), OPTION_SCAN_EXTENSIONS.map((e) => `*.${e}`));
  assert.equal(scanViewTypeFor('/a/painting.RPL'), SCAN_VIEW_TYPE);
  assert.equal(scanViewTypeFor('/a/b.c/scan.npz'), SCAN_VIEW_TYPE);
  assert.equal(scanViewTypeFor('C:\\data\\scan.h5'), SCAN_VIEW_TYPE_OPTION);
  assert.equal(scanViewTypeFor('/a/cube.npy'), SCAN_VIEW_TYPE_OPTION);
});

test('every command has the "XRF Maps" category and is registered by the code', () => {
  const source = ['src/host/commands.ts', 'src/extension.ts'].map((f) => readFileSync(path.join(ROOT, f), 'utf8')).join('\n');
  const mine = ['xrfmaps.openScan', 'xrfmaps.exportMap', 'xrfmaps.showLog'];
  const cmds: { command: string; title: string; category: string }[] = pkg.contributes.commands;
  for (const c of cmds) assert.equal(c.category, 'XRF Maps', c.command);
  for (const id of mine) {
    assert.ok(cmds.some((c) => c.command === id), `${id} contributed`);
    assert.ok(source.includes(`'${id}'`), `${id} registered`);
  }
});

test('setting defaults in package.json are the defaults the code falls back to', () => {
  const p = pkg.contributes.configuration.properties;
  assert.deepEqual(p['xrfmaps.lines'].default, [...DEFAULT_LINES]);
  assert.equal(p['xrfmaps.colormap'].default, DEFAULT_DISPLAY.colormap);
  assert.equal(p['xrfmaps.scaling'].default, DEFAULT_DISPLAY.scaling);
  assert.equal(p['xrfmaps.contrast.lowPercentile'].default, DEFAULT_DISPLAY.lowPercentile);
  assert.equal(p['xrfmaps.contrast.highPercentile'].default, DEFAULT_DISPLAY.highPercentile);
  assert.deepEqual(p['xrfmaps.colormap'].enum, ['viridis', 'inferno', 'gray']);
  assert.deepEqual(p['xrfmaps.scaling'].enum, ['linear', 'sqrt', 'log']);
  assert.deepEqual(p['xrfmaps.backend'].enum, ['auto', 'tensorflow', 'wasm', 'cpu']);
  assert.equal(p['xrfmaps.calibration.gainKeV'].default, 0.01);
  assert.equal(p['xrfmaps.calibration.offsetKeV'].default, 0);
});

test('nothing activates at start-up; restricted mode is declared limited', () => {
  assert.ok(!(pkg.activationEvents as string[]).some((e) => e === '*' || e === 'onStartupFinished'));
  assert.equal(pkg.capabilities.untrustedWorkspaces.supported, 'limited');
  assert.equal(pkg.main, './dist/extension.js');
  assert.ok(existsSync(path.join(ROOT, pkg.icon)), 'the icon exists');
});

test('the .vsix would hold the bundles, wasm binaries and media, and no sources, tests or node_modules', { skip: !existsSync(path.join(ROOT, 'dist', 'extension.js')) && 'not built (npm run build)' }, () => {
  const vsce = path.join(ROOT, 'node_modules', '.bin', 'vsce');
  const files = execFileSync(vsce, ['ls', '--no-dependencies'], { cwd: ROOT, encoding: 'utf8' }).split('\n').filter(Boolean);
  for (const want of ['package.json', 'README.md', 'dist/extension.js', 'dist/webview.js', 'media/webview.css', pkg.icon]) assert.ok(files.includes(want), `${want} packaged`);
  assert.ok(files.some((f) => /^dist\/wasm\/.*\.wasm$/.test(f)), 'wasm binaries packaged');
  const workers = readdirSync(path.join(ROOT, 'dist', 'workers')).filter((f) => f.endsWith('.js'));
  for (const w of workers) assert.ok(files.includes(`dist/workers/${w}`), `worker ${w} packaged`);
  for (const f of files) {
    assert.ok(!/^(src|test|webview|bench|scripts|node_modules)\//.test(f), `${f} must not be packaged`);
    assert.ok(!f.endsWith('.map') && !f.endsWith('.ts'), `${f} must not be packaged`);
  }
});
