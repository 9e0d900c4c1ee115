/**
 * simulatePreset: writes a preset's paintings (scan + ground truth in NPY and PyMca layouts) and a
 * manifest.json into a folder. Rows are rendered by worker threads straight into a preallocated scan
 * file (bounded memory: a few rows per worker), then the scan is renamed into place; HDF5 scans are
 * converted from that raw file block by block.
 */
import { promises as fs } from 'node:fs';
import * as path from 'node:path';
import * as os from 'node:os';
import { randomBytes } from 'node:crypto';
import { PRESETS, PRESET_NAMES, scaledSize, type PresetName } from './presets';
import { renderRows, paintingSetup, paintingKey, type RenderJob, type RenderResult } from './render';
import { scenePigments, sceneGilded } from './scene';
import { DEFAULT_LINES, normalizeLineName } from '../lines';
import { hasLineFamily } from '../physics/index';
import { XrfInputError, isCancelled } from '../errors';
import type { Calibration } from '../cube/cube';
import { NEVER_CANCELLED, type CancelToken, type ProgressSink } from '../util/progress';
import { npyHeader, writeNpy } from '../io/npy-write';
import { writeFileAtomic } from '../io/atomic';
import { writeRplHeader } from '../io/rpl-write';
import { writeNexusCube } from '../io/hdf5-write';
import { writePymcaImages } from '../io/pymca-write';
import { runWorkerJob } from '../../workers/launch';

export type ScanFormat = 'rpl' | 'npy' | 'hdf5';
export const SCAN_FORMATS: readonly ScanFormat[] = ['rpl', 'npy', 'hdf5'];

export interface SimulateOptions {
  outDir: string;
  seed?: number;
  /** Both sides of every painting are multiplied by this (default 1). */
  scale?: number;
  format?: ScanFormat;
  /** Target line families for the ground truth (default DEFAULT_LINES). */
  lines?: readonly string[];
  /** Worker threads (default min(2, cores)); 0 renders in this thread. Any count gives the same bytes. */
  workers?: number;
  /** Add pile-up sum peaks (pulse-pair resolving time PILEUP_RESOLVING_TIME_S); default off. */
  pileup?: boolean;
  /** Only these paintings of the preset (names), in preset order. */
  only?: readonly string[];
  onProgress?: ProgressSink;
  token?: CancelToken;
}

/** Pulse-pair resolving time of an SDD with pile-up rejection, used when pile-up is on. */
export const PILEUP_RESOLVING_TIME_S = 0.2e-6;

/** What counts as ground truth: stated in every manifest so users know what models learn. */
export const GROUND_TRUTH_DEFINITION =
  'Per pixel and line family: the expected (noise-free) number of counts in the family\'s full-energy photopeaks ' +
  '(every line of the family at its line-table rate, after absorption in the layers, air and detector window), ' +
  'integrated over the recorded channel range. Si escape peaks, pile-up sum peaks, scatter and background are not counted ' +
  '(sum peaks, when simulated, do not take their counts out of the photopeaks). ' +
  'This is the peak area a fit such as PyMca\'s reports for the family.';

export interface PaintingManifest {
  name: string;
  title: string;
  height: number;
  width: number;
  channels: number;
  dwellMs: number;
  seed: number;
  /** Seed of this painting's own random streams (derived from `seed` and its index). */
  paintingSeed: number;
  calibration: Calibration;
  tubeKV: number;
  lines: string[];
  /** Pile-up resolving time (s) when sum peaks were simulated, else 0. */
  pileupResolvingTimeS: number;
  scan: { path: string; format: ScanFormat; dtype: 'u2'; data?: string; sidecar?: string; dataset?: string };
  groundTruth: { npy: string; sidecar: string; pymcaDir: string; pymcaEntry: string; pymcaCsv: string; pymcaEdf: string[] };
  pigments: string[];
  gilded: boolean;
  totalCounts: number;
  meanCountsPerPixel: number;
  /** Channels clipped at 65535 (u2); 0 in every preset. */
  saturatedChannels: number;
}

export interface SimulationManifest {
  generator: string;
  preset: PresetName;
  description: string;
  seed: number;
  scale: number;
  format: ScanFormat;
  channels: number;
  calibration: Calibration;
  tubeKV: number;
  lines: string[];
  pileup: boolean;
  groundTruthDefinition: string;
  paintings: PaintingManifest[];
}

