/**
 * Scan reading and the streaming pass, on a generated RAW cube (u2, 4096 channels):
 *  - one-pass aggregation (ScanSession worker, 12 default lines, the default thread count: one below
 *    4 cores, row bands on more cores for scans ≥ 2 GB; and once on one thread) beside a plain
 *    sequential read of the same file (16 MB reads, nothing else), as a ratio; goal ≥ 0.8×;
 *  - the pass's two summing engines on the warm file in this process: the WebAssembly SIMD kernel
 *    (raw u16) against the plain JavaScript loop (float32 blocks), as a ratio;
 *  - warm pass by dtype (benchDtypes, also alone with `--dtypes`): the same counts stored as u2, u4,
 *    f4 (integer-valued) and f4 (fractional), each pass in-process against a plain read of the same
 *    file, with the kernel's u32 and float32-lane paths on ("after") and off ("before": u4 through
 *    readRows' float32 and the float64 kernel, f4 checked for NaN/Inf by the reader, float64 sums,
 *    u2 one pixel at a time), and "without lanes" (raw u32 and NaN/Inf from the sums, but only
 *    64-bit / float64 sums, u2 one pixel at a time: for u2 "before" and "without lanes" are the same);
 *  - time from opening to the first maps (open + the pass), and reopening with the cache;
 *  - single-pixel latency p50/p95 through the session (goal p95 < 20 ms);
 *  - peak memory of the worker for a 1 GB and a 4 GB cube (goal < 512 MB, not growing with size),
 *    each measured in a fresh process so the benchmark's own buffers do not count.
 *
 * Fairness: the page cache would serve whichever read comes second from memory. Dropping caches
 * system-wide needs root, so before every timed read this file's pages are dropped with
 * `dd iflag=nocache count=0` (posix_fadvise DONTNEED; no privileges needed), and the plain and
 * aggregation reads alternate. Warm-cache (CPU-bound) figures are reported too, labelled.
 *
 * XRFMAPS_BENCH_GB=0.2 shrinks the cubes (to 0.2 and 0.8 GB) for a quick check (the dtype cubes
 * hold a quarter of that many u2 bytes: 0.05 GB u2, 0.1 GB u4/f4).
 */
import { promises as fs } from 'node:fs';
import { spawn, spawnSync } from 'node:child_process';
import * as os from 'node:os';
import * as path from 'node:path';
import { ScanSession, type WorkerMemory } from '../src/workers/scan-session-client';
import { DEFAULT_LINES } from '../src/core/lines';
import { defaultPassThreads, passLimits } from '../src/workers/scan-pass-pool';
import { openCube } from '../src/core/cube/open';
import { aggregateScan, type PassOptions } from '../src/core/maps/aggregate';
import { PassKernel, type KernelSamples, type KernelStats } from '../src/core/maps/pass-kernel';
import { windowsForLines } from '../src/core/maps/windows';

const passThreadsFor = (bytes: number) => (bytes >= passLimits.minBytes ? defaultPassThreads() : 1);

const CHANNELS = 4096;
const WIDTH = 512;
const MB = 1024 * 1024;

/** Write an RPL/RAW pair of about `gb` GB of Poisson-looking u2 counts; returns the .rpl path. */
async function makeCube(dir: string, gb: number): Promise<{ rpl: string; raw: string; height: number; bytes: number }> {
  const height = Math.max(2, Math.round((gb * 1024 * MB) / (WIDTH * CHANNELS * 2)));
  const rpl = path.join(dir, `cube-${height}.rpl`);
  const raw = path.join(dir, `cube-${height}.raw`);
  await fs.writeFile(rpl, `width\t${WIDTH}\nheight\t${height}\ndepth\t${CHANNELS}\noffset\t0\ndata-length\t2\ndata-type\tunsigned\nbyte-order\tlittle-endian\nrecord-by\tvector\n`);
  // One row of spectra (a background plus a few peaks, with cheap noise), varied per row.
  const row = new Uint16Array(WIDTH * CHANNELS);
  let seed = 12345;
  for (let i = 0; i < row.length; i++) {
    seed = (seed * 1103515245 + 12345) >>> 0;
    const ch = i % CHANNELS;
    const peak = Math.exp(-(((ch - 640) / 8) ** 2)) * 200 + Math.exp(-(((ch - 1055) / 10) ** 2)) * 120;
    row[i] = Math.round(peak + 20 * Math.exp(-ch / 1500) + (seed >>> 28));
  }
  const fh = await fs.open(raw, 'w');
  try {
    const rowsPerWrite = Math.max(1, Math.floor((64 * MB) / (row.byteLength)));
    const chunk = new Uint16Array(row.length * rowsPerWrite);
    for (let r = 0; r < height; r += rowsPerWrite) {
      const n = Math.min(rowsPerWrite, height - r);
      for (let k = 0; k < n; k++) {
        chunk.set(row, k * row.length);
        chunk[k * row.length + ((r + k) % row.length)] += 1; // rows differ
      }
      await fh.write(new Uint8Array(chunk.buffer, 0, n * row.byteLength));
    }
  } finally {
    await fh.close();
  }
  return { rpl, raw, height, bytes: height * WIDTH * CHANNELS * 2 };
}

