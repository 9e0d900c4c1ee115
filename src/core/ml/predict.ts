/**
 * Prediction: runs a model folder over a whole scan, streaming it in row blocks, and writes the maps
 * as float32 H×W×k .npy (k in the model's line order) with its `<base>.json` sidecar
 * `{"lines": [...], "model": {...}}`. Both are written atomically; a cancelled or failed run leaves
 * neither behind. The scan's channel count and calibration must match the model's (model-dir.ts).
 *
 * With `threads` T > 1, T − 1 helper threads (src/workers/predict-shard.worker.ts) each load the model
 * folder once; every row block is cut into T contiguous pixel ranges, this thread predicting the first
 * while the helpers predict theirs (their spectra are copied out of the block once and transferred,
 * their maps transferred back). The next block is read while the current one is predicted, and this
 * thread writes the .npy in order. Every spectrum goes through the same code in any thread, in
 * forward passes of PREDICT_BATCH spectra counted from the start of its range.
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
import { HelperPool } from './helper-pool';
import { resolveThreads, checkThreads, shardBounds } from './threads';

/** workerData of predict-shard.worker.ts. */
export interface PredictShardInit {
  modelDir: string;
  /** The coordinator's active backend. */
  backend: string;
}
/** Raw spectra (n×C counts); the helper scales them itself. */
export interface PredictShardRequest {
  n: number;
  x: Float32Array;
}
/** Maps in counts, n×k. */
export interface PredictShardReply {
  y: Float32Array;
}

/** Rows per block are chosen so one block of spectra stays under this many bytes of float32. */
const BLOCK_BYTES = 8 << 20;
/** Spectra per forward pass inside a block. */
const PREDICT_BATCH = 256;
/**
 * Below this many spectra, automatic threads stay at 1: starting a helper (its own tfjs engine and a
 * model load) takes ~0.5 s, more than a small scan takes to predict (FCN+: ~8000 spectra/s on one
 * thread; bench ml-pipeline measured 0.38× on 2 threads for 2304 spectra, 1DCNN+ 1.44×).
 */
const MIN_SPECTRA_FOR_AUTO_THREADS = 16384;

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
  checkThreads(input.threads);
  const backend = await initBackend(input.backend ?? 'auto');
  const { tf } = backend;
  const loaded = await loadModelDir(tf, input.modelDir);
  let pool: HelperPool<PredictShardRequest, PredictShardReply> | undefined;
  try {
    const cube = await openCube(input.scan, { dataset: input.dataset });
    try {
      checkScanMatchesModel(cube, await resolveCalibration(cube, input.calibration), loaded);
      // Helpers only where there is more than one forward pass of work for them to share.
      const spectra = cube.height * cube.width;
      const wanted = input.threads || spectra >= MIN_SPECTRA_FOR_AUTO_THREADS ? resolveThreads(input.threads, backend.name) : 1;
      const threads = Math.min(wanted, Math.ceil(spectra / PREDICT_BATCH));
      if (threads > 1) {
        token.throwIfCancelled();
        const init: PredictShardInit = { modelDir: loaded.dir, backend: backend.name };
        pool = await HelperPool.start<PredictShardRequest, PredictShardReply>('predict-shard', new Array(threads - 1).fill(init), 'prediction helper thread');
      }
      await predictCubeToNpy(tf, loaded, cube, out, token, opts.onProgress, opts.blockRows, pool);
      const { meta } = loaded;
      return { out, lines: [...meta.lines], height: cube.height, width: cube.width, seconds: (Date.now() - t0) / 1000 };
    } finally {
      await pool?.close();
      await cube.close();
    }
  } finally {
    loaded.model.dispose();
  }
}

/**
 * Maps of n raw spectra `x` (n×C counts; scaled IN PLACE), in counts: n×k. The one code path of every
 * thread, so a spectrum's maps do not depend on which thread predicted it.
 */
export function predictSpectra(tf: TF, loaded: Pick<LoadedModel, 'model' | 'meta'>, x: Float32Array, n: number): Float32Array {
  const { model, meta } = loaded;
  const C = meta.channels;
  scaleInputs(x, meta.preprocessing, n * C);
  const k = meta.lines.length;
  const result = new Float32Array(n * k);
  for (let p = 0; p < n; p += PREDICT_BATCH) {
    const m = Math.min(PREDICT_BATCH, n - p);
    const y = tf.tidy(() => {
      const xs = tf.tensor2d(x.subarray(p * C, (p + m) * C), [m, C]);
      return (model.predict(xs) as tfTypes.Tensor).dataSync() as Float32Array;
    });
    result.set(y, p * k);
  }
  outputsToCounts(result, meta.preprocessing);
  return result;
}

/** Predicts rows [row0, row0 + nRows) of a cube: float32 (nRows·W)×k, counts. For tests and the UI's previews. */
export async function predictRows(tf: TF, loaded: Pick<LoadedModel, 'model' | 'meta'>, cube: Cube, row0: number, nRows: number, buffer?: Float32Array): Promise<Float32Array> {
  const block = await cube.readRows(row0, nRows, buffer);
  return predictSpectra(tf, loaded, block, nRows * cube.width);
}

