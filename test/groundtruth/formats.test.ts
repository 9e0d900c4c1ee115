/** Ground-truth readers: format variants and bad input for CSV, EDF, TIFF and HDF5. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { promises as fs } from 'node:fs';
import * as path from 'node:path';
import { spawnSync } from 'node:child_process';
import { readGroundTruth } from '../../src/core/groundtruth/read';
import { alignStacks } from '../../src/core/groundtruth/align';
import { XrfInputError } from '../../src/core/errors';
import { encodeEdfFloat32 } from '../../src/core/io/edf-write';
import { encodeTiffFloat32 } from '../../src/core/io/tiff-write';
import { writePymcaImages } from '../../src/core/io/pymca-write';
import { loadH5wasm } from '../../src/core/groundtruth/hdf5';
import type { MapStack } from '../../src/core/groundtruth/groundtruth';
import { withTempDir, pythonHas } from './helpers';

async function rejectsWith(p: Promise<unknown>, file: string, re: RegExp): Promise<void> {
  await assert.rejects(p, (e: unknown) => {
    assert.ok(e instanceof XrfInputError, `expected XrfInputError, got ${e}`);
    assert.equal(e.file, file);
    assert.match(e.problem, re);
    return true;
  });
}

function concat(parts: Uint8Array[]): Uint8Array {
  const out = new Uint8Array(parts.reduce((s, p) => s + p.length, 0));
  let o = 0;
  for (const p of parts) {
    out.set(p, o);
    o += p.length;
  }
  return out;
}

// ---------------------------------------------------------------- CSV

test('CSV: comma separators, unquoted names, rows in any order, other spellings', async () => {
  await withTempDir(async (dir) => {
    const p = path.join(dir, 'fit.csv');
    await fs.writeFile(p, '\uFEFFrow,column,Fe-K,PbL,s(Fe-K)\r\n1,1,4,40,0.4\r\n0,0,1,10,0.1\r\n1,0,3,30,0.3\r\n0,1,2,20,0.2\r\n');
    const s = await readGroundTruth(p);
    assert.deepEqual(s.lines, ['Fe K', 'Pb L']);
    assert.equal(s.height, 2);
    assert.equal(s.width, 2);
    assert.deepEqual([...s.maps[0]], [1, 2, 3, 4]);
    assert.deepEqual([...s.maps[1]], [10, 20, 30, 40]);
    assert.deepEqual([...s.uncertainties![0]!].map((v) => +v.toFixed(6)), [0.1, 0.2, 0.3, 0.4]);
    assert.equal(s.uncertainties![1], undefined);
  });
});

test("CSV: PyMca's space-separated .dat variant reads too", async () => {
  await withTempDir(async (dir) => {
    const p = path.join(dir, 'fit.dat');
    await fs.writeFile(p, 'row  column  Ca_K  chisq\n0  0  1.5  1\n0  1  2.5e+06  1\n\n');
    const s = await readGroundTruth(p);
    assert.deepEqual(s.lines, ['Ca K']);
    assert.deepEqual([...s.maps[0]], [1.5, 2.5e6]);
    assert.deepEqual(s.ignored, ['chisq']);
  });
});

test('CSV written by the simulator (pymca-write) reads back exactly', async () => {
  await withTempDir(async (dir) => {
    const H = 3, W = 4;
    const maps = [new Float32Array(H * W).map((_, i) => i * 1.25), new Float32Array(H * W).map((_, i) => 100 - i)];
    const unc = maps.map((m) => m.map((v) => Math.sqrt(Math.abs(v))));
    const files = await writePymcaImages(dir, 'painting', { height: H, width: W, lines: ['S K', 'Hg L'], maps, uncertainties: unc });
    for (const p of [files.csv, files.edf[0]]) {
      const s = await readGroundTruth(p);
      assert.deepEqual(s.lines, ['S K', 'Hg L']);
      for (let k = 0; k < 2; k++) for (let i = 0; i < H * W; i++) {
        assert.ok(Math.abs(s.maps[k][i] - maps[k][i]) <= 1e-5 * Math.max(1, Math.abs(maps[k][i])));
        assert.ok(Math.abs(s.uncertainties![k]![i] - unc[k][i]) <= 1e-5 * Math.max(1, unc[k][i]));
      }
    }
  });
});

test('CSV bad input: missing pixel, duplicate pixel, bad number, no row/column, no families, empty', async () => {
  await withTempDir(async (dir) => {
    const p = path.join(dir, 'bad.csv');
    const cases: [string, RegExp][] = [
      ['"row";"column";"Fe_K"\n0;0;1\n0;1;2\n1;1;4\n', /1 of 2×2 pixels are missing, the first at \(row 1, column 0\)/],
      ['"row";"column";"Fe_K"\n0;0;1\n0;0;2\n', /pixel \(row 0, column 0\) appears twice/],
      ['"row";"column";"Fe_K"\n0;0;abc\n', /line 2, column "Fe_K": not a number: "abc"/],
      ['"x";"y";"Fe_K"\n0;0;1\n', /needs "row" and "column"/],
      ['"row";"column";"chisq"\n0;0;1\n', /no line-family maps found \(labels seen: "chisq"\)/],
      ['"row";"column";"Fe_K"\n0;0;1;2\n', /line 2 has 4 fields, the header has 3/],
      ['', /file is empty/],
      ['"row";"column";"Fe_K"\n', /no pixel lines/],
      ['"row";"column";"Fe_K";"Fe-K"\n0;0;1;1\n', /Fe K appears twice/],
      ['"row";"column";"Fe_K"\n0;-1;1\n', /non-negative integers/],
    ];
    for (const [text, re] of cases) {
      await fs.writeFile(p, text);
      await rejectsWith(readGroundTruth(p), p, re);
    }
    // "nan" as %g prints it is a NaN, refused with its pixel.
    await fs.writeFile(p, '"row";"column";"Fe_K"\n0;0;1\n0;1;nan\n');
    await rejectsWith(readGroundTruth(p), p, /Fe K is NaN at pixel \(row 0, column 1\)/);
    await fs.writeFile(p, '"row";"column";"Fe_K"\n0;0;-inf\n');
    await rejectsWith(readGroundTruth(p), p, /Fe K is -Inf at pixel \(row 0, column 0\)/);
    await rejectsWith(readGroundTruth(path.join(dir, 'absent.csv')), path.join(dir, 'absent.csv'), /file not found/);
  });
});

// ---------------------------------------------------------------- EDF

function edfImage(opts: { w: number; h: number; type: string; order: string; bytes: Uint8Array; title?: string; extra?: string }): Uint8Array {
  let head = `{\nHeaderID = EH:000001:000000:000000 ;\nImage = 1 ;\nByteOrder = ${opts.order} ;\nDataType = ${opts.type} ;\nDim_1 = ${opts.w} ;\nDim_2 = ${opts.h} ;\nSize = ${opts.bytes.length} ;\n`;
  if (opts.title) head += `Title = ${opts.title} ;\n`;
  if (opts.extra) head += opts.extra;
  head = head.padEnd(510, ' ') + '}\n';
  return concat([new TextEncoder().encode(head), opts.bytes]);
}

test('EDF: big-endian UnsignedShort and DoubleValue images, multi-image files, lone files', async () => {
  await withTempDir(async (dir) => {
    const u16 = new Uint8Array(12);
    const dv = new DataView(u16.buffer);
    [1, 2, 3, 60000, 5, 6].forEach((v, i) => dv.setUint16(i * 2, v, false));
    const f64 = new Uint8Array(48);
    const dv2 = new DataView(f64.buffer);
    [0.5, -1, 2, 3, 4, 1e10].forEach((v, i) => dv2.setFloat64(i * 8, v, true));
    const multi = path.join(dir, 'stack.edf');
    await fs.writeFile(
      multi,
      concat([
        edfImage({ w: 3, h: 2, type: 'UnsignedShort', order: 'HighByteFirst', bytes: u16, title: 'Fe_K' }),
        edfImage({ w: 3, h: 2, type: 'DoubleValue', order: 'LowByteFirst', bytes: f64, title: 'Pb-L' }),
        edfImage({ w: 3, h: 2, type: 'DoubleValue', order: 'LowByteFirst', bytes: f64, title: 's(Fe_K)' }),
      ]),
    );
    const s = await readGroundTruth(multi);
    assert.deepEqual(s.lines, ['Fe K', 'Pb L']);
    assert.equal(s.width, 3);
    assert.equal(s.height, 2);
    assert.deepEqual([...s.maps[0]], [1, 2, 3, 60000, 5, 6]);
    assert.deepEqual([...s.maps[1]], [0.5, -1, 2, 3, 4, 1e10]);
    assert.deepEqual([...s.uncertainties![0]!], [0.5, -1, 2, 3, 4, 1e10]);
    // A lone file named after its family, no Title.
    const lone = path.join(dir, 'Zn_K.edf');
    await fs.writeFile(lone, edfImage({ w: 3, h: 2, type: 'UnsignedShort', order: 'HighByteFirst', bytes: u16 }));
    const z = await readGroundTruth(lone);
    assert.deepEqual(z.lines, ['Zn K']);
  });
});

test('EDF bad input: truncated data, no closing brace, unknown DataType, mismatched sizes, several entries', async () => {
  await withTempDir(async (dir) => {
    const p = path.join(dir, 'x_Fe_K.edf');
    const good = concat(encodeEdfFloat32({ data: new Float32Array(6), width: 3, height: 2, header: { Title: 'Fe_K' } }));
    await fs.writeFile(p, good.subarray(0, good.length - 4));
    await rejectsWith(readGroundTruth(p), p, /data is truncated \(20 of 24 bytes\)/);
    await fs.writeFile(p, new TextEncoder().encode('{\nDataType = FloatValue ;\n' + ' '.repeat(600)));
    await rejectsWith(readGroundTruth(p), p, /no closing "}"/);
    await fs.writeFile(p, edfImage({ w: 3, h: 2, type: 'ComplexValue', order: 'LowByteFirst', bytes: new Uint8Array(48), title: 'Fe_K' }));
    await rejectsWith(readGroundTruth(p), p, /unsupported EDF DataType "ComplexValue"/);
    await fs.writeFile(p, edfImage({ w: 3, h: 2, type: 'FloatValue', order: 'LowByteFirst', bytes: new Uint8Array(24), title: 'Fe_K', extra: 'Compression = gzip ;\n' }));
    await rejectsWith(readGroundTruth(p), p, /compressed EDF/);
    await fs.writeFile(p, 'hello');
    await rejectsWith(readGroundTruth(p), p, /not an EDF file/);
    // Siblings of different sizes.
    await fs.writeFile(p, good);
    const q = path.join(dir, 'x_Pb_L.edf');
    await fs.writeFile(q, concat(encodeEdfFloat32({ data: new Float32Array(8), width: 4, height: 2, header: { Title: 'Pb_L' } })));
    await rejectsWith(readGroundTruth(p), q, /is 2×4 \(H×W\) but the other maps of "x" are 2×3/);
    // A folder with the fits of two scans is ambiguous.
    await fs.writeFile(q, concat(encodeEdfFloat32({ data: new Float32Array(6), width: 3, height: 2, header: { Title: 'Pb_L' } })));
    await fs.writeFile(path.join(dir, 'y_Pb_L.edf'), good);
    await rejectsWith(readGroundTruth(dir), dir, /several scans \(x, y\)/);
    // But one file still opens its own entry only.
    const s = await readGroundTruth(p);
    assert.deepEqual(s.lines, ['Fe K', 'Pb L']);
  });
});

test('EDF reader agrees with fabio on an image fabio wrote (optional)', { skip: pythonHas('fabio', 'numpy') ? false : '/usr/bin/python3 lacks fabio (apt python3-fabio)' }, async () => {
  await withTempDir(async (dir) => {
    const p = path.join(dir, 'scan_Cu_K.edf');
    const r = spawnSync('/usr/bin/python3', ['-c', [
      'import fabio, numpy as np, sys',
      'a = (np.arange(35, dtype=np.int32).reshape(5, 7) * 3 - 20)',
      "fabio.edfimage.EdfImage(data=a, header={'Title': 'Cu_K'}).write(sys.argv[1])",
    ].join('\n'), p], { encoding: 'utf8' });
    assert.equal(r.status, 0, r.stderr);
    const s = await readGroundTruth(p);
    assert.deepEqual(s.lines, ['Cu K']);
    assert.equal(s.height, 5);
    assert.equal(s.width, 7);
    assert.deepEqual([...s.maps[0]], Array.from({ length: 35 }, (_, i) => i * 3 - 20));
  });
});

test('EDF multi-image file as PyMca writes it (ArraySave.save2DArrayListAsEDF; optional)', { skip: pythonHas('PyMca5', 'numpy') ? false : '/usr/bin/python3 lacks PyMca5' }, async () => {
  await withTempDir(async (dir) => {
    const p = path.join(dir, 'scan.edf');
    const r = spawnSync('/usr/bin/python3', ['-c', [
      'import numpy as np, sys',
      'from PyMca5.PyMcaIO import ArraySave',
      'a = np.arange(12, dtype=np.float32).reshape(3, 4)',
      "ArraySave.save2DArrayListAsEDF([a, a * 2, a + 0.5], sys.argv[1], labels=['Ca_K', 's(Ca_K)', 'Au_L'])",
    ].join('\n'), p], { encoding: 'utf8' });
    assert.equal(r.status, 0, r.stderr);
    const s = await readGroundTruth(p);
    assert.deepEqual(s.lines, ['Ca K', 'Au L']);
    assert.deepEqual([...s.maps[1]], Array.from({ length: 12 }, (_, i) => i + 0.5));
    assert.deepEqual([...s.uncertainties![0]!], Array.from({ length: 12 }, (_, i) => i * 2));
  });
});

// ---------------------------------------------------------------- TIFF

test('TIFF: multi-page float32 (tiff-write) with families in page names', async () => {
  await withTempDir(async (dir) => {
    const p = path.join(dir, 'maps.tif');
    const a = new Float32Array(6).map((_, i) => i / 4);
    const b = new Float32Array(6).map((_, i) => -i);
    await fs.writeFile(p, encodeTiffFloat32([{ data: a, width: 3, height: 2, name: 'K K' }, { data: b, width: 3, height: 2, name: 'Sr_K' }, { data: a, width: 3, height: 2, name: 'chisq' }]));
    const s = await readGroundTruth(p);
    assert.deepEqual(s.lines, ['K K', 'Sr K']);
    assert.deepEqual([...s.maps[0]], [...a]);
    assert.deepEqual([...s.maps[1]], [...b]);
    assert.deepEqual(s.ignored, ['chisq']);
  });
});

/** A one-page big-endian uint16 TIFF written by hand, two strips, label in ImageDescription. */
function bigEndianU16Tiff(w: number, h: number, values: number[], desc: string): Uint8Array {
  const entries: [number, number, number, number][] = []; // tag, type, count, value
  const descBytes = new TextEncoder().encode(desc + '\0');
  const dataOff = 8;
  const rowsPerStrip = 1;
  const dataBytes = w * h * 2;
  const descOff = dataOff + dataBytes;
  const stripOffOff = descOff + descBytes.length;
  const stripCntOff = stripOffOff + 4 * h;
  const ifdOff = stripCntOff + 4 * h + ((stripCntOff + 4 * h) % 2);
  entries.push([256, 3, 1, w], [257, 3, 1, h], [258, 3, 1, 16], [259, 3, 1, 1], [262, 3, 1, 1], [270, 2, descBytes.length, descOff]);
  entries.push([273, 4, h, stripOffOff], [277, 3, 1, 1], [278, 3, 1, rowsPerStrip], [279, 4, h, stripCntOff], [339, 3, 1, 1]);
  const total = ifdOff + 2 + entries.length * 12 + 4;
  const out = new Uint8Array(total);
  const dv = new DataView(out.buffer);
  out.set([0x4d, 0x4d]);
  dv.setUint16(2, 42);
  dv.setUint32(4, ifdOff);
  values.forEach((v, i) => dv.setUint16(dataOff + 2 * i, v));
  out.set(descBytes, descOff);
  for (let r = 0; r < h; r++) {
    dv.setUint32(stripOffOff + 4 * r, dataOff + r * w * 2);
    dv.setUint32(stripCntOff + 4 * r, w * 2);
  }
  dv.setUint16(ifdOff, entries.length);
  entries.forEach(([tag, type, count, value], i) => {
    const o = ifdOff + 2 + i * 12;
    dv.setUint16(o, tag);
    dv.setUint16(o + 2, type);
    dv.setUint32(o + 4, count);
    if (type === 3 && count === 1) dv.setUint16(o + 8, value);
    else dv.setUint32(o + 8, value);
  });
  dv.setUint32(ifdOff + 2 + entries.length * 12, 0);
  return out;
}

