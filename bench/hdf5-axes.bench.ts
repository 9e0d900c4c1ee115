/**
 * HDF5 channels-first vs channels-last: the same 4096 × 64 × 64 u2 cube stored (H, W, C) and
 * (C, H, W), chunked alike (64 KiB chunks over 8 × 8 pixels × 512 channels), with and without gzip.
 *
 * Every figure is a ratio of two times measured in this run (the machine is shared):
 *  - the bare h5wasm hyperslabs of each layout (what HDF5 itself costs);
 *  - whole passes (aggregateScan, 12 windows) in 1-row and 8-row blocks, each layout, now (raw u16
 *    rows into the u16 kernel; channels-first rows cut from whole-chunk bands by the SIMD transpose)
 *    against before (the reader this replaced, re-created here: one hyperslab per block, the JS
 *    transpose to float32, the float32 kernel), and channels-first against channels-last;
 *  - the transpose alone: the SIMD kernel against the JavaScript loop, ns per value, for u16 and
 *    f32 samples, raw (same type out) and into float32;
 *  - pixel spectra (readPixel) on 128 × 128 × 4096 u2 scans: p50/p95 latency for random pixels and
 *    for a hover walk (each next pixel a neighbour), with the chunk tile cache (now) against one
 *    hyperslab per pixel (before: pixelTileBytes 0), on 16 × 16-pixel gzip chunks (2 MB), 64 × 64
 *    chunks (32 MB) gzip, and for reference three files read without tiles either way (unfiltered
 *    chunks: 64 × 64 × 4096 and channels-first 4096 × 64 × 64; contiguous channels-first).
 *  - the tiled pass (Hdf5Cube.tileShape) on gzip scans whose band of whole chunk rows is over the
 *    64 MiB band budget: 256 × 256 × 4096 u2 in 64 × 64 × 4096 chunks, and a wide 32 × 1600 × 4096 u2
 *    scan in 8 × 8 × 4096 chunks; now (tiles, each chunk inflated once) against before (tiles: false:
 *    row blocks, each chunk inflated once per block that touches it), one pass each (~30 s before);
 *    and readRows in prediction's 8 MiB blocks (2 rows on the 256-wide scan, 1 row on the wide one)
 *    over one band of chunk rows, per row, against the tiled pass per row: what training and
 *    prediction still pay on such files.
 */
import { promises as fs } from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { loadH5wasm, openHdf5 } from '../src/core/cube/hdf5';
import { rowBlockRanges, toPixelMajor, layoutOf, type ChannelAxis } from '../src/core/cube/hdf5-axes';
import { openCube } from '../src/core/cube/open';
import { createTransposer, JsTransposer, type SlabSamples } from '../src/core/cube/transpose';
import { aggregateScan } from '../src/core/maps/aggregate';
import type { Cube } from '../src/core/cube/cube';
import type { RoiWindow } from '../src/core/maps/summary';

const [H, W, C] = [64, 64, 4096];

function values(): { last: Uint16Array; first: Uint16Array } {
  const last = new Uint16Array(H * W * C);
  const first = new Uint16Array(H * W * C);
  for (let r = 0; r < H; r++)
    for (let c = 0; c < W; c++)
      for (let ch = 0; ch < C; ch++) {
        const x = (r * 31 + c * 7 + ch * 3 + ((r * c * ch) % 11)) % 251;
        last[(r * W + c) * C + ch] = x;
        first[ch * H * W + r * W + c] = x;
      }
  return { last, first };
}

async function write(file: string, data: Uint16Array, shape: number[], chunks: number[], gzip: boolean): Promise<void> {
  const h5 = await loadH5wasm();
  const f = new h5.File(file, 'w');
  try {
    f.create_dataset({ name: 'cube', data, shape, chunks, ...(gzip ? { compression: 'gzip' as const, compression_opts: 1 } : {}) });
  } finally {
    f.close();
  }
}

/**
 * The HDF5 reader as it was before the raw path and the bands: every block one hyperslab, turned
 * into float32 pixel-major by toPixelMajor (the JS transpose for channels-first), no readRawRows.
 */