/** One row block's maps, its pixel ranges shared between this thread and the helpers. */
async function predictBlock(
  tf: TF,
  loaded: LoadedModel,
  block: Float32Array,
  n: number,
  pool: HelperPool<PredictShardRequest, PredictShardReply> | undefined,
): Promise<Float32Array> {
  const C = loaded.meta.channels;
  const k = loaded.meta.lines.length;
  const bounds = shardBounds(n, 1 + (pool?.size ?? 0));
  const replies: Promise<PredictShardReply>[] = [];
  for (let s = 1; s < bounds.length - 1; s++) {
    // One copy out of the block (it is refilled by the next read), then transferred, not copied again.
    const x = block.slice(bounds[s] * C, bounds[s + 1] * C);
    replies.push(pool!.request(s - 1, { n: bounds[s + 1] - bounds[s], x }, [x.buffer]));
  }
  const all = Promise.all(replies);
  all.catch(() => undefined); // observed below, after this thread's own range
  const own = predictSpectra(tf, loaded, block.subarray(0, bounds[1] * C), bounds[1]);
  const rest = await all;
  if (rest.length === 0) return own;
  const maps = new Float32Array(n * k);
  maps.set(own, 0);
  rest.forEach((r, i) => maps.set(r.y, bounds[i + 1] * k));
  return maps;
}

/**
 * Predict an open cube into `out` (float32 H×W×k .npy, then its sidecar; atomically): what predictScan
 * does once it has opened the scan and checked it against the model. Exported for callers (and tests)
 * that hold the cube themselves.
 */
export async function predictCubeToNpy(
  tf: TF,
  loaded: LoadedModel,
  cube: Cube,
  out: string,
  token: CancelToken,
  onProgress?: ProgressSink,
  blockRows?: number,
  pool?: HelperPool<PredictShardRequest, PredictShardReply>,
): Promise<void> {
  const { meta } = loaded;
  const { height: H, width: W, channels: C } = cube;
  const k = meta.lines.length;
  // A compressed HDF5 scan in large chunks offers tiles (see Cube.tileShape): row blocks would inflate
  // every chunk they touch again, tiles inflate each chunk once. An explicit blockRows keeps rows.
  const tiles = !(blockRows && blockRows >= 1) && cube.tileShape && cube.readTile ? cube.tileShape : undefined;
  const rowsPerBlock = tiles ? tiles.rows : blockRows && blockRows >= 1 ? Math.floor(blockRows) : Math.max(1, Math.floor(BLOCK_BYTES / (W * C * 4)));
  token.throwIfCancelled();
  const writer = await NpyStreamWriter.open(out, '<f4', [H, W, k]);
  let sidecarWritten = false;
  // Rows: two buffers, the next block is read into one while the other is predicted. Tiles: one
  // tile buffer (HDF5 reads are synchronous: nothing to overlap) and one band of outputs.
  const buffers = tiles
    ? [new Float32Array(Math.min(tiles.rows, H) * Math.min(tiles.cols, W) * C)]
    : [new Float32Array(Math.min(rowsPerBlock, H) * W * C), new Float32Array(Math.min(rowsPerBlock, H) * W * C)];
  const read = (r0: number, which: number) => cube.readRows(r0, Math.min(rowsPerBlock, H - r0), buffers[which]);
  let next: Promise<Float32Array> | undefined = tiles ? undefined : read(0, 0);
  /** Rows [r0, r0 + n) tile by tile: each tile's maps go to their columns of the band. */
  const predictBand = async (r0: number, n: number): Promise<Float32Array> => {
    const band = new Float32Array(n * W * k);
    for (let c0 = 0; c0 < W; c0 += tiles!.cols) {
      token.throwIfCancelled();
      const nc = Math.min(tiles!.cols, W - c0);
      await cube.readTile!(r0, n, c0, nc, buffers[0]);
      const maps = await predictBlock(tf, loaded, buffers[0], n * nc, pool);
      for (let r = 0; r < n; r++) band.set(maps.subarray(r * nc * k, (r + 1) * nc * k), (r * W + c0) * k);
    }
    return band;
  };
  try {
    onProgress?.({ done: 0, total: H, message: `predicting ${meta.lines.length} maps with ${meta.architecture}${pool ? ` on ${pool.size + 1} threads` : ''}` });
    for (let r0 = 0, b = 0; r0 < H; r0 += rowsPerBlock, b++) {
      const n = Math.min(rowsPerBlock, H - r0);
      let maps: Float32Array;
      if (tiles) {
        maps = await predictBand(r0, n);
      } else {
        const block = await next!;
        next = undefined;
        token.throwIfCancelled();
        if (r0 + rowsPerBlock < H) next = read(r0 + rowsPerBlock, (b + 1) % 2);
        maps = await predictBlock(tf, loaded, block, n * W, pool);
      }
      await writer.write(maps);
      onProgress?.({ done: r0 + n, total: H, message: `row ${r0 + n} of ${H}` });
    }
    token.throwIfCancelled();
    const sidecar = {
      lines: meta.lines,
      model: { name: meta.name, dir: path.resolve(loaded.dir), architecture: meta.architecture, bestEpoch: meta.bestEpoch },
      scan: path.resolve(cube.path),
      ...(cube.datasetPath ? { dataset: cube.datasetPath } : {}),
      units: 'counts',
      created: new Date().toISOString(),
    };
    // The sidecar goes first so that whoever sees the .npy appear (a file watcher, the maps view, a script)
    // also finds its line names; the .npy's rename is the last step and the only one left to fail.
    await writeFileAtomic(sidecarPath(out), JSON.stringify(sidecar, null, 2) + '\n');
    sidecarWritten = true;
    await writer.commit();
  } catch (e) {
    // Never leave a read running against a cube that is about to be closed.
    await next?.catch(() => undefined);
    if (sidecarWritten) await fs.rm(sidecarPath(out), { force: true });
    await writer.abort();
    throw e;
  }
}
