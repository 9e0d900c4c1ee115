/**
 * Conv2DBackpropFilter for the wasm backend, which ships without one (so tf.layers.conv1d cannot
 * train there). Written with kernels wasm does have, so it runs at XNNPACK speed:
 *
 *   dW[kh, kw, ci, co] = Σ_n Σ_{oh,ow} x[n, s_h·oh + kh − padTop, s_w·ow + kw − padLeft, ci] · dy[n, oh, ow, co]
 *
 * is itself a convolution: take ci as the batch, (H, W) as the spatial axes and n as the input
 * channels, i.e. input xᵀ = x transposed to [ci, H, W, n] and filter dyᵀ = dy transposed to
 * [OH, OW, n, co], convolved at DILATION (s_h, s_w) with stride 1. The result [ci, KH', KW', co]
 * (KH' ≥ KH by the forward pass's rounding) is cut to the kernel size and transposed back to the
 * filter layout [KH, KW, ci, co]. One dense XNNPACK convolution replaces the strided gathers of an
 * im2col formulation. This general path serves every configuration.
 *
 * For 1-D convolutions (filter height 1) with few input channels, a second path: the transposed patch
 * matrix Pᵀ[(k, ci), (n, t)] = x[n, s·t + k − padLeft, ci] is written by one JavaScript pass over
 * the heap (x first transposed to [ci, n, L] so each pass reads one contiguous row), then
 * dW[(k, ci), co] = Pᵀ · dy[(n, t), co] is ONE XNNPACK matrix product whose streamed operand is
 * row-major and whose packed operand is dy as it lies (no transposed operands). It beats the
 * dilated convolution where that one has very few output rows (ci·K: the plain 1DCNN's first
 * layer, ci = 1); otherwise the two cost the same, both dominated by XNNPACK packing a large operand.
 */
import type * as tfTypes from '@tensorflow/tfjs';
import type { TensorInfo } from '@tensorflow/tfjs';
import { type KernelArgs, type TF, replaceWasmKernel } from './replace';
import { asTensor, heapAccess } from './heap';

interface BackpropFilterAttrs {
  strides: number | [number, number];
  pad: 'valid' | 'same' | number | tfTypes.backend_util.ExplicitPadding;
  dataFormat: 'NHWC' | 'NCHW';
  dimRoundingMode?: 'floor' | 'round' | 'ceil';
  filterShape: [number, number, number, number];
}

/** The general path, on tensors (tfjs ops only, so it also runs on any backend). */
export function conv2dFilterGradViaDilatedConv(
  tf: TF,
  x: tfTypes.Tensor4D,
  dy: tfTypes.Tensor4D,
  attrs: BackpropFilterAttrs,
): tfTypes.Tensor4D {
  const { strides, pad, dataFormat, dimRoundingMode, filterShape } = attrs;
  if (dataFormat === 'NCHW') throw new Error('Conv2DBackpropFilter (wasm): only NHWC is supported');
  const info = tf.backend_util.computeConv2DInfo(x.shape, filterShape, strides, 1, pad, dimRoundingMode, false, 'channelsLast');
  const [kh, kw] = [info.filterHeight, info.filterWidth];
  return tf.tidy(() => {
    const xt = tf.transpose(x, [3, 1, 2, 0]); // [ci, H, W, n]
    const dyt = tf.transpose(dy, [1, 2, 0, 3]); // [OH, OW, n, co]
    // Explicit padding: the forward pass's top/left padding; enough bottom/right padding that the
    // dilated conv yields at least KH × KW positions.
    const { top, left } = info.padInfo;
    const needH = kh + info.strideHeight * (info.outHeight - 1);
    const needW = kw + info.strideWidth * (info.outWidth - 1);
    const bottom = Math.max(0, needH - top - info.inHeight);
    const right = Math.max(0, needW - left - info.inWidth);
    const g = tf.conv2d(
      xt,
      dyt,
      1,
      top || bottom || left || right ? [[0, 0], [top, bottom], [left, right], [0, 0]] : 'valid',
      'NHWC',
      [info.strideHeight, info.strideWidth],
    ); // [ci, ≥KH, ≥KW, co]
    const cut = g.shape[1] === kh && g.shape[2] === kw ? g : tf.slice(g, [0, 0, 0, 0], [-1, kh, kw, -1]);
    return tf.transpose(cut, [1, 2, 0, 3]) as tfTypes.Tensor4D; // [KH, KW, ci, co]
  });
}

