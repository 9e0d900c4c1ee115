/**
 * Baseline little-endian TIFF writer for float32 maps: one IFD (page) per map, uncompressed, one strip
 * per page, SampleFormat = 3 (IEEE float), the page's name (line family) in ImageDescription and
 * PageName. Readable by tifffile, scikit-image, ImageJ/Fiji and PyMca.
 */
import { writeFileAtomic } from './atomic';
import { concatBytes } from './concat-bytes';

export interface TiffPage {
  data: Float32Array;
  width: number;
  height: number;
  /** Line family or label ("Fe K"); stored as ASCII (other characters become "?"). */
  name?: string;
}

const TYPE_ASCII = 2;
const TYPE_SHORT = 3;
const TYPE_LONG = 4;
const TYPE_RATIONAL = 5;
const TYPE_SIZE: Record<number, number> = { [TYPE_ASCII]: 1, [TYPE_SHORT]: 2, [TYPE_LONG]: 4, [TYPE_RATIONAL]: 8 };

interface Entry {
  tag: number;
  type: number;
  count: number;
  /** Inline value (SHORT/LONG) or bytes stored out of line when they do not fit 4 bytes. */
  value?: number;
  bytes?: Uint8Array;
}

function ascii(text: string): Uint8Array {
  const out = new Uint8Array(text.length + 1); // NUL-terminated
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    out[i] = c >= 0x20 && c < 0x7f ? c : 0x3f;
  }
  return out;
}

function rational(num: number, den: number): Uint8Array {
  const b = new Uint8Array(8);
  const dv = new DataView(b.buffer);
  dv.setUint32(0, num, true);
  dv.setUint32(4, den, true);
  return b;
}

const pad2 = (n: number) => n + (n & 1);

function validate(pages: readonly TiffPage[]): void {
  if (pages.length === 0) throw new RangeError('TIFF: at least one page is needed');
  pages.forEach((p, i) => {
    if (!Number.isInteger(p.width) || !Number.isInteger(p.height) || p.width <= 0 || p.height <= 0) {
      throw new RangeError(`TIFF page ${i}: size must be positive integers, got ${p.width}×${p.height}`);
    }
    if (!(p.data instanceof Float32Array) || p.data.length !== p.width * p.height) {
      throw new RangeError(`TIFF page ${i}: ${p.width}×${p.height} needs ${p.width * p.height} float32 values, got ${p.data?.length}`);
    }
  });
}

/** The file as a list of parts (no copy of the pixel data), for streaming to disk. */
export function tiffParts(pages: readonly TiffPage[]): Uint8Array[] {
  validate(pages);
  const parts: Uint8Array[] = [];
  const header = new Uint8Array(8);
  const hv = new DataView(header.buffer);
  header[0] = 0x49; // "II": little-endian
  header[1] = 0x49;
  hv.setUint16(2, 42, true);
  parts.push(header);
  let offset = 8;
  let prevNextPointer: { view: DataView; at: number } = { view: hv, at: 4 };

  for (const page of pages) {
    // Pixel data first (word-aligned: 4·w·h is always even).
    const pixels = new Uint8Array(page.data.buffer, page.data.byteOffset, page.data.byteLength);
    const stripOffset = offset;
    parts.push(pixels);
    offset += pixels.length;

    const entries: Entry[] = [
      { tag: 256, type: TYPE_LONG, count: 1, value: page.width },
      { tag: 257, type: TYPE_LONG, count: 1, value: page.height },
      { tag: 258, type: TYPE_SHORT, count: 1, value: 32 },
      { tag: 259, type: TYPE_SHORT, count: 1, value: 1 }, // no compression
      { tag: 262, type: TYPE_SHORT, count: 1, value: 1 }, // BlackIsZero
    ];
    if (page.name !== undefined) {
      const b = ascii(page.name);
      entries.push({ tag: 270, type: TYPE_ASCII, count: b.length, bytes: b }); // ImageDescription
    }
    entries.push(
      { tag: 273, type: TYPE_LONG, count: 1, value: stripOffset },
      { tag: 277, type: TYPE_SHORT, count: 1, value: 1 },
      { tag: 278, type: TYPE_LONG, count: 1, value: page.height },
      { tag: 279, type: TYPE_LONG, count: 1, value: pixels.length },
      { tag: 282, type: TYPE_RATIONAL, count: 1, bytes: rational(1, 1) },
      { tag: 283, type: TYPE_RATIONAL, count: 1, bytes: rational(1, 1) },
      { tag: 284, type: TYPE_SHORT, count: 1, value: 1 }, // chunky
    );
    if (page.name !== undefined) {
      const b = ascii(page.name);
      entries.push({ tag: 285, type: TYPE_ASCII, count: b.length, bytes: b }); // PageName
    }
    entries.push(
      { tag: 296, type: TYPE_SHORT, count: 1, value: 1 }, // no absolute unit
      { tag: 339, type: TYPE_SHORT, count: 1, value: 3 }, // SampleFormat: IEEE float
    );

    // IFD: count, entries, next-IFD pointer, then out-of-line values.
    const ifdOffset = offset;
    const ifdSize = 2 + 12 * entries.length + 4;
    let extraSize = 0;
    for (const e of entries) if (e.bytes && e.bytes.length > 4) extraSize += pad2(e.bytes.length);
    // Padded to 4 bytes so the next page's float32 pixels start 4-aligned (memory-mappable).
    const ifd = new Uint8Array(Math.ceil((ifdSize + extraSize) / 4) * 4);
    const dv = new DataView(ifd.buffer);
    dv.setUint16(0, entries.length, true);
    let extraAt = ifdSize;
    entries.forEach((e, i) => {
      const at = 2 + 12 * i;
      dv.setUint16(at, e.tag, true);
      dv.setUint16(at + 2, e.type, true);
      dv.setUint32(at + 4, e.count, true);
      if (e.bytes) {
        if (e.bytes.length <= 4) ifd.set(e.bytes, at + 8);
        else {
          dv.setUint32(at + 8, ifdOffset + extraAt, true);
          ifd.set(e.bytes, extraAt);
          extraAt += pad2(e.bytes.length);
        }
      } else if (TYPE_SIZE[e.type] === 2) dv.setUint16(at + 8, e.value!, true);
      else dv.setUint32(at + 8, e.value!, true);
    });
    prevNextPointer.view.setUint32(prevNextPointer.at, ifdOffset, true);
    prevNextPointer = { view: dv, at: 2 + 12 * entries.length }; // stays 0 for the last page
    parts.push(ifd);
    offset += ifd.length;
    if (offset > 0xffffffff) throw new RangeError('TIFF: the maps exceed the 4 GiB limit of classic TIFF; export fewer or smaller maps');
  }
  return parts;
}

export function encodeTiffFloat32(pages: readonly TiffPage[]): Uint8Array {
  return concatBytes(tiffParts(pages));
}

/** Write a multi-page float32 TIFF atomically (temporary name, then rename). */
export async function writeTiff(path: string, pages: readonly TiffPage[]): Promise<void> {
  await writeFileAtomic(path, tiffParts(pages));
}
