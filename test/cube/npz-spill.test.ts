/**
 * Large compressed .npz members: the spill file of inflated bytes (src/core/cube/spill-file.ts,
 * deflated-member.ts). npzLimits.inflateInMemoryBytes is lowered to force the streaming path; the
 * member is a few MB so that it inflates in several 1 MB chunks.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { promises as fs } from 'node:fs';
import * as path from 'node:path';
import { openNpz, npzLimits, npzStreamStats } from '../../src/core/cube/npz';
import { openCube } from '../../src/core/cube/open';
import { SPILL_NAME, removeStaleSpills, SPILL_FREE_MARGIN, spillFits, statfsFreeBytes, isMemoryBacked, type SpillOptions } from '../../src/core/cube/spill-file';
import type { Cube } from '../../src/core/cube/cube';
import type { DeflatedMemberStats } from '../../src/core/cube/deflated-member';
import { aggregateScan } from '../../src/core/maps/aggregate';
import { tokenFromSignal } from '../../src/core/util/progress';
import { CancelledError, XrfInputError } from '../../src/core/errors';
import { maxAbsDiff, npyOf, testValues, withTempDir, zipOf } from './writers';

const H = 48;
const W = 32;
const C = 1024; // u2: 3 MB of samples, several inflate chunks
const PLENTY = async () => 1e15;

interface Fixture {
  dir: string;
  spillDir: string;
  npz: string;
  npy: string;
  v: Float64Array;
  /** Inflated bytes of the member (header + samples). */
  memberBytes: number;
}

async function withFixture(fn: (f: Fixture) => Promise<void>, values?: Float64Array): Promise<void> {
  await withTempDir(async (dir) => {
    const v = values ?? testValues(H, W, C, { max: 4000 });
    const npyBytes = npyOf(v, H, W, C, 'u2');
    const npz = path.join(dir, 'scan.npz');
    const npy = path.join(dir, 'scan.npy');
    await fs.writeFile(npz, zipOf([{ name: 'counts.npy', data: npyBytes, deflate: true }]));
    await fs.writeFile(npy, npyBytes);
    const spillDir = path.join(dir, 'spill');
    await fs.mkdir(spillDir);
    const saved = npzLimits.inflateInMemoryBytes;
    npzLimits.inflateInMemoryBytes = 1000; // force the streaming path
    try {
      await fn({ dir, spillDir, npz, npy, v, memberBytes: npyBytes.length });
    } finally {
      npzLimits.inflateInMemoryBytes = saved;
    }
  });
}

function stats(cube: Cube): DeflatedMemberStats {
  const s = npzStreamStats(cube);
  assert.ok(s, 'a streamed compressed member');
  return s;
}

const pixelOf = (v: Float64Array, r: number, c: number) => v.subarray((r * W + c) * C, (r * W + c + 1) * C);
const rowsOf = (v: Float64Array, r0: number, n: number) => v.subarray(r0 * W * C, (r0 + n) * W * C);

/** Deterministic pseudo-random pixels. */
function randomPixels(n: number, seed: number): [number, number][] {
  const out: [number, number][] = [];
  let s = seed >>> 0;
  const next = () => (s = (Math.imul(s, 1664525) + 1013904223) >>> 0) / 2 ** 32;
  for (let i = 0; i < n; i++) out.push([Math.floor(next() * H), Math.floor(next() * W)]);
  return out;
}

async function passMatches(cube: Cube, v: Float64Array, what: string, rowsPerRead = 5): Promise<void> {
  for (let r = 0; r < H; r += rowsPerRead) {
    const n = Math.min(rowsPerRead, H - r);
    assert.equal(maxAbsDiff(await cube.readRows(r, n), rowsOf(v, r, n)), 0, `${what}: rows ${r}..${r + n - 1}`);
  }
}

async function spillFiles(dir: string): Promise<string[]> {
  return (await fs.readdir(dir)).filter((f) => SPILL_NAME.test(f));
}

