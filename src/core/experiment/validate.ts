/**
 * Reading an experiment config: the text → a typed ExperimentConfig plus every problem found, each
 * with its place in the text (offset and length of the offending key or value), so an editor can
 * underline it and the CLI can print "file:line:col: message".
 *
 * Two stages: `parseExperimentConfig` checks the text alone (syntax, types, known keys, models, line
 * families, protocol names); `checkExperimentFiles` then looks at the files it names (missing scan
 * or ground truth, a ground truth whose size differs from its scan, a line family missing from a
 * ground truth). `loadExperiment` runs both and throws one XrfInputError listing all errors.
 */
import { promises as fs } from 'node:fs';
import * as path from 'node:path';
import { XrfInputError } from '../errors';
import { openCube } from '../cube/open';
import { LOG_FILE, RUN_FILE, SNAPSHOT_FILE, SUMMARY_JSON, SUMMARY_MD } from './run-folder';
import { readGroundTruth } from '../groundtruth/read';
import { readSidecarLines } from '../groundtruth/npy';
import { parseNpyHeader } from '../io/npy-read';
import { parseLineName, formatLineName } from '../lines';
import { hasLineFamily } from '../physics/line-table';
import type { BackendPref } from '../ml/backend';
import type { ModelArch } from '../ml/models';
import { findNode, findProperty, lineColumnOf, nodeValue, parseJsonTree, type JsonNode, type JsonPath, type JsonTree } from './json-tree';
import {
  configNameFromPath,
  DEFAULT_EXPERIMENT_TRAINING,
  DEFAULT_OUTPUT_DIR,
  EXPERIMENT_MODELS,
  parseModelName,
  type ExperimentConfig,
  type PaintingConfig,
  type Protocol,
  type ResolvedExperiment,
  type TrainingSettings,
} from './config';

export type ProblemKind =
  | 'syntax'
  | 'type'
  | 'missing-key'
  | 'unknown-key'
  | 'unknown-model'
  | 'unknown-line'
  | 'duplicate'
  | 'unknown-painting'
  | 'protocol'
  | 'range'
  | 'missing-file'
  | 'size-mismatch'
  | 'missing-line'
  | 'unreadable';

export interface ConfigProblem {
  kind: ProblemKind;
  severity: 'error' | 'warning';
  message: string;
  /** Where in the JSON (keys and indices); [] for the whole file. */
  path: JsonPath;
  /** Character range in the text. */
  offset: number;
  length: number;
}

export interface ParsedConfig {
  /** Present when the text is usable (no errors; warnings allowed). */
  config?: ExperimentConfig;
  problems: ConfigProblem[];
  tree: JsonTree;
}

const TOP_KEYS = ['$schema', 'name', 'description', 'paintings', 'lines', 'models', 'training', 'calibration', 'extraPriorLines', 'protocol', 'outputDir'];
const PAINTING_KEYS = ['name', 'scan', 'dataset', 'groundTruth'];
const TRAINING_KEYS = ['epochs', 'patience', 'batch', 'stride', 'valShare', 'seed', 'backend'];
/** A painting's folder sits beside the run's own files: these names would collide. */
const RESERVED_NAMES = [RUN_FILE, SNAPSHOT_FILE, LOG_FILE, SUMMARY_MD, SUMMARY_JSON].map((n) => n.toLowerCase());
const BACKENDS: readonly BackendPref[] = ['auto', 'tensorflow', 'wasm', 'cpu'];

class Collector {
  readonly problems: ConfigProblem[] = [];
  constructor(readonly root: JsonNode | undefined) {}

  /** A problem at a value (or, with `atKey`, at the property's key). */
  add(kind: ProblemKind, message: string, p: JsonPath, opts: { atKey?: boolean; severity?: 'error' | 'warning'; node?: JsonNode } = {}): void {
    let offset = 0;
    let length = 1;
    const prop = opts.atKey ? findProperty(this.root, p) : undefined;
    const node = opts.node ?? findNode(this.root, p);
    if (prop) {
      offset = prop.keyOffset;
      length = prop.keyLength;
    } else if (node) {
      offset = node.offset;
      // A whole object or array would underline half the file: mark its opening bracket only.
      length = node.type === 'object' || node.type === 'array' ? 1 : node.length;
    } else {
      // Missing key: point at the parent object's key (or its opening brace).
      const parentProp = p.length > 1 ? findProperty(this.root, p.slice(0, -1)) : undefined;
      const parent = findNode(this.root, p.slice(0, -1));
      if (parentProp) {
        offset = parentProp.keyOffset;
        length = parentProp.keyLength;
      } else if (parent) {
        offset = parent.offset;
        length = 1;
      }
    }
    this.problems.push({ kind, severity: opts.severity ?? 'error', message, path: p, offset, length });
  }

