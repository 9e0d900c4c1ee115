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
 * im2col formulation.
 */
import type * as tfTypes from '@tensorflow/tfjs';
import type { TensorInfo } from '@tensorflow/tfjs';
import { type KernelArgs, type TF, replaceWasmKernel } from './replace';

interface BackpropFilterAttrs {
  strides: number | [number, number];
  pad: 'valid' | 'same' | number | number[][];
  dataFormat: 'NHWC' | 'NCHW';
  dimRoundingMode?: 'floor' | 'round' | 'ceil';
  filterShape: [number, number, number, number];
}

/** Pure function on tensors (used by the kernel and by tests on any backend). */
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

export function registerConv2dBackpropFilter(tf: TF): void {
  // wasm has no built-in kernel here, so there is no fallback: every configuration goes this way.
  replaceWasmKernel(tf, 'Conv2DBackpropFilter', () => (args: KernelArgs): TensorInfo =>
    conv2dFilterGradViaDilatedConv(tf, args.inputs.x as tfTypes.Tensor4D, args.inputs.dy as tfTypes.Tensor4D, args.attrs as unknown as BackpropFilterAttrs),
  );
}
