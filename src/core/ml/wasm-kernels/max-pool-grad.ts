/**
 * MaxPoolGrad for the wasm backend, for non-overlapping pools of 2 along one axis (the
 * MaxPooling1D(2, 2) of the 1DCNN, which tfjs runs as a [2, 1] pool on [n, L, 1, c]).
 *
 * The built-in kernel is a scalar loop with per-window index arithmetic (≈200 ms for the first pool
 * of a 1DCNN+ batch of 64). With the pairs laid out as [outer, T, 2, inner], the gradient is: the
 * second element of a pair gets dy where it is strictly greater than the first, the first gets it
 * otherwise — the same first-maximum-wins rule as tfjs's reference kernels. Done as one JavaScript
 * pass over the wasm heap (sequential reads and writes), else as element-wise tfjs ops.
 */
import type * as tfTypes from '@tensorflow/tfjs';
import type { TensorInfo } from '@tensorflow/tfjs';
import { type Fallback, type KernelArgs, type TF, replaceWasmKernel } from './replace';
import { heapAccess } from './heap';

interface MaxPoolGradAttrs {
  filterSize: number | [number, number];
  strides: number | [number, number];
  pad: 'valid' | 'same' | number;
  dimRoundingMode?: 'floor' | 'round' | 'ceil';
}

export function maxPoolPairGrad(tf: TF, dy: tfTypes.Tensor4D, input: tfTypes.Tensor4D, attrs: MaxPoolGradAttrs, backend?: unknown): TensorInfo | undefined {
  const info = tf.backend_util.computePool2DInfo(input.shape, attrs.filterSize, attrs.strides, 1, attrs.pad, attrs.dimRoundingMode);
  const { top, left } = info.padInfo;
  if (top !== 0 || left !== 0 || info.dilationHeight !== 1 || info.dilationWidth !== 1) return undefined;
  const [n, H, W, c] = input.shape;
  let axis: 1 | 2;
  if (info.filterHeight === 2 && info.strideHeight === 2 && info.filterWidth === 1 && info.strideWidth === 1 && info.outWidth === W) axis = 1;
  else if (info.filterWidth === 2 && info.strideWidth === 2 && info.filterHeight === 1 && info.strideHeight === 1 && info.outHeight === H) axis = 2;
  else return undefined;
  const len = axis === 1 ? H : W;
  const T = axis === 1 ? info.outHeight : info.outWidth;
  if (T !== Math.floor(len / 2)) return undefined;
  // [outer, T, 2, inner]: outer = what precedes the pooled axis, inner = what follows it.
  const outer = axis === 1 ? n : n * H;
  const inner = axis === 1 ? W * c : c;
  const heap = input.dtype === 'float32' && dy.dtype === 'float32' ? heapAccess(backend) : undefined;
  if (heap) {
    const out = heap.alloc([...input.shape]);
    const X = heap.f32(input);
    const G = heap.f32(dy);
    const DX = heap.f32(out);
    for (let o = 0; o < outer; o++) {
      for (let t = 0; t < T; t++) {
        const a0 = (o * len + 2 * t) * inner;
        const a1 = a0 + inner;
        const g = (o * T + t) * inner;
        // branch-free: which element of a pair is larger is data-dependent and unpredictable
        for (let i = 0; i < inner; i++) {
          const second = +(X[a1 + i] > X[a0 + i]);
          const gi = G[g + i];
          DX[a1 + i] = gi * second;
          DX[a0 + i] = gi - gi * second;
        }
      }
      if (len > 2 * T) DX.fill(0, (o * len + 2 * T) * inner, (o + 1) * len * inner); // the unpooled tail
    }
    return out;
  }
  return tf.tidy(() => {
    let x: tfTypes.Tensor = input;
    if (len !== 2 * T) x = axis === 1 ? tf.slice(input, [0, 0, 0, 0], [-1, 2 * T, -1, -1]) : tf.slice(input, [0, 0, 0, 0], [-1, -1, 2 * T, -1]);
    const pairs = tf.reshape(x, [outer, T, 2, inner]);
    const x0 = tf.slice(pairs, [0, 0, 0, 0], [-1, -1, 1, -1]);
    const x1 = tf.slice(pairs, [0, 0, 1, 0], [-1, -1, 1, -1]);
    const g = tf.reshape(dy, [outer, T, 1, inner]);
    const g1 = tf.mul(g, tf.step(tf.sub(x1, x0)));
    const g0 = tf.sub(g, g1);
    let dx: tfTypes.Tensor = tf.concat([g0, g1], 2);
    if (len === 2 * T) return tf.reshape(dx, input.shape) as tfTypes.Tensor4D;
    dx = axis === 1 ? tf.reshape(dx, [n, 2 * T, W, c]) : tf.reshape(dx, [n, H, 2 * T, c]);
    return tf.pad(dx, axis === 1 ? [[0, 0], [0, len - 2 * T], [0, 0], [0, 0]] : [[0, 0], [0, 0], [0, len - 2 * T], [0, 0]]) as tfTypes.Tensor4D;
  });
}

export function registerMaxPoolGrad(tf: TF): void {
  replaceWasmKernel(tf, 'MaxPoolGrad', (fallback: Fallback) => (args: KernelArgs): TensorInfo | TensorInfo[] => {
    const fast = maxPoolPairGrad(tf, args.inputs.dy as tfTypes.Tensor4D, args.inputs.input as tfTypes.Tensor4D, args.attrs as unknown as MaxPoolGradAttrs, args.backend);
    if (fast) return fast;
    if (!fallback) throw new Error('MaxPoolGrad: no wasm kernel');
    return fallback(args);
  });
}
