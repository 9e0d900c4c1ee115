import { test } from 'node:test';
import assert from 'node:assert/strict';
import { inflateSync } from 'node:zlib';
import { encodeCsv, encodeExport, exportFileName, formatFloat32 } from '../../src/host/export/encode';
import { decodeNpy } from '../../src/core/io/npy-read';
import { decodeTiff } from '../../src/core/io/tiff-read';
import { renderMapRGBA } from '../../src/core/render/render-map';
import type { DisplaySettings } from '../../src/protocol';

const W = 5;
const H = 3;
// Values that do not survive a naive float64 print → parse round trip as "short" decimals.
const MAP = Float32Array.from({ length: W * H }, (_, i) => (i === 7 ? 0 : Math.fround(0.1 * i + 1e-3 * i * i)));
const DISPLAY: DisplaySettings = { colormap: 'inferno', scaling: 'sqrt', lowPercentile: 0.5, highPercentile: 99.5 };

function concat(parts: Uint8Array[]): Uint8Array {
  const out = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
  let o = 0;
  for (const p of parts) {
    out.set(p, o);
    o += p.length;
  }
  return out;
}

/** A minimal independent PNG reader: 8-bit RGBA, non-interlaced, filters 0–4. */
function decodePng(png: Uint8Array): { width: number; height: number; rgba: Uint8Array } {
  assert.deepEqual([...png.subarray(0, 8)], [137, 80, 78, 71, 13, 10, 26, 10], 'PNG signature');
  const dv = new DataView(png.buffer, png.byteOffset, png.byteLength);
  let off = 8;
  let width = 0;
  let height = 0;
  const idat: Uint8Array[] = [];
  while (off < png.length) {
    const len = dv.getUint32(off);
    const type = String.fromCharCode(...png.subarray(off + 4, off + 8));
    const body = png.subarray(off + 8, off + 8 + len);
    if (type === 'IHDR') {
      width = dv.getUint32(off + 8);
      height = dv.getUint32(off + 12);
      assert.equal(body[8], 8, 'bit depth 8');
      assert.equal(body[9], 6, 'colour type RGBA');
    } else if (type === 'IDAT') idat.push(body);
    off += 12 + len;
  }
  const raw = inflateSync(concat(idat));
  const stride = width * 4;
  const rgba = new Uint8Array(width * height * 4);
  for (let y = 0; y < height; y++) {
    const f = raw[y * (stride + 1)];
    for (let x = 0; x < stride; x++) {
      const v = raw[y * (stride + 1) + 1 + x];
      const a = x >= 4 ? rgba[y * stride + x - 4] : 0;
      const b = y > 0 ? rgba[(y - 1) * stride + x] : 0;
      const c = x >= 4 && y > 0 ? rgba[(y - 1) * stride + x - 4] : 0;
      const p = a + b - c;
      const paeth = Math.abs(p - a) <= Math.abs(p - b) && Math.abs(p - a) <= Math.abs(p - c) ? a : Math.abs(p - b) <= Math.abs(p - c) ? b : c;
      const pred = [0, a, b, (a + b) >> 1, paeth][f];
      rgba[y * stride + x] = (v + pred) & 255;
    }
  }
  return { width, height, rgba };
}

test('PNG export holds the map exactly as displayed (colormap, scaling, contrast)', () => {
  const parts = encodeExport({ format: 'png', map: MAP, width: W, height: H, display: DISPLAY, lo: 0.2, hi: 1.2 });
  const png = decodePng(concat(parts));
  assert.deepEqual([png.width, png.height], [W, H]);
  const expected = renderMapRGBA(MAP, W, H, { colormap: 'inferno', scale: 'sqrt', lo: 0.2, hi: 1.2 });
  assert.deepEqual([...png.rgba], [...expected]);
  // And the display settings matter: another colormap gives other pixels.
  const gray = decodePng(concat(encodeExport({ format: 'png', map: MAP, width: W, height: H, display: { ...DISPLAY, colormap: 'gray' }, lo: 0.2, hi: 1.2 })));
  assert.notDeepEqual([...gray.rgba], [...png.rgba]);
});

test('NPY export is float32 H×W holding the exact values', () => {
  const arr = decodeNpy(concat(encodeExport({ format: 'npy', map: MAP, width: W, height: H, display: DISPLAY, lo: 0, hi: 1 })), 'x.npy');
  assert.equal(arr.header.descr, '<f4');
  assert.deepEqual(arr.header.shape, [H, W]);
  assert.deepEqual([...arr.data], [...MAP]);
});

test('TIFF export is one float32 page with the exact values and the map name', () => {
  const pages = decodeTiff(concat(encodeExport({ format: 'tiff', map: MAP, label: 'Fe K', width: W, height: H, display: DISPLAY, lo: 0, hi: 1 })), 'x.tif');
  assert.equal(pages.length, 1);
  assert.deepEqual([pages[0].height, pages[0].width], [H, W]);
  assert.equal(pages[0].label, 'Fe K');
  assert.deepEqual([...pages[0].data], [...MAP]);
});

test('CSV export has H rows of W values that read back as the same float32', () => {
  const text = new TextDecoder().decode(concat(encodeExport({ format: 'csv', map: MAP, width: W, height: H, display: DISPLAY, lo: 0, hi: 1 })));
  const rows = text.trimEnd().split('\n');
  assert.equal(rows.length, H);
  const values = rows.flatMap((r) => r.split(',').map(Number));
  assert.equal(values.length, W * H);
  values.forEach((v, i) => assert.equal(Math.fround(v), MAP[i], `value ${i}`));
  assert.ok(text.length < W * H * 12, 'short decimals, not 17-digit doubles');
});

test('float32 formatting: shortest round-trip text, and NaN/Inf spelled out', () => {
  assert.equal(formatFloat32(Math.fround(0.1)), '0.1');
  assert.equal(formatFloat32(1234), '1234');
  assert.equal(formatFloat32(Math.fround(1 / 3)), '0.33333334');
  assert.equal(formatFloat32(Math.fround(16777217)), '16777216');
  assert.equal(formatFloat32(NaN), 'nan');
  assert.equal(formatFloat32(-Infinity), '-inf');
  assert.equal(encodeCsv(new Float32Array([1, NaN]), 2, 1), '1,nan\n');
});

test('a map whose size disagrees with its shape is refused', () => {
  assert.throws(() => encodeExport({ format: 'npy', map: new Float32Array(4), width: 3, height: 2, display: DISPLAY, lo: 0, hi: 1 }), /holds 4 values, not 2×3/);
});

test('export file names are safe on every file system', () => {
  assert.equal(exportFileName('painting', 'Fe K', 'png'), 'painting_Fe_K.png');
  assert.equal(exportFileName('scan', '6.20–6.60 keV', 'tiff'), 'scan_6.20-6.60_keV.tif');
  assert.equal(exportFileName('a:b', 'x/y', 'csv'), 'a_b_x_y.csv');
});
