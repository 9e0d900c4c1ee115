/**
 * Import boundaries the design relies on: only webview/controls touches the UI toolkit (so swapping it
 * touches one folder); the webview bundle and src/protocol.ts never pull in `vscode` or Node built-ins;
 * the webview takes from src/core/physics only the line modules, not the 600 kB cross-section tables.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readdirSync, readFileSync, statSync } from 'node:fs';
import * as path from 'node:path';

const ROOT = path.resolve(__dirname, '..', '..');

function tsFiles(dir: string): string[] {
  return readdirSync(dir).flatMap((f) => {
    const p = path.join(dir, f);
    return statSync(p).isDirectory() ? tsFiles(p) : p.endsWith('.ts') ? [p] : [];
  });
}

function importsOf(file: string): string[] {
  const src = readFileSync(file, 'utf8');
  return [...src.matchAll(/(?:import|export)[^'"]*?from\s+['"]([^'"]+)['"]|import\s+['"]([^'"]+)['"]/g)].map((m) => m[1] ?? m[2]);
}

test('only webview/controls imports @vscode/webview-ui-toolkit', () => {
  const users = tsFiles(path.join(ROOT, 'webview')).filter((f) => importsOf(f).some((i) => i.startsWith('@vscode/webview-ui-toolkit')));
  assert.ok(users.length > 0, 'the toolkit is used somewhere');
  for (const f of users) assert.ok(path.relative(ROOT, f).startsWith(path.join('webview', 'controls')), `${path.relative(ROOT, f)} imports the toolkit`);
});

test('the webview and the protocol import neither vscode nor Node built-ins', () => {
  const files = [...tsFiles(path.join(ROOT, 'webview')), path.join(ROOT, 'src', 'protocol.ts')];
  for (const f of files) {
    for (const i of importsOf(f)) {
      assert.ok(i !== 'vscode' && !i.startsWith('node:') && !['fs', 'path', 'os', 'worker_threads'].includes(i), `${path.relative(ROOT, f)} imports ${i}`);
      assert.ok(!/src\/(host|workers)\//.test(i), `${path.relative(ROOT, f)} imports host/worker code: ${i}`);
    }
  }
});

test('the webview takes the line modules of src/core/physics, not its index (which carries the cross-section tables)', () => {
  for (const f of tsFiles(path.join(ROOT, 'webview'))) {
    for (const i of importsOf(f)) assert.ok(!/core\/physics(\/index)?$/.test(i) && !/physics\/(xs|tube)$/.test(i), `${path.relative(ROOT, f)} imports ${i}`);
  }
});
