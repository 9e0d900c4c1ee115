import { test } from 'node:test';
import assert from 'node:assert/strict';
import { errorToView } from '../../src/host/error-view';
import { XrfInputError } from '../../src/core/errors';

const FILE = '/work/data/painting.rpl';

test('an XrfInputError becomes an input error naming its file and problem', () => {
  const v = errorToView(new XrfInputError('/work/data/painting.raw', 'truncated: 1000 of 4096000 bytes'), FILE);
  assert.equal(v.kind, 'input');
  assert.equal(v.file, '/work/data/painting.raw', 'the file the problem is in, which may be the .raw beside the .rpl');
  assert.equal(v.problem, 'truncated: 1000 of 4096000 bytes');
  assert.match(v.title, /cannot be opened/);
});

test('an XrfInputError that crossed a thread boundary as name + message is split back apart', () => {
  const e = new Error(`${FILE}: unknown data-type "complex"`);
  e.name = 'XrfInputError';
  const v = errorToView(e, FILE);
  assert.deepEqual([v.kind, v.file, v.problem], ['input', FILE, 'unknown data-type "complex"']);

  const other = new Error('/work/data/painting.raw: missing (the header names it)');
  other.name = 'XrfInputError';
  const w = errorToView(other, FILE);
  assert.deepEqual([w.file, w.problem], ['/work/data/painting.raw', 'missing (the header names it)']);
});

test('a Windows path with a drive colon is not split at the drive', () => {
  const file = 'C:\\scans\\p.npy';
  const e = new Error(`${file}: NaN in float data`);
  e.name = 'XrfInputError';
  const v = errorToView(e, file);
  assert.deepEqual([v.file, v.problem], [file, 'NaN in float data']);
});

test('any other error is an internal error that points to the log', () => {
  const v = errorToView(new TypeError('cannot read properties of undefined'), FILE);
  assert.equal(v.kind, 'internal');
  assert.equal(v.file, FILE);
  assert.equal(v.problem, 'cannot read properties of undefined');
  assert.match(v.detail ?? '', /TypeError.*output channel/);
});

test('thrown non-errors still give a readable view', () => {
  assert.equal(errorToView('worker died', FILE).problem, 'worker died');
  assert.equal(errorToView({ code: 3 }, FILE).problem, '{"code":3}');
  assert.equal(errorToView(undefined, FILE).kind, 'internal');
});
