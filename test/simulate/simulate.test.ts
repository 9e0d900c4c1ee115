import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { promises as fs } from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { createHash } from 'node:crypto';
import { simulatePreset, type SimulationManifest } from '../../src/core/simulate/index';
import { PRESETS } from '../../src/core/simulate/presets';
import { alphaGroup } from '../../src/core/physics/index';
import { XrfInputError, isCancelled } from '../../src/core/errors';
import { tokenFromSignal } from '../../src/core/util/progress';
import { loadH5wasm } from '../../src/core/io/hdf5-write';

const roots: string[] = [];
async function tmpDir(): Promise<string> {
  const d = await fs.mkdtemp(path.join(os.tmpdir(), 'xrf-sim-'));
  roots.push(d);
  return d;
}
after(async () => {
  for (const d of roots) await fs.rm(d, { recursive: true, force: true });
});

async function digest(dir: string): Promise<Map<string, string>> {
  const out = new Map<string, string>();
  async function walk(d: string) {
    for (const e of await fs.readdir(d, { withFileTypes: true })) {
      const p = path.join(d, e.name);
      if (e.isDirectory()) await walk(p);
      else out.set(path.relative(dir, p), createHash('sha256').update(new Uint8Array(await fs.readFile(p))).digest('hex'));
    }
  }
  await walk(dir);
  return out;
}

function parseNpyHeader(buf: Buffer): { descr: string; shape: number[]; dataOffset: number } {
  assert.deepEqual([...buf.subarray(0, 6)], [0x93, 0x4e, 0x55, 0x4d, 0x50, 0x59], 'NPY magic');
  const len = buf.readUInt16LE(8);
  const text = buf.subarray(10, 10 + len).toString('latin1');
  const descr = /'descr':\s*'([^']+)'/.exec(text)![1];
  assert.match(text, /'fortran_order':\s*False/);
  const shape = /'shape':\s*\(([^)]*)\)/.exec(text)![1].split(',').map((s) => s.trim()).filter(Boolean).map(Number);
  assert.equal((10 + len) % 64, 0, 'data aligned to 64 bytes');
  return { descr, shape, dataOffset: 10 + len };
}

let tinyDir = '';
let tinyManifest: SimulationManifest;
const progress: number[] = [];
before(async () => {
  tinyDir = await tmpDir();
  tinyManifest = await simulatePreset('tiny', { outDir: tinyDir, workers: 0, onProgress: (p) => progress.push(p.done / p.total) });
});

test('tiny preset: manifest lists every painting with scan, ground truth, size, dwell, seed, calibration', async () => {
  const onDisk = JSON.parse(await fs.readFile(path.join(tinyDir, 'manifest.json'), 'utf8')) as SimulationManifest;
  assert.deepEqual(onDisk, tinyManifest);
  assert.equal(onDisk.paintings.length, PRESETS.tiny.paintings.length);
  assert.equal(progress.at(-1), 1);
  for (const p of onDisk.paintings) {
    const spec = PRESETS.tiny.paintings.find((s) => s.name === p.name)!;
    assert.equal(p.height, spec.height);
    assert.equal(p.width, spec.width);
    assert.equal(p.dwellMs, spec.dwellMs);
    assert.equal(p.seed, 1);
    assert.deepEqual(p.calibration, PRESETS.tiny.calibration);
    assert.equal(p.channels, PRESETS.tiny.channels);
    assert.equal(p.saturatedChannels, 0);
    assert.ok(p.meanCountsPerPixel > 300, `${p.name} has counts`);
    for (const f of [p.scan.path, p.scan.data!, p.groundTruth.npy, p.groundTruth.sidecar, p.groundTruth.pymcaCsv, ...p.groundTruth.pymcaEdf]) {
      await fs.access(path.join(tinyDir, f));
    }
  }
  // No temporary files left behind.
  const names = await fs.readdir(tinyDir);
  assert.ok(!names.some((n) => n.endsWith('.tmp')), names.join(', '));
});