test('NPZ spill: after one pass every pixel and a second pass come from the spill, nothing is inflated again', async () => {
  await withFixture(async ({ spillDir, npz, npy, v, memberBytes }) => {
    const cube = await openNpz(npz, { spill: { dir: spillDir, freeBytes: PLENTY } });
    try {
      await passMatches(cube, v, 'first pass');
      const afterPass = stats(cube);
      assert.equal(afterPass.restarts, 1, 'the pass inflated the member once, from its start');
      assert.ok(afterPass.inflatedBytes >= memberBytes && afterPass.inflatedBytes <= memberBytes, `inflated ${afterPass.inflatedBytes} of ${memberBytes}`);
      assert.equal(afterPass.spill?.spilledBytes, memberBytes, 'the whole member is spilled');
      assert.equal(afterPass.spill?.active, true);

      const pixels = randomPixels(200, 7);
      pixels.push([0, 0], [H - 1, W - 1], [H - 1, 0]);
      for (const [r, c] of pixels) {
        assert.equal(maxAbsDiff(await cube.readPixel(r, c), pixelOf(v, r, c)), 0, `pixel (${r}, ${c})`);
      }
      const afterPixels = stats(cube);
      assert.equal(afterPixels.inflatedBytes, afterPass.inflatedBytes, 'pixels inflated nothing');
      assert.equal(afterPixels.restarts, 1, 'no inflate restarted for pixels');
      assert.ok(afterPixels.spill!.reads >= afterPass.spill!.reads + pixels.length, 'pixels were read from the spill');

      // A second pass, in other blocks and backwards: identical rows, nothing inflated.
      for (let r = H - 7; r >= 0; r -= 7) assert.equal(maxAbsDiff(await cube.readRows(r, 7), rowsOf(v, r, 7)), 0, `second pass rows ${r}..`);
      assert.equal(maxAbsDiff(await cube.readRows(0, H), v), 0, 'all rows at once');
      // The aggregation pass takes raw u16 rows from the spill and agrees with the same array as .npy.
      const windows = [{ label: 'a', loChannel: 10, hiChannel: 200 }, { label: 'b', loChannel: 500, hiChannel: 1024 }];
      const fromNpz = await aggregateScan(cube, windows, { rowsPerBlock: 6 });
      const npyCube = await openCube(npy);
      const fromNpy = await aggregateScan(npyCube, windows, { rowsPerBlock: 6 });
      await npyCube.close();
      assert.equal(maxAbsDiff(fromNpz.totalCounts, fromNpy.totalCounts), 0);
      assert.equal(maxAbsDiff(fromNpz.roiMaps[1], fromNpy.roiMaps[1]), 0);
      assert.equal(maxAbsDiff(fromNpz.sumSpectrum, fromNpy.sumSpectrum), 0);
      const end = stats(cube);
      assert.equal(end.inflatedBytes, afterPass.inflatedBytes, 'second passes inflated nothing');
      assert.equal(end.restarts, 1);
    } finally {
      await cube.close();
    }
    assert.deepEqual(await spillFiles(spillDir), [], 'no spill file left after close');
  });
});

