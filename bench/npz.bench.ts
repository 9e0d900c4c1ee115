/**
 * Large compressed .npz scans (np.savez_compressed) and their spill file (src/core/cube/spill-file.ts):
 * a generated u2 cube of 4096 channels (256 MB by default; XRFMAPS_BENCH_NPZ_MB changes it), written
 * both as an .npy and as a deflated .npz (zlib level 1), and read the same way (aggregateScan, the 12
 * default lines, in this thread). Reported, as ratios to references measured in this run:
 *  - the first pass over the .npz (inflate + spill) against the same pass over the .npy, and against
 *    a first pass with spilling switched off (the cost of writing the spill);
 *  - single-pixel p50/p95 before any pass: without a spill (every pixel behind the cursor inflates
 *    from the member's start) and with one (the cursor moves forward only);
 *  - single-pixel p50/p95 after the pass (from the spill) beside the .npy's;
 *  - the second pass against the first, and against the .npy's;
 *  - peak RSS of this process while the .npz is read (sampled every 20 ms; it includes the runtime
 *    and tsx, so compare it with the RSS before the reads, reported beside it);
 *  - through a ScanSession worker (as the scan editor reads it; only when the member is over the
 *    128 MB in-memory limit): the summary pass, pixel latency during and after it, an energy-window
 *    map (the second pass) against the summary, and the process's peak RSS meanwhile.
 * Everything is read with a warm page cache (the files were just written; the spill goes to the OS
 * temp folder), so the figures are CPU costs: inflate, write, read, sum.
 */
import { promises as fs } from 'node:fs';
import type { FileHandle } from 'node:fs/promises';
import * as os from 'node:os';
import * as path from 'node:path';
import * as zlib from 'node:zlib';
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { openCube } from '../src/core/cube/open';
import { openNpz, npzLimits, npzStreamStats } from '../src/core/cube/npz';
import type { Cube } from '../src/core/cube/cube';
import { DEFAULT_CALIBRATION } from '../src/core/cube/cube';
import { aggregateScan } from '../src/core/maps/aggregate';
import { windowsForLines } from '../src/core/maps/windows';
import { DEFAULT_LINES } from '../src/core/lines';
import type { SpillOptions } from '../src/core/cube/spill-file';
import { ScanSession, type WorkerMemory } from '../src/workers/scan-session-client';

const CHANNELS = 4096;
const WIDTH = 128;
const MB = 1024 * 1024;
const crc32 = (zlib as unknown as { crc32(d: Uint8Array, prev?: number): number }).crc32;

function npyHeader(shape: number[]): Uint8Array {
  let dict = `{'descr': '<u2', 'fortran_order': False, 'shape': (${shape.join(', ')}), }`;
  const total = 10 + dict.length + 1;
  dict += ' '.repeat((64 - (total % 64)) % 64) + '\n';
  const out = new Uint8Array(10 + dict.length);
  out.set([0x93, 0x4e, 0x55, 0x4d, 0x50, 0x59, 1, 0]);
  new DataView(out.buffer).setUint16(8, dict.length, true);
  out.set(new TextEncoder().encode(dict), 10);
  return out;
}

/**
 * Rows of spectra that compress roughly like MA-XRF counts (~4× with deflate): a falling background
 * and a few peaks whose heights vary over the map, plus small noise.
 */
function* rowBlocks(height: number): Generator<Uint8Array> {
  let seed = 987654321;
  const rowsPerBlock = 8;
  for (let r0 = 0; r0 < height; r0 += rowsPerBlock) {
    const n = Math.min(rowsPerBlock, height - r0);
    const block = new Uint16Array(n * WIDTH * CHANNELS);
    for (let k = 0; k < n; k++) {
      for (let c = 0; c < WIDTH; c++) {
        const fe = 150 * (1 + Math.sin((r0 + k) / 17) * Math.cos(c / 11));
        const pb = 90 * (1 + Math.cos((r0 + k + c) / 23));
        const at = (k * WIDTH + c) * CHANNELS;
        for (let ch = 0; ch < CHANNELS; ch++) {
          seed = (Math.imul(seed, 1103515245) + 12345) >>> 0;
          const peaks = fe * Math.exp(-(((ch - 640) / 9) ** 2)) + pb * Math.exp(-(((ch - 1055) / 11) ** 2)) + pb * 0.6 * Math.exp(-(((ch - 1260) / 12) ** 2));
          block[at + ch] = Math.round(peaks + 12 * Math.exp(-ch / 1200) + (seed >>> 29));
        }
      }
    }
    yield new Uint8Array(block.buffer);
  }
}

