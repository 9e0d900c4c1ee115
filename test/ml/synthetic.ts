/**
 * Small synthetic paintings for the training/prediction tests, with exact ground truth:
 * spectrum(pixel) = Poisson( Σ_j y_j · response_j + background ), where response_j is the physics
 * module's unit-area detector response of line family j, so y_j is the expected number of counts of
 * family j in that pixel (what a PyMca fit estimates). Each map has regions of exactly 0 counts,
 * so the y = 0 case of aL1 is exercised end to end.
 *
 * Written as the real formats: scan NPY H×W×C (float32 counts) with its `<scan>.json` sidecar holding
 * the calibration, and ground truth NPY H×W×k with `<truth>.json` {"lines": [...]}.
 */
import { promises as fs } from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import type { Calibration } from '../../src/core/cube/cube';
import { writeNpy } from '../../src/core/io/npy-write';
import { familyResponse } from '../../src/core/physics/index';
import { mulberry32 } from '../../src/core/ml/dataset-sampling';
import assert from 'node:assert/strict';
import { predictScan } from '../../src/core/ml/predict';
import { tokenFromSignal, type CancelToken } from '../../src/core/util/progress';
import type { PredictJobInput } from '../../src/core/ml/jobs';

export const TEST_LINES = ['Ca K', 'Fe K', 'Cu K', 'Pb L'];
/** Peak counts of each line's map (a pixel's expected counts of that family). */
const AMPLITUDE = [400, 1500, 300, 2500];
/** The 1DCNN stack needs ≥ 1367 channels; 1400 channels of 15 eV span 0–21 keV. */
export const TEST_CHANNELS = 1400;
export const TEST_CAL: Calibration = { offsetKeV: 0, gainKeV: 0.015 };

export interface Painting {
  scan: string;
  truth: string;
  height: number;
  width: number;
  /** One H·W map per TEST_LINES entry (expected counts). */
  maps: Float32Array[];
}

export interface PaintingOptions {
  height?: number;
  width?: number;
  channels?: number;
  calibration?: Calibration;
  /** Write this calibration into the scan's sidecar (default: `calibration`); null writes none. */
  sidecarCalibration?: Calibration | null;
  lines?: string[];
  seed?: number;
  name?: string;
  /** Make spectra encode their pixel: channel 0 = raster index (for sampling tests). */
  pixelIndexInChannel0?: boolean;
}

export async function tempDir(prefix = 'xrfmaps-ml-test-'): Promise<string> {
  return fs.mkdtemp(path.join(os.tmpdir(), prefix));
}

function poisson(lambda: number, rand: () => number): number {
  if (lambda <= 0) return 0;
  if (lambda < 30) {
    const l = Math.exp(-lambda);
    let k = 0;
    let p = rand();
    while (p > l) {
      k++;
      p *= rand();
    }
    return k;
  }
  // Normal approximation (Box–Muller): accurate enough above 30 counts.
  const u = Math.max(rand(), 1e-12);
  const v = rand();
  const z = Math.sqrt(-2 * Math.log(u)) * Math.cos(2 * Math.PI * v);
  return Math.max(0, Math.round(lambda + Math.sqrt(lambda) * z));
}

/** A smooth map in [0, 1] with a zero region: a few random Gaussian blobs, shifted down and clipped. */
function blobMap(h: number, w: number, rand: () => number): Float32Array {
  const out = new Float32Array(h * w);
  const blobs = Array.from({ length: 3 }, () => ({ r: rand() * h, c: rand() * w, s: (0.2 + 0.3 * rand()) * Math.max(h, w), a: 0.5 + rand() }));
  let max = 0;
  for (let r = 0; r < h; r++)
    for (let c = 0; c < w; c++) {
      let v = 0;
      for (const b of blobs) v += b.a * Math.exp(-((r - b.r) ** 2 + (c - b.c) ** 2) / (2 * b.s * b.s));
      out[r * w + c] = v;
      max = Math.max(max, v);
    }
  // Clip the lowest ~25 % of the range to exactly 0: absent element.
  for (let i = 0; i < out.length; i++) out[i] = Math.max(0, out[i] / max - 0.25) / 0.75;
  return out;
}

