import { test } from 'node:test';
import assert from 'node:assert/strict';
import { promises as fs } from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { spawnSync } from 'node:child_process';
import { encodeTiffFloat32, writeTiff, type TiffPage } from '../../src/core/io/tiff-write';

interface ParsedPage { width: number; height: number; tags: Map<number, number[] | string>; data: Float32Array }

/** A baseline-TIFF reader written for the test: header, IFD chain, tags, one strip of float32. */
function parseTiff(bytes: Uint8Array): ParsedPage[] {
  const dv = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  assert.equal(String.fromCharCode(bytes[0], bytes[1]), 'II');
  assert.equal(dv.getUint16(2, true), 42);
  const pages: ParsedPage[] = [];
  let ifd = dv.getUint32(4, true);
  const sizes: Record<number, number> = { 2: 1, 3: 2, 4: 4, 5: 8 };
  while (ifd !== 0) {
    assert.equal(ifd % 2, 0, 'IFD on a word boundary');
    const n = dv.getUint16(ifd, true);
    const tags = new Map<number, number[] | string>();
    let prevTag = -1;
    for (let i = 0; i < n; i++) {
      const at = ifd + 2 + 12 * i;
      const tag = dv.getUint16(at, true);
      assert.ok(tag > prevTag, 'tags ascending');
      prevTag = tag;
      const type = dv.getUint16(at + 2, true);
      const count = dv.getUint32(at + 4, true);
      const size = sizes[type] * count;
      const vo = size <= 4 ? at + 8 : dv.getUint32(at + 8, true);
      if (type === 2) tags.set(tag, new TextDecoder().decode(bytes.subarray(vo, vo + count - 1)));
      else if (type === 3) tags.set(tag, Array.from({ length: count }, (_, k) => dv.getUint16(vo + 2 * k, true)));
      else if (type === 4) tags.set(tag, Array.from({ length: count }, (_, k) => dv.getUint32(vo + 4 * k, true)));
      else if (type === 5) tags.set(tag, [dv.getUint32(vo, true), dv.getUint32(vo + 4, true)]);
    }
    const width = (tags.get(256) as number[])[0];
    const height = (tags.get(257) as number[])[0];
    const off = (tags.get(273) as number[])[0];
    const len = (tags.get(279) as number[])[0];
    assert.equal(len, width * height * 4);
    const data = new Float32Array(width * height);
    for (let i = 0; i < data.length; i++) data[i] = dv.getFloat32(off + 4 * i, true);
    pages.push({ width, height, tags, data });
    ifd = dv.getUint32(ifd + 2 + 12 * n, true);
  }
  return pages;
}

function pages(): TiffPage[] {
  const a = Float32Array.from({ length: 5 * 3 }, (_, i) => i * 1.5 - 3);
  a[7] = NaN;
  const b = Float32Array.from({ length: 2 * 4 }, (_, i) => Math.sqrt(i) * 1e-3);
  const c = Float32Array.of(42.25);
  return [
    { data: a, width: 5, height: 3, name: 'Fe K' },
    { data: b, width: 2, height: 4, name: 'Pb L' },
    { data: c, width: 1, height: 1 },
  ];
}

test('encodeTiffFloat32 writes one float32 page per map with its name in ImageDescription', () => {
  const src = pages();
  const parsed = parseTiff(encodeTiffFloat32(src));
  assert.equal(parsed.length, 3);
  parsed.forEach((p, i) => {
    assert.equal(p.width, src[i].width);
    assert.equal(p.height, src[i].height);
    assert.deepEqual(Array.from(p.data), Array.from(src[i].data)); // NaN compares equal in deepEqual
    assert.deepEqual(p.tags.get(258), [32]); // BitsPerSample
    assert.deepEqual(p.tags.get(259), [1]); // no compression
    assert.deepEqual(p.tags.get(277), [1]); // SamplesPerPixel
    assert.deepEqual(p.tags.get(339), [3]); // SampleFormat IEEE float
    assert.deepEqual(p.tags.get(278), [src[i].height]);
    assert.equal((p.tags.get(273) as number[])[0] % 4, 0, 'pixel data 4-aligned');
  });
  assert.equal(parsed[0].tags.get(270), 'Fe K');
  assert.equal(parsed[0].tags.get(285), 'Fe K');
  assert.equal(parsed[1].tags.get(270), 'Pb L');
  assert.equal(parsed[2].tags.has(270), false);
});

test('encodeTiffFloat32 rejects empty and mismatched pages', () => {
  assert.throws(() => encodeTiffFloat32([]), /at least one page/);
  assert.throws(() => encodeTiffFloat32([{ data: new Float32Array(5), width: 2, height: 3 }]), /needs 6 float32 values, got 5/);
  assert.throws(() => encodeTiffFloat32([{ data: new Float32Array(0), width: 0, height: 0 }]), /positive integers/);
});

const TIFFFILE_SKIP =
  spawnSync('/usr/bin/python3', ['-c', 'import tifffile'], { encoding: 'utf8' }).status === 0 ? undefined : 'tifffile not importable by /usr/bin/python3';

async function withTempDir(fn: (dir: string) => Promise<void>): Promise<void> {
  const dir = await fs.mkdtemp(path.join(os.tmpdir(), 'xrf-tiff-'));
  try {
    await fn(dir);
  } finally {
    await fs.rm(dir, { recursive: true, force: true });
  }
}

test('writeTiff is atomic: the final file only, no temporary left', () =>
  withTempDir(async (dir) => {
    const file = path.join(dir, 'maps.tif');
    await writeTiff(file, pages());
    assert.deepEqual(await fs.readdir(dir), ['maps.tif']);
    assert.equal(parseTiff(new Uint8Array(await fs.readFile(file))).length, 3);
  }));

test('tifffile reads every page back: shape, float32, values and names (optional)', { skip: TIFFFILE_SKIP }, () =>
  withTempDir(async (dir) => {
    const file = path.join(dir, 'maps.tif');
    const src = pages();
    await writeTiff(file, src);
    const r = spawnSync('/usr/bin/python3', ['-c', `
import sys, json, math, tifffile
with tifffile.TiffFile(sys.argv[1]) as t:
    out = []
    for p in t.pages:
        a = p.asarray()
        out.append({"shape": list(p.shape), "dtype": str(a.dtype), "desc": p.description,
                    "data": [None if math.isnan(v) else float(v) for v in a.ravel()]})
print(json.dumps(out))`, file], { encoding: 'utf8' });
    assert.equal(r.status, 0, r.stderr);
    const got = JSON.parse(r.stdout) as { shape: number[]; dtype: string; desc: string; data: (number | null)[] }[];
    assert.equal(got.length, 3);
    got.forEach((g, i) => {
      assert.deepEqual(g.shape, [src[i].height, src[i].width]);
      assert.equal(g.dtype, 'float32');
      assert.deepEqual(g.data, Array.from(src[i].data, (v) => (Number.isNaN(v) ? null : v)));
    });
    assert.equal(got[0].desc, 'Fe K');
    assert.equal(got[1].desc, 'Pb L');
  }));