/** Write the same H×W×4096 u2 array as `base.npy` and as a deflated member of `base.npz`. */
async function makeScans(dir: string, height: number): Promise<{ npy: string; npz: string; compressed: number; memberBytes: number }> {
  const npy = path.join(dir, 'scan.npy');
  const npz = path.join(dir, 'scan.npz');
  const header = npyHeader([height, WIDTH, CHANNELS]);
  const name = new TextEncoder().encode('counts.npy');
  const npyFh = await fs.open(npy, 'w');
  const zipFh = await fs.open(npz, 'w');
  let crc = 0;
  let size = 0;
  let compressed = 0;
  try {
    await npyFh.write(header);
    const dataStart = 30 + name.length;
    async function* plain(): AsyncGenerator<Uint8Array> {
      crc = crc32(header, crc);
      size += header.length;
      yield header;
      for (const b of rowBlocks(height)) {
        await npyFh.write(b);
        crc = crc32(b, crc);
        size += b.length;
        yield b;
      }
    }
    await pipeline(Readable.from(plain()), zlib.createDeflateRaw({ level: 1, chunkSize: MB }), async (source: AsyncIterable<Uint8Array>) => {
      for await (const chunk of source) {
        await zipFh.write(chunk, 0, chunk.length, dataStart + compressed);
        compressed += chunk.length;
      }
    });
    if (size >= 2 ** 32 || compressed >= 2 ** 32) throw new Error('the bench writes no ZIP64: keep the cube under 4 GB');
    const local = new Uint8Array(30 + name.length);
    const l = new DataView(local.buffer);
    l.setUint32(0, 0x04034b50, true);
    l.setUint16(4, 20, true);
    l.setUint16(8, 8, true);
    l.setUint32(14, crc >>> 0, true);
    l.setUint32(18, compressed, true);
    l.setUint32(22, size, true);
    l.setUint16(26, name.length, true);
    local.set(name, 30);
    await writeAt(zipFh, local, 0);
    const central = new Uint8Array(46 + name.length);
    const c = new DataView(central.buffer);
    c.setUint32(0, 0x02014b50, true);
    c.setUint16(4, 20, true);
    c.setUint16(6, 20, true);
    c.setUint16(10, 8, true);
    c.setUint32(16, crc >>> 0, true);
    c.setUint32(20, compressed, true);
    c.setUint32(24, size, true);
    c.setUint16(28, name.length, true);
    central.set(name, 46);
    const cdOffset = dataStart + compressed;
    await writeAt(zipFh, central, cdOffset);
    const eocd = new Uint8Array(22);
    const e = new DataView(eocd.buffer);
    e.setUint32(0, 0x06054b50, true);
    e.setUint16(8, 1, true);
    e.setUint16(10, 1, true);
    e.setUint32(12, central.length, true);
    e.setUint32(16, cdOffset, true);
    await writeAt(zipFh, eocd, cdOffset + central.length);
  } finally {
    await npyFh.close();
    await zipFh.close();
  }
  return { npy, npz, compressed, memberBytes: size };
}

async function writeAt(fh: FileHandle, data: Uint8Array, pos: number): Promise<void> {
  await fh.write(data, 0, data.length, pos);
}

const windows = windowsForLines([...DEFAULT_LINES], DEFAULT_CALIBRATION, CHANNELS);

async function seconds(f: () => Promise<unknown>): Promise<number> {
  const t0 = performance.now();
  await f();
  return (performance.now() - t0) / 1000;
}

/** Per-pixel latencies in ms, sorted. */
async function pixelTimes(cube: Cube, pixels: [number, number][]): Promise<number[]> {
  const ms: number[] = [];
  for (const [r, c] of pixels) {
    const t0 = performance.now();
    await cube.readPixel(r, c);
    ms.push(performance.now() - t0);
  }
  return ms.sort((a, b) => a - b);
}

