/**
 * Training (thesis §5.2): Adam at lr 1e-3 on the aL1 loss, up to `epochs` epochs over the strided,
 * shuffled 80 % training share, validation aL1 after each epoch, early stopping after `patience`
 * epochs without a better validation loss, and the best validation checkpoint restored at the end.
 *
 * Batches stream from the temporary sample file (the next batch is read while the current one
 * trains). With `threads` > 1 every batch is split over helper threads (parallel-train.ts); the
 * helpers are stopped, and their threads have exited, before trainModel resolves or rejects.
 * Cancellation is checked before every batch: a cancelled run stops within one batch, keeps the
 * best weights so far (or, before the first epoch ends, the current ones) and still writes a
 * complete, loadable model folder, with `cancelled: true`. A cancel while the training data is
 * still being read (before any model exists) rejects with CancelledError instead and writes nothing.
 */
import type * as tfTypes from '@tensorflow/tfjs';
import * as path from 'node:path';
import { normalizeLineName } from '../lines';
import { NEVER_CANCELLED, type CancelToken, type ProgressSink } from '../util/progress';
import { initBackend } from './backend';
import { buildModel, describeModel, isPriorArch, MODEL_ARCHS } from './models';
import { setDropoutSeed, TRAIN_AL1_EPSILON } from './train-step';
import { DataParallelTrainer } from './parallel-train';
import { resolveThreads, checkThreads } from './threads';
import { priorMatrix, hasLineFamily } from '../physics/index';
import { prepareTrainingData, type TrainingData } from './dataset';
import { epochOrder } from './dataset-sampling';
import type { SampleStore } from './dataset-store';
import type { Preprocessing } from './preprocess';
import { assertAbsent, versions, writeModelDir, PRIOR_FILE, MODEL_FORMAT, MODEL_FORMAT_VERSION, type ModelMetadata } from './model-dir';
import { formatEpochEvent, type TrainEvent, type TrainJobInput, type TrainJobResult } from './jobs';

export { TRAIN_AL1_EPSILON } from './train-step';
export const LEARNING_RATE = 1e-3;

export interface TrainOptions {
  onEvent?: (e: TrainEvent) => void;
  onProgress?: ProgressSink;
  token?: CancelToken;
  /** Parent folder for the temporary sample file (default: the OS temp folder). */
  tempParent?: string;
}

/** One batch as the network sees it: scaled spectra (n×d) and targets in counts (n×k). */
interface Batch {
  n: number;
  x: Float32Array;
  y: Float32Array;
}

