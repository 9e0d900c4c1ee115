/**
 * Direct access to tensors in the wasm backend's heap, for the few memory-bound kernels that are
 * faster as one JavaScript pass than as a chain of tfjs ops (each of which copies its output).
 * Relies on BackendWasm internals (dataIdMap[dataId].memoryOffset, wasm.HEAPU8, makeOutput) of the
 * pinned @tensorflow/tfjs-backend-wasm 4.22; `heapAccess` returns undefined when they are missing,
 * and callers then fall back to tfjs ops.
 */
import type * as tfTypes from '@tensorflow/tfjs';
import type { TensorInfo } from '@tensorflow/tfjs';

interface WasmBackendInternals {
  wasm: { HEAPU8: Uint8Array };
  dataIdMap: { get(dataId: object): { memoryOffset: number } | undefined };
  makeOutput(shape: number[], dtype: 'float32'): TensorInfo;
}

export interface HeapAccess {
  /** Allocates an uninitialised float32 output in the heap. */
  alloc(shape: number[]): TensorInfo;
  /** A view of a float32 tensor's data. Take views AFTER the last alloc: allocating may grow (and replace) the heap. */
  f32(t: TensorInfo): Float32Array;
  /**
   * Copies `blocks` runs of `len` floats: run b from src[srcStart + b·srcStride] to
   * dst[b·dstStride] (native memmove per run, no intermediate tensors).
   */
  copyRuns(src: TensorInfo, dst: TensorInfo, blocks: number, len: number, srcStart: number, srcStride: number, dstStride: number): void;
}

export function heapAccess(backend: unknown): HeapAccess | undefined {
  const b = backend as Partial<WasmBackendInternals> | undefined;
  if (!b || !b.wasm?.HEAPU8 || !b.dataIdMap || typeof b.makeOutput !== 'function') return undefined;
  const wb = b as WasmBackendInternals;
  return {
    alloc: (shape) => wb.makeOutput(shape, 'float32'),
    f32: (t) => {
      const entry = wb.dataIdMap.get(t.dataId);
      if (!entry || entry.memoryOffset == null) throw new Error('tensor is not in the wasm heap');
      return new Float32Array(wb.wasm.HEAPU8.buffer, entry.memoryOffset, t.shape.reduce((a, c) => a * c, 1));
    },
    copyRuns: (src, dst, blocks, len, srcStart, srcStride, dstStride) => {
      const so = wb.dataIdMap.get(src.dataId)?.memoryOffset;
      const d0 = wb.dataIdMap.get(dst.dataId)?.memoryOffset;
      if (so == null || d0 == null) throw new Error('tensor is not in the wasm heap');
      const heap = wb.wasm.HEAPU8;
      for (let b = 0; b < blocks; b++) {
        const from = so + 4 * (srcStart + b * srcStride);
        heap.copyWithin(d0 + 4 * b * dstStride, from, from + 4 * len);
      }
    },
  };
}

/** Wraps a kernel-made TensorInfo as a Tensor so tfjs ops can consume it (dispose it afterwards). */
export function asTensor(tf: typeof tfTypes, info: TensorInfo): tfTypes.Tensor {
  return tf.engine().makeTensorFromTensorInfo(info);
}
