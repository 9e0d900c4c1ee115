/**
 * Baseline TIFF pages for map files: uncompressed, one sample per pixel, strips (PyMca's TiffIO,
 * tifffile and ImageJ write these), little- or big-endian, every page of a multi-page file.
 * Sample formats: unsigned/signed integers of 8/16/32 bits and IEEE floats of 32/64 bits; all
 * returned as float32. Each page's label comes from PageName (285) or ImageDescription (270) —
 * PyMca writes the map's title there, padded with spaces.
 */
import { XrfInputError } from '../errors';
import { readInputBytes } from './read-input';
import { decodeSamplesOf } from '../cube/decode';
import type { DType } from '../cube/cube';

export interface TiffPage {
  height: number;
  width: number;
  /** PageName, else ImageDescription, trimmed; undefined when neither is a usable label. */
  label?: string;
  data: Float32Array;
}

const TYPE_SIZE: Record<number, number> = { 1: 1, 2: 1, 3: 2, 4: 4, 5: 8, 6: 1, 7: 1, 8: 2, 9: 4, 10: 8, 11: 4, 12: 8, 16: 8 };

interface Entry {
  type: number;
  count: number;
  /** Where the values are (inline in the entry or at an offset). */
  valueOffset: number;
}

export function decodeTiff(bytes: Uint8Array, file: string): TiffPage[] {
  if (bytes.length < 8) throw new XrfInputError(file, 'not a TIFF file (too short)');
  const dv = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const bo = String.fromCharCode(bytes[0], bytes[1]);
  if (bo !== 'II' && bo !== 'MM') throw new XrfInputError(file, 'not a TIFF file (no II/MM byte-order mark)');
  const le = bo === 'II';
  const magic = dv.getUint16(2, le);
  if (magic === 43) throw new XrfInputError(file, 'BigTIFF is not supported; save as classic TIFF');
  if (magic !== 42) throw new XrfInputError(file, `not a TIFF file (magic ${magic}, expected 42)`);
  const u16 = (o: number) => dv.getUint16(o, le);
  const u32 = (o: number) => dv.getUint32(o, le);
  const inFile = (o: number, n: number, what: string) => {
    if (o < 0 || o + n > bytes.length) throw new XrfInputError(file, `${what} lies beyond the end of the file (truncated?)`);
  };

  const values = (e: Entry): number[] => {
    const out: number[] = [];
    const size = TYPE_SIZE[e.type] ?? 1;
    inFile(e.valueOffset, size * e.count, 'a tag value');
    for (let i = 0; i < e.count; i++) {
      const o = e.valueOffset + i * size;
      out.push(e.type === 3 ? u16(o) : e.type === 4 ? u32(o) : e.type === 1 ? bytes[o] : e.type === 16 ? Number(dv.getBigUint64(o, le)) : u32(o));
    }
    return out;
  };
  const ascii = (e: Entry): string => {
    inFile(e.valueOffset, e.count, 'a text tag');
    return new TextDecoder('utf-8').decode(bytes.subarray(e.valueOffset, e.valueOffset + e.count)).replace(/\0+$/, '');
  };

  const pages: TiffPage[] = [];
  const seen = new Set<number>();
  let ifd = u32(4);
  while (ifd !== 0) {
    const n = pages.length + 1;
    if (seen.has(ifd)) throw new XrfInputError(file, `page ${n}: the page chain loops`);
    seen.add(ifd);
    inFile(ifd, 2, `page ${n}'s directory`);
    const count = u16(ifd);
    inFile(ifd + 2, count * 12 + 4, `page ${n}'s directory`);
    const tags = new Map<number, Entry>();
    for (let i = 0; i < count; i++) {
      const o = ifd + 2 + i * 12;
      const type = u16(o + 2);
      const cnt = u32(o + 4);
      const size = (TYPE_SIZE[type] ?? 1) * cnt;
      tags.set(u16(o), { type, count: cnt, valueOffset: size <= 4 ? o + 8 : u32(o + 8) });
    }
    const one = (tag: number, fallback?: number): number => {
      const e = tags.get(tag);
      if (!e) {
        if (fallback === undefined) throw new XrfInputError(file, `page ${n}: required TIFF tag ${tag} is missing`);
        return fallback;
      }
      return values(e)[0];
    };
    const width = one(256);
    const height = one(257);
    const bits = one(258, 1);
    const compression = one(259, 1);
    const spp = one(277, 1);
    const fmt = one(339, 1);
    if (compression !== 1) throw new XrfInputError(file, `page ${n}: compressed TIFF (Compression = ${compression}) is not supported; save uncompressed`);
    if (spp !== 1) throw new XrfInputError(file, `page ${n}: ${spp} samples per pixel; maps need one (grey) sample`);
    if (tags.has(322)) throw new XrfInputError(file, `page ${n}: tiled TIFF is not supported; save with strips`);
    if (width <= 0 || height <= 0) throw new XrfInputError(file, `page ${n}: zero size ${width}×${height}`);
    const bps = bits / 8;
    let dtype: DType;
    if (fmt === 3 && bits === 32) dtype = 'f4';
    else if (fmt === 3 && bits === 64) dtype = 'f8';
    else if ((fmt === 1 || fmt === 4) && bits === 8) dtype = 'u1';
    else if ((fmt === 1 || fmt === 4) && bits === 16) dtype = 'u2';
    else if ((fmt === 1 || fmt === 4) && bits === 32) dtype = 'u4';
    else if (fmt === 2 && bits === 8) dtype = 'i1';
    else if (fmt === 2 && bits === 16) dtype = 'i2';
    else if (fmt === 2 && bits === 32) dtype = 'i4';
    else throw new XrfInputError(file, `page ${n}: unsupported sample type (SampleFormat ${fmt}, ${bits} bits)`);
    const offsetsE = tags.get(273);
    const countsE = tags.get(279);
    if (!offsetsE) throw new XrfInputError(file, `page ${n}: no StripOffsets`);
    const offsets = values(offsetsE);
    const rowsPerStrip = Math.min(one(278, height), height);
    const rowBytes = width * bps;
    const counts = countsE ? values(countsE) : offsets.map((_, s) => Math.min(rowsPerStrip, height - s * rowsPerStrip) * rowBytes);
    const expectStrips = Math.ceil(height / rowsPerStrip);
    if (offsets.length < expectStrips) throw new XrfInputError(file, `page ${n}: ${offsets.length} strips for ${height} rows of ${rowsPerStrip}`);
    const data = new Float32Array(width * height);
    for (let s = 0; s < expectStrips; s++) {
      const rows = Math.min(rowsPerStrip, height - s * rowsPerStrip);
      const need = rows * rowBytes;
      if (counts[s] < need) throw new XrfInputError(file, `page ${n}: strip ${s} holds ${counts[s]} bytes, ${need} needed`);
      inFile(offsets[s], need, `page ${n}, strip ${s}`);
      const base = s * rowsPerStrip * width;
      decodeSamplesOf(bytes.subarray(offsets[s]), { dtype, littleEndian: le }, rows * width, data, base);
    }
    const pageName = tags.get(285) ? ascii(tags.get(285)!).trim() : '';
    const desc = tags.get(270) ? ascii(tags.get(270)!).trim() : '';
    // tifffile writes JSON shape metadata into ImageDescription: that is not a label.
    const label = pageName || (desc && !desc.startsWith('{') && !desc.includes('\n') ? desc : undefined);
    pages.push({ height, width, label: label || undefined, data });
    ifd = u32(ifd + 2 + count * 12);
  }
  if (pages.length === 0) throw new XrfInputError(file, 'TIFF has no pages');
  return pages;
}

export async function readTiff(path: string): Promise<TiffPage[]> {
  return decodeTiff(await readInputBytes(path), path);
}