export async function trainModel(input: TrainJobInput, opts: TrainOptions = {}): Promise<TrainJobResult> {
  const token = opts.token ?? NEVER_CANCELLED;
  const emit = opts.onEvent ?? (() => undefined);
  const log = (message: string) => emit({ kind: 'log', message });
  checkSettings(input);
  const outDir = path.resolve(input.outDir);
  await assertAbsent(outDir);

  const backend = await initBackend(input.backend);
  const tf = backend.tf;
  emit({ kind: 'backend', name: backend.name, reason: backend.reason });
  opts.onProgress?.({ done: 0, total: input.epochs, message: 'reading training data' });

  const data = await prepareTrainingData(
    { train: input.train, lines: input.lines, calibration: input.calibration, stride: input.stride, valShare: input.valShare, seed: input.seed },
    { token, log, tempParent: opts.tempParent },
  );
  let model: tfTypes.LayersModel | undefined;
  let optimizer: tfTypes.Optimizer | undefined;
  let best: tfTypes.Tensor[] | undefined;
  let targetScale: tfTypes.Tensor | undefined;
  let trainer: DataParallelTrainer | undefined;
  try {
    const { store, split, lines, channels } = data;
    emit({ kind: 'data', trainSamples: split.train.length, valSamples: split.val.length });
    log(`${lines.length} lines (${lines.join(', ')}), ${channels} channels, calibration ${data.calibration.offsetKeV} keV + ${data.calibration.gainKeV} keV/channel (${data.calibration.source})`);

    const prior = isPriorArch(input.model) ? buildPrior(lines, input.extraPriorLines, data) : undefined;
    if (!prior && input.extraPriorLines?.length) log(`${input.model} has no prior layer: the extra prior lines (${input.extraPriorLines.join(', ')}) are not used`);
    const spec = {
      arch: input.model,
      channels,
      outputs: lines.length,
      prior: prior && { matrix: prior.matrix, rows: prior.lines.length },
      seed: input.seed,
    };
    model = buildModel(tf, spec);
    optimizer = tf.train.adam(LEARNING_RATE);
    const scaleT = tf.tensor1d(data.preprocessing.target.scale);
    targetScale = scaleT;
    const threads = Math.min(resolveThreads(input.threads, backend.name, undefined, input.model), input.batch);
    trainer = await DataParallelTrainer.start(tf, model, optimizer, spec, scaleT, threads, backend.name);
    trainer.runSeed = input.seed;
    if (threads > 1) log(`training on ${threads} threads (each batch of ${input.batch} split into ${threads} shards)`);

    const history = { train: [] as number[], val: [] as number[], trainObjective: [] as number[] };
    let bestEpoch = 0;
    let bestValLoss = NaN;
    let cancelled = false;
    let stoppedEarly = false;
    let epochsRun = 0;
    const started = Date.now();

    for (let epoch = 1; epoch <= input.epochs; epoch++) {
      const t0 = Date.now();
      const order = epochOrder(split.train, input.seed, epoch);
      // Per batch: the objective (ε = 10) drives the gradient; the aL1 with ε = 1 of the same predictions
      // is what the epoch reports, so the train and validation curves share one definition.
      const trainLosses = await runBatches(store, order, input.batch, data.preprocessing, token, (b) => trainer!.step(b.n, b.x, b.y));
      if (trainLosses === undefined) {
        cancelled = true;
        break;
      }
      const [trainLoss, trainObjective] = trainLosses;
      const trainSec = (Date.now() - t0) / 1000;
      const valLoss = await evaluateLoss(trainer, store, split.val, Math.max(input.batch, 256), data.preprocessing, token);
      if (valLoss === undefined) {
        cancelled = true;
        break;
      }
      epochsRun = epoch;
      history.train.push(trainLoss);
      history.val.push(valLoss);
      history.trainObjective.push(trainObjective);
      const improved = Number.isFinite(valLoss) && !(valLoss >= bestValLoss);
      if (improved) {
        bestEpoch = epoch;
        bestValLoss = valLoss;
        best?.forEach((t) => t.dispose());
        best = model.getWeights().map((w) => tf.clone(w));
      }
      const perEpochSec = (Date.now() - started) / 1000 / epoch;
      const event: TrainEvent = {
        kind: 'epoch',
        epoch,
        epochs: input.epochs,
        trainLoss,
        trainObjective,
        valLoss,
        samplesPerSec: split.train.length / Math.max(trainSec, 1e-6),
        etaSec: perEpochSec * (input.epochs - epoch),
        best: improved,
      };
      emit(event);
      opts.onProgress?.({ done: epoch, total: input.epochs, message: formatEpochEvent(event) });
      if (!Number.isFinite(trainLoss) || !Number.isFinite(valLoss)) {
        // Nothing finite to keep: a model of NaN weights would only fail later, when loaded.
        if (bestEpoch === 0) throw new Error(`training diverged in epoch ${epoch} (train aL1 ${trainLoss}, validation aL1 ${valLoss}); no model written`);
        log(`training diverged at epoch ${epoch} (train aL1 ${trainLoss}, val aL1 ${valLoss}); keeping epoch ${bestEpoch}`);
        stoppedEarly = true;
        break;
      }
      if (epoch - bestEpoch >= input.patience) {
        log(`early stop: no better validation aL1 for ${input.patience} epochs; best was epoch ${bestEpoch} (${bestValLoss.toFixed(4)})`);
        stoppedEarly = true;
        break;
      }
    }
    if (cancelled) log(bestEpoch > 0 ? `cancelled; keeping epoch ${bestEpoch}` : 'cancelled before the first epoch ended; saving the initial weights');
    if (best) model.setWeights(best);
    setDropoutSeed(model, undefined); // the saved config stays that of a plain, unseeded dropout layer

    const meta: ModelMetadata = {
      format: MODEL_FORMAT,
      formatVersion: MODEL_FORMAT_VERSION,
      name: path.basename(outDir),
      architecture: input.model,
      lines,
      channels,
      calibration: { offsetKeV: data.calibration.offsetKeV, gainKeV: data.calibration.gainKeV, source: data.calibration.source },
      preprocessing: data.preprocessing,
      prior: prior
        ? {
            lines: prior.lines,
            rows: prior.lines.length,
            file: PRIOR_FILE,
            source: 'physics priorMatrix(prior.lines, calibration, channels) with the default detector: L2-normalized pure spectra',
          }
        : null,
      training: {
        epochs: input.epochs,
        patience: input.patience,
        stride: input.stride,
        valShare: input.valShare,
        batch: input.batch,
        threads,
        seed: input.seed,
        optimizer: 'adam',
        learningRate: LEARNING_RATE,
        loss: 'aL1',
        trainLossEpsilon: TRAIN_AL1_EPSILON,
        trainSamples: split.train.length,
        valSamples: split.val.length,
        negativeTargetsClamped: data.negativeTargetsClamped,
      },
      history,
      epochsRun,
      bestEpoch,
      bestValLoss: Number.isFinite(bestValLoss) ? bestValLoss : null,
      stoppedEarly,
      cancelled,
      backend: { name: backend.name, reason: backend.reason },
      versions: versions(tf),
      data: data.scans.map((s) => ({ ...s })),
      layers: describeModel(model),
      created: new Date().toISOString(),
    };
    const modelDir = await writeModelDir(outDir, model, meta, prior?.matrix);
    log(`model saved to ${modelDir}`);
    return { modelDir, epochsRun, bestEpoch, bestValLoss, cancelled, history, backend: backend.name };
  } finally {
    // First: the helpers' threads must not outlive the run, whatever ended it.
    await trainer?.close();
    best?.forEach((t) => t.dispose());
    targetScale?.dispose();
    optimizer?.dispose();
    model?.dispose();
    await data.store.dispose();
  }
}

