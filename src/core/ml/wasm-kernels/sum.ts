/**
 * Sum for the wasm backend when it reduces every axis but the last (the bias gradients of conv and
 * dense layers: [n, L, c] → [c]). The built-in kernel first transposes the whole tensor so the
 * reduced axes are innermost, then reduces; here one sequential JavaScript pass over the wasm heap
 * accumulates each column in float64 (as tfjs's cpu kernel does). A matrix product with ones is no
 * better: XNNPACK repacks the large operand on every call. Everything else uses the built-in kernel.
 */
import type * as tfTypes from '@tensorflow/tfjs';
import type { TensorInfo } from '@tensorflow/tfjs';
import { type Fallback, type KernelArgs, type TF, replaceWasmKernel } from './replace';
import { heapAccess } from './heap';

/** Below this many elements the built-in kernel is as fast. */
const MIN_SIZE = 1 << 14;

export function registerSum(tf: TF): void {
  replaceWasmKernel(tf, 'Sum', (fallback: Fallback) => (args: KernelArgs): TensorInfo | TensorInfo[] => {
    const x = args.inputs.x as tfTypes.Tensor;
    const { axis, keepDims } = (args.attrs ?? {}) as { axis: number | number[]; keepDims: boolean };
    const r = x.rank;
    const axes = tf.util.parseAxisParam(axis, x.shape).sort((a, b) => a - b);
    const leading = r >= 2 && axes.length === r - 1 && axes.every((a, i) => a === i);
    const heap = leading && x.dtype === 'float32' && x.size >= MIN_SIZE ? heapAccess(args.backend) : undefined;
    if (!heap) return fallback!(args);
    const c = x.shape[r - 1];
    const m = x.size / c;
    const out = heap.alloc(keepDims ? [...new Array<number>(r - 1).fill(1), c] : [c]);
    const X = heap.f32(x);
    const acc = new Float64Array(c);
    for (let i = 0; i < m; i++) {
      const base = i * c;
      for (let j = 0; j < c; j++) acc[j] += X[base + j];
    }
    heap.f32(out).set(acc);
    return out;
  });
}
