import { writeFileAtomic, AtomicStreamWriter } from './atomic';

/** NumPy dtype strings we write (little-endian). */
export type NpyWriteDType = '<f4' | '<f8' | '<u1' | '<u2' | '<u4' | '<i2' | '<i4';

export type TypedArray = Float32Array | Float64Array | Uint8Array | Uint16Array | Uint32Array | Int16Array | Int32Array;

export function npyDTypeOf(a: TypedArray): NpyWriteDType {
  if (a instanceof Float32Array) return '<f4';
  if (a instanceof Float64Array) return '<f8';
  if (a instanceof Uint8Array) return '<u1';
  if (a instanceof Uint16Array) return '<u2';
  if (a instanceof Uint32Array) return '<u4';
  if (a instanceof Int16Array) return '<i2';
  return '<i4';
}

/** The NPY v1.0 header (magic, version, length, dict), padded so the data starts on a 64-byte boundary. */
export function npyHeader(dtype: NpyWriteDType, shape: readonly number[]): Uint8Array {
  const shapeStr = shape.length === 1 ? `(${shape[0]},)` : `(${shape.join(', ')})`;
  let dict = `{'descr': '${dtype}', 'fortran_order': False, 'shape': ${shapeStr}, }`;
  const pre = 10; // magic(6) + version(2) + header length(2)
  const total = Math.ceil((pre + dict.length + 1) / 64) * 64;
  dict = dict.padEnd(total - pre - 1, ' ') + '\n';
  const out = new Uint8Array(total);
  out.set([0x93, 0x4e, 0x55, 0x4d, 0x50, 0x59, 1, 0]);
  new DataView(out.buffer).setUint16(8, dict.length, true);
  for (let i = 0; i < dict.length; i++) out[pre + i] = dict.charCodeAt(i);
  return out;
}

function bytesOf(a: TypedArray): Uint8Array {
  // This machine and every platform VS Code runs on is little-endian, matching the '<' we declare.
  return new Uint8Array(a.buffer, a.byteOffset, a.byteLength);
}

/** Encode a whole array as NPY bytes (C order). */
export function encodeNpy(data: TypedArray, shape: readonly number[]): Uint8Array[] {
  const n = shape.reduce((a, b) => a * b, 1);
  if (n !== data.length) throw new Error(`NPY: shape ${shape.join('×')} needs ${n} values, got ${data.length}`);
  return [npyHeader(npyDTypeOf(data), shape), bytesOf(data)];
}

/** Write a whole array as an .npy file, atomically. */
export async function writeNpy(path: string, data: TypedArray, shape: readonly number[]): Promise<void> {
  await writeFileAtomic(path, encodeNpy(data, shape));
}

/**
 * Stream a large C-order array (e.g. H×W×C rows) into an .npy file: header first, then blocks in
 * order. Nothing appears under the final name until `commit()`.
 */
export class NpyStreamWriter {
  private written = 0;
  private readonly expected: number;

  private constructor(
    private readonly w: AtomicStreamWriter,
    readonly dtype: NpyWriteDType,
    readonly shape: readonly number[],
  ) {
    this.expected = shape.reduce((a, b) => a * b, 1);
  }

  static async open(path: string, dtype: NpyWriteDType, shape: readonly number[]): Promise<NpyStreamWriter> {
    const w = await AtomicStreamWriter.open(path);
    await w.write(npyHeader(dtype, shape));
    return new NpyStreamWriter(w, dtype, shape);
  }

  async write(block: TypedArray): Promise<void> {
    if (npyDTypeOf(block) !== this.dtype) throw new Error(`NPY stream: expected ${this.dtype}, got ${npyDTypeOf(block)}`);
    this.written += block.length;
    if (this.written > this.expected) throw new Error('NPY stream: more values than the declared shape holds');
    // Copy: the caller may reuse its buffer after the promise resolves, but the stream may still hold it.
    await this.w.write(Uint8Array.from(bytesOf(block)));
  }

  async commit(): Promise<void> {
    if (this.written !== this.expected) {
      await this.w.abort();
      throw new Error(`NPY stream: wrote ${this.written} of ${this.expected} values`);
    }
    await this.w.commit();
  }

  abort(): Promise<void> {
    return this.w.abort();
  }
}