async function beforeCube(file: string, channelAxis: ChannelAxis): Promise<Cube & { close(): Promise<void> }> {
  const h5 = await loadH5wasm();
  const f = new h5.File(file, 'r');
  const ds = f.get('cube') as InstanceType<typeof h5.Dataset>;
  const layout = layoutOf(ds.shape as number[], channelAxis);
  return {
    path: file,
    format: 'hdf5',
    height: layout.shape[0],
    width: layout.shape[1],
    channels: layout.shape[2],
    dtype: 'u2',
    fileCalibration: undefined,
    async readRows(row0, nRows, out) {
      const ranges = rowBlockRanges(layout, row0, nRows);
      const dst = out ?? new Float32Array(nRows * W * C);
      toPixelMajor(ds.slice(ranges) as Uint16Array, ranges.map(([a, b]) => b - a), channelAxis, dst.subarray(0, nRows * W * C));
      return dst;
    },
    async readPixel() {
      throw new Error('not used');
    },
    async close() {
      f.close();
    },
  };
}

const WINDOWS: RoiWindow[] = Array.from({ length: 12 }, (_, k) => ({ label: `w${k}`, loChannel: 200 + 300 * k, hiChannel: 260 + 300 * k }));

/** Best of `reps` whole passes; returns ms and a checksum of the summary. */
async function pass(open: () => Promise<Cube>, block: number, reps: number): Promise<{ ms: number; sum: number }> {
  const cube = await open();
  let best = Infinity;
  let sum = 0;
  try {
    for (let rep = 0; rep < reps; rep++) {
      const t0 = performance.now();
      const s = await aggregateScan(cube, WINDOWS, { rowsPerBlock: block });
      best = Math.min(best, performance.now() - t0);
      sum = s.totalCounts.reduce((a, b) => a + b, 0) + s.roiMaps[5].reduce((a, b) => a + b, 0) + s.maxSpectrum[1000];
    }
  } finally {
    await cube.close();
  }
  return { ms: best, sum };
}

/** Best of 3 passes of bare `dataset.slice` over the cube in `block`-row hyperslabs (what HDF5 itself costs). */
async function slabsOnly(file: string, block: number, ranges: (r0: number, n: number) => [number, number][]): Promise<number> {
  const h5 = await loadH5wasm();
  const f = new h5.File(file, 'r');
  try {
    const ds = f.get('cube') as InstanceType<typeof h5.Dataset>;
    let best = Infinity;
    for (let rep = 0; rep < 3; rep++) {
      const t0 = performance.now();
      for (let r0 = 0; r0 < H; r0 += block) ds.slice(ranges(r0, Math.min(block, H - r0)));
      best = Math.min(best, performance.now() - t0);
    }
    return best;
  } finally {
    f.close();
  }
}

const ratio = (a: number, b: number) => `${(a / b).toFixed(2)}×`;

// ---- Pixel spectra: the tile cache ---------------------------------------------------------------

const [PH, PW, PC] = [128, 128, 4096];

/** A deterministic pseudo-random sequence (the same pixels for before and after). */
function rng(seed: number): () => number {
  let x = seed >>> 0;
  return () => {
    x = (Math.imul(x, 1664525) + 1013904223) >>> 0;
    return x / 2 ** 32;
  };
}

function randomPixels(n: number, seed: number): [number, number][] {
  const next = rng(seed);
  return Array.from({ length: n }, () => [Math.floor(next() * PH), Math.floor(next() * PW)]);
}

/** Each next pixel one of the 8 neighbours of the last (clamped at the edges), as the mouse moves. */
function hoverWalk(n: number, seed: number): [number, number][] {
  const next = rng(seed);
  let [r, c] = [Math.floor(next() * PH), Math.floor(next() * PW)];
  const out: [number, number][] = [];
  for (let i = 0; i < n; i++) {
    out.push([r, c]);
    r = Math.min(PH - 1, Math.max(0, r + Math.floor(next() * 3) - 1));
    c = Math.min(PW - 1, Math.max(0, c + Math.floor(next() * 3) - 1));
  }
  return out;
}

/** readPixel latency (ms) over `pixels` on a fresh cube, p50/p95, and a checksum of the spectra. */
async function pixelLatency(file: string, channelAxis: ChannelAxis, tiles: boolean, pixels: [number, number][]): Promise<{ p50: number; p95: number; sum: number }> {
  const cube = await openHdf5(file, { channelAxis, ...(tiles ? {} : { pixelTileBytes: 0 }) });
  const t: number[] = [];
  let sum = 0;
  try {
    for (const [r, c] of pixels) {
      const t0 = performance.now();
      const s = await cube.readPixel(r, c);
      t.push(performance.now() - t0);
      sum += s[100] + s[2000] * 3 + s[PC - 1] * 7;
    }
  } finally {
    await cube.close();
  }
  t.sort((a, b) => a - b);
  return { p50: t[Math.floor(0.5 * (t.length - 1))], p95: t[Math.ceil(0.95 * (t.length - 1))], sum };
}