  get hasErrors(): boolean {
    return this.problems.some((x) => x.severity === 'error');
  }
}

function where(p: JsonPath): string {
  return p.map((s) => (typeof s === 'number' ? `[${s}]` : `.${s}`)).join('').replace(/^\./, '');
}

function typeName(n: JsonNode): string {
  return n.type === 'null' ? 'null' : n.type;
}

function checkKeys(c: Collector, node: JsonNode, p: JsonPath, allowed: string[]): void {
  for (const prop of node.properties ?? []) {
    if (!allowed.includes(prop.key)) {
      const close = allowed.find((k) => k.toLowerCase() === prop.key.toLowerCase());
      c.add('unknown-key', `unknown key "${prop.key}"${close ? ` (did you mean "${close}"?)` : ` (known keys: ${allowed.filter((k) => k !== '$schema').join(', ')})`}`, [...p, prop.key], {
        atKey: true,
        severity: 'warning',
      });
    }
  }
}

function str(c: Collector, root: JsonNode | undefined, p: JsonPath, required: boolean): string | undefined {
  const n = findNode(root, p);
  if (!n) {
    if (required) c.add('missing-key', `missing "${p[p.length - 1]}"`, p);
    return undefined;
  }
  if (n.type !== 'string') {
    c.add('type', `"${where(p)}" must be a string, not ${typeName(n)}`, p);
    return undefined;
  }
  const v = (n.value as string).trim();
  if (v === '') {
    c.add('type', `"${where(p)}" must not be empty`, p);
    return undefined;
  }
  return v;
}

/** A line-family name that the physics module has lines for; problems at the entry otherwise. */
function lineName(c: Collector, raw: unknown, p: JsonPath): string | undefined {
  if (typeof raw !== 'string') {
    c.add('type', `a line family must be a string such as "Fe K", not ${raw === null ? 'null' : typeof raw}`, p);
    return undefined;
  }
  const parsed = parseLineName(raw);
  if (!parsed) {
    c.add('unknown-line', `unknown line family "${raw}": expected an element and a family, e.g. "Fe K", "Pb L" (also "Fe_K", "FeK")`, p);
    return undefined;
  }
  const name = formatLineName(parsed);
  if (!hasLineFamily(name)) {
    c.add('unknown-line', `unknown line family "${raw}": ${parsed.element} has no ${parsed.family} lines in the line table`, p);
    return undefined;
  }
  return name;
}

function wholeNumber(c: Collector, root: JsonNode | undefined, p: JsonPath, fallback: number, min: number): number {
  const n = findNode(root, p);
  if (!n) return fallback;
  if (n.type !== 'number' || !Number.isInteger(n.value) || (n.value as number) < min) {
    c.add(n.type === 'number' ? 'range' : 'type', `"${where(p)}" must be a whole number ≥ ${min}, got ${JSON.stringify(nodeValue(n))}`, p);
    return fallback;
  }
  return n.value as number;
}

