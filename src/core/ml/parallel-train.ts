/**
 * Data-parallel training steps. With T threads each batch of n spectra is cut into T contiguous
 * shards; this (the coordinating) thread computes the gradient of the first shard while T − 1 helper
 * threads (src/workers/train-shard.worker.ts, each with its own tfjs engine and a copy of the model
 * built by buildModel from the same spec) compute theirs from this thread's CURRENT weights. The
 * aL1 objective is a mean over the batch, so Σ (nᵢ/n)·gradᵢ is the full-batch gradient; it is
 * applied with the one Adam optimizer here, exactly as a one-thread step applies its own.
 *
 * Weights and gradients travel through SharedArrayBuffers: before every step the coordinator copies
 * its trainable weights into one shared buffer that all helpers read (1DCNN+: ~0.1 M floats; FCN:
 * 2.1 M), and each helper writes its gradients into its own shared buffer. Only the shard's spectra
 * and targets are posted, and transferred rather than copied.
 */
import type * as tfTypes from '@tensorflow/tfjs';
import type { TF } from './backend';
import type { BuildModelOptions } from './models';
import { HelperPool } from './helper-pool';
import { dropoutSeed, flatLayout, shardGradients, shardLoss, trainableVariables } from './train-step';
import { shardBounds } from './threads';

/** What a helper needs to build its copy of the model (workerData of train-shard.worker.ts). */
export interface TrainShardInit {
  /** The coordinator's active backend: 'wasm', 'cpu' or 'tensorflow'. */
  backend: string;
  spec: BuildModelOptions;
  targetScale: Float32Array;
  /** Shared, written by the coordinator before each step: the trainable weights, flat, in model order. */
  weights: SharedArrayBuffer;
  /** Shared, this helper's own: its shard's gradients, same layout. */
  grads: SharedArrayBuffer;
  /** Tests only: the helper throws at this (1-based) step. */
  failAtStep?: number;
}

export interface TrainShardRequest {
  /** 'step' (default): the shard's gradients; 'loss': only its validation aL1 (ε = 1, inference mode). */
  kind?: 'step' | 'loss';
  /** The shard's dropout seed (train-step.ts dropoutSeed). */
  seed?: number;
  n: number;
  x: Float32Array;
  y: Float32Array;
}

export interface TrainShardReply {
  reported: number;
  objective: number;
}

/** Tests only: make helper number `helper` (1-based) throw at step `step`, to test error handling. */
export const trainShardFaults: { helper?: number; step?: number } = {};

export class DataParallelTrainer {
  private readonly vars: tfTypes.Variable[];
  private readonly layout: ReturnType<typeof flatLayout>;
  private readonly weightsView?: Float32Array;
  private readonly gradViews: Float32Array[] = [];
  /** Steps taken, for the dropout seeds. */
  private steps = 0;
  /** The run's seed; the dropout masks of step t, shard s come from dropoutSeed(runSeed, t, s). */
  runSeed = 0;

  private constructor(
    private readonly tf: TF,
    private readonly model: tfTypes.LayersModel,
    private readonly optimizer: tfTypes.Optimizer,
    private readonly targetScale: tfTypes.Tensor,
    private readonly pool: HelperPool<TrainShardRequest, TrainShardReply> | undefined,
    weights: SharedArrayBuffer | undefined,
    grads: SharedArrayBuffer[],
  ) {
    this.vars = trainableVariables(model);
    this.layout = flatLayout(this.vars);
    if (weights) this.weightsView = new Float32Array(weights);
    this.gradViews = grads.map((g) => new Float32Array(g));
  }

  /**
   * Starts `threads` − 1 helpers (none for 1 thread) that build `spec` on `backend`. The model must
   * have been built from the same spec; `targetScale` is the tensor that turns outputs into counts.
   */
  static async start(
    tf: TF,
    model: tfTypes.LayersModel,
    optimizer: tfTypes.Optimizer,
    spec: BuildModelOptions,
    targetScale: tfTypes.Tensor,
    threads: number,
    backend: string,
  ): Promise<DataParallelTrainer> {
    if (threads <= 1) return new DataParallelTrainer(tf, model, optimizer, targetScale, undefined, undefined, []);
    const { total } = flatLayout(trainableVariables(model));
    const weights = new SharedArrayBuffer(total * 4);
    const grads = Array.from({ length: threads - 1 }, () => new SharedArrayBuffer(total * 4));
    const scale = targetScale.dataSync() as Float32Array;
    const inits = grads.map(
      (g, i): TrainShardInit => ({
        backend,
        spec,
        targetScale: scale,
        weights,
        grads: g,
        failAtStep: trainShardFaults.helper === i + 1 ? trainShardFaults.step : undefined,
      }),
    );
    const pool = await HelperPool.start<TrainShardRequest, TrainShardReply>('train-shard', inits, 'training helper thread');
    return new DataParallelTrainer(tf, model, optimizer, targetScale, pool, weights, grads);
  }

