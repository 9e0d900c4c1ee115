/**
 * ESRF Data Format (EDF) images, as PyMca's EdfFile and fabio write them: each image is an ASCII
 * header `{\n key = value ;\n … }\n` padded with spaces to a multiple of 512 bytes (PyMca: 1024),
 * followed by `Size` bytes of raw data; a multi-image file simply repeats header + data.
 * Keys used: DataType, ByteOrder (LowByteFirst | HighByteFirst), Dim_1 (width), Dim_2 (height),
 * Size / EDF_BinarySize, Title. Values are returned as float32.
 */
import { XrfInputError } from '../errors';
import { readInputBytes } from './read-input';
import { decodeSamplesOf } from '../cube/decode';
import { DTYPE_BYTES, type DType } from '../cube/cube';

export interface EdfImage {
  /** All header keys as written (case kept). */
  header: Record<string, string>;
  /** The Title key, when present (PyMca stores the map's label there: "Fe_K", "s(Fe_K)"). */
  title?: string;
  height: number;
  width: number;
  data: Float32Array;
}

// DataType names as fabio accepts them (fabio/edfimage.py DATA_TYPES), with their sample type.
const TYPES: Record<string, { size: number; dtype: DType }> = {};
function add(names: string[], dtype: DType): void {
  for (const n of names) TYPES[n.toLowerCase()] = { size: DTYPE_BYTES[dtype], dtype };
}
add(['SignedByte', 'Signed8'], 'i1');
add(['UnsignedByte', 'Unsigned8', 'UnsignedChar'], 'u1');
add(['SignedShort', 'Signed16'], 'i2');
add(['UnsignedShort', 'Unsigned16', 'UnsignedShortInteger'], 'u2');
add(['SignedInteger', 'Signed32', 'SignedLong'], 'i4');
add(['UnsignedInteger', 'Unsigned32', 'UnsignedLong'], 'u4');
add(['Signed64'], 'i8');
add(['Unsigned64'], 'u8');
add(['FloatValue', 'Float', 'FloatIEEE32', 'Float32'], 'f4');
add(['DoubleValue', 'Double', 'FloatIEEE64', 'DoubleIEEE64'], 'f8');

function parseHeader(text: string): Record<string, string> {
  const out: Record<string, string> = {};
  for (const stmt of text.split(';')) {
    const eq = stmt.indexOf('=');
    if (eq < 0) continue;
    const key = stmt.slice(0, eq).trim();
    if (key) out[key] = stmt.slice(eq + 1).trim();
  }
  return out;
}

function get(h: Record<string, string>, key: string): string | undefined {
  const k = Object.keys(h).find((x) => x.toLowerCase() === key.toLowerCase());
  return k === undefined ? undefined : h[k];
}

/** Decode every image of an EDF file held in memory. */
export function decodeEdf(bytes: Uint8Array, file: string): EdfImage[] {
  const images: EdfImage[] = [];
  let pos = 0;
  while (pos < bytes.length) {
    // Padding between images is not written by PyMca or fabio, but tolerate trailing whitespace.
    while (pos < bytes.length && (bytes[pos] === 0x20 || bytes[pos] === 0x0a || bytes[pos] === 0x0d || bytes[pos] === 0)) pos++;
    if (pos >= bytes.length) break;
    const n = images.length + 1;
    if (bytes[pos] !== 0x7b /* { */) {
      throw new XrfInputError(file, images.length === 0 ? 'not an EDF file (no "{" header)' : `image ${n}: no "{" header at byte ${pos}`);
    }
    let end = -1;
    for (let i = pos + 1; i < bytes.length && i < pos + 512 * 1024; i++) {
      if (bytes[i] === 0x7d /* } */ && (bytes[i + 1] === 0x0a || (bytes[i + 1] === 0x0d && bytes[i + 2] === 0x0a))) {
        end = i;
        break;
      }
    }
    if (end < 0) throw new XrfInputError(file, `image ${n}: EDF header has no closing "}" (truncated file?)`);
    const header = parseHeader(new TextDecoder('latin1').decode(bytes.subarray(pos + 1, end)));
    const dataStart = end + (bytes[end + 1] === 0x0d ? 3 : 2);
    const typeName = get(header, 'DataType');
    if (!typeName) throw new XrfInputError(file, `image ${n}: EDF header has no DataType`);
    const type = TYPES[typeName.toLowerCase()];
    if (!type) throw new XrfInputError(file, `image ${n}: unsupported EDF DataType "${typeName}"`);
    const compression = get(header, 'Compression');
    if (compression && !/^(none|no)$/i.test(compression)) {
      throw new XrfInputError(file, `image ${n}: compressed EDF (${compression}) is not supported; save uncompressed`);
    }
    const order = get(header, 'ByteOrder') ?? 'LowByteFirst';
    if (!/^(LowByteFirst|HighByteFirst)$/i.test(order)) throw new XrfInputError(file, `image ${n}: unknown ByteOrder "${order}"`);
    const little = /^LowByteFirst$/i.test(order);
    const w = Number(get(header, 'Dim_1'));
    const h = Number(get(header, 'Dim_2') ?? '1');
    const d3 = Number(get(header, 'Dim_3') ?? '1');
    if (!Number.isInteger(w) || !Number.isInteger(h) || w <= 0 || h <= 0) {
      throw new XrfInputError(file, `image ${n}: bad dimensions Dim_1 = ${get(header, 'Dim_1')}, Dim_2 = ${get(header, 'Dim_2')}`);
    }
    if (d3 !== 1) throw new XrfInputError(file, `image ${n}: 3-D EDF images (Dim_3 = ${d3}) are not maps`);
    const need = w * h * type.size;
    const sizeText = get(header, 'Size') ?? get(header, 'EDF_BinarySize');
    const size = sizeText === undefined ? need : Number(sizeText);
    if (!Number.isInteger(size) || size < need) {
      throw new XrfInputError(file, `image ${n}: Size = ${sizeText} but ${w}×${h} ${typeName} needs ${need} bytes`);
    }
    if (dataStart + need > bytes.length) {
      throw new XrfInputError(file, `image ${n}: data is truncated (${bytes.length - dataStart} of ${need} bytes)`);
    }
    const data = new Float32Array(w * h);
    decodeSamplesOf(bytes.subarray(dataStart), { dtype: type.dtype, littleEndian: little }, data.length, data);
    images.push({ header, title: get(header, 'Title'), height: h, width: w, data });
    pos = dataStart + size;
  }
  if (images.length === 0) throw new XrfInputError(file, 'file is empty');
  return images;
}

/** Read every image of an EDF file (opened read-only). */
export async function readEdf(path: string): Promise<EdfImage[]> {
  return decodeEdf(await readInputBytes(path), path);
}
