/**
 * Sum for the wasm backend when it reduces every axis but the last (the bias gradients of conv and
 * dense layers: [n, L, c] → [c]). The built-in kernel first transposes the whole tensor so the
 * reduced axes are innermost (≈60 ms for the first conv of a 1DCNN+ batch); as ones[1, M] · x[M, c]
 * it is one XNNPACK matrix product that reads x once. Everything else uses the built-in kernel.
 */
import type * as tfTypes from '@tensorflow/tfjs';
import type { TensorInfo } from '@tensorflow/tfjs';
import { type Fallback, type KernelArgs, type TF, replaceWasmKernel } from './replace';

/** Below this many elements the built-in kernel is as fast and the detour is not worth it. */
const MIN_SIZE = 1 << 16;

export function registerSum(tf: TF): void {
  replaceWasmKernel(tf, 'Sum', (fallback: Fallback) => (args: KernelArgs): TensorInfo | TensorInfo[] => {
    const x = args.inputs.x as tfTypes.Tensor;
    const { axis, keepDims } = (args.attrs ?? {}) as { axis: number | number[]; keepDims: boolean };
    const r = x.rank;
    const axes = tf.util.parseAxisParam(axis, x.shape).sort((a, b) => a - b);
    const leading = r >= 2 && axes.length === r - 1 && axes.every((a, i) => a === i);
    if (!leading || x.dtype !== 'float32' || x.size < MIN_SIZE) return fallback!(args);
    const c = x.shape[r - 1];
    const m = x.size / c;
    return tf.tidy(() => {
      const s = tf.matMul(tf.ones([1, m]), tf.reshape(x, [m, c]));
      return tf.reshape(s, keepDims ? [...new Array(r - 1).fill(1), c] : [c]);
    });
  });
}
