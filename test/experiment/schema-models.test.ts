/**
 * The experiment JSON schema (what VS Code squiggles) and our validator (what runs) must agree on which
 * model names are valid: a spelling one accepts and the other rejects would be flagged twice or not at all.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import * as path from 'node:path';
import { parseModelName, EXPERIMENT_MODELS } from '../../src/core/experiment/config';

const schema = JSON.parse(readFileSync(path.join(__dirname, '..', '..', 'schemas', 'xrfmaps-experiment.schema.json'), 'utf8'));
const item = schema.properties.models.items as { type: string; anyOf: ({ enum: string[] } | { pattern: string })[] };

/** What a draft-07 validator decides for one "models" item (string type; any branch of anyOf). */
function schemaAccepts(name: string): boolean {
  return item.anyOf.some((b) => ('enum' in b ? b.enum.includes(name) : new RegExp(b.pattern, 'u').test(name)));
}

const spellings = [
  ...EXPERIMENT_MODELS,
  'fcn', 'fcn+', 'Fcn Plus', 'FCN_plus', 'fcnplus', ' 1dcnn ', '1D-CNN', '1d cnn+', '1DCNN-PLUS', '1d_cnn plus',
  'CNN', '2DCNN', 'FCN++', 'F CN', '1DCNN+ extra', 'fcn plusplus', '', 'MLP', '1DCNNN', 'plus',
];

test('the schema lists exactly the models the validator knows, in the thesis order', () => {
  const enumBranch = item.anyOf.find((b): b is { enum: string[] } => 'enum' in b);
  assert.deepEqual(enumBranch?.enum, [...EXPERIMENT_MODELS]);
});

test('schema and validator accept and reject the same model spellings', () => {
  let accepted = 0;
  for (const s of spellings) {
    const ours = parseModelName(s) !== undefined;
    assert.equal(schemaAccepts(s), ours, `"${s}": validator ${ours ? 'accepts' : 'rejects'} it, the schema does not agree`);
    if (ours) accepted++;
  }
  // Both kinds are exercised (a pattern that matched nothing or everything would fail above or here).
  assert.ok(accepted >= 10 && accepted < spellings.length);
});