function tempBeside(target: string): string {
  return path.join(path.dirname(target), `.${path.basename(target)}.${randomBytes(4).toString('hex')}.tmp`);
}

async function exists(p: string): Promise<boolean> {
  try {
    await fs.access(p);
    return true;
  } catch {
    return false;
  }
}

/** Split rows into blocks of `block` rows, dealt round-robin to `n` workers (balances cost across the panel). */
function dealBlocks(height: number, n: number, block: number): [number, number][][] {
  const out: [number, number][][] = Array.from({ length: n }, () => []);
  for (let r0 = 0, i = 0; r0 < height; r0 += block, i++) out[i % n].push([r0, Math.min(height, r0 + block)]);
  return out.filter((b) => b.length > 0);
}

/** Simulate every painting of a preset into `opts.outDir`; returns (and writes) the manifest. */
export async function simulatePreset(name: PresetName, opts: SimulateOptions): Promise<SimulationManifest> {
  const preset = PRESETS[name];
  if (!preset) throw new Error(`unknown preset "${name}" (choose ${PRESET_NAMES.join(', ')})`);
  const seed = opts.seed ?? 1;
  const scale = opts.scale ?? 1;
  const format = opts.format ?? 'rpl';
  if (!Number.isInteger(seed) || seed < 0 || seed > 0xffffffff) throw new RangeError(`seed must be an integer 0…4294967295, got ${seed}`);
  if (!(scale > 0 && scale <= 4)) throw new RangeError(`scale must be in (0, 4], got ${scale}`);
  if (!SCAN_FORMATS.includes(format)) throw new RangeError(`format must be one of ${SCAN_FORMATS.join(', ')}, got "${format}"`);
  const lines = [...new Set((opts.lines ?? DEFAULT_LINES).map(normalizeLineName))];
  if (lines.length === 0) throw new RangeError('at least one target line is needed');
  const unknown = lines.filter((l) => !hasLineFamily(l));
  if (unknown.length) throw new RangeError(`no emission lines tabulated for ${unknown.join(', ')} (K and L for Z = 11..92, M for Z ≥ 57)`);
  const token = opts.token ?? NEVER_CANCELLED;
  const workers = Math.max(0, Math.floor(opts.workers ?? Math.min(2, os.availableParallelism())));

  const indices = preset.paintings.map((_, i) => i).filter((i) => !opts.only || opts.only.includes(preset.paintings[i].name));
  if (opts.only) {
    const unknown = opts.only.filter((n) => !preset.paintings.some((p) => p.name === n));
    if (unknown.length) throw new RangeError(`preset ${name} has no painting ${unknown.join(', ')} (it has ${preset.paintings.map((p) => p.name).join(', ')})`);
  }

  const outDir = path.resolve(opts.outDir);
  await fs.mkdir(outDir, { recursive: true });
  const manifestPath = path.join(outDir, 'manifest.json');
  // Never overwrite: a folder that already holds a simulation (or any file we would write) is refused.
  const planned = [manifestPath, ...indices.flatMap((i) => plannedPaths(outDir, preset.paintings[i].name, format))];
  for (const p of planned) {
    if (await exists(p)) throw new XrfInputError(p, 'already exists; simulate into a new or empty folder (outputs are never overwritten)');
  }

  const totalRows = indices.reduce((s, i) => s + scaledSize(preset.paintings[i], scale).height, 0);
  let rowsBefore = 0;
  const paintings: PaintingManifest[] = [];
  try {
    for (const i of indices) {
      const spec = preset.paintings[i];
      const pileupS = opts.pileup ? PILEUP_RESOLVING_TIME_S : 0;
      const m = await simulatePainting(name, i, { outDir, seed, scale, format, lines, workers, token, pileupS, onRows: (done) =>
        opts.onProgress?.({ done: rowsBefore + done, total: totalRows, message: `${spec.name}: row ${done}` }) });
      rowsBefore += m.height;
      paintings.push(m);
    }
  } catch (e) {
    // A failed or cancelled run leaves nothing behind: none of these paths existed before it started.
    for (const p of planned) await fs.rm(p, { force: true, recursive: true });
    throw e;
  }

  const manifest: SimulationManifest = {
    generator: 'xrfmaps simulate',
    preset: name,
    description: preset.description,
    seed,
    scale,
    format,
    channels: preset.channels,
    calibration: preset.calibration,
    tubeKV: preset.tubeKV,
    lines,
    pileup: !!opts.pileup,
    groundTruthDefinition: GROUND_TRUTH_DEFINITION,
    paintings,
  };
  await writeFileAtomic(manifestPath, JSON.stringify(manifest, null, 2) + '\n');
  opts.onProgress?.({ done: totalRows, total: totalRows, message: 'done' });
  return manifest;
}

