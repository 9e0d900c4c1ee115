/**
 * Prediction: runs a model folder over a whole scan, streaming it in row blocks, and writes the maps
 * as float32 H×W×k .npy (k in the model's line order) with its `<base>.json` sidecar
 * `{"lines": [...], "model": {...}}`. Both are written atomically; a cancelled or failed run leaves
 * neither behind. The scan's channel count and calibration must match the model's (model-dir.ts).
 */
import type * as tfTypes from '@tensorflow/tfjs';
import * as path from 'node:path';
import { promises as fs } from 'node:fs';
import type { Cube } from '../cube/cube';
import { openCube } from '../cube/open';
import { resolveCalibration } from '../cube/calibration';
import { XrfInputError } from '../errors';
import { writeFileAtomic } from '../io/atomic';
import { NpyStreamWriter } from '../io/npy-write';
import { NEVER_CANCELLED, type CancelToken, type ProgressSink } from '../util/progress';
import { initBackend, type TF } from './backend';
import { checkScanMatchesModel, loadModelDir, type LoadedModel } from './model-dir';
import { outputsToCounts, scaleInputs } from './preprocess';
import type { PredictJobInput, PredictJobResult } from './jobs';

/** Rows per block are chosen so one block of spectra stays under this many bytes of float32. */
const BLOCK_BYTES = 8 << 20;
/** Spectra per forward pass inside a block. */
const PREDICT_BATCH = 256;

export interface PredictOptions {
  onProgress?: ProgressSink;
  token?: CancelToken;
  /** Rows per block (default: as many as fit in 8 MB of spectra); also the granularity of cancel. */
  blockRows?: number;
}

/** The sidecar of a prediction: "maps.npy" → "maps.json". */
export function sidecarPath(npyPath: string): string {
  const ext = path.extname(npyPath);
  return (ext.toLowerCase() === '.npy' ? npyPath.slice(0, -ext.length) : npyPath) + '.json';
}

export async function predictScan(input: PredictJobInput, opts: PredictOptions = {}): Promise<PredictJobResult> {
  const t0 = Date.now();
  const token = opts.token ?? NEVER_CANCELLED;
  const out = path.resolve(input.out);
  if (out === path.resolve(input.scan)) throw new XrfInputError(input.scan, 'the prediction would overwrite the scan itself; choose another output');
  const { tf } = await initBackend(input.backend ?? 'auto');
  const loaded = await loadModelDir(tf, input.modelDir);
  try {
    const cube = await openCube(input.scan, { dataset: input.dataset });
    try {
      checkScanMatchesModel(cube, await resolveCalibration(cube, input.calibration), loaded);
      await predictCubeToNpy(tf, loaded, cube, out, token, opts.onProgress, opts.blockRows);
      const { meta } = loaded;
      return { out, lines: [...meta.lines], height: cube.height, width: cube.width, seconds: (Date.now() - t0) / 1000 };
    } finally {
      await cube.close();
    }
  } finally {
    loaded.model.dispose();
  }
}

/** Predicts rows [row0, row0 + nRows) of a cube: float32 (nRows·W)×k, counts. For tests and the UI's previews. */
export async function predictRows(tf: TF, loaded: Pick<LoadedModel, 'model' | 'meta'>, cube: Cube, row0: number, nRows: number, buffer?: Float32Array): Promise<Float32Array> {
  const { model, meta } = loaded;
  const C = cube.channels;
  const n = nRows * cube.width;
  const block = await cube.readRows(row0, nRows, buffer);
  scaleInputs(block, meta.preprocessing, n * C);
  const k = meta.lines.length;
  const result = new Float32Array(n * k);
  for (let p = 0; p < n; p += PREDICT_BATCH) {
    const m = Math.min(PREDICT_BATCH, n - p);
    const y = tf.tidy(() => {
      const xs = tf.tensor2d(block.subarray(p * C, (p + m) * C), [m, C]);
      return (model.predict(xs) as tfTypes.Tensor).dataSync() as Float32Array;
    });
    result.set(y, p * k);
  }
  outputsToCounts(result, meta.preprocessing);
  return result;
}

async function predictCubeToNpy(
  tf: TF,
  loaded: LoadedModel,
  cube: Cube,
  out: string,
  token: CancelToken,
  onProgress?: ProgressSink,
  blockRows?: number,
): Promise<void> {
  const { meta } = loaded;
  const { height: H, width: W, channels: C } = cube;
  const k = meta.lines.length;
  const rowsPerBlock = blockRows && blockRows >= 1 ? Math.floor(blockRows) : Math.max(1, Math.floor(BLOCK_BYTES / (W * C * 4)));
  token.throwIfCancelled();
  const writer = await NpyStreamWriter.open(out, '<f4', [H, W, k]);
  let committed = false;
  try {
    let buffer: Float32Array | undefined;
    onProgress?.({ done: 0, total: H, message: `predicting ${meta.lines.length} maps with ${meta.architecture}` });
    for (let r0 = 0; r0 < H; r0 += rowsPerBlock) {
      token.throwIfCancelled();
      const n = Math.min(rowsPerBlock, H - r0);
      if (!buffer || buffer.length < n * W * C) buffer = new Float32Array(n * W * C);
      const maps = await predictRows(tf, loaded, cube, r0, n, buffer);
      await writer.write(maps);
      onProgress?.({ done: r0 + n, total: H, message: `row ${r0 + n} of ${H}` });
    }
    token.throwIfCancelled();
    await writer.commit();
    committed = true;
    const sidecar = {
      lines: meta.lines,
      model: { name: meta.name, dir: path.resolve(loaded.dir), architecture: meta.architecture, bestEpoch: meta.bestEpoch },
      scan: path.resolve(cube.path),
      ...(cube.datasetPath ? { dataset: cube.datasetPath } : {}),
      units: 'counts',
      created: new Date().toISOString(),
    };
    await writeFileAtomic(sidecarPath(out), JSON.stringify(sidecar, null, 2) + '\n');
  } catch (e) {
    if (committed) await fs.rm(out, { force: true });
    else await writer.abort();
    throw e;
  }
}
