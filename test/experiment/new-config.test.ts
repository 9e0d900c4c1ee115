import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as path from 'node:path';
import { pairSelection, newConfigText, commonFolder } from '../../src/host/experiment/new-config';
import { parseExperimentConfig } from '../../src/core/experiment/validate';

const d = (...p: string[]) => path.join(path.sep, 'w', ...p);

test('selection pairing: scans take the selected maps named like them, else what lies beside them', () => {
  const selected = [d('a', 'icon1.rpl'), d('a', 'icon1.raw'), d('a', 'icon1_truth.npy'), d('a', 'icon2.rpl'), d('b', 'icon3.npy'), d('a', 'notes.csv')];
  const isMaps = (p: string) => /truth/.test(p);
  const beside = (scan: string) => (scan.endsWith('icon2.rpl') ? [d('a', 'icon2_pymca', 'IMAGES', 'icon2.csv')] : []);
  const r = pairSelection(selected, isMaps, beside);
  assert.deepEqual(r.paintings, [
    { name: 'icon1', scan: d('a', 'icon1.rpl'), groundTruth: d('a', 'icon1_truth.npy') },
    { name: 'icon2', scan: d('a', 'icon2.rpl'), groundTruth: d('a', 'icon2_pymca', 'IMAGES', 'icon2.csv') },
    { name: 'icon3', scan: d('b', 'icon3.npy') },
  ]);
  assert.deepEqual(r.unused, [d('a', 'notes.csv')]);
  assert.equal(commonFolder(r.paintings.map((p) => p.scan)), d());
});

test('the new config has relative paths, a protocol and passes the text checks (when every scan has a ground truth)', () => {
  const pairing = pairSelection([d('a', 'p1.rpl'), d('a', 'p1_truth.npy'), d('a', 'p2.rpl'), d('a', 'p2_truth.npy'), d('a', 'p3.rpl'), d('a', 'p3_truth.npy')], (p) => /truth/.test(p), () => []);
  const text = newConfigText(d('a'), pairing);
  const parsed = parseExperimentConfig(text, d('a', 'new.xrfmaps.json'));
  assert.deepEqual(parsed.problems, []);
  assert.deepEqual(parsed.config!.paintings[0], { name: 'p1', scan: 'p1.rpl', groundTruth: 'p1_truth.npy' });
  assert.deepEqual(parsed.config!.protocol, { kind: 'leaveOneOut' });
  const two = newConfigText(d(), pairSelection([d('a', 'p1.rpl'), d('a', 'p1_truth.npy'), d('b', 'p2.rpl')], (p) => /truth/.test(p), () => []));
  const p2 = parseExperimentConfig(two, d('x.xrfmaps.json'));
  // p2 has no ground truth: the empty entry is what the diagnostics point at
  assert.ok(p2.problems.some((p) => /"paintings\[1\]\.groundTruth" must not be empty/.test(p.message)));
  assert.match(two, /"test": "p2"/);
  assert.match(two, /"scan": "a\/p1.rpl"/);
});
