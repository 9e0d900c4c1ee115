/**
 * The adaptive L1 loss of thesis eq. 4.1: aL1 = mean(|y − ŷ| / √y).
 *
 * The thesis's targets are counts (non-negative integers), and √y is their Poisson standard
 * deviation, so aL1 weighs each error by the noise of its target. Where y = 0 the formula divides
 * by zero; we divide by √max(y, ε) with ε = 1 count instead: a pixel with 0 (or, for bad input, a
 * negative or fractional) expected count is weighted like one with 1 count. This keeps the loss and
 * its gradient finite everywhere and changes nothing for y ≥ 1. The mean runs over all N·k values.
 */
import type * as tfTypes from '@tensorflow/tfjs';
import type { TF } from './backend';

export const AL1_EPSILON = 1;

export function aL1(tf: TF, yTrue: tfTypes.Tensor, yPred: tfTypes.Tensor, epsilon = AL1_EPSILON): tfTypes.Scalar {
  return tf.tidy(() => {
    const weight = tf.rsqrt(tf.maximum(yTrue, epsilon));
    return tf.mean(tf.mul(tf.abs(tf.sub(yTrue, yPred)), weight)) as tfTypes.Scalar;
  });
}

/** aL1 as a (yTrue, yPred) loss function for model.compile / custom loops. */
export function aL1LossFn(tf: TF, epsilon = AL1_EPSILON): (yTrue: tfTypes.Tensor, yPred: tfTypes.Tensor) => tfTypes.Scalar {
  return (yTrue, yPred) => aL1(tf, yTrue, yPred, epsilon);
}

/** The same loss on plain numbers (float64), for tests and metrics. */
export function aL1Numbers(y: ArrayLike<number>, yhat: ArrayLike<number>, epsilon = AL1_EPSILON): number {
  if (y.length !== yhat.length) throw new Error(`aL1: ${y.length} targets but ${yhat.length} predictions`);
  if (y.length === 0) throw new Error('aL1: no values');
  let s = 0;
  for (let i = 0; i < y.length; i++) s += Math.abs(y[i] - yhat[i]) / Math.sqrt(Math.max(y[i], epsilon));
  return s / y.length;
}