/** Training settings at `p` (the "training" object, or a model's override inside it) over `d`. */
function parseTrainingAt(c: Collector, root: JsonNode | undefined, p: JsonPath, d: TrainingSettings, allowed: string[]): TrainingSettings {
  const node = findNode(root, p);
  if (!node) return { ...d };
  const label = p.join('.');
  if (node.type !== 'object') {
    c.add('type', `"${label}" must be an object such as {"epochs": 100, "patience": 10}, not ${typeName(node)}`, p);
    return { ...d };
  }
  checkKeys(c, node, p, allowed);
  const t: TrainingSettings = {
    epochs: wholeNumber(c, root, [...p, 'epochs'], d.epochs, 1),
    patience: wholeNumber(c, root, [...p, 'patience'], d.patience, 1),
    batch: wholeNumber(c, root, [...p, 'batch'], d.batch, 1),
    stride: wholeNumber(c, root, [...p, 'stride'], d.stride, 1),
    seed: wholeNumber(c, root, [...p, 'seed'], d.seed, 0),
    valShare: d.valShare,
    backend: d.backend,
  };
  const vs = findNode(root, [...p, 'valShare']);
  if (vs) {
    if (vs.type !== 'number' || !((vs.value as number) > 0 && (vs.value as number) < 1)) {
      c.add('range', `"${label}.valShare" must be a number between 0 and 1 (0.2 = an 80/20 split), got ${JSON.stringify(nodeValue(vs))}`, [...p, 'valShare']);
    } else t.valShare = vs.value as number;
  }
  const be = findNode(root, [...p, 'backend']);
  if (be) {
    if (be.type !== 'string' || !BACKENDS.includes(be.value as BackendPref)) {
      c.add('type', `"${label}.backend" must be one of ${BACKENDS.join(', ')}, got ${JSON.stringify(nodeValue(be))}`, [...p, 'backend']);
    } else t.backend = be.value as BackendPref;
  }
  return t;
}

/**
 * "training": the settings of every model, and optional per-model overrides keyed by model id
 * ("training": {"epochs": 6, "FCN+": {"epochs": 60}}): a fast model can get a longer schedule.
 */
function parseTraining(c: Collector, root: JsonNode | undefined): { training: TrainingSettings; byModel: Partial<Record<ModelArch, TrainingSettings>> } {
  const training = parseTrainingAt(c, root, ['training'], DEFAULT_EXPERIMENT_TRAINING, [...TRAINING_KEYS, ...EXPERIMENT_MODELS]);
  const byModel: Partial<Record<ModelArch, TrainingSettings>> = {};
  for (const m of EXPERIMENT_MODELS) {
    if (findNode(root, ['training', m])) byModel[m] = parseTrainingAt(c, root, ['training', m], training, TRAINING_KEYS);
  }
  return { training, byModel };
}

function parsePaintings(c: Collector, root: JsonNode | undefined): PaintingConfig[] {
  const node = findNode(root, ['paintings']);
  if (!node) {
    c.add('missing-key', 'missing "paintings": a list of {"name", "scan", "groundTruth"}', ['paintings']);
    return [];
  }
  if (node.type !== 'array') {
    c.add('type', `"paintings" must be a list of {"name", "scan", "groundTruth"}, not ${typeName(node)}`, ['paintings']);
    return [];
  }
  if (node.items!.length === 0) c.add('protocol', '"paintings" is empty: an experiment needs at least two paintings (one to train on, one to test)', ['paintings']);
  const out: PaintingConfig[] = [];
  const seen = new Map<string, number>();
  node.items!.forEach((item, i) => {
    const p: JsonPath = ['paintings', i];
    if (item.type !== 'object') {
      c.add('type', `each painting must be an object {"name", "scan", "groundTruth"}, not ${typeName(item)}`, p);
      return;
    }
    checkKeys(c, item, p, PAINTING_KEYS);
    const scan = str(c, root, [...p, 'scan'], true);
    const groundTruth = str(c, root, [...p, 'groundTruth'], true);
    const dataset = str(c, root, [...p, 'dataset'], false);
    let name = str(c, root, [...p, 'name'], false);
    if (!name && scan) name = path.basename(scan.split('::')[0]).replace(/\.[^.]+$/, '');
    if (!scan || !groundTruth || !name) return;
    if (RESERVED_NAMES.includes(name.toLowerCase())) {
      c.add('type', `painting name "${name}" is taken by a file of the run folder (${RESERVED_NAMES.join(', ')}); choose another`, findNode(root, [...p, 'name']) ? [...p, 'name'] : p);
      return;
    }
    if (seen.has(name)) {
      c.add('duplicate', `painting name "${name}" is used twice (also by painting ${seen.get(name)! + 1}); names must be unique`, findNode(root, [...p, 'name']) ? [...p, 'name'] : p);
      return;
    }
    seen.set(name, i);
    out.push({ name, scan, groundTruth, ...(dataset ? { dataset } : {}) });
  });
  return out;
}