function scanFiles(outDir: string, name: string, format: ScanFormat): { scan: string; data: string; sidecar?: string } {
  if (format === 'rpl') return { scan: path.join(outDir, `${name}.rpl`), data: path.join(outDir, `${name}.raw`) };
  if (format === 'npy') return { scan: path.join(outDir, `${name}.npy`), data: path.join(outDir, `${name}.npy`), sidecar: path.join(outDir, `${name}.json`) };
  return { scan: path.join(outDir, `${name}.h5`), data: path.join(outDir, `${name}.h5`) };
}

function truthFiles(outDir: string, name: string) {
  const pymcaDir = path.join(outDir, `${name}_pymca`);
  return {
    npy: path.join(outDir, `${name}_truth.npy`),
    sidecar: path.join(outDir, `${name}_truth.json`),
    pymcaDir,
    csv: path.join(pymcaDir, 'IMAGES', `${name}.csv`),
  };
}

function plannedPaths(outDir: string, name: string, format: ScanFormat): string[] {
  const s = scanFiles(outDir, name, format);
  const t = truthFiles(outDir, name);
  return [...new Set([s.scan, s.data, ...(s.sidecar ? [s.sidecar] : []), t.npy, t.sidecar, t.pymcaDir])];
}

interface PaintingRun {
  outDir: string;
  seed: number;
  scale: number;
  format: ScanFormat;
  lines: string[];
  workers: number;
  token: CancelToken;
  pileupS: number;
  onRows?: (done: number) => void;
}