function checkSettings(input: TrainJobInput): void {
  const whole = (name: string, v: number, min: number) => {
    if (!Number.isInteger(v) || v < min) throw new Error(`${name} must be a whole number ≥ ${min}, got ${v}`);
  };
  if (!MODEL_ARCHS.includes(input.model)) throw new Error(`unknown model "${String(input.model)}"`);
  whole('epochs', input.epochs, 1);
  whole('patience', input.patience, 1);
  whole('stride', input.stride, 1);
  whole('batch', input.batch, 1);
  checkThreads(input.threads);
  if (!Number.isFinite(input.seed)) throw new Error(`seed must be a number, got ${input.seed}`);
  if (!(input.valShare > 0 && input.valShare < 1)) throw new Error(`the validation share must be between 0 and 1, got ${input.valShare}`);
  if (!input.outDir) throw new Error('no output folder given for the model');
  if (input.train.length === 0) throw new Error('no training scans given');
}

/** The prior layer's lines: the targets, then the extra pure spectra of thesis §6.2 (no duplicates). */
function buildPrior(lines: string[], extra: string[] | undefined, data: TrainingData): { lines: string[]; matrix: Float32Array } {
  const all = [...lines];
  for (const raw of extra ?? []) {
    const l = normalizeLineName(raw);
    if (!all.includes(l)) all.push(l);
  }
  const missing = all.filter((l) => !hasLineFamily(l));
  if (missing.length > 0) throw new Error(`no emission-line data for ${missing.join(', ')}: cannot build the prior layer's pure spectra`);
  try {
    return { lines: all, matrix: priorMatrix(all, data.calibration, data.channels) };
  } catch (e) {
    throw new Error(`cannot build the prior layer: ${(e as Error).message}`);
  }
}

/** Splits a record batch [spectrum…, targets…]×n into scaled spectra and raw targets. */
function unpack(rec: Float32Array, n: number, d: number, k: number, pre: Preprocessing): Batch {
  const x = new Float32Array(n * d);
  const y = new Float32Array(n * k);
  const s = pre.input.scale;
  for (let i = 0; i < n; i++) {
    const r = i * (d + k);
    for (let c = 0; c < d; c++) x[i * d + c] = rec[r + c] * s;
    for (let j = 0; j < k; j++) y[i * k + j] = rec[r + d + j];
  }
  return { n, x, y };
}

/**
 * Feeds `order` to `step` in batches, reading batch b+1 while batch b runs. Returns the
 * sample-weighted mean of the step results, or undefined when cancelled (checked before every batch).
 */
async function runBatches(
  store: SampleStore,
  order: Uint32Array,
  batch: number,
  pre: Preprocessing,
  token: CancelToken,
  step: (b: Batch) => [number, number] | Promise<[number, number]>,
): Promise<[number, number] | undefined> {
  const d = store.channels;
  const k = store.outputs;
  const load = async (from: number): Promise<Batch> => {
    const to = Math.min(from + batch, order.length);
    const rec = await store.read(order, from, to, new Float32Array((to - from) * (d + k)));
    return unpack(rec, to - from, d, k, pre);
  };
  let next: Promise<Batch> | undefined = load(0);
  const sums = [0, 0];
  let seen = 0;
  try {
    for (let from = 0; from < order.length; from += batch) {
      const current: Batch = await next!;
      next = from + batch < order.length ? load(from + batch) : undefined;
      if (token.cancelled) return undefined;
      const [a, b] = await step(current);
      sums[0] += a * current.n;
      sums[1] += b * current.n;
      seen += current.n;
    }
  } finally {
    // Never leave a read running against a file that is about to be closed.
    await next?.catch(() => undefined);
  }
  return [sums[0] / seen, sums[1] / seen];
}

/** Validation aL1 (counts) over `samples`, in inference mode (no dropout), each batch shared by the trainer's threads. */
async function evaluateLoss(
  trainer: DataParallelTrainer,
  store: SampleStore,
  samples: Uint32Array,
  batch: number,
  pre: Preprocessing,
  token: CancelToken,
): Promise<number | undefined> {
  const losses = await runBatches(store, samples, batch, pre, token, async (b) => {
    const loss = await trainer.loss(b.n, b.x, b.y);
    return [loss, loss];
  });
  return losses?.[0];
}