async function pixelBench(dir: string, report: (line: string) => void): Promise<void> {
  // Counts like a scan's: a few peaks over noisy low counts (gzip level 1 packs them ~4×, as real
  // MA-XRF spectra; the inflate time per chunk, which tiles save, depends on that).
  const last = new Uint16Array(PH * PW * PC);
  let x = 0x9e3779b9;
  for (let p = 0; p < PH * PW; p++)
    for (let ch = 0; ch < PC; ch++) {
      x ^= x << 13;
      x ^= x >>> 17;
      x ^= x << 5;
      last[p * PC + ch] = (x & 7) + ((x >>> 3) & 3) + (ch % 400 < 12 ? 200 + ((x >>> 5) & 63) : 0);
    }
  const files: { name: string; file: string; channelAxis: ChannelAxis }[] = [];
  const add = async (name: string, data: Uint16Array, shape: number[], chunks: number[] | undefined, gzip: boolean, channelAxis: ChannelAxis) => {
    const file = path.join(dir, `pixel-${files.length}.h5`);
    const h5 = await loadH5wasm();
    const f = new h5.File(file, 'w');
    try {
      f.create_dataset({ name: 'cube', data, shape, ...(chunks ? { chunks } : {}), ...(gzip ? { compression: 'gzip' as const, compression_opts: 1 } : {}) });
    } finally {
      f.close();
    }
    files.push({ name, file, channelAxis });
  };
  await add('chunks 16×16×4096 gzip (2 MB)', last, [PH, PW, PC], [16, 16, PC], true, 2);
  await add('chunks 64×64×4096 gzip (32 MB)', last, [PH, PW, PC], [64, 64, PC], true, 2);
  await add('chunks 64×64×4096 no filter (32 MB, no tiles)', last, [PH, PW, PC], [64, 64, PC], false, 2);
  {
    const first = new Uint16Array(PH * PW * PC);
    for (let p = 0; p < PH * PW; p++) for (let ch = 0; ch < PC; ch++) first[ch * PH * PW + p] = last[p * PC + ch];
    await add('channels-first chunks 4096×64×64 no filter (32 MB, no tiles)', first, [PC, PH, PW], [PC, 64, 64], false, 0);
    await add('contiguous channels-first 4096×128×128 (no tiles)', first, [PC, PH, PW], undefined, false, 0);
  }
  const walks = { random: randomPixels(40, 7), 'hover walk': hoverWalk(80, 11) };
  for (const { name, file, channelAxis } of files) {
    for (const [kind, pixels] of Object.entries(walks)) {
      const before = await pixelLatency(file, channelAxis, false, pixels);
      const now = await pixelLatency(file, channelAxis, true, pixels);
      if (before.sum !== now.sum) throw new Error(`${name}: spectra differ with and without tiles (${before.sum} vs ${now.sum})`);
      report(
        `${PH}×${PW}×${PC} u2 ${name}, readPixel ${kind} (${pixels.length} pixels): now p50 ${now.p50.toFixed(2)} ms / p95 ${now.p95.toFixed(2)} ms ` +
          `vs before p50 ${before.p50.toFixed(2)} / p95 ${before.p95.toFixed(2)} ms = ${ratio(now.p50, before.p50)} p50, ${ratio(now.p95, before.p95)} p95`,
      );
    }
  }
}

// ---- The tiled pass: chunk-row bands over the band budget -------------------------------------------

/**
 * Write an H × W × C u2 gzip scan in `chunks` band by band (never the whole scan in memory): counts
 * like a scan's, as in pixelBench, from a generator seeded per row so that any band can be rebuilt.
 */
