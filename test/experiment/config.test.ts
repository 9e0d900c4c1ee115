import { test } from 'node:test';
import assert from 'node:assert/strict';
import { promises as fs } from 'node:fs';
import * as path from 'node:path';
import { parseJsonTree, findNode, lineColumnOf, nodeValue } from '../../src/core/experiment/json-tree';
import { parseExperimentConfig, checkExperimentFiles, loadExperiment, resolveExperiment, type ConfigProblem } from '../../src/core/experiment/validate';
import { XrfInputError } from '../../src/core/errors';
import { tempDir, writePaintings, configText } from './helpers';

/** The text a problem points at. */
function at(text: string, p: ConfigProblem): string {
  return text.slice(p.offset, p.offset + p.length);
}

function only(problems: ConfigProblem[], kind: ConfigProblem['kind']): ConfigProblem {
  const hits = problems.filter((p) => p.kind === kind);
  assert.equal(hits.length, 1, `expected one ${kind} problem, got ${JSON.stringify(problems.map((p) => `${p.kind}: ${p.message}`))}`);
  return hits[0];
}

test('json-tree: values, offsets, comments and trailing commas', () => {
  const text = '{\n  // a comment\n  "a": [1, "two", {"b": true},],\n  "c": null, /* x */ "d": -1.5e2\n}';
  const tree = parseJsonTree(text);
  assert.deepEqual(tree.errors, []);
  assert.deepEqual(nodeValue(tree.root!), { a: [1, 'two', { b: true }], c: null, d: -150 });
  const two = findNode(tree.root, ['a', 1])!;
  assert.equal(text.slice(two.offset, two.offset + two.length), '"two"');
  assert.deepEqual(lineColumnOf(text, two.offset), { line: 3, column: 12 });
  const b = findNode(tree.root, ['a', 2, 'b'])!;
  assert.equal(text.slice(b.offset, b.offset + b.length), 'true');
});

test('json-tree: syntax errors are reported with their place, and what parsed is kept', () => {
  const text = '{"a": 1, "b": [1, 2\n';
  const tree = parseJsonTree(text);
  assert.ok(tree.errors.length >= 1);
  assert.match(tree.errors[0].message, /end of file/);
  assert.equal(findNode(tree.root, ['a'])?.value, 1);
  const unquoted = parseJsonTree('{"a": hello}');
  assert.match(unquoted.errors[0].message, /"hello".*double quotes/);
  assert.equal(unquoted.errors[0].offset, 6);
});

test('a valid config parses with defaults and normalized names', () => {
  const text = JSON.stringify({
    paintings: [
      { name: 'p1', scan: 'a/p1.rpl', groundTruth: 'a/p1_truth.npy' },
      { scan: 'b/p2.npy', groundTruth: 'b/IMAGES/p2.csv' },
    ],
    lines: ['Fe_K', 'pb-l', 'CaK'],
    models: ['1dcnn+', 'fcn'],
    protocol: { test: 'p2' },
  });
  const r = parseExperimentConfig(text, '/x/exp.xrfmaps.json');
  assert.deepEqual(r.problems, []);
  const c = r.config!;
  assert.equal(c.name, 'exp');
  assert.deepEqual(c.lines, ['Fe K', 'Pb L', 'Ca K']);
  assert.deepEqual(c.models, ['FCN', '1DCNN+'], 'thesis column order');
  assert.equal(c.paintings[1].name, 'p2', 'name defaults to the scan stem');
  assert.deepEqual(c.protocol, { kind: 'test', heldOut: ['p2'] });
  assert.equal(c.training.stride, 10);
  assert.equal(c.outputDir, 'runs');
});

test('training: per-model settings override the common ones, with their own checks', () => {
  const text = JSON.stringify(
    {
      paintings: [
        { name: 'p1', scan: 'p1.npy', groundTruth: 'p1_truth.npy' },
        { name: 'p2', scan: 'p2.npy', groundTruth: 'p2_truth.npy' },
      ],
      lines: ['Fe K'],
      training: { epochs: 6, batch: 16, 'FCN+': { epochs: 40, patience: 8 } },
    },
    null,
    2,
  );
  const r = parseExperimentConfig(text, 'e.xrfmaps.json');
  assert.deepEqual(r.problems, []);
  assert.equal(r.config!.training.epochs, 6);
  assert.deepEqual(r.config!.trainingByModel['FCN+'], { ...r.config!.training, epochs: 40, patience: 8 });
  assert.equal(r.config!.trainingByModel.FCN, undefined);
  const bad = JSON.stringify({ paintings: JSON.parse(text).paintings, lines: ['Fe K'], training: { '1DCNN': { epochs: -1, models: 2 } } }, null, 2);
  const rb = parseExperimentConfig(bad, 'e.xrfmaps.json');
  const range = only(rb.problems, 'range');
  assert.match(range.message, /"training\.1DCNN\.epochs" must be a whole number ≥ 1, got -1/);
  assert.equal(at(bad, range), '-1');
  assert.equal(at(bad, only(rb.problems, 'unknown-key')), '"models"');
});