/** Drop this file's pages from the page cache (no root needed). False when dd cannot. */
function dropFromCache(file: string): boolean {
  const r = spawnSync('dd', [`if=${file}`, 'iflag=nocache', 'count=0', 'status=none']);
  return r.status === 0;
}

interface Timed {
  wall: number;
  /** Process CPU seconds (user + system, every thread: the worker's pass, libuv's reads). */
  cpu: number;
}

async function timed(f: () => Promise<unknown>): Promise<Timed> {
  const c0 = process.cpuUsage();
  const t0 = performance.now();
  await f();
  const c = process.cpuUsage(c0);
  return { wall: (performance.now() - t0) / 1000, cpu: (c.user + c.system) / 1e6 };
}

function plainRead(file: string): Promise<Timed> {
  return timed(async () => {
    const buf = new Uint8Array(16 * MB);
    const fh = await fs.open(file, 'r');
    try {
      for (let pos = 0; ; ) {
        const { bytesRead } = await fh.read(buf, 0, buf.length, pos);
        if (bytesRead === 0) break;
        pos += bytesRead;
      }
    } finally {
      await fh.close();
    }
  });
}

/** The pass alone (12 lines, no cache), on a session opened beforehand. */
async function aggregate(rpl: string, passThreads?: number): Promise<Timed> {
  const s = await ScanSession.open(rpl, { passThreads });
  try {
    return await timed(() => s.summary([...DEFAULT_LINES]));
  } finally {
    await s.close();
  }
}

function percentile(sorted: number[], p: number): number {
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))];
}

const fmt = (x: number, d = 2) => x.toFixed(d);

type BenchDType = 'u2' | 'u4' | 'f4' | 'f4 fractional';

/**
 * An RPL/RAW pair of `height` rows of the bench's counts stored as `dtype` ('f4 fractional': the
 * counts plus 0.37, so the float32-lane path cannot be used).
 */
async function makeTypedCube(dir: string, dtype: BenchDType, height: number): Promise<{ rpl: string; raw: string; bytes: number }> {
  const size = dtype === 'u2' ? 2 : 4;
  const base = path.join(dir, `typed-${dtype.replace(' ', '-')}`);
  const [kind, len] = dtype === 'u2' ? ['unsigned', 2] : dtype === 'u4' ? ['unsigned', 4] : ['float', 4];
  await fs.writeFile(`${base}.rpl`, `width\t${WIDTH}\nheight\t${height}\ndepth\t${CHANNELS}\noffset\t0\ndata-length\t${len}\ndata-type\t${kind}\nbyte-order\tlittle-endian\nrecord-by\tvector\n`);
  const n = WIDTH * CHANNELS;
  const row = dtype === 'u2' ? new Uint16Array(n) : dtype === 'u4' ? new Uint32Array(n) : new Float32Array(n);
  const fh = await fs.open(`${base}.raw`, 'w');
  try {
    let seed = 777;
    for (let r = 0; r < height; r++) {
      for (let i = 0; i < n; i++) {
        seed = (seed * 1103515245 + 12345) >>> 0;
        const ch = i % CHANNELS;
        const peak = Math.exp(-(((ch - 640) / 8) ** 2)) * 200 + Math.exp(-(((ch - 1055) / 10) ** 2)) * 120;
        row[i] = Math.round(peak + 20 * Math.exp(-ch / 1500) + (seed >>> 28)) + (dtype === 'f4 fractional' ? 0.37 : 0);
      }
      await fh.write(new Uint8Array(row.buffer));
    }
  } finally {
    await fh.close();
  }
  return { rpl: `${base}.rpl`, raw: `${base}.raw`, bytes: height * n * size };
}

