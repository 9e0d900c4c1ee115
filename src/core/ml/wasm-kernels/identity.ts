/**
 * Identity (and Cast to the same dtype) for the wasm backend, sharing the input's memory instead
 * of copying it.
 *
 * While a gradient tape is recording, tfjs clones (runs Identity on) every tensor a backward pass
 * needs; the built-in wasm Identity copies the data, ≈50 ms of pure copying per 1DCNN+ training
 * step at batch 64. ReLU's gradient casts step(x) from float32 to float32, another full copy.
 * Tensors are immutable, so — as tfjs's cpu backend and wasm's own Reshape do — the result can
 * reference the same heap block with one more reference count.
 */
import type { TensorInfo } from '@tensorflow/tfjs';
import { type Fallback, type KernelArgs, type TF, replaceWasmKernel } from './replace';

interface RefCounting {
  incRef(dataId: object): void;
}

export function registerIdentity(tf: TF): void {
  replaceWasmKernel(tf, 'Identity', (fallback: Fallback) => (args: KernelArgs): TensorInfo | TensorInfo[] => {
    const x = args.inputs.x!;
    const backend = args.backend as Partial<RefCounting>;
    if (x.dtype === 'string' || typeof backend.incRef !== 'function') return fallback!(args);
    backend.incRef(x.dataId);
    return { dataId: x.dataId, shape: x.shape, dtype: x.dtype };
  });
}

export function registerSameTypeCast(tf: TF): void {
  replaceWasmKernel(tf, 'Cast', (fallback: Fallback) => (args: KernelArgs): TensorInfo | TensorInfo[] => {
    const x = args.inputs.x!;
    const backend = args.backend as Partial<RefCounting>;
    const dtype = (args.attrs as { dtype?: string } | undefined)?.dtype;
    if (dtype !== x.dtype || x.dtype === 'string' || typeof backend.incRef !== 'function') return fallback!(args);
    backend.incRef(x.dataId);
    return { dataId: x.dataId, shape: x.shape, dtype: x.dtype };
  });
}