function parseProtocol(c: Collector, root: JsonNode | undefined, paintings: PaintingConfig[]): Protocol {
  const node = findNode(root, ['protocol']);
  const names = paintings.map((p) => p.name);
  const heldOutList = (list: JsonNode, p: JsonPath): Protocol => {
    const heldOut: string[] = [];
    list.items!.forEach((it, i) => {
      if (it.type !== 'string') {
        c.add('type', `a held-out painting must be named by a string, not ${typeName(it)}`, [...p, i]);
      } else if (!names.includes(it.value as string)) {
        c.add('unknown-painting', `no painting named "${it.value as string}" (paintings: ${names.join(', ') || 'none'})`, [...p, i]);
      } else if (heldOut.includes(it.value as string)) {
        c.add('duplicate', `"${it.value as string}" is held out twice`, [...p, i], { severity: 'warning' });
      } else heldOut.push(it.value as string);
    });
    if (list.items!.length === 0) c.add('protocol', 'the list of held-out paintings is empty', p);
    return { kind: 'test', heldOut };
  };
  let protocol: Protocol;
  if (!node) {
    protocol = { kind: 'leaveOneOut' };
  } else if (node.type === 'array') {
    protocol = heldOutList(node, ['protocol']);
  } else if (node.type === 'object') {
    checkKeys(c, node, ['protocol'], ['test', 'leaveOneOut']);
    const test = findNode(root, ['protocol', 'test']);
    const loo = findNode(root, ['protocol', 'leaveOneOut']);
    if (test && loo) {
      c.add('protocol', 'give either "test" (the held-out paintings) or "leaveOneOut": true, not both', ['protocol', 'leaveOneOut'], { atKey: true });
    }
    if (test) {
      if (test.type === 'string') {
        if (!names.includes(test.value as string)) c.add('unknown-painting', `no painting named "${test.value as string}" (paintings: ${names.join(', ') || 'none'})`, ['protocol', 'test']);
        protocol = { kind: 'test', heldOut: names.includes(test.value as string) ? [test.value as string] : [] };
      } else if (test.type === 'array') {
        protocol = heldOutList(test, ['protocol', 'test']);
      } else {
        c.add('type', `"protocol.test" must name a painting or list painting names, not ${typeName(test)}`, ['protocol', 'test']);
        protocol = { kind: 'test', heldOut: [] };
      }
    } else if (loo) {
      if (loo.type !== 'boolean' || loo.value !== true) c.add('protocol', '"protocol.leaveOneOut" must be true (to hold out named paintings use "test")', ['protocol', 'leaveOneOut']);
      protocol = { kind: 'leaveOneOut' };
    } else {
      c.add('protocol', '"protocol" needs "test": "<painting>" (or a list of names) or "leaveOneOut": true', ['protocol']);
      protocol = { kind: 'leaveOneOut' };
    }
  } else {
    c.add('type', `"protocol" must be {"test": "<painting>"}, {"leaveOneOut": true} or a list of painting names, not ${typeName(node)}`, ['protocol']);
    protocol = { kind: 'leaveOneOut' };
  }
  if (paintings.length === 1) c.add('protocol', 'only one painting: there is nothing left to train on when it is held out; add at least one more', ['paintings']);
  else if (protocol.kind === 'test' && protocol.heldOut.length >= paintings.length && paintings.length > 0) {
    c.add('protocol', 'every painting is held out at once: name the held-out paintings, or use "leaveOneOut": true to hold out each in turn', ['protocol']);
  }
  return protocol;
}