function randomPixels(n: number, height: number, seed: number): [number, number][] {
  let s = seed >>> 0;
  const next = () => (s = (Math.imul(s, 1664525) + 1013904223) >>> 0) / 2 ** 32;
  return Array.from({ length: n }, () => [Math.floor(next() * height), Math.floor(next() * WIDTH)] as [number, number]);
}

const pct = (sorted: number[], p: number) => sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))];
const fmt = (x: number, d = 2) => x.toFixed(d);
const latency = (ms: number[]) => `p50 ${fmt(pct(ms, 50))} ms, p95 ${fmt(pct(ms, 95))} ms (${ms.length} pixels)`;

export async function bench(report: (line: string) => void): Promise<void> {
  const mb = Number(process.env.XRFMAPS_BENCH_NPZ_MB ?? 256);
  if (!(mb > 0)) throw new Error(`XRFMAPS_BENCH_NPZ_MB must be > 0, got ${process.env.XRFMAPS_BENCH_NPZ_MB}`);
  const height = Math.max(8, Math.round((mb * MB) / (WIDTH * CHANNELS * 2)));
  const dir = await fs.mkdtemp(path.join(os.tmpdir(), 'xrf-bench-npz-'));
  const spillDir = path.join(dir, 'spill');
  await fs.mkdir(spillDir);
  const withSpill: SpillOptions = { dir: spillDir };
  const noSpill: SpillOptions = { enabled: false };
  let peakRss = 0;
  let sampling: NodeJS.Timeout | undefined;
  const savedLimit = npzLimits.inflateInMemoryBytes;
  // Stream the member even when XRFMAPS_BENCH_NPZ_MB makes it small enough to inflate into memory.
  npzLimits.inflateInMemoryBytes = Math.min(savedLimit, (mb * MB) / 2);
  try {
    let t0 = performance.now();
    const { npy, npz, compressed, memberBytes } = await makeScans(dir, height);
    const bytes = height * WIDTH * CHANNELS * 2;
    const GB = bytes / 1024 ** 3;
    report(`cube: ${height}×${WIDTH}×${CHANNELS} u2, ${fmt(bytes / MB, 0)} MB; .npz member deflated to ${fmt(compressed / MB, 0)} MB (${fmt(bytes / compressed, 1)}×), written in ${fmt((performance.now() - t0) / 1000, 1)} s`);
    report(`load average at start: ${os.loadavg().map((x) => fmt(x, 1)).join(' ')} on ${os.cpus().length} cores; page cache warm for every read`);

    const rssBefore = process.memoryUsage().rss;
    sampling = setInterval(() => (peakRss = Math.max(peakRss, process.memoryUsage().rss)), 20);

    // Reference: the same pass and pixels over the .npy.
    const npyCube = await openCube(npy);
    const npyPass = await seconds(() => aggregateScan(npyCube, windows));
    const npyPixels = await pixelTimes(npyCube, randomPixels(200, height, 11));
    await npyCube.close();
    report(`.npy: pass ${fmt(npyPass)} s (${fmt(GB / npyPass)} GB/s); pixels ${latency(npyPixels)}`);

    // Pixels before any pass, without and with a spill (fresh cubes, so the pass below starts cold).
    const before = randomPixels(8, height, 5);
    let cube = await openNpz(npz, { spill: noSpill });
    const beforeNoSpill = await pixelTimes(cube, before);
    await cube.close();
    cube = await openNpz(npz, { spill: withSpill });
    const beforeSpill = await pixelTimes(cube, before);
    await cube.close();
    report(`.npz pixels before any pass: without spill ${latency(beforeNoSpill)}; with spill ${latency(beforeSpill)}`);

    // First pass without spilling: the cost of writing the spill.
    cube = await openNpz(npz, { spill: noSpill });
    const plainFirst = await seconds(() => aggregateScan(cube, windows));
    await cube.close();

    cube = await openNpz(npz, { spill: withSpill });
    try {
      const first = await seconds(() => aggregateScan(cube, windows));
      const s1 = npzStreamStats(cube)!;
      report(`.npz first pass: ${fmt(first)} s (${fmt(GB / first)} GB/s) = ${fmt(first / npyPass)}× the .npy pass; without spilling ${fmt(plainFirst)} s (spill costs ${fmt(first / plainFirst)}×); spilled ${fmt((s1.spill?.spilledBytes ?? 0) / MB, 0)} MB`);
      const after = await pixelTimes(cube, randomPixels(200, height, 11));
      report(`.npz pixels after the pass (from the spill): ${latency(after)}; p95 = ${fmt(pct(after, 95) / pct(npyPixels, 95))}× the .npy's (goal p95 < 20 ms)`);
      const second = await seconds(() => aggregateScan(cube, windows));
      const s2 = npzStreamStats(cube)!;
      report(`.npz second pass: ${fmt(second)} s = ${fmt(second / first)}× the first, ${fmt(second / npyPass)}× the .npy pass; inflated ${fmt(s2.inflatedBytes / MB, 0)} MB in all (member ${fmt(memberBytes / MB, 0)} MB), ${s2.restarts} inflate start(s)`);
    } finally {
      await cube.close();
    }
    clearInterval(sampling);
    sampling = undefined;
    const left = (await fs.readdir(spillDir)).length;
    report(`peak RSS while reading: ${fmt(peakRss / MB, 0)} MB (RSS before the reads ${fmt(rssBefore / MB, 0)} MB); spill files left after close: ${left}`);
    npzLimits.inflateInMemoryBytes = savedLimit;
    if (memberBytes > savedLimit) await sessionFigures(npz, height, GB, report);
    else report(`session figures skipped: the member is under the ${fmt(savedLimit / MB, 0)} MB in-memory limit the worker uses`);
  } finally {
    if (sampling) clearInterval(sampling);
    npzLimits.inflateInMemoryBytes = savedLimit;
    await fs.rm(dir, { recursive: true, force: true });
  }
}

