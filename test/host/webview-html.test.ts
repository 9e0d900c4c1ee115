import { test } from 'node:test';
import assert from 'node:assert/strict';
import { cspRules, cspString, makeNonce, webviewHtml } from '../../src/host/webview-html';

const assets = {
  cspSource: 'https://file+.vscode-resource.vscode-cdn.net',
  nonce: 'abc123XYZ',
  scriptUri: 'https://file+.vscode-resource.vscode-cdn.net/ext/dist/webview.js',
  styleUri: 'https://file+.vscode-resource.vscode-cdn.net/ext/media/webview.css',
};

test('every CSP rule states why it is there', () => {
  const rules = cspRules(assets);
  assert.ok(rules.length >= 5);
  for (const r of rules) {
    assert.match(r.directive, /^[a-z-]+$/);
    assert.ok(r.sources.length > 0, `${r.directive} has sources`);
    assert.ok(r.why.length > 15, `${r.directive} has a reason`);
  }
  assert.equal(new Set(rules.map((r) => r.directive)).size, rules.length, 'no directive twice');
});

test('the CSP denies by default, runs only the nonced script, and allows no remote origin', () => {
  const rules = cspRules(assets);
  const by = Object.fromEntries(rules.map((r) => [r.directive, r.sources]));
  assert.deepEqual(by['default-src'], ["'none'"]);
  assert.deepEqual(by['script-src'], ["'nonce-abc123XYZ'"]);
  assert.deepEqual(by['connect-src'], ["'none'"]);
  for (const r of rules) {
    for (const s of r.sources) {
      assert.ok(s !== '*' && !/^https?:\/\/(?!file\+\.vscode-resource)/.test(s) && s !== 'https:' && s !== 'http:', `${r.directive} allows remote ${s}`);
      assert.notEqual(s, "'unsafe-eval'");
    }
  }
  assert.ok(!by['script-src'].includes("'unsafe-inline'"));
  assert.equal(cspString(rules).split('; ').length, rules.length);
});

test('the page carries the CSP, the nonce on its only script, and the view name', () => {
  const html = webviewHtml(assets, 'scan', 'XRF scan a "b" <c>.rpl');
  const csp = /<meta http-equiv="Content-Security-Policy" content="([^"]+)">/.exec(html);
  assert.ok(csp, 'CSP meta present');
  assert.ok(csp[1].includes("script-src 'nonce-abc123XYZ'"));
  const scripts = [...html.matchAll(/<script\b[^>]*>/g)].map((m) => m[0]);
  assert.equal(scripts.length, 1);
  assert.ok(scripts[0].includes('nonce="abc123XYZ"') && scripts[0].includes(assets.scriptUri));
  assert.ok(html.includes('<body data-view="scan">'));
  assert.ok(html.includes('XRF scan a &quot;b&quot; &lt;c&gt;.rpl'), 'title escaped');
  assert.ok(!html.includes('<c>'));
});

test('nonces are fresh and safe to put in an attribute', () => {
  const a = makeNonce();
  const b = makeNonce();
  assert.notEqual(a, b);
  assert.match(a, /^[A-Za-z0-9]{16,}$/);
});