/** The im2col path for filter height 1 on the wasm heap; undefined when it does not apply. */
export function conv1dFilterGradViaIm2col(tf: TF, backend: unknown, x: tfTypes.Tensor4D, dy: tfTypes.Tensor4D, attrs: BackpropFilterAttrs): tfTypes.Tensor4D | undefined {
  const { strides, pad, dataFormat, dimRoundingMode, filterShape } = attrs;
  if (dataFormat === 'NCHW' || x.dtype !== 'float32' || dy.dtype !== 'float32') return undefined;
  const heap = heapAccess(backend);
  if (!heap) return undefined;
  const info = tf.backend_util.computeConv2DInfo(x.shape, filterShape, strides, 1, pad, dimRoundingMode, false, 'channelsLast');
  if (info.filterHeight !== 1 || info.strideHeight !== 1 || info.padInfo.top !== 0 || info.padInfo.bottom !== 0) return undefined;
  const rows = info.batchSize * info.inHeight; // every (sample, row) is an independent 1-D signal
  const L = info.inWidth;
  const T = info.outWidth;
  const K = info.filterWidth;
  const s = info.strideWidth;
  const padL = info.padInfo.left;
  const ci = info.inChannels;
  const co = info.outChannels;
  const NT = rows * T;
  const xt = tf.tidy(() => (ci === 1 ? tf.reshape(x, [1, rows, L]) : tf.transpose(tf.reshape(x, [rows, L, ci]), [2, 0, 1])));
  const ptInfo = heap.alloc([K * ci, NT]);
  const X = heap.f32(xt);
  const P = heap.f32(ptInfo);
  for (let k = 0; k < K; k++) {
    // output positions t whose input position s·t + k − padL falls inside [0, L)
    const tLo = Math.min(T, Math.max(0, Math.ceil((padL - k) / s)));
    const tHi = Math.max(tLo, Math.min(T, Math.floor((L - 1 - k + padL) / s) + 1));
    for (let c = 0; c < ci; c++) {
      const rowBase = (k * ci + c) * NT;
      for (let r = 0; r < rows; r++) {
        const dst = rowBase + r * T;
        const src = (c * rows + r) * L + k - padL;
        if (tLo > 0) P.fill(0, dst, dst + tLo);
        if (s === 1) P.set(X.subarray(src + tLo, src + tHi), dst + tLo);
        else for (let t = tLo; t < tHi; t++) P[dst + t] = X[src + s * t];
        if (tHi < T) P.fill(0, dst + tHi, dst + T);
      }
    }
  }
  xt.dispose();
  const pt = asTensor(tf, ptInfo);
  const dw = tf.tidy(() => tf.reshape(tf.matMul(pt as tfTypes.Tensor2D, tf.reshape(dy, [NT, co])), [1, K, ci, co]) as tfTypes.Tensor4D);
  pt.dispose();
  return dw;
}

const IM2COL_MAX_CHANNELS = 8;

export function registerConv2dBackpropFilter(tf: TF): void {
  // wasm has no built-in kernel here, so there is no fallback: the general path serves the rest.
  replaceWasmKernel(tf, 'Conv2DBackpropFilter', () => (args: KernelArgs): TensorInfo => {
    const x = args.inputs.x as tfTypes.Tensor4D;
    const dy = args.inputs.dy as tfTypes.Tensor4D;
    const attrs = args.attrs as unknown as BackpropFilterAttrs;
    // Measured (fresh tensors, batch 64): im2col wins clearly for few input channels (ci = 1:
    // 54 vs 75 ms); from ci ≈ 13 up both cost the same, dominated by XNNPACK packing the large
    // operand, and the dilated convolution needs no JavaScript pass.
    const fewChannels = x.shape[3] < IM2COL_MAX_CHANNELS;
    return (fewChannels ? conv1dFilterGradViaIm2col(tf, args.backend, x, dy, attrs) : undefined) ?? conv2dFilterGradViaDilatedConv(tf, x, dy, attrs);
  });
}