test('TIFF: big-endian uint16 with strips; per-element files in a folder', async () => {
  await withTempDir(async (dir) => {
    await fs.writeFile(path.join(dir, 'a.tif'), bigEndianU16Tiff(3, 2, [1, 2, 3, 4, 5, 65535], 'Mn_K'));
    await fs.writeFile(path.join(dir, 'b.tif'), bigEndianU16Tiff(3, 2, [6, 5, 4, 3, 2, 1], 'Cr K'));
    const one = await readGroundTruth(path.join(dir, 'a.tif'));
    assert.deepEqual(one.lines, ['Mn K']);
    assert.deepEqual([...one.maps[0]], [1, 2, 3, 4, 5, 65535]);
    const all = await readGroundTruth(dir);
    // Separate files have no order of their own: families come in element order (Cr 24 before Mn 25).
    assert.deepEqual(all.lines, ['Cr K', 'Mn K']);
    assert.deepEqual([...all.maps[0]], [6, 5, 4, 3, 2, 1]);
  });
});

test('TIFF bad input: compressed, truncated, not a TIFF', async () => {
  await withTempDir(async (dir) => {
    const p = path.join(dir, 'm.tif');
    const good = bigEndianU16Tiff(3, 2, [1, 2, 3, 4, 5, 6], 'Mn_K');
    const relabel = (compression: number) => {
      const bytes = Uint8Array.from(good);
      // Compression is the 4th entry.
      const dv = new DataView(bytes.buffer);
      dv.setUint16(dv.getUint32(4) + 2 + 3 * 12 + 8, compression);
      return bytes;
    };
    await fs.writeFile(p, relabel(7)); // JPEG
    await rejectsWith(readGroundTruth(p), p, /compression 7 is not supported \(readable: none, LZW, Deflate, PackBits\)/);
    await fs.writeFile(p, relabel(5)); // raw samples labelled LZW
    await rejectsWith(readGroundTruth(p), p, /strip 0 (is corrupt \(LZW\)|decompresses to \d+ bytes, \d+ needed)/);
    await fs.writeFile(p, good.subarray(0, 40));
    await rejectsWith(readGroundTruth(p), p, /beyond the end of the file/);
    await fs.writeFile(p, 'II*\0garbage');
    await rejectsWith(readGroundTruth(p), p, /beyond the end|not a TIFF|missing/);
  });
});