test('RPL header has the Lispix/HyperSpy keys and the calibration; RAW size matches', async () => {
  const p = tinyManifest.paintings[0];
  const rpl = await fs.readFile(path.join(tinyDir, p.scan.path), 'utf8');
  const keys = new Map(rpl.split('\n').filter((l) => l && !l.startsWith(';')).map((l) => l.split('\t') as [string, string]));
  assert.equal(keys.get('width'), String(p.width));
  assert.equal(keys.get('height'), String(p.height));
  assert.equal(keys.get('depth'), String(p.channels));
  assert.equal(keys.get('offset'), '0');
  assert.equal(keys.get('data-length'), '2');
  assert.equal(keys.get('data-type'), 'unsigned');
  assert.equal(keys.get('byte-order'), 'little-endian');
  assert.equal(keys.get('record-by'), 'vector');
  assert.equal(Number(keys.get('depth-origin')), 0);
  assert.equal(Number(keys.get('depth-scale')), PRESETS.tiny.calibration.gainKeV);
  assert.equal(keys.get('depth-units'), 'keV');
  assert.equal(Number(keys.get('ev-per-chan')), PRESETS.tiny.calibration.gainKeV * 1000);
  const st = await fs.stat(path.join(tinyDir, p.scan.data!));
  assert.equal(st.size, p.height * p.width * p.channels * 2);
});

test('peaks of the sum spectrum sit at the line table\'s energies', async () => {
  const gain = PRESETS.tiny.calibration.gainKeV;
  const C = PRESETS.tiny.channels;
  // Per painting: its sum spectrum and the total ground truth of each line.
  const sums = new Map<string, Float64Array>();
  const totals = new Map<string, number[]>();
  for (const p of tinyManifest.paintings) {
    const raw = await fs.readFile(path.join(tinyDir, p.scan.data!));
    const u16 = new Uint16Array(raw.buffer, raw.byteOffset, raw.byteLength / 2);
    const sum = new Float64Array(C);
    for (let i = 0; i < u16.length; i++) sum[i % C] += u16[i];
    sums.set(p.name, sum);
    const npy = await fs.readFile(path.join(tinyDir, p.groundTruth.npy));
    const t = new Float32Array(npy.buffer.slice(npy.byteOffset + parseNpyHeader(npy).dataOffset, npy.byteOffset + npy.byteLength));
    const k = p.lines.length;
    totals.set(p.name, p.lines.map((_, j) => t.reduce((a, v, i) => (i % k === j ? a + v : a), 0)));
  }
  for (const line of ['Ca K', 'Fe K', 'Cu K', 'Sr K', 'Hg L', 'Pb L', 'Au L']) {
    // The painting where this family is strongest.
    const j = tinyManifest.lines.indexOf(line);
    const best = [...totals.entries()].sort((a, b) => b[1][j] - a[1][j])[0][0];
    const sum = sums.get(best)!;
    const { energyKeV } = alphaGroup(line);
    const c0 = Math.round(energyKeV / gain);
    // The local maximum within ±3 channels must be within one channel (20 eV) of the α energy.
    let peak = c0;
    for (let c = c0 - 3; c <= c0 + 3; c++) if (sum[c] > sum[peak]) peak = c;
    assert.ok(Math.abs(peak - energyKeV / gain) <= 1, `${line} in ${best}: peak at ${(peak * gain).toFixed(3)} keV, line at ${energyKeV.toFixed(3)} keV`);
    assert.ok(sum[peak] > 1.5 * Math.min(sum[peak - 6], sum[peak + 6]), `${line}: a real peak above its surroundings`);
  }
});