export async function makePainting(dir: string, opts: PaintingOptions = {}): Promise<Painting> {
  const h = opts.height ?? 16;
  const w = opts.width ?? 16;
  const C = opts.channels ?? TEST_CHANNELS;
  const cal = opts.calibration ?? TEST_CAL;
  const lines = opts.lines ?? TEST_LINES;
  const seed = opts.seed ?? 1;
  const name = opts.name ?? `painting${seed}`;
  const rand = mulberry32(seed * 7919 + 17);
  const responses = lines.map((l) => familyResponse(l, cal, C));
  const maps = lines.map((_, j) => {
    const m = blobMap(h, w, rand);
    const amp = AMPLITUDE[j % AMPLITUDE.length];
    for (let i = 0; i < m.length; i++) m[i] = Math.round(m[i] * amp * 10) / 10;
    return m;
  });
  // A smooth continuum, like scattered tube radiation: about 0.3 counts per channel.
  const background = new Float64Array(C);
  for (let ch = 0; ch < C; ch++) background[ch] = 0.3 * Math.exp(-(cal.offsetKeV + cal.gainKeV * ch) / 12);
  const cube = new Float32Array(h * w * C);
  const expected = new Float64Array(C);
  for (let p = 0; p < h * w; p++) {
    expected.set(background);
    lines.forEach((_, j) => {
      const y = maps[j][p];
      if (y > 0) for (let ch = 0; ch < C; ch++) expected[ch] += y * responses[j][ch];
    });
    for (let ch = 0; ch < C; ch++) cube[p * C + ch] = poisson(expected[ch], rand);
    if (opts.pixelIndexInChannel0) cube[p * C] = p;
  }
  const scan = path.join(dir, `${name}.npy`);
  await writeNpy(scan, cube, [h, w, C]);
  const side = opts.sidecarCalibration === undefined ? cal : opts.sidecarCalibration;
  if (side) await fs.writeFile(path.join(dir, `${name}.json`), JSON.stringify({ calibration: side }));
  const truth = path.join(dir, `${name}-truth.npy`);
  const stacked = new Float32Array(h * w * lines.length);
  for (let p = 0; p < h * w; p++) lines.forEach((_, j) => (stacked[p * lines.length + j] = maps[j][p]));
  await writeNpy(truth, stacked, [h, w, lines.length]);
  await fs.writeFile(path.join(dir, `${name}-truth.json`), JSON.stringify({ lines }));
  return { scan, truth, height: h, width: w, maps };
}

/** Reads a prediction .npy written by predict (float32 H×W×k, header padded to 64 bytes). */
export async function readPrediction(file: string): Promise<{ shape: number[]; data: Float32Array }> {
  const bytes = await fs.readFile(file);
  const headerLen = bytes.readUInt16LE(8);
  const header = bytes.subarray(10, 10 + headerLen).toString('latin1');
  const shape = /'shape': \(([^)]*)\)/.exec(header)![1].split(',').map((s) => s.trim()).filter(Boolean).map(Number);
  const start = 10 + headerLen;
  const data = new Float32Array(bytes.buffer.slice(bytes.byteOffset + start, bytes.byteOffset + bytes.length));
  return { shape, data };
}

/** Pearson correlation of line j's prediction with its map. */
export function pearson(pred: Float32Array, map: Float32Array, j: number, k: number): number {
  const n = map.length;
  let mx = 0;
  let my = 0;
  for (let p = 0; p < n; p++) {
    mx += pred[p * k + j];
    my += map[p];
  }
  mx /= n;
  my /= n;
  let sxy = 0;
  let sxx = 0;
  let syy = 0;
  for (let p = 0; p < n; p++) {
    const a = pred[p * k + j] - mx;
    const b = map[p] - my;
    sxy += a * b;
    sxx += a * a;
    syy += b * b;
  }
  return sxy / Math.sqrt(sxx * syy);
}

/** A token that turns cancelled on its `trigger`-th read and counts the reads after that. */
export function countingToken(trigger: number): CancelToken & { reads: number } {
  const t = {
    reads: 0,
    get cancelled() {
      t.reads++;
      return t.reads >= trigger;
    },
    throwIfCancelled() {},
  };
  return t;
}

/**
 * Runs a prediction that is cancelled once `stopAt` rows are reported done; it must reject with
 * CancelledError. Returns the rows reported done, in order.
 */
export async function predictCancelledAt(input: PredictJobInput, blockRows: number, stopAt: number): Promise<number[]> {
  const ac = new AbortController();
  const seen: number[] = [];
  await assert.rejects(
    predictScan(input, {
      token: tokenFromSignal(ac.signal),
      blockRows,
      onProgress: (p) => {
        seen.push(p.done);
        if (p.done >= stopAt) ac.abort();
      },
    }),
    (e: Error) => e.name === 'CancelledError',
  );
  return seen;
}
