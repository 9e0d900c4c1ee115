/**
 * Registers, once per thread, the wasm kernels that training needs: the missing
 * Conv2DBackpropFilter, and faster versions of kernels whose built-in wasm versions are scalar
 * loops (Conv2DBackpropInput, MaxPoolGrad, BatchMatMul with a transposed left operand), transpose first (Sum over leading axes) or copy where
 * sharing is enough (Identity, Cast to the same dtype). Each is
 * registered against the backend name 'wasm' only, and keeps the built-in kernel as its fallback.
 * Must run before the wasm backend initialises, so the built-in kernels' setup still runs.
 */
import type * as tfTypes from '@tensorflow/tfjs';
import { registerConv2dBackpropFilter } from './conv2d-backprop-filter';
import { registerConv2dBackpropInput } from './conv2d-backprop-input';
import { registerMaxPoolGrad } from './max-pool-grad';
import { registerSum } from './sum';
import { registerIdentity, registerSameTypeCast } from './identity';
import { registerBatchMatMul } from './batch-mat-mul';

let registered = false;

export function registerWasmTrainingKernels(tf: typeof tfTypes): void {
  if (registered) return;
  registerConv2dBackpropFilter(tf);
  registerConv2dBackpropInput(tf);
  registerMaxPoolGrad(tf);
  registerSum(tf);
  registerIdentity(tf);
  registerSameTypeCast(tf);
  registerBatchMatMul(tf);
  registered = true;
}
