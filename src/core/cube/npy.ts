/**
 * NumPy .npy scans: format versions 1–3, integer and float dtypes in either byte order, C or Fortran
 * order, shape H×W×C. The samples are read positionally from the file (see strided-file.ts); only
 * the header is parsed here (with the shared parser in io/npy-read.ts).
 */
import type { DType } from './cube';
import { FileSource, StridedFileCube, pixelMajorLayout, type ByteSource, type StridedLayout } from './strided-file';
import type { SampleFormat } from './decode';
import { parseNpyHeader, type NpyHeader } from '../io/npy-read';
import { XrfInputError } from '../errors';

/** The sample format of an NPY descr such as "<u2", ">f8", "|u1". */
export function npySampleFormat(descr: string, file: string): SampleFormat {
  const m = /^([<>|=]?)([biuf])(\d+)$/.exec(descr);
  const kind = m?.[2];
  const size = Number(m?.[3]);
  const table: Record<string, DType> = {
    b1: 'u1', u1: 'u1', u2: 'u2', u4: 'u4', u8: 'u8', i1: 'i1', i2: 'i2', i4: 'i4', i8: 'i8', f4: 'f4', f8: 'f8',
  };
  const dtype = m ? table[`${kind}${size}`] : undefined;
  if (!dtype) throw new XrfInputError(file, `unsupported NPY dtype "${descr}" for a scan (expected u1, u2, u4, u8, i1, i2, i4, i8, f4 or f8)`);
  // '=' is native order, little-endian on every platform VS Code runs on; '|' means order does not matter.
  return { dtype, littleEndian: m![1] !== '>' };
}

/** Bytes of magic + version + length + header dict, from the first 10–12 bytes of an NPY. */
export function npyHeaderBytes(pre: Uint8Array): number {
  const dv = new DataView(pre.buffer, pre.byteOffset, pre.byteLength);
  if (pre[6] === 1) return dv.getUint16(8, true) + 10;
  return pre.length >= 12 ? dv.getUint32(8, true) + 12 : 12;
}

/** Read and parse the NPY header at byte `start` of a source. */
export async function readNpyHeaderAt(src: ByteSource, start: number, file: string): Promise<NpyHeader> {
  const fileSize = await src.size();
  const pre = new Uint8Array(12);
  const got = await src.read(pre, Math.min(12, Math.max(0, fileSize - start)), start);
  if (got < 10) throw new XrfInputError(file, `NPY header is truncated: ${got} bytes where at least 10 are needed`);
  const avail = Math.min(npyHeaderBytes(pre.subarray(0, got)), fileSize - start);
  const bytes = new Uint8Array(avail);
  await src.read(bytes, avail, start);
  return parseNpyHeader(bytes, file);
}

/** The strided layout of an H×W×C array whose data starts at `dataStart`. */
export function npyLayout(header: NpyHeader, dataStart: number, file: string): { height: number; width: number; channels: number; layout: StridedLayout } {
  if (header.shape.length !== 3) {
    throw new XrfInputError(file, `NPY array has shape (${header.shape.join(', ')}); a scan must be 3-D: height × width × channels`);
  }
  const [height, width, channels] = header.shape;
  if (height === 0 || width === 0 || channels === 0) {
    throw new XrfInputError(file, `zero dimension: NPY shape is (${header.shape.join(', ')})`);
  }
  const layout: StridedLayout = header.fortranOrder
    ? { baseOffset: dataStart, rowStride: 1, colStride: height, channelStride: height * width }
    : pixelMajorLayout(width, channels, dataStart);
  return { height, width, channels, layout };
}

export async function openNpy(file: string): Promise<StridedFileCube> {
  const src = await FileSource.open(file);
  try {
    const header = await readNpyHeaderAt(src, 0, file);
    const sample = npySampleFormat(header.descr, file);
    const { height, width, channels, layout } = npyLayout(header, header.dataOffset, file);
    return await StridedFileCube.open({ path: file, dataPath: file, format: 'npy', height, width, channels, sample, layout }, src);
  } catch (e) {
    await src.close();
    throw e;
  }
}