/**
 * The summing kernels alone (no reads), on 2 rows of the bench's counts held in the kernel's memory:
 * G samples per second for each path, as a ratio to acc_u16 (one pixel at a time) measured in the
 * same run; "u16 lanes" is acc_u16_lanes (4 pixels at a time), the pass's default for u16.
 */
function kernelAlone(report: (line: string) => void): void {
  const windows = windowsForLines([...DEFAULT_LINES], { offsetKeV: 0, gainKeV: 0.01 }, CHANNELS);
  const edges = Int32Array.from(new Set([0, CHANNELS, ...windows.flatMap((w) => [w.loChannel, w.hiChannel])])).sort();
  const pixels = 2 * WIDTH;
  const n = pixels * CHANNELS;
  const paths: { name: string; samples: KernelSamples; lanes: boolean; fill: (k: PassKernel) => void }[] = [
    { name: 'u16', samples: 'u16', lanes: false, fill: (k) => new Uint16Array(k.bytes(0).buffer, k.bytes(0).byteOffset, n).forEach((_, i, a) => (a[i] = (i * 7919) % 300)) },
    { name: 'u16 lanes', samples: 'u16', lanes: true, fill: (k) => new Uint16Array(k.bytes(0).buffer, k.bytes(0).byteOffset, n).forEach((_, i, a) => (a[i] = (i * 7919) % 300)) },
    { name: 'u32 lanes', samples: 'u32', lanes: true, fill: (k) => new Uint32Array(k.bytes(0).buffer, k.bytes(0).byteOffset, n).forEach((_, i, a) => (a[i] = (i * 7919) % 300)) },
    { name: 'u32 64-bit', samples: 'u32', lanes: false, fill: (k) => new Uint32Array(k.bytes(0).buffer, k.bytes(0).byteOffset, n).forEach((_, i, a) => (a[i] = (i * 7919) % 300)) },
    { name: 'f32 lanes', samples: 'f32', lanes: true, fill: (k) => k.floats(0).forEach((_, i, a) => (a[i] = (i * 7919) % 300)) },
    { name: 'f32 float64', samples: 'f32', lanes: false, fill: (k) => k.floats(0).forEach((_, i, a) => (a[i] = (i * 7919) % 300)) },
  ];
  const rate: Record<string, number> = {};
  for (const path of paths) {
    const k = PassKernel.create(CHANNELS, edges, n, { float32Lanes: path.lanes, u32Lanes: path.lanes, u16Lanes: path.lanes });
    if (!k) return report('kernel alone: WebAssembly SIMD unavailable');
    path.fill(k);
    let best = 0;
    for (let rep = 0; rep < 3; rep++) {
      const t0 = performance.now();
      let calls = 0;
      while (performance.now() - t0 < 300) {
        k.accumulate(0, path.samples, pixels, () => undefined);
        calls++;
      }
      best = Math.max(best, (calls * n) / ((performance.now() - t0) / 1000) / 1e9);
    }
    rate[path.name] = best;
  }
  report(`kernel alone (no reads, best of 3): ${paths.map((p) => `${p.name} ${fmt(rate[p.name])} G samples/s (${fmt(rate[p.name] / rate.u16)}× u16)`).join(', ')}`);
}

/**
 * Warm pass by dtype: for each stored type, a plain read and the in-process pass (12 lines) before
 * and after the u32 / float32-lane / NaN-from-sums kernel paths, alternated, best of `reps` each.
 */
