/**
 * Conv2DBackpropInput for the wasm backend, for the 1-D convolutions of our models.
 *
 * The built-in wasm kernel is a plain loop, 5-10× slower than the forward XNNPACK convolution. For
 * a strided 1-D convolution (filter height 1) the input gradient is one dense stride-1 convolution
 * once the output positions are split into stride phases:
 *
 *   x index i = s·j + r − padLeft (phase r ∈ [0, s)):  dx[s·j + r − padLeft] = Σ_q dy[j − q] · w[s·q + r]
 *
 * Every phase reads the same dy window, so all s phases are computed by ONE convolution whose output
 * channels are (r, ci): filter F[m, co, (r, ci)] = w[s·(Q − 1 − m) + r, ci, co] (zero past the kernel),
 * Q = ⌈K/s⌉ taps, left padding Q − 1. Channels-last, [j][(r, ci)] is already [(s·j + r)][ci]: a
 * reshape interleaves the phases for free. Other configurations use the built-in kernel.
 */
import type * as tfTypes from '@tensorflow/tfjs';
import type { TensorInfo } from '@tensorflow/tfjs';
import { type Fallback, type KernelArgs, type TF, replaceWasmKernel } from './replace';
import { heapAccess } from './heap';

interface BackpropInputAttrs {
  strides: number | [number, number];
  pad: 'valid' | 'same' | number | tfTypes.backend_util.ExplicitPadding;
  dataFormat: 'NHWC' | 'NCHW';
  dimRoundingMode?: 'floor' | 'round' | 'ceil';
  inputShape: [number, number, number, number];
}

/** The phase formulation on tensors; returns undefined when the configuration is not a 1-D conv. */
export function conv1dInputGradViaPhases(tf: TF, dy: tfTypes.Tensor4D, filter: tfTypes.Tensor4D, attrs: BackpropInputAttrs, backend?: unknown): TensorInfo | undefined {
  const { strides, pad, dataFormat, dimRoundingMode, inputShape } = attrs;
  if (dataFormat === 'NCHW') return undefined;
  const info = tf.backend_util.computeConv2DInfo(inputShape, filter.shape, strides, 1, pad, dimRoundingMode, false, 'channelsLast');
  if (info.filterHeight !== 1 || info.strideHeight !== 1 || info.padInfo.top !== 0 || info.padInfo.bottom !== 0) return undefined;
  const s = info.strideWidth;
  const K = info.filterWidth;
  const padL = info.padInfo.left;
  const Lin = info.inWidth;
  const T = info.outWidth;
  const ci = info.inChannels;
  const co = info.outChannels;
  const Q = Math.ceil(K / s);
  const J = Math.ceil((Lin + padL) / s);
  const phases = tf.tidy(() => {
    let w = tf.reshape(filter, [K, ci, co]);
    if (s * Q > K) w = tf.pad(w, [[0, s * Q - K], [0, 0], [0, 0]]);
    const f = tf.reshape(tf.transpose(tf.reverse(tf.reshape(w, [Q, s, ci, co]), 0), [0, 3, 1, 2]), [1, Q, co, s * ci]) as tfTypes.Tensor4D;
    const right = Math.max(0, J - T);
    let out = tf.conv2d(dy, f, 1, Q - 1 || right ? [[0, 0], [0, 0], [Q - 1, right], [0, 0]] : 'valid'); // [n, H, ≥J, s·ci]
    if (out.shape[2] !== J) out = tf.slice(out, [0, 0, 0, 0], [-1, -1, J, -1]);
    return tf.reshape(out, [dy.shape[0], info.inHeight, J * s, ci]) as tfTypes.Tensor4D;
  });
  if (padL === 0 && J * s === Lin) return phases;
  // Cut [padL, padL + Lin) of each row: one memmove per row on the heap (the built-in Slice
  // copies element-wise), else a tfjs slice.
  const heap = dy.dtype === 'float32' ? heapAccess(backend) : undefined;
  if (!heap) {
    const cut = tf.slice(phases, [0, 0, padL, 0], [-1, -1, Lin, -1]) as tfTypes.Tensor4D;
    phases.dispose();
    return cut;
  }
  const rows = dy.shape[0] * info.inHeight;
  const out = heap.alloc([dy.shape[0], info.inHeight, Lin, ci]);
  heap.copyRuns(phases, out, rows, Lin * ci, padL * ci, J * s * ci, Lin * ci);
  phases.dispose();
  return out;
}

export function registerConv2dBackpropInput(tf: TF): void {
  replaceWasmKernel(tf, 'Conv2DBackpropInput', (fallback: Fallback) => (args: KernelArgs): TensorInfo | TensorInfo[] => {
    const dy = args.inputs.dy as tfTypes.Tensor4D;
    const filter = args.inputs.filter as tfTypes.Tensor4D;
    const fast = conv1dInputGradViaPhases(tf, dy, filter, args.attrs as unknown as BackpropInputAttrs, args.backend);
    if (fast) return fast;
    if (!fallback) throw new Error('Conv2DBackpropInput: no wasm kernel for this configuration');
    return fallback(args);
  });
}
