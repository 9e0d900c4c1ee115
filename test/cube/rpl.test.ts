import { test } from 'node:test';
import assert from 'node:assert/strict';
import { promises as fs } from 'node:fs';
import * as path from 'node:path';
import { openCube } from '../../src/core/cube/open';
import { parseRplHeader, rplCalibration, parseRplKeys } from '../../src/core/cube/rpl';
import type { DType } from '../../src/core/cube/cube';
import { XrfInputError } from '../../src/core/errors';
import { maxAbsDiff, testValues, withTempDir, writeRpl } from './writers';

const H = 5;
const W = 4;
const C = 19;

async function readAll(file: string): Promise<{ rows: Float32Array; pixel: Float32Array; block: Float32Array }> {
  const cube = await openCube(file);
  try {
    return { rows: await cube.readRows(0, cube.height), pixel: await cube.readPixel(3, 2), block: await cube.readRows(1, 3) };
  } finally {
    await cube.close();
  }
}

function expectedPixel(v: Float64Array, r: number, c: number): Float64Array {
  return v.subarray((r * W + c) * C, (r * W + c + 1) * C);
}

const DTYPES: DType[] = ['u1', 'u2', 'u4', 'u8', 'i1', 'i2', 'i4', 'i8', 'f4', 'f8'];

test('RPL/RAW: every data-length × data-type × byte order × record-by reads the same values', async () => {
  await withTempDir(async (dir) => {
    for (const dtype of DTYPES) {
      const signed = dtype[0] === 'i' || dtype[0] === 'f';
      const v = testValues(H, W, C, { signed, fractional: dtype[0] === 'f', max: dtype === 'i1' ? 128 : 251 });
      for (const le of [true, false]) {
        for (const recordBy of ['vector', 'image'] as const) {
          const rpl = await writeRpl(dir, `s-${dtype}-${le}-${recordBy}`, v, H, W, C, { dtype, littleEndian: le, recordBy });
          const cube = await openCube(rpl);
          assert.deepEqual([cube.format, cube.height, cube.width, cube.channels, cube.dtype], ['rpl', H, W, C, dtype]);
          await cube.close();
          const got = await readAll(rpl);
          const what = `${dtype} ${le ? 'LE' : 'BE'} ${recordBy}`;
          assert.equal(maxAbsDiff(got.rows, v), 0, `${what}: all rows`);
          assert.equal(maxAbsDiff(got.pixel, expectedPixel(v, 3, 2)), 0, `${what}: pixel (3, 2)`);
          assert.equal(maxAbsDiff(got.block, v.subarray(1 * W * C, 4 * W * C)), 0, `${what}: rows 1..3`);
        }
      }
    }
  });
});

test('RPL: header dialects (case, comments, tab+space, padded keys, Bruker data-Length, offset, dont-care)', async () => {
  await withTempDir(async (dir) => {
    const v = testValues(H, W, C);
    const header = [
      '; exported by a Bruker M6 (comment line)',
      'key\tvalue',
      'Width   \t 4',
      'HEIGHT\t 5',
      'depth \t\t19',
      'offset\t16',
      'data-Length\t2',
      'Data-Type   \t unsigned',
      'byte-order\t \tlittle-endian',
      'record-by\t dont-care',
      'depthscaleorigin\t-0.956',
      'depthscaleincrement\t0.010002',
      'depthscaleunits\tkeV',
      '',
    ].join('\r\n');
    const rpl = await writeRpl(dir, 'bruker', v, H, W, C, { header, offset: 16 });
    const cube = await openCube(rpl);
    try {
      assert.deepEqual([cube.height, cube.width, cube.channels, cube.dtype], [H, W, C, 'u2']);
      assert.equal(maxAbsDiff(await cube.readRows(0, H), v), 0);
      assert.deepEqual(cube.fileCalibration, { offsetKeV: -0.956, gainKeV: 0.010002 });
    } finally {
      await cube.close();
    }
    // 1-byte data with byte-order dont-care (how Lispix writes it)
    const rpl1 = await writeRpl(dir, 'lispix', v, H, W, C, { dtype: 'u1', byteOrderText: 'dont-care' });
    assert.equal(maxAbsDiff((await readAll(rpl1)).rows, v), 0);
  });
});

test('RPL: the .raw is found beside the .rpl in any case, and opening the .raw finds the .rpl', async () => {
  await withTempDir(async (dir) => {
    const v = testValues(H, W, C);
    const rpl = await writeRpl(dir, 'Scan', v, H, W, C, { rawName: 'Scan.RAW' });
    assert.equal(maxAbsDiff((await readAll(rpl)).rows, v), 0);
    const viaRaw = await openCube(path.join(dir, 'Scan.RAW'));
    assert.equal(viaRaw.path, rpl);
    await viaRaw.close();
  });
});