export async function benchDtypes(report: (line: string) => void, dir: string, gb: number, reps = 3): Promise<void> {
  const height = Math.max(2, Math.round((gb * 1024 * MB) / 4 / (WIDTH * CHANNELS * 2)));
  const windows = windowsForLines([...DEFAULT_LINES], { offsetKeV: 0, gainKeV: 0.01 }, CHANNELS);
  const BEFORE: PassOptions['kernel'] = { rawU32: false, float32Lanes: false, u16Lanes: false, finiteFromSums: false };
  // "wide": raw u32 and NaN/Inf from the sums on, but 64-bit / float64 sums only and u16 one pixel at
  // a time (no lanes), to show what the lanes add on their own.
  const WIDE: PassOptions['kernel'] = { u32Lanes: false, float32Lanes: false, u16Lanes: false };
  report(`warm pass by dtype: ${height}×${WIDTH}×${CHANNELS} each, in-process, best of ${reps}; load average ${os.loadavg().map((x) => fmt(x, 1)).join(' ')} on ${os.cpus().length} cores`);
  kernelAlone(report);
  for (const dtype of ['u2', 'u4', 'f4', 'f4 fractional'] as const) {
    const cube = await makeTypedCube(dir, dtype, height);
    try {
      const GB = cube.bytes / 1024 / MB;
      const c = await openCube(cube.rpl);
      try {
        const best = { plain: Infinity, before: Infinity, wide: Infinity, after: Infinity };
        // CPU seconds too: on 2 cores the read (another thread) hides part of the summing's cost from
        // the wall time, and a pass that needs less CPU leaves more to the other passes and workers.
        const cpu = { before: Infinity, wide: Infinity, after: Infinity };
        let afterStats: (KernelStats & { samples: KernelSamples }) | undefined;
        await plainRead(cube.raw); // into the page cache
        for (let rep = 0; rep < reps; rep++) {
          best.plain = Math.min(best.plain, (await plainRead(cube.raw)).wall);
          for (const which of rep % 2 === 0 ? (['before', 'wide', 'after'] as const) : (['after', 'wide', 'before'] as const)) {
            const opts: PassOptions = which === 'before' ? { kernel: BEFORE } : which === 'wide' ? { kernel: WIDE } : { onKernelStats: (st) => (afterStats = st) };
            const t = await timed(() => aggregateScan(c, windows, opts));
            best[which] = Math.min(best[which], t.wall);
            cpu[which] = Math.min(cpu[which], t.cpu);
          }
        }
        const st = afterStats;
        const path = !st
          ? 'JavaScript loop'
          : st.samples === 'u16'
            ? `u16 kernel, ${st.u16LaneChunks} 4-pixel-lane / ${st.u16Chunks} one-pixel chunks`
            : st.samples === 'u32'
              ? `u32 kernel, ${st.u32LaneChunks} u32-lane / ${st.u32Chunks} 64-bit chunks`
              : `f32 kernel, ${st.laneChunks} float32-lane / ${st.float64Chunks} float64 chunks`;
        report(
          `warm pass ${dtype.padEnd(13)} (${fmt(GB)} GB): plain read ${fmt(GB / best.plain)} GB/s; pass before ${fmt(GB / best.before)} GB/s = ${fmt(best.plain / best.before)}× the read, ` +
            `after ${fmt(GB / best.after)} GB/s = ${fmt(best.plain / best.after)}× the read (after/before ${fmt(best.before / best.after)}×; ${path}); ` +
            `without lanes ${fmt(best.plain / best.wide)}× the read; CPU seconds after ${fmt(cpu.after, 3)}, before/after ${fmt(cpu.before / cpu.after)}×, without lanes/after ${fmt(cpu.wide / cpu.after)}×`,
        );
      } finally {
        await c.close();
      }
    } finally {
      await fs.rm(cube.raw, { force: true });
    }
  }
}

/** Run the memory probe (this file with --probe) in a fresh process; returns its JSON line. */
function probeMemory(rpl: string): Promise<{ peakHeapMB: number; peakRssMB: number; maxRssMB: number; seconds: number }> {
  return new Promise((resolve, reject) => {
    const p = spawn(process.execPath, ['--import', 'tsx', __filename, '--probe', rpl], { stdio: ['ignore', 'pipe', 'inherit'] });
    let out = '';
    p.stdout.on('data', (d) => (out += d));
    p.on('error', reject);
    p.on('close', (code) => {
      if (code !== 0) return reject(new Error(`memory probe exited ${code}: ${out}`));
      resolve(JSON.parse(out.trim().split('\n').pop()!));
    });
  });
}

/** In the probe process: one pass, sampling the worker's memory every 25 ms. */
async function probe(rpl: string): Promise<void> {
  const s = await ScanSession.open(rpl);
  let peakHeap = 0;
  let peakRss = 0;
  let maxRss = 0;
  const take = (m: WorkerMemory) => {
    peakHeap = Math.max(peakHeap, m.heapUsed);
    peakRss = Math.max(peakRss, m.rss);
    maxRss = Math.max(maxRss, m.maxRss);
  };
  let running = true;
  const sampler = (async () => {
    while (running) {
      take(await s.memory());
      await new Promise((r) => setTimeout(r, 25));
    }
  })();
  const t0 = performance.now();
  await s.summary([...DEFAULT_LINES]);
  const seconds = (performance.now() - t0) / 1000;
  running = false;
  await sampler;
  take(await s.memory());
  await s.close();
  console.log(JSON.stringify({ peakHeapMB: peakHeap / MB, peakRssMB: peakRss / MB, maxRssMB: maxRss / MB, seconds }));
}

