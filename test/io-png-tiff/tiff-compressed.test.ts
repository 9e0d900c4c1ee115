/**
 * Compressed and tiled TIFF maps: fixtures written by libtiff through PIL (scripts/make-tiff-fixtures.py;
 * LZW, Deflate, PackBits, horizontal and floating-point predictors), TIFFs built here with node's zlib
 * (strips and tiles, both byte orders), the codecs on their own, and corrupt data.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import * as path from 'node:path';
import { deflateSync } from 'node:zlib';
import { decodeTiff } from '../../src/core/io/tiff-read';
import { lzwDecode, packBitsDecode } from '../../src/core/io/tiff-codecs';
import { decodeNpy } from '../../src/core/io/npy-read';
import { XrfInputError } from '../../src/core/errors';

const FIXTURES = path.join(__dirname, '..', 'fixtures', 'tiff');

for (const name of ['f32_lzw_pred3', 'f32_lzw', 'u16_lzw_pred2', 'f32_deflate_pred3', 'u16_packbits']) {
  test(`libtiff's ${name.replace(/_/g, ' ')} reads as the values it was written from`, () => {
    const file = path.join(FIXTURES, `${name}.tif`);
    const pages = decodeTiff(new Uint8Array(readFileSync(file)), file);
    const expected = decodeNpy(new Uint8Array(readFileSync(path.join(FIXTURES, `${name}.npy`))), name);
    assert.equal(pages.length, 1);
    assert.deepEqual([pages[0].height, pages[0].width], expected.header.shape);
    assert.deepEqual(Array.from(pages[0].data), Array.from(expected.data));
  });
}

// ───────────── TIFFs built here: one page, u16 or f32, strips or tiles, Deflate with a predictor ─────────────

interface Build {
  width: number;
  height: number;
  kind: 'u16' | 'f32';
  littleEndian: boolean;
  predictor: 1 | 2 | 3;
  /** Strips of this many rows, or tiles of this size. */
  rowsPerStrip?: number;
  tile?: [number, number];
  compression?: 1 | 8;
}

/** Bytes of one sample in the file's byte order. */
function sampleBytes(v: number, b: Build): number[] {
  const buf = new DataView(new ArrayBuffer(b.kind === 'u16' ? 2 : 4));
  if (b.kind === 'u16') buf.setUint16(0, v, b.littleEndian);
  else buf.setFloat32(0, v, b.littleEndian);
  return [...new Uint8Array(buf.buffer)];
}

/** One segment (rows × segW samples, missing samples 0) encoded with the predictor, as a writer would. */
function encodeSegment(values: number[][], b: Build): Uint8Array {
  const bps = b.kind === 'u16' ? 2 : 4;
  const out: number[] = [];
  for (const row of values) {
    if (b.predictor === 1) row.forEach((v) => out.push(...sampleBytes(v, b)));
    else if (b.predictor === 2) {
      row.forEach((v, i) => out.push(...sampleBytes(i === 0 ? v : (v - row[i - 1] + 65536) % 65536, b)));
    } else {
      // Floating point: planes of big-endian bytes (most significant first), then byte differences.
      const be = row.map((v) => sampleBytes(v, { ...b, littleEndian: false }));
      const planes: number[] = [];
      for (let k = 0; k < bps; k++) for (const s of be) planes.push(s[k]);
      planes.forEach((x, i) => out.push(i === 0 ? x : (x - planes[i - 1] + 256) % 256));
    }
  }
  const raw = Uint8Array.from(out);
  return b.compression === 1 ? raw : new Uint8Array(deflateSync(raw));
}

