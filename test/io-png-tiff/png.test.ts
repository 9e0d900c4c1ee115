import { test } from 'node:test';
import assert from 'node:assert/strict';
import { inflateSync } from 'node:zlib';
import * as zlib from 'node:zlib';
import { promises as fs } from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { spawnSync } from 'node:child_process';
import { encodePng, writePng, crc32 } from '../../src/core/io/png';

interface Chunk { type: string; data: Uint8Array; crc: number }

/** A PNG reader written for the test: chunks, CRC check, IDAT inflate, filter-0 rows. */
function decodePng(input: Uint8Array): { width: number; height: number; rgba: Uint8Array; chunks: Chunk[] } {
  const bytes = new Uint8Array(input); // a plain copy (node Buffers included)
  const dv = new DataView(bytes.buffer);
  assert.deepEqual([...bytes.subarray(0, 8)], [0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]);
  const chunks: Chunk[] = [];
  let o = 8;
  while (o < bytes.length) {
    const len = dv.getUint32(o);
    const type = String.fromCharCode(...bytes.subarray(o + 4, o + 8));
    const data = bytes.subarray(o + 8, o + 8 + len);
    const crc = dv.getUint32(o + 8 + len);
    chunks.push({ type, data, crc });
    o += 12 + len;
  }
  assert.equal(o, bytes.length);
  const ihdr = chunks[0];
  assert.equal(ihdr.type, 'IHDR');
  const hv = new DataView(ihdr.data.buffer, ihdr.data.byteOffset, ihdr.data.byteLength);
  const width = hv.getUint32(0);
  const height = hv.getUint32(4);
  assert.deepEqual([...ihdr.data.subarray(8)], [8, 6, 0, 0, 0]);
  const idat = chunks.filter((c) => c.type === 'IDAT').map((c) => c.data);
  const joined = new Uint8Array(idat.reduce((n, c) => n + c.length, 0));
  idat.reduce((at, c) => (joined.set(c, at), at + c.length), 0);
  const raw = new Uint8Array(inflateSync(joined));
  assert.equal(raw.length, height * (width * 4 + 1));
  const rgba = new Uint8Array(width * height * 4);
  for (let y = 0; y < height; y++) {
    assert.equal(raw[y * (width * 4 + 1)], 0, 'filter type 0');
    rgba.set(raw.subarray(y * (width * 4 + 1) + 1, (y + 1) * (width * 4 + 1)), y * width * 4);
  }
  assert.equal(chunks[chunks.length - 1].type, 'IEND');
  return { width, height, rgba, chunks };
}

function testImage(w: number, h: number): Uint8ClampedArray {
  const img = new Uint8ClampedArray(w * h * 4);
  for (let y = 0; y < h; y++) for (let x = 0; x < w; x++) {
    const o = 4 * (y * w + x);
    img[o] = (x * 37) & 255;
    img[o + 1] = (y * 91) & 255;
    img[o + 2] = (x * y) & 255;
    img[o + 3] = x === 0 ? 0 : 255 - y;
  }
  return img;
}

test('CRC-32 matches the standard check value and node:zlib', () => {
  assert.equal(crc32(new TextEncoder().encode('123456789')), 0xcbf43926);
  const zcrc = (zlib as unknown as { crc32?: (d: Uint8Array) => number }).crc32;
  if (zcrc) {
    const data = new Uint8Array(1000).map((_, i) => (i * 7919) & 255);
    assert.equal(crc32(data), zcrc(data));
  }
});

test('encodePng round-trips pixels exactly with valid chunk CRCs', () => {
  for (const [w, h] of [[1, 1], [7, 3], [64, 33]]) {
    const img = testImage(w, h);
    const png = encodePng(img, w, h);
    const dec = decodePng(png);
    assert.equal(dec.width, w);
    assert.equal(dec.height, h);
    assert.deepEqual(dec.rgba, new Uint8Array(img.buffer));
    for (const c of dec.chunks) assert.equal(c.crc, crc32(new TextEncoder().encode(c.type), c.data), `${c.type} CRC`);
  }
});

test('encodePng rejects sizes that disagree with the pixel data', () => {
  assert.throws(() => encodePng(new Uint8Array(15), 2, 2), /needs 16 bytes, got 15/);
  assert.throws(() => encodePng(new Uint8Array(0), 0, 0), /positive integers/);
  assert.throws(() => encodePng(new Uint8Array(8), 1.5, 1), /positive integers/);
});

const PIL_SKIP =
  spawnSync('/usr/bin/python3', ['-c', 'import PIL'], { encoding: 'utf8' }).status === 0 ? undefined : 'PIL not importable by /usr/bin/python3';

async function withTempDir(fn: (dir: string) => Promise<void>): Promise<void> {
  const dir = await fs.mkdtemp(path.join(os.tmpdir(), 'xrf-png-'));
  try {
    await fn(dir);
  } finally {
    await fs.rm(dir, { recursive: true, force: true });
  }
}

test('writePng writes atomically: the final file only, no temporary left', () =>
  withTempDir(async (dir) => {
    const img = testImage(13, 9);
    const file = path.join(dir, 'map.png');
    await writePng(file, img, 13, 9);
    assert.deepEqual(await fs.readdir(dir), ['map.png']);
    assert.deepEqual(decodePng(new Uint8Array(await fs.readFile(file))).rgba, new Uint8Array(img.buffer));
    await assert.rejects(writePng(path.join(dir, 'bad.png'), img, 12, 9), /needs/);
    assert.deepEqual(await fs.readdir(dir), ['map.png']);
  }));

test('PIL reads the PNG back with the same pixels (optional)', { skip: PIL_SKIP }, () =>
  withTempDir(async (dir) => {
    const img = testImage(13, 9);
    const file = path.join(dir, 'map.png');
    await writePng(file, img, 13, 9);
    const r = spawnSync('/usr/bin/python3', ['-c', `
import sys, json
from PIL import Image
im = Image.open(sys.argv[1]); im.load()
print(json.dumps({"mode": im.mode, "size": im.size, "px": list(im.tobytes())}))`, file], { encoding: 'utf8' });
    assert.equal(r.status, 0, r.stderr);
    const got = JSON.parse(r.stdout);
    assert.equal(got.mode, 'RGBA');
    assert.deepEqual(got.size, [13, 9]);
    assert.deepEqual(got.px, Array.from(img));
  }));