test('ground truth NPY (float32 H×W×k) with its sidecar, and PyMca CSV/EDF with the same numbers', async () => {
  const p = tinyManifest.paintings[1];
  const k = p.lines.length;
  const npy = await fs.readFile(path.join(tinyDir, p.groundTruth.npy));
  const h = parseNpyHeader(npy);
  assert.equal(h.descr, '<f4');
  assert.deepEqual(h.shape, [p.height, p.width, k]);
  const truth = new Float32Array(npy.buffer.slice(npy.byteOffset + h.dataOffset, npy.byteOffset + npy.byteLength));
  assert.equal(truth.length, p.height * p.width * k);
  const side = JSON.parse(await fs.readFile(path.join(tinyDir, p.groundTruth.sidecar), 'utf8'));
  assert.deepEqual(side.lines, p.lines);
  assert.ok(truth.every((v) => Number.isFinite(v) && v >= 0));

  // CSV: header, one line per pixel row-major, %g numbers (6 significant digits).
  const csv = (await fs.readFile(path.join(tinyDir, p.groundTruth.pymcaCsv), 'utf8')).split('\n');
  const header = csv[0].split(';');
  assert.deepEqual(header.slice(0, 2), ['"row"', '"column"']);
  assert.deepEqual(header.slice(2, 2 + k), p.lines.map((l) => `"${l.replace(' ', '_')}"`));
  assert.deepEqual(header.slice(2 + k), p.lines.map((l) => `"s(${l.replace(' ', '_')})"`));
  const rows = csv.slice(1).filter((l) => l.length > 0);
  assert.equal(rows.length, p.height * p.width);
  for (const [i, line] of rows.entries()) {
    const f = line.split(';').map(Number);
    assert.equal(f[0], Math.floor(i / p.width));
    assert.equal(f[1], i % p.width);
    for (let t = 0; t < k; t++) {
      const v = truth[i * k + t];
      assert.ok(Math.abs(f[2 + t] - v) <= 1e-5 * Math.abs(v) + 1e-30, `pixel ${i} ${p.lines[t]}: ${f[2 + t]} vs ${v}`);
      assert.ok(Math.abs(f[2 + k + t] - Math.sqrt(v)) <= 1e-5 * Math.sqrt(v) + 1e-30);
    }
  }

  // EDF: 1024-byte-multiple header in braces; Dim_1 = width, Dim_2 = height; float32 data.
  const fe = p.groundTruth.pymcaEdf.find((e) => e.endsWith(`${p.name}_Fe_K.edf`))!;
  assert.ok(p.groundTruth.pymcaEdf.some((e) => e.endsWith(`${p.name}_sFe_K.edf`)));
  const edf = await fs.readFile(path.join(tinyDir, fe));
  const end = edf.indexOf('}\n') + 2;
  assert.equal(end % 1024, 0);
  const head = edf.subarray(0, end).toString('latin1');
  assert.ok(head.startsWith('{\n'));
  const kv = new Map([...head.matchAll(/(\w+) = ([^;]*) ;/g)].map((m) => [m[1], m[2].trim()]));
  assert.equal(kv.get('ByteOrder'), 'LowByteFirst');
  assert.equal(kv.get('DataType'), 'FloatValue');
  assert.equal(Number(kv.get('Dim_1')), p.width);
  assert.equal(Number(kv.get('Dim_2')), p.height);
  assert.equal(Number(kv.get('Size')), p.width * p.height * 4);
  assert.equal(kv.get('Title'), 'Fe_K');
  const map = new Float32Array(edf.buffer.slice(edf.byteOffset + end, edf.byteOffset + edf.byteLength));
  const t = p.lines.indexOf('Fe K');
  for (let i = 0; i < map.length; i++) assert.equal(map[i], truth[i * k + t]);
});

test('an element in no material of a painting has an all-zero map', async () => {
  const p = tinyManifest.paintings.find((x) => !x.pigments.includes('chromeYellow'));
  assert.ok(p, 'some tiny painting has no chrome yellow');
  const npy = await fs.readFile(path.join(tinyDir, p.groundTruth.npy));
  const h = parseNpyHeader(npy);
  const truth = new Float32Array(npy.buffer.slice(npy.byteOffset + h.dataOffset, npy.byteOffset + npy.byteLength));
  const k = p.lines.length;
  const cr = p.lines.indexOf('Cr K');
  const ca = p.lines.indexOf('Ca K');
  let crMax = 0;
  let caMax = 0;
  for (let i = 0; i < p.height * p.width; i++) {
    crMax = Math.max(crMax, truth[i * k + cr]);
    caMax = Math.max(caMax, truth[i * k + ca]);
  }
  assert.equal(crMax, 0);
  assert.ok(caMax > 0);
});

test('same seed gives the same bytes (with or without worker threads); another seed differs', async () => {
  const a = await tmpDir();
  const b = await tmpDir();
  const c = await tmpDir();
  await simulatePreset('tiny', { outDir: a, workers: 0, only: ['tiny2'], seed: 5 });
  await simulatePreset('tiny', { outDir: b, workers: 2, only: ['tiny2'], seed: 5 });
  await simulatePreset('tiny', { outDir: c, workers: 0, only: ['tiny2'], seed: 6 });
  const da = await digest(a);
  const db = await digest(b);
  const dc = await digest(c);
  assert.deepEqual([...da.entries()].sort(), [...db.entries()].sort());
  assert.notEqual(da.get('tiny2.raw'), dc.get('tiny2.raw'));
  assert.notEqual(da.get('tiny2_truth.npy'), dc.get('tiny2_truth.npy'), 'a different seed paints a different scene');
});