function buildTiff(data: number[], b: Build): Uint8Array {
  const segW = b.tile ? b.tile[0] : b.width;
  const segH = b.tile ? b.tile[1] : b.rowsPerStrip ?? b.height;
  const across = b.tile ? Math.ceil(b.width / segW) : 1;
  const down = Math.ceil(b.height / segH);
  const segments: Uint8Array[] = [];
  for (let sy = 0; sy < down; sy++) {
    for (let sx = 0; sx < across; sx++) {
      const rows: number[][] = [];
      const nRows = b.tile ? segH : Math.min(segH, b.height - sy * segH);
      for (let r = 0; r < nRows; r++) {
        const y = sy * segH + r;
        rows.push(Array.from({ length: segW }, (_, c) => (y < b.height && sx * segW + c < b.width ? data[y * b.width + sx * segW + c] : 0)));
      }
      segments.push(encodeSegment(rows, b));
    }
  }
  const le = b.littleEndian;
  const tags: [number, number, number[]][] = [
    [256, 4, [b.width]],
    [257, 4, [b.height]],
    [258, 3, [b.kind === 'u16' ? 16 : 32]],
    [259, 3, [b.compression ?? 8]],
    [262, 3, [1]],
    [277, 3, [1]],
    [317, 3, [b.predictor]],
    [339, 3, [b.kind === 'u16' ? 1 : 3]],
  ];
  if (b.tile) tags.push([322, 4, [segW]], [323, 4, [segH]], [324, 4, []], [325, 4, segments.map((s) => s.length)]);
  else tags.push([273, 4, []], [278, 4, [segH]], [279, 4, segments.map((s) => s.length)]);
  tags.sort((x, y) => x[0] - y[0]);
  const offsetsTag = b.tile ? 324 : 273;
  const ifdSize = 2 + tags.length * 12 + 4;
  // Layout: header, IFD, out-of-line arrays (offsets, counts), then the segments.
  let extra = 8 + ifdSize;
  const arrays = new Map<number, number>();
  for (const [tag, , v] of tags) {
    const n = tag === offsetsTag ? segments.length : v.length;
    if (n > 1) {
      arrays.set(tag, extra);
      extra += 4 * n;
    }
  }
  const segStart: number[] = [];
  let at = extra;
  for (const s of segments) {
    segStart.push(at);
    at += s.length;
  }
  const bytes = new Uint8Array(at);
  const dv = new DataView(bytes.buffer);
  bytes.set(le ? [0x49, 0x49] : [0x4d, 0x4d]);
  dv.setUint16(2, 42, le);
  dv.setUint32(4, 8, le);
  dv.setUint16(8, tags.length, le);
  tags.forEach(([tag, type, v], i) => {
    const vals = tag === offsetsTag ? segStart : v;
    const o = 10 + i * 12;
    dv.setUint16(o, tag, le);
    dv.setUint16(o + 2, type, le);
    dv.setUint32(o + 4, vals.length, le);
    if (vals.length > 1) {
      dv.setUint32(o + 8, arrays.get(tag)!, le);
      vals.forEach((x, k) => dv.setUint32(arrays.get(tag)! + 4 * k, x, le));
    } else if (type === 3) dv.setUint16(o + 8, vals[0], le);
    else dv.setUint32(o + 8, vals[0], le);
  });
  segments.forEach((s, k) => bytes.set(s, segStart[k]));
  return bytes;
}

function values(kind: 'u16' | 'f32', n: number): number[] {
  return Array.from({ length: n }, (_, i) => (kind === 'u16' ? (i * 7919 + (i % 13) * 4001) % 65536 : Math.fround(Math.sin(i) * 1e3 + i / 7)));
}

const layouts: Omit<Build, 'kind' | 'littleEndian' | 'predictor'>[] = [
  { width: 23, height: 17, rowsPerStrip: 5 },
  { width: 23, height: 17, tile: [16, 16] },
  { width: 40, height: 9, tile: [16, 8] },
];
for (const kind of ['u16', 'f32'] as const) {
  for (const predictor of kind === 'u16' ? ([1, 2] as const) : ([1, 3] as const)) {
    for (const littleEndian of [true, false]) {
      for (const layout of layouts) {
        const what = `${kind}, Deflate, predictor ${predictor}, ${littleEndian ? 'little' : 'big'}-endian, ${layout.tile ? `tiles ${layout.tile.join('×')}` : `strips of ${layout.rowsPerStrip} rows`}, ${layout.width}×${layout.height}`;
        test(`TIFF ${what}: every pixel as written`, () => {
          const b: Build = { ...layout, kind, predictor, littleEndian };
          const data = values(kind, b.width * b.height);
          const [page] = decodeTiff(buildTiff(data, b), 'built.tif');
          assert.equal(page.width, b.width);
          assert.equal(page.height, b.height);
          assert.deepEqual(Array.from(page.data), data);
        });
      }
    }
  }
}

test('an uncompressed tiled TIFF and an uncompressed strip with a predictor read as written', () => {
  for (const b of [
    { width: 21, height: 11, tile: [16, 16] as [number, number], kind: 'f32' as const, littleEndian: true, predictor: 1 as const, compression: 1 as const },
    { width: 21, height: 11, rowsPerStrip: 4, kind: 'u16' as const, littleEndian: false, predictor: 2 as const, compression: 1 as const },
  ]) {
    const data = values(b.kind, b.width * b.height);
    const bytes = buildTiff(data, b);
    const before = bytes.slice();
    assert.deepEqual(Array.from(decodeTiff(bytes, 'built.tif')[0].data), data);
    assert.deepEqual(bytes, before, 'the predictor is undone on a copy, never on the bytes read');
  }
});

// ───────────── codecs alone ─────────────

