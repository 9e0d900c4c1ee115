/**
 * Builds a training run's data: checks every training scan against its ground truth and against the
 * first scan, takes the strided sample of pixels (dataset-sampling.ts), splits it 80/20 with the seed,
 * and streams the sampled spectra + targets into a temporary SampleStore. Scans are read in row
 * blocks of a bounded size, ground truths one at a time, so memory does not grow with their number.
 * The test scan is simply never given here: only `train` entries are sampled.
 */
import * as path from 'node:path';
import type { Calibration, Cube, ResolvedCalibration } from '../cube/cube';
import { openCube } from '../cube/open';
import { resolveCalibration } from '../cube/calibration';
import { readGroundTruth } from '../groundtruth/read';
import type { MapStack } from '../groundtruth/groundtruth';
import { XrfInputError } from '../errors';
import { DEFAULT_LINES, normalizeLineName } from '../lines';
import { NEVER_CANCELLED, type CancelToken } from '../util/progress';
import { SampleStore } from './dataset-store';
import { checkStride, splitTrainVal, stridedCount, type TrainValSplit } from './dataset-sampling';
import { ScaleStats, type Preprocessing } from './preprocess';
import { calibrationsAgree, describeCalibration } from './model-dir';
import type { TrainScanSpec } from './jobs';

/** Rows per read are chosen so one block stays under this many bytes of float32. */
const BLOCK_BYTES = 16 << 20;

export interface DataRequest {
  train: TrainScanSpec[];
  lines?: string[];
  calibration?: Calibration;
  stride: number;
  valShare: number;
  seed: number;
}

export interface ScanInfo {
  scan: string;
  dataset?: string;
  groundTruth: string;
  name: string;
  height: number;
  width: number;
  /** Pixels taken by strided sampling. */
  sampled: number;
}

export interface TrainingData {
  store: SampleStore;
  split: TrainValSplit;
  lines: string[];
  channels: number;
  calibration: ResolvedCalibration;
  preprocessing: Preprocessing;
  scans: ScanInfo[];
  negativeTargetsClamped: number;
}

export interface DataOptions {
  token?: CancelToken;
  log?: (message: string) => void;
  /** Parent folder of the temporary sample file (default: the OS temp folder). */
  tempParent?: string;
}

/** Opens, checks and samples every training scan. The caller disposes `store` (also on error). */
export async function prepareTrainingData(req: DataRequest, opts: DataOptions = {}): Promise<TrainingData> {
  const token = opts.token ?? NEVER_CANCELLED;
  const log = opts.log ?? (() => undefined);
  if (req.train.length === 0) throw new Error('no training scans given');
  checkStride(req.stride);

  // Pass 1: headers only. Every scan must share the first one's channel count and calibration.
  const headers: { height: number; width: number }[] = [];
  let channels = 0;
  let calibration: ResolvedCalibration | undefined;
  for (const spec of req.train) {
    token.throwIfCancelled();
    const cube = await openCube(spec.scan, { dataset: spec.dataset });
    try {
      const cal = await resolveCalibration(cube, req.calibration);
      if (!calibration) {
        channels = cube.channels;
        calibration = cal;
      } else {
        const first = req.train[0].scan;
        if (cube.channels !== channels) {
          throw new XrfInputError(spec.scan, `has ${cube.channels} channels per spectrum but the first training scan ${first} has ${channels}`);
        }
        if (!calibrationsAgree(cal, calibration, channels)) {
          throw new XrfInputError(
            spec.scan,
            `its calibration (${describeCalibration(cal)}) differs from the first training scan's ${first} (${describeCalibration(calibration)}); ` +
              'one model needs one calibration',
          );
        }
      }
      headers.push({ height: cube.height, width: cube.width });
    } finally {
      await cube.close();
    }
  }

  const counts = headers.map((h) => stridedCount(h.height, h.width, req.stride));
  const total = counts.reduce((a, b) => a + b, 0);
  const split = splitTrainVal(total, req.valShare, req.seed);
  const isTrain = new Uint8Array(total);
  for (const s of split.train) isTrain[s] = 1;

  let lines: string[] | undefined = req.lines?.map((l) => normalizeLineNameOrThrow(l));
  if (lines) assertNoDuplicates(lines);

  let store: SampleStore | undefined;
  let stats: ScaleStats | undefined;
  let clamped = 0;
  const scans: ScanInfo[] = [];
  try {
    for (let s = 0; s < req.train.length; s++) {
      const spec = req.train[s];
      token.throwIfCancelled();
      log(`reading training scan ${s + 1}/${req.train.length}: ${path.basename(spec.scan)}`);
      const truth = await readGroundTruth(spec.groundTruth);
      const { height, width } = headers[s];
      if (truth.height !== height || truth.width !== width) {
        throw new XrfInputError(
          spec.groundTruth,
          `ground truth is ${truth.height}×${truth.width} (rows×columns) but its scan ${spec.scan} is ${height}×${width}`,
        );
      }
      if (!lines) lines = defaultLines(truth);
      const maps = lines.map((line) => {
        const i = truth.lines.indexOf(line);
        if (i < 0) throw new XrfInputError(spec.groundTruth, `has no map for "${line}" (it has: ${truth.lines.join(', ') || 'none'})`);
        return truth.maps[i];
      });
      if (!store) {
        store = await SampleStore.create(channels, lines.length, opts.tempParent);
        stats = new ScaleStats(lines.length);
      }
      const base = store.count;
      clamped += await extractScan(spec, maps, req.stride, store, isTrain, stats!, token);
      if (store.count - base !== counts[s]) throw new Error(`internal: sampled ${store.count - base} pixels of ${spec.scan}, expected ${counts[s]}`);
      scans.push({
        scan: path.resolve(spec.scan),
        dataset: spec.dataset,
        groundTruth: path.resolve(spec.groundTruth),
        name: spec.name ?? path.basename(spec.scan),
        height,
        width,
        sampled: counts[s],
      });
    }
    if (clamped > 0) log(`${clamped} negative target value${clamped === 1 ? '' : 's'} clamped to 0 counts`);
    return {
      store: store!,
      split,
      lines: lines!,
      channels,
      calibration: calibration!,
      preprocessing: stats!.preprocessing(),
      scans,
      negativeTargetsClamped: clamped,
    };
  } catch (e) {
    await store?.dispose();
    throw e;
  }
}

