/**
 * BatchMatMul for the wasm backend with transposeA: the built-in kernel handles a transposed left
 * operand in a slow path (≈440 ms for the FCN's first-layer weight gradient xᵀ·dy, [4096 × 64] ·
 * [64 × 512], against ≈65 ms for the forward product of the same size). Transposing a explicitly
 * (a small, fast Transpose: a is the batch of activations) and calling the built-in kernel without
 * transposeA is 5-10× faster. Every other case goes straight to the built-in kernel.
 */
import type * as tfTypes from '@tensorflow/tfjs';
import type { TensorInfo } from '@tensorflow/tfjs';
import { type Fallback, type KernelArgs, type TF, replaceWasmKernel } from './replace';

export function registerBatchMatMul(tf: TF): void {
  replaceWasmKernel(tf, 'BatchMatMul', (fallback: Fallback) => (args: KernelArgs): TensorInfo | TensorInfo[] => {
    const attrs = (args.attrs ?? {}) as { transposeA?: boolean; transposeB?: boolean };
    const a = args.inputs.a as tfTypes.Tensor;
    if (!attrs.transposeA || a.dtype !== 'float32' || a.rank < 2) return fallback!(args);
    const perm = [...Array(a.rank).keys()];
    [perm[a.rank - 2], perm[a.rank - 1]] = [perm[a.rank - 1], perm[a.rank - 2]];
    const at = tf.transpose(a, perm);
    try {
      return fallback!({ ...args, inputs: { ...args.inputs, a: at }, attrs: { ...attrs, transposeA: false } });
    } finally {
      at.dispose();
    }
  });
}