async function writeBandwise(file: string, H: number, W: number, C: number, chunks: number[]): Promise<void> {
  const h5 = await loadH5wasm();
  const band = chunks[0];
  const buf = new Uint16Array(band * W * C);
  const fill = (row0: number, rows: number) => {
    for (let r = 0; r < rows; r++) {
      let x = (0x9e3779b9 ^ Math.imul(row0 + r + 1, 0x85ebca6b)) >>> 0 || 1;
      for (let i = r * W * C, end = (r + 1) * W * C, ch = 0; i < end; i++) {
        x ^= x << 13;
        x ^= x >>> 17;
        x ^= x << 5;
        buf[i] = (x & 7) + ((x >>> 3) & 3) + (ch % 400 < 12 ? 200 + ((x >>> 5) & 63) : 0);
        if (++ch === C) ch = 0;
      }
    }
    return buf.subarray(0, rows * W * C);
  };
  const f = new h5.File(file, 'w');
  try {
    const first = Math.min(band, H);
    f.create_dataset({ name: 'cube', data: fill(0, first), shape: [first, W, C], maxshape: [H, W, C], chunks, compression: 'gzip', compression_opts: 1 });
    const ds = f.get('cube') as InstanceType<typeof h5.Dataset>;
    ds.resize([H, W, C]);
    for (let r0 = first; r0 < H; r0 += band) {
      const n = Math.min(band, H - r0);
      ds.write_slice([[r0, r0 + n], [0, W], [0, C]], fill(r0, n));
    }
  } finally {
    f.close();
  }
}

async function tilesBench(dir: string, report: (line: string) => void): Promise<void> {
  const cases = [
    { name: '256×256×4096 u2 gzip, chunks 64×64×4096 (32 MiB; a chunk-row band 128 MiB)', H: 256, W: 256, C: 4096, chunks: [64, 64, 4096] },
    { name: '32×1600×4096 u2 gzip, chunks 8×8×4096 (512 KiB; a chunk-row band 100 MiB)', H: 32, W: 1600, C: 4096, chunks: [8, 8, 4096] },
  ];
  for (const c of cases) {
    const file = path.join(dir, `tiles-${c.W}.h5`);
    const t0 = performance.now();
    await writeBandwise(file, c.H, c.W, c.C, c.chunks);
    const writeMs = performance.now() - t0;
    // "Before" is the row pass with the band budget of before (64 MiB for row reads too).
    const OLD_BAND = 64 * 2 ** 20;
    const passOf = async (tiles: boolean) => {
      const cube = await openHdf5(file, tiles ? {} : { readBandBytes: OLD_BAND });
      try {
        const t = performance.now();
        const s = await aggregateScan(cube, WINDOWS, { tiles });
        return { ms: performance.now() - t, sum: s.totalCounts.reduce((a, b) => a + b, 0) + s.roiMaps[5].reduce((a, b) => a + b, 0) + s.maxSpectrum[1000], tileShape: cube.tileShape };
      } finally {
        await cube.close();
      }
    };
    const now = await passOf(true);
    const before = await passOf(false);
    if (now.sum !== before.sum) throw new Error(`${c.name}: the tiled pass and the row pass disagree (${now.sum} vs ${before.sum})`);
    if (!now.tileShape) throw new Error(`${c.name}: no tiles offered`);
    // readRows as prediction reads (8 MiB of float32 per block), over the first band of chunk rows.
    const predictRows = Math.max(1, Math.floor((8 << 20) / (c.W * c.C * 4)));
    const rowsMsWith = async (readBandBytes: number | undefined) => {
      const cube = await openHdf5(file, readBandBytes ? { readBandBytes } : {});
      try {
        const out = new Float32Array(predictRows * c.W * c.C);
        const t = performance.now();
        for (let r0 = 0; r0 < c.chunks[0]; r0 += predictRows) await cube.readRows(r0, Math.min(predictRows, c.chunks[0] - r0), out);
        return (performance.now() - t) / c.chunks[0];
      } finally {
        await cube.close();
      }
    };
    const rowsMs = await rowsMsWith(undefined);
    const rowsMsBefore = await rowsMsWith(OLD_BAND);
    const tileRowMs = now.ms / c.H;
    report(
      `${c.name}, pass (12 windows): tiles ${now.tileShape.rows}×${now.tileShape.cols} ${(now.ms / 1000).toFixed(2)} s vs row blocks (before) ${(before.ms / 1000).toFixed(2)} s = ${ratio(now.ms, before.ms)}; ` +
        `readRows in ${predictRows}-row blocks (prediction's) ${rowsMs.toFixed(0)} ms/row = ${ratio(rowsMs, tileRowMs)} the tiled pass's ${tileRowMs.toFixed(1)} ms/row, ` +
        `${ratio(rowsMs, rowsMsBefore)} its time with the old 64 MiB band budget (${rowsMsBefore.toFixed(0)} ms/row) (file written in ${(writeMs / 1000).toFixed(1)} s)`,
    );
    await fs.rm(file, { force: true });
  }
}