/** The first ground truth's lines that are thesis targets, in the thesis's order; else all of its lines. */
export function defaultLines(truth: MapStack): string[] {
  const known = DEFAULT_LINES.filter((l) => truth.lines.includes(l));
  if (known.length > 0) return known;
  if (truth.lines.length === 0) throw new XrfInputError(truth.path, 'holds no line-family maps');
  return [...truth.lines];
}

function normalizeLineNameOrThrow(raw: string): string {
  try {
    return normalizeLineName(raw);
  } catch (e) {
    throw new Error(`--lines: ${(e as Error).message}`);
  }
}

function assertNoDuplicates(lines: string[]): void {
  const seen = new Set<string>();
  for (const l of lines) {
    if (seen.has(l)) throw new Error(`line "${l}" is listed twice`);
    seen.add(l);
  }
  if (lines.length === 0) throw new Error('no lines to predict');
}

/**
 * Streams one scan in row blocks and appends its sampled pixels (raster indices ≡ 0 mod stride) as
 * records [spectrum…, targets…]. Returns how many negative targets were clamped to 0.
 */
async function extractScan(
  spec: TrainScanSpec,
  maps: Float32Array[],
  stride: number,
  store: SampleStore,
  isTrain: Uint8Array,
  stats: ScaleStats,
  token: CancelToken,
): Promise<number> {
  const cube: Cube = await openCube(spec.scan, { dataset: spec.dataset });
  const { height: H, width: W, channels: C } = cube;
  const k = maps.length;
  const rf = C + k;
  const rowsPerBlock = Math.max(1, Math.floor(BLOCK_BYTES / (W * C * 4)));
  let clamped = 0;
  let sample = store.count; // global sample number of the next record
  let block: Float32Array | undefined;
  try {
    for (let r0 = 0; r0 < H; r0 += rowsPerBlock) {
      token.throwIfCancelled();
      const n = Math.min(rowsPerBlock, H - r0);
      block = await cube.readRows(r0, n, block && block.length >= n * W * C ? block : undefined);
      const pStart = Math.ceil((r0 * W) / stride) * stride;
      const pEnd = (r0 + n) * W;
      const count = pStart < pEnd ? Math.ceil((pEnd - pStart) / stride) : 0;
      if (count === 0) continue;
      const records = new Float32Array(count * rf);
      for (let i = 0, p = pStart; p < pEnd; i++, p += stride, sample++) {
        const src = (p - r0 * W) * C;
        const dst = i * rf;
        records.set(block.subarray(src, src + C), dst);
        // One pass gives both the scale statistics and the finiteness check: a NaN or ±Inf anywhere
        // makes the float64 sum of squares non-finite (float32 values cannot overflow it).
        let sumSq = 0;
        for (let ch = src; ch < src + C; ch++) sumSq += block[ch] * block[ch];
        if (!Number.isFinite(sumSq)) {
          const ch = block.subarray(src, src + C).findIndex((v) => !Number.isFinite(v));
          throw new XrfInputError(spec.scan, `pixel (row ${Math.floor(p / W)}, column ${p % W}) has a non-finite value (${block[src + ch]}) at channel ${ch}`);
        }
        for (let j = 0; j < k; j++) {
          let y = maps[j][p];
          if (!Number.isFinite(y)) {
            throw new XrfInputError(spec.groundTruth, `map ${j + 1} has a non-finite value (${y}) at row ${Math.floor(p / W)}, column ${p % W}`);
          }
          if (y < 0) {
            y = 0;
            clamped++;
          }
          records[dst + C + j] = y;
        }
        if (isTrain[sample]) {
          stats.addSpectrumSumSq(sumSq, C);
          stats.addTargets(records, dst + C);
        }
      }
      await store.append(records);
    }
  } finally {
    await cube.close();
  }
  return clamped;
}