export async function bench(report: (line: string) => void): Promise<void> {
  const gb = Number(process.env.XRFMAPS_BENCH_GB ?? 1);
  if (!(gb > 0)) throw new Error(`XRFMAPS_BENCH_GB must be > 0, got ${process.env.XRFMAPS_BENCH_GB}`);
  const dir = await fs.mkdtemp(path.join(os.tmpdir(), 'xrf-bench-cube-'));
  try {
    const t0 = performance.now();
    const small = await makeCube(dir, gb);
    report(`cube: ${small.height}×${WIDTH}×${CHANNELS} u2 RAW, ${fmt(small.bytes / 1024 / MB)} GB (written in ${fmt((performance.now() - t0) / 1000, 1)} s)`);
    const canDrop = dropFromCache(small.raw);
    report(canDrop ? 'page cache: file pages dropped (dd iflag=nocache) before every cold read' : 'page cache: could NOT drop file pages; "cold" figures below are warm');

    // Cold: alternate plain and aggregation reads, dropping the file's pages before each.
    const plain: Timed[] = [];
    const agg: Timed[] = [];
    for (let round = 0; round < 2; round++) {
      const order = round % 2 === 0 ? ['plain', 'agg'] : ['agg', 'plain'];
      for (const which of order) {
        dropFromCache(small.raw);
        if (which === 'plain') plain.push(await plainRead(small.raw));
        else agg.push(await aggregate(small.rpl));
      }
    }
    const GB = small.bytes / 1024 / MB;
    const best = (xs: Timed[]) => xs.reduce((a, b) => (b.wall < a.wall ? b : a));
    const bp = best(plain);
    const ba = best(agg);
    const describe = (xs: Timed[]) => xs.map((x) => `${fmt(x.wall)} s (cpu ${fmt(x.cpu)} s)`).join(', ');
    report(`load average at start: ${os.loadavg().map((x) => fmt(x, 1)).join(' ')} on ${os.cpus().length} cores (wall times suffer when it exceeds the cores)`);
    report(`cold plain sequential read: ${describe(plain)}; best ${fmt(GB / bp.wall)} GB/s`);
    report(`cold aggregation pass (12 lines, worker): ${describe(agg)}; best ${fmt(GB / ba.wall)} GB/s wall, ${fmt(GB / ba.cpu)} GB per CPU-second`);
    report(`aggregation / plain read throughput (cold, best of 2 each, wall): ${fmt(bp.wall / ba.wall)}× (goal ≥ 0.8×); pass threads: ${passThreadsFor(small.bytes)}`);
    dropFromCache(small.raw);
    const one = await aggregate(small.rpl, 1);
    report(`cold aggregation pass on one thread: ${fmt(one.wall)} s (cpu ${fmt(one.cpu)} s), ${fmt(GB / one.wall)} GB/s: ${fmt(bp.wall / one.wall)}× the plain read`);

    // Warm: the file is in the page cache, so this is the pass's CPU cost against memory-speed reads.
    await plainRead(small.raw);
    const wp = await plainRead(small.raw);
    const wa = await aggregate(small.rpl);
    report(`warm (page cache) plain read ${fmt(GB / wp.wall)} GB/s, aggregation ${fmt(GB / wa.wall)} GB/s wall (${fmt(GB / wa.cpu)} GB per CPU-second): ${fmt(wp.wall / wa.wall)}× (CPU-bound; for reference)`);

    // The summing engines, warm, in this process (no worker): CPU cost of the pass itself.
    {
      const cube = await openCube(small.rpl);
      try {
        const windows = windowsForLines([...DEFAULT_LINES], { offsetKeV: 0, gainKeV: 0.01 }, CHANNELS);
        const engines: Record<'wasm' | 'js', number> = { wasm: Infinity, js: Infinity };
        for (const engine of ['wasm', 'js', 'wasm', 'js'] as const) {
          const t1 = performance.now();
          await aggregateScan(cube, windows, { engine });
          engines[engine] = Math.min(engines[engine], (performance.now() - t1) / 1000);
        }
        report(`summing engines (warm, in-process, best of 2): WebAssembly SIMD on raw u16 ${fmt(GB / engines.wasm)} GB/s, JavaScript loop on float32 ${fmt(GB / engines.js)} GB/s: ${fmt(engines.js / engines.wasm, 1)}×`);
      } finally {
        await cube.close();
      }
    }

    await benchDtypes(report, dir, gb);

    // Time to first maps, then reopening with the cache.
    const cacheDir = path.join(dir, 'cache');
    dropFromCache(small.raw);
    let t = performance.now();
    let s = await ScanSession.open(small.rpl, { cacheDir });
    const tOpen = performance.now() - t;
    await s.summary([...DEFAULT_LINES]);
    const tFirst = performance.now() - t;
    await s.close();
    t = performance.now();
    s = await ScanSession.open(small.rpl, { cacheDir });
    await s.summary([...DEFAULT_LINES]);
    const tCached = performance.now() - t;
    report(`open → first maps (cold file, no cache): ${fmt(tFirst / 1000)} s (open alone ${fmt(tOpen)} ms); reopen with cache: ${fmt(tCached)} ms`);

    // Single-pixel latency through the worker, random pixels, file pages dropped first.
    dropFromCache(small.raw);
    let seed = 99;
    const rand = (n: number) => ((seed = (seed * 1103515245 + 12345) >>> 0) % n);
    const lat: number[] = [];
    for (let i = 0; i < 300; i++) {
      const r = rand(small.height);
      const c = rand(WIDTH);
      const t1 = performance.now();
      await s.pixel(r, c);
      lat.push(performance.now() - t1);
    }
    lat.sort((a, b) => a - b);
    report(`pixel spectrum latency (300 random pixels, cold file): p50 ${fmt(percentile(lat, 50))} ms, p95 ${fmt(percentile(lat, 95))} ms, max ${fmt(lat[lat.length - 1])} ms (goal p95 < 20 ms)`);
    // And while a pass is running.
    const during: number[] = [];
    const pass = s.windowMap(600, 700);
    let passing = true;
    void pass.finally(() => (passing = false));
    while (passing && during.length < 200) {
      const t1 = performance.now();
      await s.pixel(rand(small.height), rand(WIDTH));
      during.push(performance.now() - t1);
    }
    await pass;
    during.sort((a, b) => a - b);
    if (during.length) report(`pixel latency during a pass (${during.length} reads): p50 ${fmt(percentile(during, 50))} ms, p95 ${fmt(percentile(during, 95))} ms`);
    await s.close();

    // Peak worker memory, 1× and 4× the size, each in a fresh process.
    const m1 = await probeMemory(small.rpl);
    await fs.rm(small.raw);
    const big = await makeCube(dir, 4 * gb);
    const m4 = await probeMemory(big.rpl);
    await fs.rm(big.raw);
    const line = (label: string, m: typeof m1) =>
      `peak memory, ${label}: worker heap ${fmt(m.peakHeapMB, 0)} MB, process RSS ${fmt(m.peakRssMB, 0)} MB sampled / ${fmt(m.maxRssMB, 0)} MB max (pass ${fmt(m.seconds, 1)} s)`;
    report(line(`${fmt(small.bytes / 1024 / MB)} GB cube`, m1));
    report(line(`${fmt(big.bytes / 1024 / MB)} GB cube`, m4));
    report(`memory growth 4× cube / 1× cube: RSS ${fmt(m4.maxRssMB / m1.maxRssMB)}×, heap ${fmt(m4.peakHeapMB / m1.peakHeapMB)}× (goal < 512 MB, flat)`);
  } finally {
    await fs.rm(dir, { recursive: true, force: true });
  }
}

if (require.main === module && process.argv[2] === '--dtypes') {
  // Only the dtype section: node --import tsx bench/cube.bench.ts --dtypes [GB of u2 ×4] [reps]
  void (async () => {
    const dir = await fs.mkdtemp(path.join(os.tmpdir(), 'xrf-bench-dtypes-'));
    try {
      await benchDtypes((l) => console.log(l), dir, Number(process.argv[3] ?? process.env.XRFMAPS_BENCH_GB ?? 1), Number(process.argv[4] ?? 3));
    } finally {
      await fs.rm(dir, { recursive: true, force: true });
    }
  })();
}

if (require.main === module && process.argv[2] === '--probe') {
  probe(process.argv[3]).then(
    () => process.exit(0),
    (e) => {
      console.error(e);
      process.exit(1);
    },
  );
}