export async function bench(report: (line: string) => void): Promise<void> {
  const dir = await fs.mkdtemp(path.join(os.tmpdir(), 'xrf-bench-h5axes-'));
  try {
    await tilesBench(dir, report);
    await pixelBench(dir, report);
    const { last, first } = values();
    for (const gzip of [false, true]) {
      const lastFile = path.join(dir, `last${gzip ? '-gz' : ''}.h5`);
      const firstFile = path.join(dir, `first${gzip ? '-gz' : ''}.h5`);
      await write(lastFile, last, [H, W, C], [8, 8, 512], gzip);
      await write(firstFile, first, [C, H, W], [512, 8, 8], gzip);
      if (!gzip) {
        const a = await slabsOnly(lastFile, 8, (r0, n) => [[r0, r0 + n], [0, W], [0, C]]);
        const b = await slabsOnly(firstFile, 8, (r0, n) => [[0, C], [r0, r0 + n], [0, W]]);
        report(`hyperslabs alone (h5wasm, no reorder), 8-row blocks: channels-first ${b.toFixed(0)} ms vs channels-last ${a.toFixed(0)} ms = ${ratio(b, a)}`);
      }
      for (const block of [1, 8]) {
        const reps = gzip && block === 1 ? 2 : 3;
        const lastNow = await pass(() => openCube(lastFile), block, reps);
        const firstNow = await pass(() => openCube(firstFile), block, reps);
        const lastBefore = await pass(() => beforeCube(lastFile, 2), block, reps);
        const firstBefore = await pass(() => beforeCube(firstFile, 0), block, reps);
        const sums = [lastNow, firstNow, lastBefore, firstBefore].map((p) => p.sum);
        if (new Set(sums).size !== 1) throw new Error(`the four passes disagree (${sums.join(', ')})`);
        const what = `${C}×${H}×${W} u2${gzip ? ' gzip' : ''}, ${block}-row blocks, pass`;
        report(
          `${what}: channels-first now ${firstNow.ms.toFixed(0)} ms vs before ${firstBefore.ms.toFixed(0)} ms = ${ratio(firstNow.ms, firstBefore.ms)}; ` +
            `channels-last now ${lastNow.ms.toFixed(0)} ms vs before ${lastBefore.ms.toFixed(0)} ms = ${ratio(lastNow.ms, lastBefore.ms)}; ` +
            `channels-first / channels-last: now ${ratio(firstNow.ms, lastNow.ms)}, before ${ratio(firstBefore.ms, lastBefore.ms)}`,
        );
      }
    }
    // The transpose alone: one 8-row block (C × 512 pixels), SIMD against the JS loop.
    const n = 8 * W * C;
    const time = (fn: () => void) => {
      let best = Infinity;
      for (let i = 0; i < 20; i++) {
        const t0 = performance.now();
        fn();
        best = Math.min(best, performance.now() - t0);
      }
      return (best * 1e6) / n;
    };
    const slabs: SlabSamples[] = [first.slice(0, n), Float32Array.from(first.subarray(0, n))];
    for (const slab of slabs) {
      const simd = createTransposer(slab.BYTES_PER_ELEMENT);
      const js = new JsTransposer();
      simd.load(slab);
      js.load(slab);
      const raw = new (slab.constructor as new (n: number) => SlabSamples)(n);
      const f32 = new Float32Array(n);
      const tSimdRaw = time(() => simd.transpose(0, 8 * W, C, 8 * W, raw, 0));
      const tJsRaw = time(() => js.transpose(0, 8 * W, C, 8 * W, raw, 0));
      const tSimdF = time(() => simd.transpose(0, 8 * W, C, 8 * W, f32, 0));
      const tJsF = time(() => js.transpose(0, 8 * W, C, 8 * W, f32, 0));
      const tLoad = time(() => simd.load(slab));
      const tCopy = time(() => raw.set(slab));
      const name = slab instanceof Uint16Array ? 'u16' : 'f32';
      report(
        `transpose ${C} × ${8 * W} ${name} (${simd.engine}): raw ${tSimdRaw.toFixed(2)} vs JS ${tJsRaw.toFixed(2)} ns/value = ${ratio(tSimdRaw, tJsRaw)}; ` +
          `into float32 ${tSimdF.toFixed(2)} vs JS ${tJsF.toFixed(2)} ns/value = ${ratio(tSimdF, tJsF)}; ` +
          `loading the slab into the kernel ${tLoad.toFixed(2)} ns/value = ${ratio(tLoad, tCopy)} a plain copy`,
      );
    }
  } finally {
    await fs.rm(dir, { recursive: true, force: true });
  }
}