test('NPZ spill: pixels read before and during the pass are right and move the one cursor instead of restarting it', async () => {
  await withFixture(async ({ spillDir, npz, v, memberBytes }) => {
    const cube = await openNpz(npz, { spill: { dir: spillDir, freeBytes: PLENTY } });
    try {
      // Before the pass: a pixel in the middle rows, then one behind it (served from the spill).
      assert.equal(maxAbsDiff(await cube.readPixel(30, 17), pixelOf(v, 30, 17)), 0, 'pixel before the pass');
      const spilled = stats(cube).spill!.spilledBytes;
      assert.ok(spilled >= ((30 * W + 18) * C) * 2, 'the pixel read spilled everything before it');
      assert.equal(maxAbsDiff(await cube.readPixel(2, 3), pixelOf(v, 2, 3)), 0, 'pixel behind the first one');
      // During the pass: row reads (two in flight, as the pass does) interleaved with pixels anywhere.
      const pixels = randomPixels(60, 99);
      let k = 0;
      for (let r = 0; r < H; r += 4) {
        const rows = [cube.readRows(r, Math.min(4, H - r)), r + 4 < H ? cube.readRows(r + 4, Math.min(4, H - r - 4)) : undefined];
        const px = pixels.slice(k, k + 5).map(([pr, pc]) => cube.readPixel(pr, pc).then((got) => ({ got, pr, pc })));
        k += 5;
        const [a, b] = await Promise.all(rows);
        assert.equal(maxAbsDiff(a!, rowsOf(v, r, Math.min(4, H - r))), 0, `rows from ${r}`);
        if (b) assert.equal(maxAbsDiff(b, rowsOf(v, r + 4, Math.min(4, H - r - 4))), 0, `rows from ${r + 4}`);
        for (const { got, pr, pc } of await Promise.all(px)) assert.equal(maxAbsDiff(got, pixelOf(v, pr, pc)), 0, `pixel (${pr}, ${pc}) during the pass`);
      }
      const s = stats(cube);
      assert.equal(s.restarts, 1, 'one inflate stream served everything');
      assert.equal(s.inflatedBytes, memberBytes, 'each byte was inflated once');
    } finally {
      await cube.close();
    }
  });
});

test('NPZ spill: a cancelled pass keeps its prefix; the next pass continues the same cursor', async () => {
  await withFixture(async ({ spillDir, npz, npy, v, memberBytes }) => {
    const cube = await openNpz(npz, { spill: { dir: spillDir, freeBytes: PLENTY } });
    try {
      const windows = [{ label: 'all', loChannel: 0, hiChannel: C }];
      const ac = new AbortController();
      await assert.rejects(
        aggregateScan(cube, windows, { rowsPerBlock: 4, token: tokenFromSignal(ac.signal), onProgress: (p) => p.done >= 16 && ac.abort() }),
        (e: unknown) => e instanceof CancelledError,
      );
      const cut = stats(cube);
      assert.ok(cut.spill!.spilledBytes > 0 && cut.spill!.spilledBytes < memberBytes, `partly spilled: ${cut.spill!.spilledBytes} of ${memberBytes}`);
      const again = await aggregateScan(cube, windows, { rowsPerBlock: 4 });
      const npyCube = await openCube(npy);
      const want = await aggregateScan(npyCube, windows, { rowsPerBlock: 4 });
      await npyCube.close();
      assert.equal(maxAbsDiff(again.totalCounts, want.totalCounts), 0);
      const s = stats(cube);
      assert.equal(s.restarts, 1, 'the second pass resumed the cursor');
      assert.equal(s.inflatedBytes, memberBytes, 'nothing before the cut was inflated again');
      assert.equal(maxAbsDiff(await cube.readPixel(H - 1, W - 1), pixelOf(v, H - 1, W - 1)), 0);
    } finally {
      await cube.close();
    }
  });
});

