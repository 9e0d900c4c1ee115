import type * as tfTypes from '@tensorflow/tfjs';
import type { KernelConfig, KernelFunc, NamedAttrMap, NamedTensorInfoMap, TensorInfo } from '@tensorflow/tfjs';

export type TF = typeof tfTypes;
export interface KernelArgs {
  inputs: NamedTensorInfoMap;
  backend: unknown;
  attrs?: NamedAttrMap;
}
export type Fallback = ((args: KernelArgs) => TensorInfo | TensorInfo[]) | undefined;

/**
 * Replaces (or adds) a wasm kernel. The built-in kernel, when there is one, stays reachable as the
 * fallback for the cases the replacement does not handle, and its setupFunc still runs when the
 * backend initialises (it binds the wasm function the built-in kernel calls).
 */
export function replaceWasmKernel(tf: TF, kernelName: string, make: (fallback: Fallback) => (args: KernelArgs) => TensorInfo | TensorInfo[]): void {
  const original = tf.getKernel(kernelName, 'wasm');
  if (original) tf.unregisterKernel(kernelName, 'wasm');
  const fallback: Fallback = original ? (args) => original.kernelFunc(args as Parameters<KernelFunc>[0]) : undefined;
  const config: KernelConfig = {
    kernelName,
    backendName: 'wasm',
    setupFunc: original?.setupFunc,
    kernelFunc: make(fallback) as KernelFunc,
  };
  tf.registerKernel(config);
}