// ---------------------------------------------------------------- HDF5

async function writePymcaH5(file: string, entries: string[], labels: string[], h: number, w: number): Promise<void> {
  const h5 = await loadH5wasm();
  const f = new h5.File(file, 'w');
  for (const e of entries) {
    const results = f.create_group(e).create_group('xrf_fit').create_group('results');
    const params = results.create_group('parameters');
    const unc = results.create_group('uncertainties');
    labels.forEach((l, k) => {
      params.create_dataset({ name: l, data: new Float64Array(h * w).map((_, i) => k * 100 + i), shape: [h, w] });
      unc.create_dataset({ name: l, data: new Float32Array(h * w).fill(k + 0.5), shape: [h, w] });
    });
  }
  f.close();
}

test('HDF5 written with h5wasm in PyMca layout; several entries need a choice; bad files', async () => {
  await withTempDir(async (dir) => {
    const p = path.join(dir, 'fit.h5');
    await writePymcaH5(p, ['scanA'], ['Fe_K', 'Pb_L', 'Scatter_Peak000'], 2, 3);
    const s = await readGroundTruth(p);
    assert.deepEqual(s.lines, ['Fe K', 'Pb L']);
    assert.deepEqual([...s.maps[1]], [100, 101, 102, 103, 104, 105]);
    assert.deepEqual([...s.uncertainties![1]!], [1.5, 1.5, 1.5, 1.5, 1.5, 1.5]);
    assert.deepEqual(s.ignored, ['Scatter_Peak000']);

    const two = path.join(dir, 'two.h5');
    await writePymcaH5(two, ['a', 'b'], ['Ca_K'], 2, 2);
    await rejectsWith(readGroundTruth(two), two, /holds several fits; name one: .*two\.h5::\/a, .*two\.h5::\/b/);
    const sb = await readGroundTruth(`${two}::/b`);
    assert.deepEqual(sb.lines, ['Ca K']);
    await rejectsWith(readGroundTruth(`${two}::/c`), `${two}::/c`, /no group \/c/);

    const fake = path.join(dir, 'fake.h5');
    await fs.writeFile(fake, 'not hdf5 at all');
    await rejectsWith(readGroundTruth(fake), fake, /not an HDF5 file/);

    const empty = path.join(dir, 'empty.h5');
    const h5 = await loadH5wasm();
    const f = new h5.File(empty, 'w');
    f.create_group('entry');
    f.close();
    await rejectsWith(readGroundTruth(empty), empty, /no PyMca fit results/);
  });
});

