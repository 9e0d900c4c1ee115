/**
 * ESRF Data Format (EDF) images, written the way PyMca's EdfFile.WriteImage does: an ASCII header
 * "{\n key = value ;\n … }\n" padded with spaces to a multiple of 1024 bytes, then the raw data.
 * Dim_1 is the fast axis (width), Dim_2 the slow one (height).
 */
import { writeFileAtomic } from './atomic';

const HEADER_BLOCK = 1024;

export interface EdfImage {
  data: Float32Array;
  width: number;
  height: number;
  /** Extra header keys (PyMca writes the map's label as Title). */
  header?: Record<string, string | number>;
}

/** Encode one image (float32, little-endian) as a single-image EDF file. */
export function encodeEdfFloat32(img: EdfImage, imageNumber = 1): Uint8Array[] {
  const { data, width, height } = img;
  if (data.length !== width * height) throw new RangeError(`EDF: ${width}×${height} image needs ${width * height} values, got ${data.length}`);
  const size = data.length * 4;
  const keys: [string, string | number][] = [
    ['HeaderID', `EH:${String(imageNumber).padStart(6, '0')}:000000:000000`],
    ['Image', imageNumber],
    ['ByteOrder', 'LowByteFirst'],
    ['DataType', 'FloatValue'],
    ['Dim_1', width],
    ['Dim_2', height],
    ['Size', size],
    ...Object.entries(img.header ?? {}),
  ];
  let text = '{\n' + keys.map(([k, v]) => `${k} = ${v} ;\n`).join('');
  // Same arithmetic as EdfFile: pad so that header + "}\n" fills whole 1024-byte blocks.
  const newSize = (Math.floor((text.length + 1) / HEADER_BLOCK) + 1) * HEADER_BLOCK - 2;
  text = text.padEnd(newSize, ' ') + '}\n';
  const head = new TextEncoder().encode(text);
  if (head.length !== text.length) throw new RangeError('EDF: header values must be ASCII');
  // Little-endian on every platform we run on; copy so the caller's buffer may change afterwards.
  const body = new Uint8Array(data.buffer.slice(data.byteOffset, data.byteOffset + size));
  return [head, body];
}

export async function writeEdfFloat32(path: string, img: EdfImage): Promise<void> {
  await writeFileAtomic(path, encodeEdfFloat32(img));
}
