import { test } from 'node:test';
import assert from 'node:assert/strict';
import { demoConfigText, DEMO_FULL, DEMO_QUICK } from '../../src/core/experiment/demo';
import { parseExperimentConfig } from '../../src/core/experiment/validate';
import { planFolds } from '../../src/core/experiment/folds';
import { trainingFor } from '../../src/core/experiment/config';

const ICONS = ['icon1', 'icon2', 'icon3', 'icon4', 'icon5'];

test('the demo config: icons 4 and 5 held out in turn, the four models, per-model schedules', () => {
  const parsed = parseExperimentConfig(demoConfigText(DEMO_FULL, ICONS), '/d/icons-demo.xrfmaps.json');
  assert.deepEqual(parsed.problems, []);
  const c = parsed.config!;
  assert.equal(c.name, 'icons-demo');
  assert.deepEqual(c.models, ['FCN', 'FCN+', '1DCNN', '1DCNN+']);
  assert.deepEqual(planFolds(c), [
    { test: 'icon4', train: ['icon1', 'icon2', 'icon3', 'icon5'] },
    { test: 'icon5', train: ['icon1', 'icon2', 'icon3', 'icon4'] },
  ]);
  assert.deepEqual(c.paintings[3], { name: 'icon4', scan: 'data/icon4.rpl', groundTruth: 'data/icon4_truth.npy' });
  assert.equal(trainingFor(c, '1DCNN+').epochs, DEMO_FULL.epochs);
  assert.equal(trainingFor(c, 'FCN+').epochs, DEMO_FULL.perModel['FCN+']!.epochs);
  assert.equal(trainingFor(c, 'FCN+').stride, DEMO_FULL.stride, 'an override keeps the common settings it does not name');
  const quick = parseExperimentConfig(demoConfigText(DEMO_QUICK, ICONS), '/d/icons-quick.xrfmaps.json').config!;
  assert.equal(quick.training.epochs, 1);
  assert.deepEqual(quick.trainingByModel, {});
  // only the chosen models' overrides are written
  const fcnOnly = parseExperimentConfig(demoConfigText({ ...DEMO_FULL, models: ['1DCNN'] }, ICONS), '/d/x.xrfmaps.json').config!;
  assert.deepEqual(Object.keys(fcnOnly.trainingByModel), []);
});