// ---------------------------------------------------------------- alignment

function stack(p: string, lines: string[], h = 2, w = 2): MapStack {
  return { path: p, height: h, width: w, lines, maps: lines.map(() => new Float32Array(h * w)) };
}

test('alignStacks: common families in ground-truth order, extras reported, mismatches named', () => {
  const a = alignStacks(stack('pred.npy', ['Pb L', 'Fe K', 'Cu K']), stack('gt.csv', ['Fe K', 'Zn K', 'Pb L']));
  assert.deepEqual(a, { lines: ['Fe K', 'Pb L'], extraInPred: ['Cu K'], extraInGt: ['Zn K'] });
  assert.throws(() => alignStacks(stack('pred.npy', ['Fe K'], 2, 3), stack('gt.csv', ['Fe K'])), (e: unknown) => {
    assert.ok(e instanceof XrfInputError);
    assert.match(e.message, /pred\.npy: prediction is 2×3 \(H×W\) but the ground truth gt\.csv is 2×2/);
    return true;
  });
  assert.throws(() => alignStacks(stack('pred.npy', ['Cu K']), stack('gt.csv', ['Fe K'])), /shares no line family .*prediction: Cu K; ground truth: Fe K/);
  assert.throws(() => alignStacks(stack('pred.npy', ['Fe K']), stack('gt.csv', ['Fe K', 'Zn K']), { lines: ['Zn_K'] }), /pred\.npy: has no map for Zn K/);
  assert.deepEqual(alignStacks(stack('p', ['Fe K', 'Zn K']), stack('g', ['Zn K', 'Fe K']), { lines: ['fe-k'] }).lines, ['Fe K']);
});