test('RPL calibration: HyperSpy depth-* (eV and keV), ev-per-chan, Bruker depthscale*', () => {
  const cal = (lines: string[]) => rplCalibration(parseRplKeys(lines.join('\n')));
  assert.deepEqual(cal(['depth-origin\t-20', 'depth-scale\t10', 'depth-units\teV']), { offsetKeV: -0.02, gainKeV: 0.01 });
  assert.deepEqual(cal(['depth-origin 0.1', 'depth-scale 0.02', 'depth-units keV']), { offsetKeV: 0.1, gainKeV: 0.02 });
  assert.deepEqual(cal(['ev-per-chan\t20']), { offsetKeV: 0, gainKeV: 0.02 });
  assert.deepEqual(cal(['ev-per-chan\t10', 'depth-origin\t-50']), { offsetKeV: -0.05, gainKeV: 0.01 });
  assert.deepEqual(cal(['DepthScaleOrigin -0.5', 'DepthScaleIncrement 0.005', 'DepthScaleUnits keV']), { offsetKeV: -0.5, gainKeV: 0.005 });
  // Bruker keys win over HyperSpy's when both are there (Bruker's are the instrument's own).
  assert.deepEqual(cal(['depthscaleincrement 0.01', 'depth-scale 20', 'depth-units eV']), { offsetKeV: 0, gainKeV: 0.01 });
  assert.equal(cal(['width 4']), undefined);
  assert.equal(cal(['depth-scale 0']), undefined);
});

async function expectInputError(p: Promise<unknown>, file: string, problem: RegExp): Promise<void> {
  await assert.rejects(p, (e: unknown) => {
    assert.ok(e instanceof XrfInputError, `expected XrfInputError, got ${String(e)}`);
    assert.equal(path.basename(e.file), path.basename(file));
    assert.match(e.problem, problem);
    assert.ok(e.message.includes(path.basename(file)), 'the message names the file');
    return true;
  });
}

test('RPL bad input: truncated .raw, sizes that disagree, unknown type, missing .raw, zero dims, bad keys', async () => {
  await withTempDir(async (dir) => {
    const v = testValues(H, W, C);
    const ok = await writeRpl(dir, 'trunc', v, H, W, C);
    const raw = path.join(dir, 'trunc.raw');
    await fs.truncate(raw, (await fs.stat(raw)).size - 7);
    await expectInputError(openCube(ok), raw, /truncated.*need \d+ bytes, the file has \d+/);

    const big = await writeRpl(dir, 'big', v, H, W, C);
    await fs.appendFile(path.join(dir, 'big.raw'), new Uint8Array(100));
    await expectInputError(openCube(big), path.join(dir, 'big.raw'), /disagrees with the header/);

    const unknown = await writeRpl(dir, 'unk', v, H, W, C, { header: 'width 4\nheight 5\ndepth 19\ndata-length 2\ndata-type complex\n' });
    await expectInputError(openCube(unknown), unknown, /unknown data-type "complex"/);

    const badLen = await writeRpl(dir, 'len', v, H, W, C, { header: 'width 4\nheight 5\ndepth 19\ndata-length 3\ndata-type unsigned\n' });
    await expectInputError(openCube(badLen), badLen, /data-length 3/);

    const float2 = await writeRpl(dir, 'f2', v, H, W, C, { header: 'width 4\nheight 5\ndepth 19\ndata-length 2\ndata-type float\n' });
    await expectInputError(openCube(float2), float2, /cannot have data-length 2/);

    const missing = await writeRpl(dir, 'missing', v, H, W, C);
    await fs.rm(path.join(dir, 'missing.raw'));
    await expectInputError(openCube(missing), missing, /missing/);

    const zero = await writeRpl(dir, 'zero', v, H, W, C, { header: 'width 0\nheight 5\ndepth 19\ndata-length 2\ndata-type unsigned\n' });
    await expectInputError(openCube(zero), zero, /zero dimension/);

    const noDepth = await writeRpl(dir, 'nodepth', v, H, W, C, { header: 'width 4\nheight 5\ndata-length 2\ndata-type unsigned\n' });
    await expectInputError(openCube(noDepth), noDepth, /no "depth" key/);

    const order = await writeRpl(dir, 'order', v, H, W, C, { byteOrderText: 'middle-endian' });
    await expectInputError(openCube(order), order, /unknown byte-order/);

    const empty = path.join(dir, 'empty.rpl');
    await fs.writeFile(empty, '; nothing here\n');
    await fs.writeFile(path.join(dir, 'empty.raw'), new Uint8Array(10));
    await expectInputError(openCube(empty), empty, /empty RPL header/);
  });
});

test('RPL float data: NaN and Inf are reported with their pixel during the pass and on pixel reads', async () => {
  await withTempDir(async (dir) => {
    for (const [bad, word] of [[NaN, 'NaN'], [Infinity, 'Inf'], [-Infinity, 'Inf']] as const) {
      for (const recordBy of ['vector', 'image'] as const) {
        const v = testValues(H, W, C, { fractional: true });
        v[(3 * W + 1) * C + 7] = bad;
        const rpl = await writeRpl(dir, `nan-${word}-${bad > 0}-${recordBy}`, v, H, W, C, { dtype: 'f4', recordBy });
        const cube = await openCube(rpl);
        try {
          await expectInputError(cube.readRows(0, H), rpl, new RegExp(`${word} value at row 3, column 1, channel 7`));
          await expectInputError(cube.readPixel(3, 1), rpl, new RegExp(`${word} value at row 3, column 1, channel 7`));
          assert.equal((await cube.readPixel(3, 2)).length, C, 'other pixels still read');
          assert.equal((await cube.readRows(0, 3)).length, 3 * W * C, 'rows before the bad one still read');
        } finally {
          await cube.close();
        }
      }
    }
  });
});

test('parseRplHeader reports record-by and byte order', () => {
  const h = parseRplHeader('width 2\nheight 3\ndepth 4\ndata-length 4\ndata-type float\nbyte-order big-endian\nrecord-by image\n', 'x.rpl');
  assert.deepEqual([h.width, h.height, h.depth, h.dtype, h.littleEndian, h.recordBy, h.offset], [2, 3, 4, 'f4', false, 'image', 0]);
});