test('paths resolve relative to the config file (HDF5 dataset suffix kept)', () => {
  const text = JSON.stringify({
    paintings: [
      { name: 'p1', scan: 'scans/p1.h5::/entry/data', groundTruth: '../gt/p1.csv' },
      { name: 'p2', scan: '/abs/p2.rpl', groundTruth: 'p2_truth.npy' },
    ],
    lines: ['Fe K'],
    outputDir: 'out/runs',
  });
  const cfgPath = path.join(path.sep, 'data', 'proj', 'e.xrfmaps.json');
  const r = resolveExperiment(parseExperimentConfig(text, cfgPath).config!, cfgPath);
  assert.equal(r.paintings[0].scan, `${path.join(path.sep, 'data', 'proj', 'scans', 'p1.h5')}::/entry/data`);
  assert.equal(r.paintings[0].groundTruth, path.join(path.sep, 'data', 'gt', 'p1.csv'));
  assert.equal(r.paintings[1].scan, path.join(path.sep, 'abs', 'p2.rpl'));
  assert.equal(r.outputDir, path.join(path.sep, 'data', 'proj', 'out', 'runs'));
});

test('each text problem has its message and points at the offending JSON node', () => {
  const base = {
    paintings: [
      { name: 'p1', scan: 'p1.npy', groundTruth: 'p1_truth.npy' },
      { name: 'p2', scan: 'p2.npy', groundTruth: 'p2_truth.npy' },
    ],
    lines: ['Fe K'],
  };
  const check = (obj: unknown, kind: ConfigProblem['kind'], message: RegExp, target: string) => {
    const text = JSON.stringify(obj, null, 2);
    const r = parseExperimentConfig(text, '/x/e.xrfmaps.json');
    const p = only(r.problems, kind);
    assert.match(p.message, message);
    assert.equal(at(text, p), target);
    return r;
  };
  // unknown line family: not a name at all, and an element without such lines
  check({ ...base, lines: ['Fe K', 'Qq K'] }, 'unknown-line', /unknown line family "Qq K"/, '"Qq K"');
  check({ ...base, lines: ['H K'] }, 'unknown-line', /H has no K lines/, '"H K"');
  check({ ...base, models: ['FCN', 'ResNet'] }, 'unknown-model', /unknown model "ResNet": expected one of FCN, FCN\+, 1DCNN, 1DCNN\+/, '"ResNet"');
  check({ ...base, protocol: { test: 'p9' } }, 'unknown-painting', /no painting named "p9" \(paintings: p1, p2\)/, '"p9"');
  check({ ...base, training: { epochs: 0 } }, 'range', /"training.epochs" must be a whole number ≥ 1, got 0/, '0');
  check({ ...base, training: { valShare: 1.5 } }, 'range', /valShare.*between 0 and 1/, '1.5');
  check({ ...base, training: { backend: 'gpu' } }, 'type', /must be one of auto, tensorflow, wasm, cpu/, '"gpu"');
  check({ ...base, lines: 'Fe K' }, 'type', /"lines" must be a list/, '"Fe K"');
  check({ paintings: base.paintings }, 'missing-key', /missing "lines"/, '{');
  const dup = { ...base, paintings: [...base.paintings, { name: 'p1', scan: 'x.npy', groundTruth: 'y.npy' }] };
  check(dup, 'duplicate', /painting name "p1" is used twice/, '"p1"');
  const noGt = { ...base, paintings: [{ name: 'p1', scan: 'p1.npy' }, base.paintings[1]] };
  check(noGt, 'missing-key', /missing "groundTruth"/, '{');
  // an unknown key is a warning at the key, and the config is still usable
  const text = JSON.stringify({ ...base, epochs: 5 }, null, 2);
  const r = parseExperimentConfig(text, '/x/e.xrfmaps.json');
  const w = only(r.problems, 'unknown-key');
  assert.equal(w.severity, 'warning');
  assert.equal(at(text, w), '"epochs"');
  assert.ok(r.config);
  // a syntax error keeps its place
  const broken = '{\n  "paintings": [\n  "lines": ["Fe K"]\n}';
  const s = parseExperimentConfig(broken, '/x/e.xrfmaps.json');
  assert.equal(s.config, undefined);
  assert.ok(s.problems.some((p) => p.kind === 'syntax' && /JSON:/.test(p.message)));
});