/** Parse and check a config's text (no file access). */
export function parseExperimentConfig(text: string, configPath: string): ParsedConfig {
  const tree = parseJsonTree(text);
  const root = tree.root;
  const c = new Collector(root);
  for (const e of tree.errors) c.problems.push({ kind: 'syntax', severity: 'error', message: `JSON: ${e.message}`, path: [], offset: e.offset, length: e.length });
  if (!root) return { problems: c.problems, tree };
  if (root.type !== 'object') {
    c.add('type', `an experiment config is a JSON object, not ${typeName(root)}`, []);
    return { problems: c.problems, tree };
  }
  checkKeys(c, root, [], TOP_KEYS);

  const name = str(c, root, ['name'], false) ?? configNameFromPath(configPath);
  if (/[\\/:*?"<>|]/.test(name)) c.add('type', `"name" names the run folders and must not contain any of \\ / : * ? " < > |`, ['name']);
  const paintings = parsePaintings(c, root);

  // Lines: default the thesis's 12 is decided by the trainer from the ground truth; here we require
  // an explicit list only when given, and check each entry.
  let lines: string[] = [];
  const linesNode = findNode(root, ['lines']);
  if (!linesNode) {
    c.add('missing-key', 'missing "lines": the line families to predict, e.g. ["Ca K", "Fe K", "Pb L"]', ['lines']);
  } else if (linesNode.type !== 'array') {
    c.add('type', `"lines" must be a list of line families such as ["Fe K", "Pb L"], not ${typeName(linesNode)}`, ['lines']);
  } else {
    linesNode.items!.forEach((it, i) => {
      const l = lineName(c, nodeValue(it), ['lines', i]);
      if (!l) return;
      if (lines.includes(l)) c.add('duplicate', `"${l}" is listed twice`, ['lines', i], { severity: 'warning' });
      else lines.push(l);
    });
    if (linesNode.items!.length === 0) c.add('range', '"lines" is empty: name at least one line family', ['lines']);
  }

  let models: ModelArch[] = [...EXPERIMENT_MODELS];
  const modelsNode = findNode(root, ['models']);
  if (modelsNode) {
    if (modelsNode.type !== 'array') {
      c.add('type', `"models" must be a list drawn from ${EXPERIMENT_MODELS.join(', ')}, not ${typeName(modelsNode)}`, ['models']);
    } else {
      models = [];
      modelsNode.items!.forEach((it, i) => {
        const m = it.type === 'string' ? parseModelName(it.value as string) : undefined;
        if (!m) c.add('unknown-model', `unknown model ${JSON.stringify(nodeValue(it))}: expected one of ${EXPERIMENT_MODELS.join(', ')}`, ['models', i]);
        else if (models.includes(m)) c.add('duplicate', `model ${m} is listed twice`, ['models', i], { severity: 'warning' });
        else models.push(m);
      });
      if (modelsNode.items!.length === 0) c.add('range', `"models" is empty: name at least one of ${EXPERIMENT_MODELS.join(', ')}`, ['models']);
      // Table columns follow the thesis's order whatever the config's order.
      models.sort((a, b) => EXPERIMENT_MODELS.indexOf(a) - EXPERIMENT_MODELS.indexOf(b));
    }
  }

  const { training, byModel: trainingByModel } = parseTraining(c, root);

  let calibration: ExperimentConfig['calibration'];
  const calNode = findNode(root, ['calibration']);
  if (calNode) {
    if (calNode.type !== 'object') c.add('type', '"calibration" must be {"offsetKeV": 0, "gainKeV": 0.01}', ['calibration']);
    else {
      checkKeys(c, calNode, ['calibration'], ['offsetKeV', 'gainKeV']);
      const off = findNode(root, ['calibration', 'offsetKeV']);
      const gain = findNode(root, ['calibration', 'gainKeV']);
      if (!off || off.type !== 'number') c.add(off ? 'type' : 'missing-key', '"calibration.offsetKeV" must be a number (keV of channel 0)', ['calibration', 'offsetKeV']);
      if (!gain || gain.type !== 'number' || !((gain.value as number) > 0)) c.add(gain ? 'range' : 'missing-key', '"calibration.gainKeV" must be a number > 0 (keV per channel)', ['calibration', 'gainKeV']);
      if (off?.type === 'number' && gain?.type === 'number' && (gain.value as number) > 0) calibration = { offsetKeV: off.value as number, gainKeV: gain.value as number };
    }
  }

  const extraPriorLines: string[] = [];
  const extraNode = findNode(root, ['extraPriorLines']);
  if (extraNode) {
    if (extraNode.type !== 'array') c.add('type', '"extraPriorLines" must be a list of line families such as ["Ti K", "Ba L"]', ['extraPriorLines']);
    else
      extraNode.items!.forEach((it, i) => {
        const l = lineName(c, nodeValue(it), ['extraPriorLines', i]);
        if (l && !extraPriorLines.includes(l) && !lines.includes(l)) extraPriorLines.push(l);
      });
  }

  const protocol = parseProtocol(c, root, paintings);
  const outputDir = str(c, root, ['outputDir'], false) ?? DEFAULT_OUTPUT_DIR;

  if (c.hasErrors) return { problems: c.problems, tree };
  lines = [...lines];
  return {
    config: { name, paintings, lines, models, training, trainingByModel, calibration, extraPriorLines, protocol, outputDir },
    problems: c.problems,
    tree,
  };
}

/** Paths made absolute against the config file's folder (an HDF5 "file.h5::/dataset" keeps its dataset). */
export function resolveExperiment(config: ExperimentConfig, configPath: string): ResolvedExperiment {
  const base = path.dirname(path.resolve(configPath));
  const abs = (p: string) => {
    const [file, ...inner] = p.split('::');
    const resolved = path.resolve(base, file);
    return inner.length ? `${resolved}::${inner.join('::')}` : resolved;
  };
  return {
    configPath: path.resolve(configPath),
    config,
    outputDir: path.resolve(base, config.outputDir),
    paintings: config.paintings.map((p) => ({ ...p, scan: abs(p.scan), groundTruth: abs(p.groundTruth) })),
  };
}

/** What the file checks need to know about a scan and a ground truth; injectable so editors can cache. */
export interface FileInspector {
  scanSize(scan: string, dataset?: string): Promise<{ height: number; width: number; channels: number }>;
  groundTruthInfo(file: string): Promise<{ height: number; width: number; lines: string[] }>;
}

/** The default inspector: opens the scan's header and reads the ground truth (NPY: header and sidecar only). */
export const defaultInspector: FileInspector = {
  async scanSize(scan, dataset) {
    const cube = await openCube(scan.split('::')[0], { dataset: dataset ?? scan.split('::')[1] });
    try {
      return { height: cube.height, width: cube.width, channels: cube.channels };
    } finally {
      await cube.close();
    }
  },
  async groundTruthInfo(file) {
    if (/\.npy$/i.test(file)) return npyMapsInfo(file);
    const s = await readGroundTruth(file, { allowNonFinite: true });
    return { height: s.height, width: s.width, lines: s.lines };
  },
};

/**
 * Size and line families of NPY maps from the header and the sidecar alone (an editor re-checks on
 * every edit; reading every value is the readers' job when the run starts).
 */
export async function npyMapsInfo(file: string): Promise<{ height: number; width: number; lines: string[] }> {
  const fh = await fs.open(file, 'r');
  let head: Uint8Array;
  try {
    const buf = new Uint8Array(65536 + 12);
    const { bytesRead } = await fh.read(buf, 0, buf.length, 0);
    head = buf.subarray(0, bytesRead);
  } finally {
    await fh.close();
  }
  const { shape } = parseNpyHeader(head, file);
  const labels = await readSidecarLines(file);
  if (shape.length !== 3 && !(shape.length === 2 && labels.length === 1)) throw new XrfInputError(file, `expected maps of shape H×W×k, got (${shape.join(', ')})`);
  const k = shape.length === 3 ? shape[2] : 1;
  if (k !== labels.length) throw new XrfInputError(file, `has ${k} maps but the sidecar names ${labels.length} line families`);
  const lines = labels.map((l) => {
    const n = parseLineName(l);
    return n ? formatLineName(n) : l;
  });
  return { height: shape[0], width: shape[1], lines };
}

async function exists(p: string): Promise<boolean> {
  try {
    await fs.stat(p.split('::')[0]);
    return true;
  } catch {
    return false;
  }
}

function problemText(e: unknown): string {
  return e instanceof XrfInputError ? e.problem : e instanceof Error ? e.message : String(e);
}

/**
 * Checks the files a parsed config names: each scan and ground truth exists and can be read, each
 * ground truth has its scan's size and a map for every line family of the config.
 */
export async function checkExperimentFiles(parsed: ParsedConfig, configPath: string, inspector: FileInspector = defaultInspector): Promise<ConfigProblem[]> {
  const config = parsed.config;
  if (!config) return [];
  const c = new Collector(parsed.tree.root);
  const resolved = resolveExperiment(config, configPath);
  // Paintings whose entry failed parsing are absent from config.paintings: map back by position.
  const items = findNode(parsed.tree.root, ['paintings'])?.items ?? [];
  const indexOf = (name: string) => items.findIndex((it, i) => {
    const n = findNode(parsed.tree.root, ['paintings', i, 'name']);
    return n ? n.value === name : config.paintings[i]?.name === name;
  });
  await Promise.all(
    resolved.paintings.map(async (p, k) => {
      const i = Math.max(0, indexOf(config.paintings[k].name));
      const at = (key: string): JsonPath => ['paintings', i, key];
      const scanOk = await exists(p.scan);
      const gtOk = await exists(p.groundTruth);
      if (!scanOk) c.add('missing-file', `scan not found: ${p.scan.split('::')[0]}`, at('scan'));
      if (!gtOk) c.add('missing-file', `ground truth not found: ${p.groundTruth.split('::')[0]}`, at('groundTruth'));
      let size: { height: number; width: number } | undefined;
      if (scanOk) {
        try {
          size = await inspector.scanSize(p.scan, p.dataset);
        } catch (e) {
          c.add('unreadable', `cannot read the scan: ${problemText(e)}`, at('scan'));
        }
      }
      if (!gtOk) return;
      let gt: { height: number; width: number; lines: string[] };
      try {
        gt = await inspector.groundTruthInfo(p.groundTruth);
      } catch (e) {
        c.add('unreadable', `cannot read the ground truth: ${problemText(e)}`, at('groundTruth'));
        return;
      }
      if (size && (size.height !== gt.height || size.width !== gt.width)) {
        c.add(
          'size-mismatch',
          `ground truth is ${gt.height}×${gt.width} pixels (rows×columns) but its scan ${path.basename(p.scan.split('::')[0])} is ${size.height}×${size.width}`,
          at('groundTruth'),
        );
      }
      const missing = config.lines.filter((l) => !gt.lines.includes(l));
      if (missing.length) {
        c.add('missing-line', `ground truth has no map for ${missing.join(', ')} (it has ${gt.lines.join(', ') || 'none'})`, at('groundTruth'));
      }
    }),
  );
  // Problems in the order of the text, whatever order the checks finished in.
  return c.problems.sort((a, b) => a.offset - b.offset);
}

/** "file:line:col: message" for each problem, for the CLI and logs. */
export function formatProblems(problems: ConfigProblem[], text: string, file: string): string {
  return problems
    .map((p) => {
      const { line, column } = lineColumnOf(text, p.offset);
      return `${file}:${line}:${column}: ${p.severity}: ${p.message}`;
    })
    .join('\n');
}

export interface LoadedExperiment extends ResolvedExperiment {
  /** The config text as read (snapshotted into each run). */
  text: string;
  /** Warnings (unknown keys, duplicates) that did not stop loading. */
  warnings: ConfigProblem[];
}

/**
 * Read, parse and check a config file and the files it names. Throws an XrfInputError naming the
 * config and listing every error (with line:column) when any is found.
 */
export async function loadExperiment(configPath: string, opts: { checkFiles?: boolean; inspector?: FileInspector } = {}): Promise<LoadedExperiment> {
  let text: string;
  try {
    text = await fs.readFile(configPath, 'utf8');
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    throw new XrfInputError(configPath, code === 'ENOENT' ? 'file not found' : code === 'EISDIR' ? 'is a folder, not a config file' : `cannot read: ${(e as Error).message}`);
  }
  const parsed = parseExperimentConfig(text, configPath);
  const problems = [...parsed.problems];
  if (parsed.config && opts.checkFiles !== false) problems.push(...(await checkExperimentFiles(parsed, configPath, opts.inspector)));
  const errors = problems.filter((p) => p.severity === 'error').sort((a, b) => a.offset - b.offset);
  if (errors.length || !parsed.config) {
    const n = errors.length;
    throw new XrfInputError(configPath, `${n} problem${n === 1 ? '' : 's'} in the experiment config:\n${formatProblems(errors, text, configPath)}`);
  }
  return { ...resolveExperiment(parsed.config, configPath), text, warnings: problems.filter((p) => p.severity === 'warning') };
}
