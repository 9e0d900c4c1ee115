import { test } from 'node:test';
import assert from 'node:assert/strict';
import { normalizeLineName, parseLineName } from '../../src/core/lines';

test('line-family names in every common spelling normalize to one', () => {
  for (const s of ['Fe_K', 'Fe-K', 'Fe K', 'FeK', 'fe k', 'Fe Ka', ' Fe_K ']) assert.equal(normalizeLineName(s), 'Fe K');
  assert.equal(normalizeLineName('Pb_L'), 'Pb L');
  assert.equal(normalizeLineName('S_K'), 'S K');
  assert.equal(normalizeLineName('s(Pb_L)'.replace(/^s\((.*)\)$/, '$1')), 'Pb L');
});

test('text that is not a line family is rejected', () => {
  assert.equal(parseLineName('row'), undefined);
  assert.equal(parseLineName('s(Fe_K)'), undefined);
  assert.throws(() => normalizeLineName('column'), /not a line-family name: "column"/);
});

test('ambiguous spellings resolve to real elements', () => {
  assert.equal(normalizeLineName('SK'), 'S K');
  assert.equal(normalizeLineName('KK'), 'K K');
  assert.equal(normalizeLineName('Ca_K'), 'Ca K');
  assert.equal(normalizeLineName('CaKa'), 'Ca K');
  assert.equal(normalizeLineName('Pb La1'), 'Pb L');
  assert.equal(parseLineName('Xx K'), undefined);
});