test('NPZ spill: no room → no spill file; rows and pixels still right (pixels behind the cursor restart it)', async () => {
  await withFixture(async ({ spillDir, npz, v, memberBytes }) => {
    // Just short of the margin, then just enough.
    const margin = Math.max(SPILL_FREE_MARGIN.minBytes, SPILL_FREE_MARGIN.fraction * memberBytes);
    assert.equal(spillFits(memberBytes, memberBytes + margin - 1), false);
    assert.equal(spillFits(memberBytes, memberBytes + margin), true);
    const seen: string[] = [];
    const tooLittle: SpillOptions = { dir: spillDir, freeBytes: async (d) => (seen.push(d), memberBytes + margin - 1) };
    const cube = await openNpz(npz, { spill: tooLittle });
    try {
      assert.deepEqual(seen, [spillDir], 'free space was asked of the spill folder');
      assert.equal(stats(cube).spill, undefined);
      assert.deepEqual(await fs.readdir(spillDir), [], 'no file was made');
      assert.equal(maxAbsDiff(await cube.readPixel(40, 1), pixelOf(v, 40, 1)), 0);
      assert.equal(maxAbsDiff(await cube.readPixel(3, 9), pixelOf(v, 3, 9)), 0, 'a pixel behind the pixel cursor');
      await passMatches(cube, v, 'pass without spill');
      await passMatches(cube, v, 'second pass without spill');
      assert.ok(stats(cube).inflatedBytes > 2 * memberBytes, 'without a spill every pass inflates again');
      assert.ok(stats(cube).restarts >= 3);
      assert.deepEqual(await fs.readdir(spillDir), []);
    } finally {
      await cube.close();
    }
    // Spilling can also be switched off, and a free-space probe that fails means no spill.
    for (const spill of [{ dir: spillDir, enabled: false }, { dir: spillDir, freeBytes: async () => Promise.reject(new Error('ENOSYS')) }] as SpillOptions[]) {
      const c = await openNpz(npz, { spill });
      assert.equal(stats(c).spill, undefined);
      assert.equal(maxAbsDiff(await c.readPixel(5, 5), pixelOf(v, 5, 5)), 0);
      await c.close();
    }
    // A spill folder that does not exist: no spill, reads still work.
    const gone = await openNpz(npz, { spill: { dir: path.join(spillDir, 'missing'), freeBytes: PLENTY } });
    assert.equal(stats(gone).spill, undefined);
    assert.equal(maxAbsDiff(await gone.readRows(0, H), v), 0);
    await gone.close();
  });
});

test('NPZ spill: never in a default temp folder that lives in memory (tmpfs); a folder given explicitly is trusted', async () => {
  await withFixture(async ({ npz, spillDir }) => {
    const asked: string[] = [];
    const tmpfs = async (d: string) => (asked.push(d), true);
    const inRam = await openNpz(npz, { spill: { freeBytes: PLENTY, memoryBacked: tmpfs } });
    try {
      assert.equal(stats(inRam).spill, undefined, 'no spill into RAM');
      assert.equal(asked.length, 1);
    } finally {
      await inRam.close();
    }
    const chosen = await openNpz(npz, { spill: { dir: spillDir, freeBytes: PLENTY, memoryBacked: tmpfs } });
    try {
      assert.notEqual(stats(chosen).spill, undefined, 'the explicit folder is used');
      assert.equal(asked.length, 1, 'an explicit folder is not second-guessed');
    } finally {
      await chosen.close();
    }
  });
});

test('NPZ spill: the real free-space check of the temp folder decides, and spills there by default', async () => {
  await withFixture(async ({ npz, memberBytes }) => {
    const os = await import('node:os');
    const free = await statfsFreeBytes(os.tmpdir());
    assert.ok(free > 0, 'statfs reports free space');
    const cube = await openCube(npz);
    try {
      const s = stats(cube);
      const inMemory = await isMemoryBacked(os.tmpdir());
      assert.equal(s.spill !== undefined, spillFits(memberBytes, free) && !inMemory, `free ${free} bytes, tmpfs ${inMemory}`);
      if (s.spill) {
        assert.equal(path.dirname(s.spill.file), os.tmpdir(), 'in the temp folder, not beside the scan');
        assert.match(path.basename(s.spill.file), SPILL_NAME);
      }
    } finally {
      await cube.close();
    }
  });
});

test('NPZ spill: a write failure mid-way drops the spill and reads stay right', async () => {
  await withFixture(async ({ spillDir, npz, v, memberBytes }) => {
    for (const mode of ['throw', 'zero'] as const) {
      let writes = 0;
      const failing: SpillOptions = {
        dir: spillDir,
        freeBytes: PLENTY,
        write: async (fh, data, pos) => {
          if (++writes >= 3) {
            if (mode === 'zero') return 0;
            throw Object.assign(new Error('ENOSPC: no space left on device, write'), { code: 'ENOSPC' });
          }
          return (await fh.write(data, 0, data.length, pos)).bytesWritten;
        },
      };
      const cube = await openNpz(npz, { spill: failing });
      try {
        assert.equal(maxAbsDiff(await cube.readPixel(1, 1), pixelOf(v, 1, 1)), 0);
        await passMatches(cube, v, `pass with a failing spill (${mode})`, 3);
        const s = stats(cube);
        assert.equal(s.spill?.active, false, 'spill dropped');
        assert.match(s.spill!.failure!, /write failed/);
        assert.ok(writes >= 3);
        for (const [r, c] of randomPixels(20, 3)) assert.equal(maxAbsDiff(await cube.readPixel(r, c), pixelOf(v, r, c)), 0, `pixel (${r}, ${c}) after the failure`);
        await passMatches(cube, v, `second pass after the failure (${mode})`, 8);
        assert.ok(stats(cube).inflatedBytes > memberBytes, 'served by inflating again');
        assert.deepEqual(await spillFiles(spillDir), []);
      } finally {
        await cube.close();
      }
    }
  });
});