test('NPY and HDF5 scans carry the same counts and their calibration', async () => {
  const d1 = await tmpDir();
  const d2 = await tmpDir();
  const m1 = await simulatePreset('tiny', { outDir: d1, workers: 0, only: ['tiny3'], format: 'npy' });
  const m2 = await simulatePreset('tiny', { outDir: d2, workers: 0, only: ['tiny3'], format: 'hdf5' });
  const p = m1.paintings[0];
  const npy = await fs.readFile(path.join(d1, p.scan.path));
  const h = parseNpyHeader(npy);
  assert.equal(h.descr, '<u2');
  assert.deepEqual(h.shape, [p.height, p.width, p.channels]);
  const counts = new Uint16Array(npy.buffer.slice(npy.byteOffset + h.dataOffset, npy.byteOffset + npy.byteLength));
  assert.deepEqual(JSON.parse(await fs.readFile(path.join(d1, p.scan.sidecar!), 'utf8')).calibration, PRESETS.tiny.calibration);

  const h5wasm = await loadH5wasm();
  const f = new h5wasm.File(path.join(d2, m2.paintings[0].scan.path), 'r');
  try {
    const ds = f.get('entry/data/counts') as InstanceType<typeof h5wasm.Dataset>;
    assert.deepEqual(ds.shape, [p.height, p.width, p.channels]);
    assert.deepEqual([...(ds.value as Uint16Array)], [...counts]);
    const grp = f.get('entry/data') as InstanceType<typeof h5wasm.Group>;
    assert.equal(grp.attrs['signal'].value, 'counts');
    assert.equal(grp.attrs['NX_class'].value, 'NXdata');
    const cal = (f.get('entry/instrument/detector/calibration') as InstanceType<typeof h5wasm.Dataset>).value as Float64Array;
    assert.deepEqual([...cal], [0, PRESETS.tiny.calibration.gainKeV, 0]);
    const energy = (f.get('entry/data/energy') as InstanceType<typeof h5wasm.Dataset>).value as Float64Array;
    assert.equal(energy.length, p.channels);
    assert.ok(Math.abs(energy[100] - 100 * PRESETS.tiny.calibration.gainKeV) < 1e-12);
  } finally {
    f.close();
  }
});

test('an existing simulation is never overwritten', async () => {
  const d = await tmpDir();
  await simulatePreset('tiny', { outDir: d, workers: 0, only: ['tiny1'] });
  const before = await digest(d);
  await assert.rejects(simulatePreset('tiny', { outDir: d, workers: 0, only: ['tiny1'] }), (e: unknown) => e instanceof XrfInputError && /already exists/.test(e.message));
  assert.deepEqual(await digest(d), before);
});

test('cancelling stops the job and leaves no files at all (also of paintings already finished)', async () => {
  const d = await tmpDir();
  const ac = new AbortController();
  await assert.rejects(
    simulatePreset('tiny', {
      outDir: d,
      workers: 2,
      token: tokenFromSignal(ac.signal),
      onProgress: (p) => {
        // Cancel in the second painting: the first one's finished files must go too.
        if (p.done > PRESETS.tiny.paintings[0].height) ac.abort();
      },
    }),
    (e: unknown) => isCancelled(e),
  );
  const left = await fs.readdir(d);
  assert.deepEqual(left, [], `left behind: ${left.join(', ')}`);
});

test('bad options are refused with a clear message', async () => {
  const d = await tmpDir();
  await assert.rejects(simulatePreset('tiny', { outDir: d, scale: 0 }), /scale/);
  await assert.rejects(simulatePreset('tiny', { outDir: d, seed: -1 }), /seed/);
  await assert.rejects(simulatePreset('tiny', { outDir: d, lines: ['Xx Q'] }), /line/);
  await assert.rejects(simulatePreset('tiny', { outDir: d, lines: ['Fe K', 'C K'] }), /no emission lines tabulated for C K/);
  await assert.rejects(simulatePreset('tiny', { outDir: d, only: ['nope'] }), /no painting nope/);
});