test('PackBits: literal runs, repeat runs and the −128 no-op', () => {
  const src = Uint8Array.of(2, 10, 11, 12, 0xfd, 7, 0x80, 0, 99);
  assert.deepEqual(Array.from(packBitsDecode(src, 8)), [10, 11, 12, 7, 7, 7, 7, 99]);
  assert.throws(() => packBitsDecode(Uint8Array.of(5, 1, 2), 6), /beyond/);
});

/** A plain TIFF LZW encoder (for the test): 9-12-bit codes, early change, clear when the table fills. */
function lzwEncode(data: Uint8Array): { bytes: Uint8Array; resets: number } {
  const out: number[] = [];
  let acc = 0;
  let nbits = 0;
  let width = 9;
  const put = (code: number) => {
    acc = (acc << width) | code;
    nbits += width;
    while (nbits >= 8) {
      out.push((acc >>> (nbits - 8)) & 0xff);
      nbits -= 8;
    }
    acc &= (1 << nbits) - 1;
  };
  let dict = new Map<string, number>();
  let next = 258;
  let resets = 0;
  put(256);
  let w = '';
  for (const byte of data) {
    const wc = w + String.fromCharCode(byte);
    if (w === '' || dict.has(wc) || wc.length === 1) {
      w = wc;
      continue;
    }
    put(w.length === 1 ? w.charCodeAt(0) : dict.get(w)!);
    dict.set(wc, next++);
    // The decoder defines each code one step later, so it widens at 511 where the encoder does at 512.
    if (next >= 1 << width && width < 12) width++;
    if (next >= 4094) {
      put(256);
      resets++;
      dict = new Map();
      next = 258;
      width = 9;
    }
    w = String.fromCharCode(byte);
  }
  if (w) put(w.length === 1 ? w.charCodeAt(0) : dict.get(w)!);
  put(257);
  if (nbits > 0) out.push((acc << (8 - nbits)) & 0xff);
  return { bytes: Uint8Array.from(out), resets };
}

test('LZW: long inputs cross the 10-, 11- and 12-bit widths and a table reset, and decode as encoded', () => {
  let seed = 1;
  const rand = () => ((seed = (seed * 1103515245 + 12345) >>> 0) >>> 16) & 0xff;
  const data = Uint8Array.from({ length: 60_000 }, (_, i) => (i % 3000 < 1500 ? rand() & 0x0f : (i >> 4) & 0xff));
  const coded = lzwEncode(data);
  assert.ok(coded.resets >= 2, `the table filled and was reset (${coded.resets} times)`);
  assert.deepEqual(lzwDecode(coded.bytes, data.length), data);
  // The KwKwK case: "aaaa…" makes the decoder meet a code in the step that defines it.
  const runs = new Uint8Array(1000).fill(97);
  assert.deepEqual(lzwDecode(lzwEncode(runs).bytes, runs.length), runs);
});

// ───────────── bad input ─────────────

test('a compressed strip that is corrupt or truncated is an input error naming the file, the page and the strip', () => {
  const b: Build = { width: 23, height: 17, rowsPerStrip: 5, kind: 'f32', littleEndian: true, predictor: 3 };
  const bytes = buildTiff(values('f32', 23 * 17), b);
  const dv = new DataView(bytes.buffer);
  // Find StripOffsets → first strip, and spoil its deflate stream.
  const count = dv.getUint16(8, true);
  let first = 0;
  for (let i = 0; i < count; i++) {
    if (dv.getUint16(10 + i * 12, true) === 273) first = dv.getUint32(dv.getUint32(10 + i * 12 + 8, true), true);
  }
  const bad = bytes.slice();
  bad.fill(0xff, first + 2, first + 12);
  assert.throws(
    () => decodeTiff(bad, '/maps/Fe_K.tif'),
    (e: unknown) => e instanceof XrfInputError && e.file === '/maps/Fe_K.tif' && /page 1, strip 0 is corrupt \(Deflate\)/.test(e.message),
  );
  assert.throws(() => decodeTiff(bytes.subarray(0, bytes.length - 30), '/maps/Fe_K.tif'), (e: unknown) => e instanceof XrfInputError && /strip \d+/.test(e.message));
});

test('an unsupported compression (JPEG) says which ones are readable', () => {
  const bytes = buildTiff(values('u16', 6), { width: 3, height: 2, kind: 'u16', littleEndian: true, predictor: 1, compression: 1 });
  const dv = new DataView(bytes.buffer);
  for (let i = 0; i < dv.getUint16(8, true); i++) if (dv.getUint16(10 + i * 12, true) === 259) dv.setUint16(10 + i * 12 + 8, 7, true);
  assert.throws(() => decodeTiff(bytes, 'x.tif'), /compression 7 is not supported \(readable: none, LZW, Deflate, PackBits\)/);
});