test('NPZ spill: the file is private, gone from the folder while open (POSIX), and gone after close', async () => {
  await withFixture(async ({ spillDir, npz, v }) => {
    const cube = await openNpz(npz, { spill: { dir: spillDir, freeBytes: PLENTY } });
    let file: string;
    try {
      await passMatches(cube, v, 'pass');
      const s = stats(cube).spill!;
      file = s.file;
      assert.equal(path.dirname(file), spillDir);
      assert.match(path.basename(file), SPILL_NAME);
      assert.ok(s.active && s.spilledBytes > 0);
      const listed = await spillFiles(spillDir);
      if (process.platform === 'win32') assert.deepEqual(listed, [path.basename(file)]);
      else assert.deepEqual(listed, [], 'unlinked right after opening: nothing to leave behind');
    } finally {
      await cube.close();
    }
    await cube.close(); // twice is harmless
    assert.deepEqual(await fs.readdir(spillDir), [], 'nothing left after close');
    // Two cubes of the same scan spill to different files.
    const [a, b] = await Promise.all([openNpz(npz, { spill: { dir: spillDir, freeBytes: PLENTY } }), openNpz(npz, { spill: { dir: spillDir, freeBytes: PLENTY } })]);
    assert.notEqual(stats(a).spill!.file, stats(b).spill!.file);
    await Promise.all([a.close(), b.close()]);
    assert.deepEqual(await fs.readdir(spillDir), []);
  });
});

test('NPZ spill: a refused member (Fortran order) or corrupt deflate data leaves no spill file; errors name the scan', async () => {
  await withFixture(async ({ dir, spillDir, v }) => {
    const fortran = path.join(dir, 'fortran.npz');
    await fs.writeFile(fortran, zipOf([{ name: 'arr_0.npy', data: npyOf(v, H, W, C, 'u2', { fortran: true }), deflate: true }]));
    await assert.rejects(openNpz(fortran, { spill: { dir: spillDir, freeBytes: PLENTY } }), (e: unknown) => e instanceof XrfInputError && e.file === fortran && /Fortran-order/.test(e.problem));
    assert.deepEqual(await fs.readdir(spillDir), []);

    // Corrupt the second half of the deflate data: the first rows inflate (and spill), later ones fail.
    const bad = zipOf([{ name: 'arr_0.npy', data: npyOf(v, H, W, C, 'u2'), deflate: true }]);
    const compressedSize = new DataView(bad.buffer).getUint32(18, true);
    const data0 = 30 + 'arr_0.npy'.length;
    bad.fill(0xff, data0 + Math.floor(compressedSize / 2), data0 + compressedSize);
    const badFile = path.join(dir, 'bad.npz');
    await fs.writeFile(badFile, bad);
    const cube = await openNpz(badFile, { spill: { dir: spillDir, freeBytes: PLENTY } });
    try {
      await assert.rejects(cube.readRows(0, H), (e: unknown) => e instanceof XrfInputError && e.file === badFile);
      const spilled = stats(cube).spill!.spilledBytes;
      if (spilled > 200 + W * C * 2) {
        assert.equal(maxAbsDiff(await cube.readRows(0, 1), rowsOf(v, 0, 1)), 0, 'the spilled prefix still serves');
      }
      await assert.rejects(cube.readPixel(H - 1, W - 1), (e: unknown) => e instanceof XrfInputError && e.file === badFile);
    } finally {
      await cube.close();
    }
    assert.deepEqual(await fs.readdir(spillDir), []);
  });
});