test('protocol: one painting, every painting held out, and both keys are refused', () => {
  const two = [
    { name: 'a', scan: 'a.npy', groundTruth: 'a_t.npy' },
    { name: 'b', scan: 'b.npy', groundTruth: 'b_t.npy' },
  ];
  const all = parseExperimentConfig(JSON.stringify({ paintings: two, lines: ['Fe K'], protocol: ['a', 'b'] }), 'e.xrfmaps.json');
  assert.match(only(all.problems, 'protocol').message, /every painting is held out at once/);
  const both = parseExperimentConfig(JSON.stringify({ paintings: two, lines: ['Fe K'], protocol: { test: 'a', leaveOneOut: true } }), 'e.xrfmaps.json');
  assert.match(only(both.problems, 'protocol').message, /either "test".*or "leaveOneOut"/);
  const one = parseExperimentConfig(JSON.stringify({ paintings: [two[0]], lines: ['Fe K'] }), 'e.xrfmaps.json');
  assert.match(only(one.problems, 'protocol').message, /only one painting/);
});

test('file checks: missing scan, ground truth of another size, a line the ground truth lacks', async () => {
  const dir = await tempDir();
  try {
    await writePaintings(dir, [{ name: 'p1', height: 6, width: 5 }, { name: 'p2', height: 7, width: 5 }, { name: 'p3', height: 6, width: 5 }], ['Ca K', 'Fe K', 'Pb L']);
    const cfg = path.join(dir, 'e.xrfmaps.json');
    const text = JSON.stringify(
      {
        paintings: [
          { name: 'p1', scan: 'p1.npy', groundTruth: 'p1_truth.npy' },
          { name: 'p2', scan: 'p2.npy', groundTruth: 'p1_truth.npy' },
          { name: 'p3', scan: 'nope.npy', groundTruth: 'p3_truth.npy' },
        ],
        lines: ['Ca K', 'Zn K'],
      },
      null,
      2,
    );
    await fs.writeFile(cfg, text);
    const parsed = parseExperimentConfig(text, cfg);
    assert.deepEqual(parsed.problems, []);
    const problems = await checkExperimentFiles(parsed, cfg);
    const missing = only(problems, 'missing-file');
    assert.match(missing.message, /scan not found: .*nope\.npy/);
    assert.equal(at(text, missing), '"nope.npy"');
    const size = only(problems, 'size-mismatch');
    assert.equal(size.message, 'ground truth is 6×5 pixels (rows×columns) but its scan p2.npy is 7×5');
    assert.deepEqual(size.path, ['paintings', 1, 'groundTruth']);
    const lines = problems.filter((p) => p.kind === 'missing-line');
    assert.equal(lines.length, 3, 'every ground truth lacks Zn K');
    assert.match(lines[0].message, /ground truth has no map for Zn K \(it has Ca K, Fe K, Pb L\)/);

    // loadExperiment: one XrfInputError naming the config and listing file:line:col for each error
    await assert.rejects(loadExperiment(cfg), (e: unknown) => {
      assert.ok(e instanceof XrfInputError);
      assert.equal(e.file, cfg);
      assert.match(e.problem, /5 problems in the experiment config/);
      const { line, column } = lineColumnOf(text, missing.offset);
      assert.ok(e.problem.includes(`${cfg}:${line}:${column}: error: scan not found`), e.problem);
      return true;
    });
    // a missing config file
    await assert.rejects(loadExperiment(path.join(dir, 'none.xrfmaps.json')), /none\.xrfmaps\.json: file not found/);
  } finally {
    await fs.rm(dir, { recursive: true, force: true });
  }
});

test('a good config on disk loads, with absolute paths and its text kept', async () => {
  const dir = await tempDir();
  try {
    await writePaintings(dir, [{ name: 'p1', height: 6, width: 5 }, { name: 'p2', height: 5, width: 5 }], ['Ca K', 'Fe K', 'Pb L']);
    const cfg = path.join(dir, 'good.xrfmaps.json');
    const text = configText(['p1', 'p2']);
    await fs.writeFile(cfg, text);
    const exp = await loadExperiment(cfg);
    assert.equal(exp.config.name, 'good');
    assert.equal(exp.paintings[0].scan, path.join(dir, 'p1.npy'));
    assert.equal(exp.outputDir, path.join(dir, 'runs'));
    assert.equal(exp.text, text);
  } finally {
    await fs.rm(dir, { recursive: true, force: true });
  }
});