/** The scan editor's path: a session worker (default spill folder), summary, pixels, a window map. */
async function sessionFigures(npz: string, height: number, GB: number, report: (line: string) => void): Promise<void> {
  const s = await ScanSession.open(npz);
  // The process's RSS holds whatever earlier benches left (tfjs heaps in a full `npm run bench`): report
  // the worker's own heap and how much the RSS grew while this session worked.
  const start = await s.memory();
  let peak = start.rss;
  let peakHeap = start.heapUsed;
  let running = true;
  const take = (m: WorkerMemory) => {
    peak = Math.max(peak, m.rss);
    peakHeap = Math.max(peakHeap, m.heapUsed);
  };
  const sampler = (async () => {
    while (running) {
      take(await s.memory());
      await new Promise((r) => setTimeout(r, 25));
    }
  })();
  try {
    const during: number[] = [];
    let t0 = performance.now();
    const pass = s.summary([...DEFAULT_LINES]);
    let passDone = false;
    void pass.finally(() => (passDone = true)).catch(() => undefined);
    for (const [r, c] of randomPixels(40, height, 23)) {
      if (passDone) break;
      const p0 = performance.now();
      await s.pixel(r, c);
      during.push(performance.now() - p0);
    }
    await pass;
    const summary = (performance.now() - t0) / 1000;
    during.sort((a, b) => a - b);
    const after: number[] = [];
    for (const [r, c] of randomPixels(200, height, 29)) {
      const p0 = performance.now();
      await s.pixel(r, c);
      after.push(performance.now() - p0);
    }
    after.sort((a, b) => a - b);
    t0 = performance.now();
    await s.windowMap(600, 700);
    const windowMap = (performance.now() - t0) / 1000;
    running = false;
    await sampler;
    take(await s.memory());
    report(`session: summary pass ${fmt(summary)} s (${fmt(GB / summary)} GB/s); pixels during it ${during.length ? latency(during) : 'none (the pass ended first)'}; after it ${latency(after)}`);
    report(`session: energy-window map (second pass) ${fmt(windowMap)} s = ${fmt(windowMap / summary)}× the summary pass; worker heap peak ${fmt(peakHeap / MB, 0)} MB, process RSS +${fmt((peak - start.rss) / MB, 0)} MB during the session (from ${fmt(start.rss / MB, 0)} MB; goal < 512 MB, flat)`);
  } finally {
    running = false;
    await sampler.catch(() => undefined);
    await s.close();
  }
}

if (require.main === module) {
  void bench((line) => console.log(line));
}
