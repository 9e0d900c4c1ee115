/**
 * Renders rows of one painting: scene → layer stacks → component amplitudes → ground truth and a
 * Poisson-sampled spectrum per pixel, written straight into a preallocated scan file at each row's
 * offset. Runs in a worker thread (or in process for small jobs); rows are independent (each has its
 * own random stream), so any split of rows over workers gives the same bytes.
 */
import { openSync, writeSync, closeSync } from 'node:fs';
import { PRESETS, scaledSize, type PresetName } from './presets';
import { iconScene, SceneSampler, STATE } from './scene';
import { SpectrumModel } from './model';
import { Rng, hash32 } from './rng';
import type { CancelToken } from '../util/progress';

export interface RenderJob {
  preset: PresetName;
  paintingIndex: number;
  seed: number;
  scale: number;
  lines: string[];
  /** Pulse-pair resolving time for pile-up sum peaks (s); 0 = none. */
  pileupS: number;
  /** Preallocated scan file; row r lands at dataOffset + r·W·C·2 bytes (u2, pixel-major). */
  scanPath: string;
  dataOffset: number;
  /** Half-open row ranges [r0, r1) to render. */
  blocks: [number, number][];
}

export interface RenderResult {
  /** Ground truth of the job's rows, block after block: (r1 − r0)·W·k float32 each. */
  truth: Float32Array;
  totalCounts: number;
  /** Channels whose count exceeded 65535 and was clipped (should stay 0). */
  saturated: number;
}

/** The scene key of painting `index` under `seed`: the painting's own seed. */
export function paintingKey(seed: number, index: number): number {
  return hash32(seed, index, 0x1c0);
}

/** Scene and model of one painting (shared by the renderer, tests and docs). */
export function paintingSetup(preset: PresetName, index: number, seed: number, scale: number, lines: readonly string[], pileupS = 0) {
  const p = PRESETS[preset];
  const spec = p.paintings[index];
  const { height, width } = scaledSize(spec, scale);
  const scene = iconScene(paintingKey(seed, index), height, width, spec.design);
  const model = new SpectrumModel({ cal: p.calibration, channels: p.channels, tubeKV: p.tubeKV, lines, pileupResolvingTimeS: pileupS });
  return { preset: p, spec, height, width, scene, sampler: new SceneSampler(scene), model, dwellS: spec.dwellMs / 1000 };
}

export function renderRows(job: RenderJob, token?: CancelToken, onRow?: () => void): RenderResult {
  const { height, width: W, sampler, model, dwellS, preset } = paintingSetup(job.preset, job.paintingIndex, job.seed, job.scale, job.lines, job.pileupS);
  const C = preset.channels;
  const k = model.lines.length;
  const nRows = job.blocks.reduce((s, [a, b]) => s + (b - a), 0);
  const truth = new Float32Array(nRows * W * k);
  const stateRow = new Float64Array(W * STATE.length);
  const amp = new Float64Array(model.components.length);
  const counts = new Float64Array(model.components.length);
  const rowU16 = new Uint16Array(W * C);
  const rowBytes = new Uint8Array(rowU16.buffer);
  let totalCounts = 0;
  let t = 0;
  const pixelKey = paintingKey(job.seed, job.paintingIndex);
  const fd = openSync(job.scanPath, 'r+');
  try {
    for (const [r0, r1] of job.blocks) {
      if (r0 < 0 || r1 > height || r0 >= r1) throw new RangeError(`render: bad row block [${r0}, ${r1}) for height ${height}`);
      for (let r = r0; r < r1; r++) {
        token?.throwIfCancelled();
        sampler.row(r, stateRow);
        const rng = new Rng(pixelKey, r, 0x5eed);
        rowU16.fill(0);
        for (let c = 0; c < W; c++) {
          model.amplitudes(stateRow, amp, c * STATE.length);
          model.expectedCounts(amp, dwellS, counts);
          model.truth(counts, truth, t);
          t += k;
          totalCounts += model.sample(counts, rng, rowU16, c * C);
        }
        writeAll(fd, rowBytes, job.dataOffset + r * W * C * 2);
        onRow?.();
      }
    }
  } finally {
    closeSync(fd);
  }
  return { truth, totalCounts, saturated: model.clippedChannels };
}

function writeAll(fd: number, bytes: Uint8Array, position: number): void {
  let off = 0;
  while (off < bytes.length) off += writeSync(fd, bytes, off, bytes.length - off, position + off);
}