async function simulatePainting(presetName: PresetName, index: number, run: PaintingRun): Promise<PaintingManifest> {
  run.token.throwIfCancelled();
  const { spec, height: H, width: W, scene, model, preset } = paintingSetup(presetName, index, run.seed, run.scale, run.lines, run.pileupS);
  const C = preset.channels;
  const k = model.lines.length;
  const files = scanFiles(run.outDir, spec.name, run.format);
  const truthPaths = truthFiles(run.outDir, spec.name);
  const rel = (p: string) => path.relative(run.outDir, p).split(path.sep).join('/');

  // The scan's bytes go to a temporary file: raw u2 for rpl/hdf5, header + u2 data for npy.
  const header = run.format === 'npy' ? npyHeader('<u2', [H, W, C]) : new Uint8Array(0);
  const tmp = tempBeside(files.data);
  // Everything this painting may write: removed again if it fails or is cancelled (none existed before).
  const cleanup: string[] = [tmp, truthPaths.npy, truthPaths.sidecar, truthPaths.pymcaDir, files.scan, files.data, ...(files.sidecar ? [files.sidecar] : [])];
  try {
    const fh = await fs.open(tmp, 'w');
    try {
      await fh.write(header, 0, header.length, 0);
      await fh.truncate(header.length + H * W * C * 2);
    } finally {
      await fh.close();
    }

    // Render: blocks of rows dealt to workers (or rendered here).
    const blockRows = 4;
    const nWorkers = run.workers === 0 ? 1 : Math.min(run.workers, Math.ceil(H / blockRows));
    const deals = dealBlocks(H, nWorkers, blockRows);
    const jobs: RenderJob[] = deals.map((blocks) => ({
      preset: presetName, paintingIndex: index, seed: run.seed, scale: run.scale, lines: run.lines, pileupS: run.pileupS,
      scanPath: tmp, dataOffset: header.length, blocks,
    }));
    const doneByJob = new Array<number>(jobs.length).fill(0);
    const report = () => run.onRows?.(doneByJob.reduce((a, b) => a + b, 0));
    let results: RenderResult[];
    if (run.workers === 0) {
      results = jobs.map((job, j) => renderRows(job, run.token, () => { doneByJob[j]++; report(); }));
    } else {
      const ac = new AbortController();
      const poll = setInterval(() => run.token.cancelled && ac.abort(), 50);
      try {
        // The first failure cancels the other workers; wait for all of them to stop before cleaning up.
        const settled = await Promise.allSettled(jobs.map((job, j) =>
          runWorkerJob<RenderJob, RenderResult>('simulate', job, {
            signal: ac.signal,
            onProgress: (p) => { doneByJob[j] = p.done; report(); },
          }).catch((e: unknown) => {
            ac.abort();
            throw e;
          })));
        const failures = settled.flatMap((r) => (r.status === 'rejected' ? [r.reason as unknown] : []));
        if (failures.length) throw failures.find((e) => !isCancelled(e)) ?? failures[0];
        results = settled.map((r) => (r as PromiseFulfilledResult<RenderResult>).value);
      } finally {
        clearInterval(poll);
      }
    }
    run.token.throwIfCancelled();

    // Assemble the ground truth (H×W×k) from the jobs' blocks, and the per-painting statistics.
    const truth = new Float32Array(H * W * k);
    let totalCounts = 0;
    let saturated = 0;
    jobs.forEach((job, j) => {
      let off = 0;
      for (const [r0, r1] of job.blocks) {
        const n = (r1 - r0) * W * k;
        truth.set(results[j].truth.subarray(off, off + n), r0 * W * k);
        off += n;
      }
      totalCounts += results[j].totalCounts;
      saturated += results[j].saturated;
    });

    // Ground truth: NPY + sidecar, and PyMca's layout (maps + √counts uncertainties).
    // The sidecar first, so the .npy never appears without its line names.
    await writeFileAtomic(truthPaths.sidecar, JSON.stringify({ lines: model.lines, calibration: preset.calibration, groundTruth: GROUND_TRUTH_DEFINITION }, null, 2) + '\n');
    await writeNpy(truthPaths.npy, truth, [H, W, k]);
    const maps = model.lines.map((_, t) => {
      const m = new Float32Array(H * W);
      for (let p = 0; p < H * W; p++) m[p] = truth[p * k + t];
      return m;
    });
    const pymca = await writePymcaImages(truthPaths.pymcaDir, spec.name, {
      height: H, width: W, lines: model.lines, maps, uncertainties: maps.map((m) => m.map(Math.sqrt)),
    });

    // Scan: move into place (and write its header / sidecar, or convert to HDF5).
    const scanInfo: PaintingManifest['scan'] = { path: rel(files.scan), format: run.format, dtype: 'u2' };
    if (run.format === 'rpl') {
      await writeRplHeader(files.scan, { width: W, height: H, depth: C, dataLength: 2, dataType: 'unsigned', calibration: preset.calibration });
      await fs.rename(tmp, files.data);
      scanInfo.data = rel(files.data);
    } else if (run.format === 'npy') {
      await writeFileAtomic(files.sidecar!, JSON.stringify({ calibration: preset.calibration }, null, 2) + '\n');
      await fs.rename(tmp, files.data);
      scanInfo.sidecar = rel(files.sidecar!);
    } else {
      const fh = await fs.open(tmp, 'r');
      try {
        await writeNexusCube(files.scan, { height: H, width: W, channels: C, calibration: preset.calibration }, async (r0, n) => {
          const buf = new Uint16Array(n * W * C);
          await fh.read(new Uint8Array(buf.buffer), 0, buf.byteLength, r0 * W * C * 2);
          return buf;
        }, { token: run.token });
      } finally {
        await fh.close();
      }
      await fs.rm(tmp, { force: true });
      scanInfo.dataset = '/entry/data/counts';
    }

    return {
      name: spec.name,
      title: spec.title,
      height: H,
      width: W,
      channels: C,
      dwellMs: spec.dwellMs,
      seed: run.seed,
      paintingSeed: paintingKey(run.seed, index),
      calibration: preset.calibration,
      tubeKV: preset.tubeKV,
      lines: model.lines,
      pileupResolvingTimeS: run.pileupS,
      scan: scanInfo,
      groundTruth: {
        npy: rel(truthPaths.npy),
        sidecar: rel(truthPaths.sidecar),
        pymcaDir: rel(truthPaths.pymcaDir),
        pymcaEntry: spec.name,
        pymcaCsv: rel(pymca.csv),
        pymcaEdf: pymca.edf.map(rel),
      },
      pigments: scenePigments(scene),
      gilded: sceneGilded(scene),
      totalCounts,
      meanCountsPerPixel: totalCounts / (H * W),
      saturatedChannels: saturated,
    };
  } catch (e) {
    for (const p of cleanup) await fs.rm(p, { force: true, recursive: true });
    throw e;
  }
}