test('NPZ spill: other dtypes and byte orders stream through the spill; raw rows only in host order; NaN is reported', async () => {
  await withTempDir(async (dir) => {
    const saved = npzLimits.inflateInMemoryBytes;
    npzLimits.inflateInMemoryBytes = 1000;
    try {
      const h = 20, w = 16, c = 256;
      const windows = [{ label: 'x', loChannel: 3, hiChannel: 100 }];
      for (const [dtype, littleEndian, raw] of [['u2', false, undefined], ['f4', true, 'f4'], ['f8', false, undefined], ['u1', true, 'u1']] as const) {
        const v = testValues(h, w, c, { fractional: dtype[0] === 'f' });
        const npyData = npyOf(v, h, w, c, dtype, { littleEndian });
        const npz = path.join(dir, `${dtype}-${littleEndian}.npz`);
        const npy = path.join(dir, `${dtype}-${littleEndian}.npy`);
        await fs.writeFile(npz, zipOf([{ name: 'a.npy', data: npyData, deflate: true }]));
        await fs.writeFile(npy, npyData);
        const cube = await openNpz(npz, { spill: { dir, freeBytes: PLENTY } });
        const ref = await openCube(npy);
        try {
          assert.equal(cube.rawRowDType, raw, `${dtype} ${littleEndian ? '<' : '>'}`);
          const got = await aggregateScan(cube, windows, { rowsPerBlock: 3 });
          const again = await aggregateScan(cube, windows, { rowsPerBlock: 7 });
          const want = await aggregateScan(ref, windows, { rowsPerBlock: 3 });
          assert.equal(maxAbsDiff(got.roiMaps[0], want.roiMaps[0]), 0, `${dtype}: first pass`);
          assert.equal(maxAbsDiff(again.totalCounts, want.totalCounts), 0, `${dtype}: second pass`);
          assert.equal(maxAbsDiff(await cube.readPixel(h - 1, 2), v.subarray(((h - 1) * w + 2) * c, ((h - 1) * w + 3) * c)), 0);
          assert.equal(stats(cube).restarts, 1);
        } finally {
          await cube.close();
          await ref.close();
        }
      }
      const nan = testValues(h, w, c, { fractional: true });
      nan[(13 * w + 5) * c + 7] = NaN;
      const bad = path.join(dir, 'nan.npz');
      await fs.writeFile(bad, zipOf([{ name: 'a.npy', data: npyOf(nan, h, w, c, 'f4'), deflate: true }]));
      const cube = await openNpz(bad, { spill: { dir, freeBytes: PLENTY } });
      try {
        const isNan = (e: unknown) => e instanceof XrfInputError && e.file === bad && /NaN value at row 13, column 5, channel 7/.test(e.problem);
        await assert.rejects(aggregateScan(cube, windows, { rowsPerBlock: 4 }), isNan);
        await assert.rejects(cube.readPixel(13, 5), isNan);
        await assert.rejects(cube.readRows(12, 3), isNan);
      } finally {
        await cube.close();
      }
    } finally {
      npzLimits.inflateInMemoryBytes = saved;
    }
  });
});

test('NPZ spill: stale spill files (left by a killed process where files are deleted on close) are removed, and nothing else', async () => {
  await withTempDir(async (dir) => {
    const stale = ['xrfmaps-npz-0123456789abcdef.spill', 'xrfmaps-npz-fedcba9876543210.spill'];
    const others = ['xrfmaps-npz-short.spill', 'scan.npz', 'notes.spill'];
    for (const n of [...stale, ...others]) await fs.writeFile(path.join(dir, n), 'x');
    assert.equal(await removeStaleSpills(dir), 2);
    assert.deepEqual((await fs.readdir(dir)).sort(), others.sort());
    assert.equal(await removeStaleSpills(path.join(dir, 'no-such-folder')), 0);
  });
});
