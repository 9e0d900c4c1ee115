/**
 * A small whole-array NPY reader for map files (ground truth, predictions): a few MB at most. Scans
 * are far larger and go through the streaming cube readers instead.
 *
 * Supports format versions 1–3, bool/int/uint of 1–8 bytes and float 4/8 in either byte order, and
 * C or Fortran order. Every value is converted to float32 in C order, since that is what maps are.
 */
import { XrfInputError } from '../errors';
import { readInputBytes } from './read-input';
import { decodeSamplesOf } from '../cube/decode';
import { DTYPE_BYTES, type DType } from '../cube/cube';

export interface NpyHeader {
  /** NumPy descr, e.g. "<f4". */
  descr: string;
  fortranOrder: boolean;
  shape: number[];
  /** Byte offset of the data. */
  dataOffset: number;
}

export interface NpyArray {
  header: NpyHeader;
  /** Row-major (C order) values, converted to float32. */
  data: Float32Array;
}

const MAGIC = [0x93, 0x4e, 0x55, 0x4d, 0x50, 0x59]; // \x93NUMPY

/** Parse the header of an NPY file held in `bytes`; `file` names it in errors. */
export function parseNpyHeader(bytes: Uint8Array, file: string): NpyHeader {
  if (bytes.length < 10 || MAGIC.some((b, i) => bytes[i] !== b)) throw new XrfInputError(file, 'not an NPY file (no \\x93NUMPY magic)');
  const major = bytes[6];
  const dv = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  let headerLen: number;
  let pre: number;
  if (major === 1) {
    headerLen = dv.getUint16(8, true);
    pre = 10;
  } else if (major === 2 || major === 3) {
    if (bytes.length < 12) throw new XrfInputError(file, 'NPY header is truncated');
    headerLen = dv.getUint32(8, true);
    pre = 12;
  } else {
    throw new XrfInputError(file, `unsupported NPY format version ${major}.${bytes[7]}`);
  }
  if (pre + headerLen > bytes.length) throw new XrfInputError(file, 'NPY header is truncated');
  const text = new TextDecoder(major === 3 ? 'utf-8' : 'latin1').decode(bytes.subarray(pre, pre + headerLen));
  const descr = /'descr'\s*:\s*'([^']+)'/.exec(text)?.[1];
  const fortran = /'fortran_order'\s*:\s*(True|False)/.exec(text)?.[1];
  const shapeText = /'shape'\s*:\s*\(([^)]*)\)/.exec(text)?.[1];
  if (descr === undefined || fortran === undefined || shapeText === undefined) {
    throw new XrfInputError(file, `NPY header is not a valid dictionary: ${JSON.stringify(text.trim().slice(0, 120))}`);
  }
  const shape = shapeText
    .split(',')
    .map((s) => s.trim())
    .filter((s) => s.length > 0)
    .map((s) => {
      const n = Number(s.replace(/L$/, ''));
      if (!Number.isInteger(n) || n < 0) throw new XrfInputError(file, `NPY shape has a bad dimension "${s}"`);
      return n;
    });
  return { descr, fortranOrder: fortran === 'True', shape, dataOffset: pre + headerLen };
}

interface DTypeInfo {
  size: number;
  dtype: DType;
}

function dtypeInfo(descr: string, file: string): { info: DTypeInfo; little: boolean } {
  const m = /^([<>|=]?)([biuf])(\d+)$/.exec(descr);
  if (!m) throw new XrfInputError(file, `unsupported NPY dtype "${descr}" (expected a numeric dtype such as <f4)`);
  const order = m[1];
  // '=' is native order, which is little-endian on every platform VS Code runs on.
  const little = order !== '>';
  const kind = m[2];
  const size = Number(m[3]);
  const key = `${kind}${size}`;
  // Booleans are one byte, 0 or 1.
  const dtype = (key === 'b1' ? 'u1' : key) as DType;
  const info = dtype in DTYPE_BYTES && DTYPE_BYTES[dtype] === size ? { size, dtype } : undefined;
  if (!info) throw new XrfInputError(file, `unsupported NPY dtype "${descr}"`);
  return { info, little };
}

/** Decode a whole NPY file already in memory. */
export function decodeNpy(bytes: Uint8Array, file: string): NpyArray {
  const header = parseNpyHeader(bytes, file);
  const { info, little } = dtypeInfo(header.descr, file);
  const count = header.shape.reduce((a, b) => a * b, 1);
  const need = header.dataOffset + count * info.size;
  if (bytes.length < need) {
    throw new XrfInputError(
      file,
      `NPY data is truncated: shape (${header.shape.join(', ')}) of ${header.descr} needs ${need} bytes, the file has ${bytes.length}`,
    );
  }
  const flat = new Float32Array(count);
  decodeSamplesOf(bytes.subarray(header.dataOffset), { dtype: info.dtype, littleEndian: little }, count, flat);
  const data = header.fortranOrder && header.shape.length > 1 ? fortranToC(flat, header.shape) : flat;
  return { header, data };
}

/** Reorder a Fortran-order (first index fastest) array into C order (last index fastest). */
function fortranToC(src: Float32Array, shape: number[]): Float32Array {
  const n = shape.length;
  const out = new Float32Array(src.length);
  // Strides of the Fortran layout, indexed by axis.
  const fStride = new Array<number>(n);
  let s = 1;
  for (let a = 0; a < n; a++) {
    fStride[a] = s;
    s *= shape[a];
  }
  const idx = new Array<number>(n).fill(0);
  let fOff = 0;
  for (let c = 0; c < out.length; c++) {
    out[c] = src[fOff];
    // Advance the C-order multi-index (last axis fastest), keeping the Fortran offset in step.
    for (let a = n - 1; a >= 0; a--) {
      idx[a]++;
      fOff += fStride[a];
      if (idx[a] < shape[a]) break;
      fOff -= fStride[a] * shape[a];
      idx[a] = 0;
    }
  }
  return out;
}

/** Read a whole .npy file (opened read-only) as float32 in C order. */
export async function readNpy(path: string): Promise<NpyArray> {
  return decodeNpy(await readInputBytes(path), path);
}
