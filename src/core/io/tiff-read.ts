/**
 * TIFF pages for map files: one sample per pixel, in strips (PyMca's TiffIO, tifffile and ImageJ
 * write these) or tiles, uncompressed or LZW / Deflate / PackBits with or without a predictor
 * (tiff-codecs.ts), little- or big-endian, every page of a multi-page file.
 * Sample formats: unsigned/signed integers of 8/16/32 bits and IEEE floats of 32/64 bits; all
 * returned as float32. Each page's label comes from PageName (285) or ImageDescription (270) —
 * PyMca writes the map's title there, padded with spaces.
 */
import { XrfInputError } from '../errors';
import { readInputBytes } from './read-input';
import { decodeSamplesOf } from '../cube/decode';
import type { DType } from '../cube/cube';
import { decompressSegment, TIFF_COMPRESSIONS, undoFloatPredictor, undoHorizontalPredictor } from './tiff-codecs';

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
    if (!(compression in TIFF_COMPRESSIONS)) {
      throw new XrfInputError(file, `page ${n}: TIFF compression ${compression} is not supported (readable: none, LZW, Deflate, PackBits); save with one of those`);
    }
    if (spp !== 1) throw new XrfInputError(file, `page ${n}: ${spp} samples per pixel; maps need one (grey) sample`);
    if (width <= 0 || height <= 0) throw new XrfInputError(file, `page ${n}: zero size ${width}×${height}`);
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
    const predictor = one(317, 1);
    if (predictor !== 1 && predictor !== 2 && predictor !== 3) throw new XrfInputError(file, `page ${n}: unknown TIFF predictor ${predictor}`);
    if (predictor === 3 && fmt !== 3) throw new XrfInputError(file, `page ${n}: the floating-point predictor on integer samples`);
    const layout = segmentLayout(tags, one, values, width, height, file, n);
    const bps = bits / 8;
    const data = new Float32Array(width * height);
    const tile = layout.tiled ? new Float32Array(layout.segWidth * layout.segHeight) : undefined;
    for (let s = 0; s < layout.count; s++) {
      const across = Math.ceil(width / layout.segWidth);
      const row0 = layout.tiled ? Math.floor(s / across) * layout.segHeight : s * layout.segHeight;
      const col0 = layout.tiled ? (s % across) * layout.segWidth : 0;
      // A strip holds only the rows left; a tile is always whole (padded at the right and bottom edges).
      const rows = layout.tiled ? layout.segHeight : Math.min(layout.segHeight, height - row0);
      const need = rows * layout.segWidth * bps;
      const where = `page ${n}, ${layout.tiled ? 'tile' : 'strip'} ${s}`;
      const stored = layout.counts[s];
      if (compression === 1 && stored < need) throw new XrfInputError(file, `${where} holds ${stored} bytes, ${need} needed`);
      inFile(layout.offsets[s], compression === 1 ? need : stored, where);
      let raw = bytes.subarray(layout.offsets[s], layout.offsets[s] + (compression === 1 ? need : stored));
      if (compression !== 1 || predictor !== 1) {
        try {
          raw = decompressSegment(compression, raw, need);
        } catch (e) {
          throw new XrfInputError(file, `${where} is corrupt (${TIFF_COMPRESSIONS[compression]}): ${(e as Error).message}`);
        }
        if (raw.length < need) throw new XrfInputError(file, `${where} decompresses to ${raw.length} bytes, ${need} needed (truncated or corrupt)`);
        // The codecs return fresh buffers except for "none": the predictor works in place, so copy that one.
        if (compression === 1) raw = raw.slice();
      }
      let littleEndian = le;
      if (predictor === 2) undoHorizontalPredictor(raw, layout.segWidth, rows, bps, le);
      else if (predictor === 3) {
        raw = undoFloatPredictor(raw, layout.segWidth, rows, bps);
        littleEndian = true;
      }
      if (!tile) {
        decodeSamplesOf(raw, { dtype, littleEndian }, rows * width, data, row0 * width);
        continue;
      }
      decodeSamplesOf(raw, { dtype, littleEndian }, tile.length, tile, 0);
      const w = Math.min(layout.segWidth, width - col0);
      for (let r = 0; r < rows && row0 + r < height; r++) {
        data.set(tile.subarray(r * layout.segWidth, r * layout.segWidth + w), (row0 + r) * width + col0);
      }
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

interface SegmentLayout {
  tiled: boolean;
  /** Strips: the image width and RowsPerStrip; tiles: TileWidth × TileLength. */
  segWidth: number;
  segHeight: number;
  count: number;
  offsets: number[];
  /** Stored bytes per segment (needed to know where compressed data ends). */
  counts: number[];
}

/** Where the pixel data of a page is: strips (StripOffsets …) or tiles (TileOffsets …). */
function segmentLayout(
  tags: Map<number, Entry>,
  one: (tag: number, fallback?: number) => number,
  values: (e: Entry) => number[],
  width: number,
  height: number,
  file: string,
  n: number,
): SegmentLayout {
  const compressed = one(259, 1) !== 1;
  if (tags.has(322) || tags.has(324)) {
    const tw = one(322);
    const th = one(323);
    if (tw <= 0 || th <= 0) throw new XrfInputError(file, `page ${n}: zero tile size ${tw}×${th}`);
    const offsetsE = tags.get(324);
    const countsE = tags.get(325);
    if (!offsetsE || !countsE) throw new XrfInputError(file, `page ${n}: tiled, but TileOffsets or TileByteCounts is missing`);
    const count = Math.ceil(width / tw) * Math.ceil(height / th);
    const offsets = values(offsetsE);
    const counts = values(countsE);
    if (offsets.length < count || counts.length < count) throw new XrfInputError(file, `page ${n}: ${Math.min(offsets.length, counts.length)} tiles for a ${width}×${height} image of ${tw}×${th} tiles (${count} needed)`);
    return { tiled: true, segWidth: tw, segHeight: th, count, offsets, counts };
  }
  const offsetsE = tags.get(273);
  if (!offsetsE) throw new XrfInputError(file, `page ${n}: no StripOffsets`);
  const countsE = tags.get(279);
  if (!countsE && compressed) throw new XrfInputError(file, `page ${n}: compressed strips without StripByteCounts`);
  const offsets = values(offsetsE);
  const rowsPerStrip = Math.min(one(278, height), height);
  const rowBytes = width * (one(258, 1) / 8);
  const counts = countsE ? values(countsE) : offsets.map((_, s) => Math.min(rowsPerStrip, height - s * rowsPerStrip) * rowBytes);
  const count = Math.ceil(height / rowsPerStrip);
  if (offsets.length < count) throw new XrfInputError(file, `page ${n}: ${offsets.length} strips for ${height} rows of ${rowsPerStrip}`);
  return { tiled: false, segWidth: width, segHeight: rowsPerStrip, count, offsets, counts };
}

export async function readTiff(path: string): Promise<TiffPage[]> {
  return decodeTiff(await readInputBytes(path), path);
}