  /** Threads used per step (this one included). */
  get threads(): number {
    return 1 + (this.pool?.size ?? 0);
  }

  /**
   * One optimizer step on a batch of n spectra x (n×d, scaled) and targets y (n×k, counts).
   * Resolves with the batch's [reported aL1, objective], sample-weighted means of the shards'.
   */
  async step(n: number, x: Float32Array, y: Float32Array): Promise<[number, number]> {
    const { tf, vars } = this;
    const d = x.length / n;
    const k = y.length / n;
    const bounds = shardBounds(n, this.threads);
    const shards = bounds.length - 1;
    if (shards > 1) this.publishWeights();
    const step = ++this.steps;
    const replies: Promise<TrainShardReply>[] = [];
    for (let s = 1; s < shards; s++) {
      const [a, b] = [bounds[s], bounds[s + 1]];
      const xs = x.slice(a * d, b * d);
      const ys = y.slice(a * k, b * k);
      const seed = dropoutSeed(this.runSeed, step, s);
      replies.push(this.pool!.request(s - 1, { n: b - a, x: xs, y: ys, seed }, [xs.buffer, ys.buffer]));
    }
    // Never leave a rejected reply unobserved while this thread computes its own shard.
    const all = Promise.all(replies);
    all.catch(() => undefined);
    const n0 = bounds[1];
    const own = shardGradients(tf, this.model, vars, x.subarray(0, n0 * d), y.subarray(0, n0 * k), n0, this.targetScale, dropoutSeed(this.runSeed, step, 0));
    try {
      const done = await all;
      let reported = own.reported * n0;
      let objective = own.objective * n0;
      done.forEach((r, i) => {
        const ni = bounds[i + 2] - bounds[i + 1];
        reported += r.reported * ni;
        objective += r.objective * ni;
      });
      const combined = shards === 1 ? own.grads : this.combine(own.grads, bounds, n);
      const named: tfTypes.NamedTensorMap = {};
      vars.forEach((v, j) => (named[v.name] = combined[j]));
      this.optimizer.applyGradients(named);
      if (combined !== own.grads) tf.dispose(combined);
      return [reported / n, objective / n];
    } finally {
      tf.dispose(own.grads);
    }
  }

  /**
   * Validation aL1 (ε = 1, inference mode: no dropout) of n spectra with the current weights, its
   * shards computed on every thread like a step's. Training's serial part would otherwise grow with
   * the thread count: on 8 threads a one-thread validation of the 20 % share takes ~30 % of an epoch.
   */
  async loss(n: number, x: Float32Array, y: Float32Array): Promise<number> {
    const { tf } = this;
    const d = x.length / n;
    const k = y.length / n;
    const bounds = shardBounds(n, this.threads);
    const shards = bounds.length - 1;
    if (shards > 1) this.publishWeights();
    const replies: Promise<TrainShardReply>[] = [];
    for (let s = 1; s < shards; s++) {
      const [a, b] = [bounds[s], bounds[s + 1]];
      const xs = x.slice(a * d, b * d);
      const ys = y.slice(a * k, b * k);
      replies.push(this.pool!.request(s - 1, { kind: 'loss', n: b - a, x: xs, y: ys }, [xs.buffer, ys.buffer]));
    }
    const all = Promise.all(replies);
    all.catch(() => undefined);
    const n0 = bounds[1];
    let sum = shardLoss(tf, this.model, x.subarray(0, n0 * d), y.subarray(0, n0 * k), n0, this.targetScale) * n0;
    (await all).forEach((r, i) => (sum += r.reported * (bounds[i + 2] - bounds[i + 1])));
    return sum / n;
  }

  /** Σ (nᵢ/n)·gradᵢ, with the coordinator's shard first and the helpers' read from their shared buffers. */
  private combine(own: tfTypes.Tensor[], bounds: number[], n: number): tfTypes.Tensor[] {
    const { tf } = this;
    const { offsets, sizes } = this.layout;
    return tf.tidy(() =>
      own.map((g, j) => {
        let sum = tf.mul(g, bounds[1] / n);
        for (let s = 1; s < bounds.length - 1; s++) {
          const view = this.gradViews[s - 1].subarray(offsets[j], offsets[j] + sizes[j]);
          sum = tf.add(sum, tf.mul(tf.tensor(view, g.shape), (bounds[s + 1] - bounds[s]) / n));
        }
        return sum;
      }),
    );
  }

  private publishWeights(): void {
    const { offsets } = this.layout;
    this.vars.forEach((v, j) => this.weightsView!.set(v.dataSync() as Float32Array, offsets[j]));
  }

  /** Stops the helpers and waits until their threads have exited. Safe to call more than once. */
  async close(): Promise<void> {
    await this.pool?.close();
  }
}
