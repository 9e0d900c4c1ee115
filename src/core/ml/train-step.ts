/**
 * The gradient of one batch (or one shard of a batch), shared by the training thread and its helper
 * threads so both compute exactly the same thing: the model in training mode (dropout on), outputs
 * scaled to counts, the aL1 objective with ε = TRAIN_AL1_EPSILON for the gradient, and the aL1 with
 * ε = 1 of the same predictions for the reported curve.
 */
import type * as tfTypes from '@tensorflow/tfjs';
import type { TF } from './backend';
import { aL1, AL1_EPSILON } from './loss';

/**
 * The ε of the aL1 used for the gradient: |y − ŷ| / √max(y, ε). The thesis's formula has no ε; we need one
 * for y = 0, and ε = 1 (what validation and every reported figure use) is too small to TRAIN with when many
 * targets are exactly 0 (an element absent from most of a painting): each zero target then weighs ~20×
 * a pixel of a few hundred counts, ~90 % of the initial gradient comes from them, and the CNNs settle on a
 * near-constant output with dead last-layer filters for ~25 epochs. ε = 10 leaves every target of ≥ 10
 * counts weighted as the thesis weighs it and lets 1DCNN/1DCNN+ reach r ≥ 0.98 on the strong maps of the
 * `tiny` paintings within 8 epochs (measured: docs/experiments.md, "Training loss").
 */
export const TRAIN_AL1_EPSILON = 10;

export interface ShardGradients {
  /** One gradient per trainable variable, in the order of `vars` (the caller disposes them). */
  grads: tfTypes.Tensor[];
  /** aL1 (ε = 1) of the shard's predictions: the reported train loss. */
  reported: number;
  /** aL1 (ε = TRAIN_AL1_EPSILON): the objective the gradient follows. */
  objective: number;
}

/** The trainable variables of a model, in a fixed order (the same in every thread that built it from the same spec). */
export function trainableVariables(model: tfTypes.LayersModel): tfTypes.Variable[] {
  return model.trainableWeights.map((w) => w.read() as tfTypes.Variable);
}

/**
 * Seeds the model's dropout layers for the next training-mode call (undefined: unseeded again, as a saved
 * model's config should be). tfjs's Dropout draws its mask from `this.seed` on every call, so a seed
 * given once when the layer is built would repeat one mask forever; setting a new seed per step and
 * shard (dropoutSeed) keeps masks fresh and makes a run with the same seed and thread count repeatable.
 */
export function setDropoutSeed(model: tfTypes.LayersModel, seed: number | undefined): void {
  for (const layer of model.layers) if (layer.getClassName() === 'Dropout') (layer as unknown as { seed?: number }).seed = seed;
}

/** The dropout seed of one shard of one step: a 32-bit mix of the run's seed, the step and the shard. */
export function dropoutSeed(runSeed: number, step: number, shard: number): number {
  let h = (Math.imul(runSeed | 0, 0x9e3779b1) ^ Math.imul(step, 0x85ebca77) ^ Math.imul(shard + 1, 0xc2b2ae3d)) >>> 0;
  h = Math.imul(h ^ (h >>> 16), 0x7feb352d) >>> 0;
  h = Math.imul(h ^ (h >>> 15), 0x846ca68b) >>> 0;
  return (h ^ (h >>> 16)) >>> 0;
}

/**
 * Gradients of the mean objective over `n` spectra `x` (n×d, scaled) with targets `y` (n×k, counts).
 * `targetScale` (k) turns the network's outputs into counts; `seed` seeds the dropout masks (dropoutSeed).
 */
export function shardGradients(
  tf: TF,
  model: tfTypes.LayersModel,
  vars: tfTypes.Variable[],
  x: Float32Array,
  y: Float32Array,
  n: number,
  targetScale: tfTypes.Tensor,
  seed?: number,
): ShardGradients {
  setDropoutSeed(model, seed);
  const d = x.length / n;
  const k = y.length / n;
  const xs = tf.tensor2d(x, [n, d]);
  const ys = tf.tensor2d(y, [n, k]);
  let reported: tfTypes.Scalar | undefined;
  try {
    const { value, grads } = tf.variableGrads(() => {
      const pred = tf.mul(model.apply(xs, { training: true }) as tfTypes.Tensor, targetScale);
      // Kept: the gradient tape disposes everything of the forward pass but its result.
      reported = tf.keep(aL1(tf, ys, pred, AL1_EPSILON));
      return aL1(tf, ys, pred, TRAIN_AL1_EPSILON);
    }, vars);
    const objective = value.dataSync()[0];
    value.dispose();
    return { grads: vars.map((v) => grads[v.name]), reported: reported!.dataSync()[0], objective };
  } finally {
    reported?.dispose();
    xs.dispose();
    ys.dispose();
  }
}

/** Validation aL1 (ε = 1) of `n` spectra in inference mode (no dropout), outputs scaled to counts. */
export function shardLoss(tf: TF, model: tfTypes.LayersModel, x: Float32Array, y: Float32Array, n: number, targetScale: tfTypes.Tensor): number {
  return tf.tidy(() => {
    const xs = tf.tensor2d(x, [n, x.length / n]);
    const ys = tf.tensor2d(y, [n, y.length / n]);
    return aL1(tf, ys, tf.mul(model.apply(xs, { training: false }) as tfTypes.Tensor, targetScale)).dataSync()[0];
  });
}

/** Total number of floats in `vars`, and each variable's offset in a flat buffer of them. */
export function flatLayout(vars: { shape: number[] }[]): { total: number; offsets: number[]; sizes: number[] } {
  const sizes = vars.map((v) => v.shape.reduce((a, b) => a * b, 1));
  const offsets: number[] = [];
  let total = 0;
  for (const s of sizes) {
    offsets.push(total);
    total += s;
  }
  return { total, offsets, sizes };
}
