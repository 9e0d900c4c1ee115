/**
 * HDF5 channels-first vs channels-last: the same 4096 × 64 × 64 u2 cube stored (H, W, C) and
 * (C, H, W), chunked alike (64 KiB chunks over 8 × 8 pixels × 512 channels), with and without gzip,
 * read row by row (and in 8-row blocks) through openCube. The channels-first read is one hyperslab
 * per block plus a tiled transpose into pixel-major order; the figure is its time as a ratio to
 * the channels-last read of the same values in the same run. The transpose alone is also timed
 * against a plain typed-array copy of the same block.
 */
import { promises as fs } from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { loadH5wasm } from '../src/core/cube/hdf5';
import { toPixelMajor } from '../src/core/cube/hdf5-axes';
import { openCube } from '../src/core/cube/open';

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

/** Best of `reps` passes reading the whole cube in `block`-row hyperslabs; returns ms and a checksum. */
async function readAll(file: string, block: number, reps: number): Promise<{ ms: number; sum: number }> {
  const cube = await openCube(file);
  let best = Infinity;
  let sum = 0;
  try {
    const out = new Float32Array(block * W * C);
    for (let rep = 0; rep < reps; rep++) {
      sum = 0;
      const t0 = performance.now();
      for (let r0 = 0; r0 < H; r0 += block) {
        const got = await cube.readRows(r0, Math.min(block, H - r0), out);
        sum += got[0] + got[got.length - 1];
      }
      best = Math.min(best, performance.now() - t0);
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

export async function bench(report: (line: string) => void): Promise<void> {
  const dir = await fs.mkdtemp(path.join(os.tmpdir(), 'xrf-bench-h5axes-'));
  try {
    const { last, first } = values();
    for (const gzip of [false, true]) {
      const lastFile = path.join(dir, `last${gzip ? '-gz' : ''}.h5`);
      const firstFile = path.join(dir, `first${gzip ? '-gz' : ''}.h5`);
      await write(lastFile, last, [H, W, C], [8, 8, 512], gzip);
      await write(firstFile, first, [C, H, W], [512, 8, 8], gzip);
      if (!gzip) {
        const a = await slabsOnly(lastFile, 8, (r0, n) => [[r0, r0 + n], [0, W], [0, C]]);
        const b = await slabsOnly(firstFile, 8, (r0, n) => [[0, C], [r0, r0 + n], [0, W]]);
        report(`hyperslabs alone (h5wasm, no reorder), 8-row blocks: channels-first ${b.toFixed(0)} ms vs channels-last ${a.toFixed(0)} ms = ${(b / a).toFixed(2)}×`);
      }
      for (const block of [1, 8]) {
        const a = await readAll(lastFile, block, 3);
        const b = await readAll(firstFile, block, 3);
        if (a.sum !== b.sum) throw new Error(`channels-first and channels-last reads differ (${a.sum} vs ${b.sum})`);
        report(
          `${C}×${H}×${W} u2${gzip ? ' gzip' : ''}, ${block}-row blocks: channels-first ${b.ms.toFixed(0)} ms vs channels-last ${a.ms.toFixed(0)} ms = ${(b.ms / a.ms).toFixed(2)}×`,
        );
      }
    }
    // The transpose alone, one 8-row block, against copying the same block into float32.
    const n = 8 * W * C;
    const src = first.slice(0, n);
    const dst = new Float32Array(n);
    const time = (fn: () => void) => {
      let best = Infinity;
      for (let i = 0; i < 30; i++) {
        const t0 = performance.now();
        fn();
        best = Math.min(best, performance.now() - t0);
      }
      return best;
    };
    const copy = time(() => dst.set(src));
    const transpose = time(() => toPixelMajor(src, [C, 8, W], 0, dst));
    report(`transpose of one 8-row block (${(n * 2) / 2 ** 20} MiB u2): ${transpose.toFixed(2)} ms = ${(transpose / copy).toFixed(1)}× a plain float32 copy (${copy.toFixed(2)} ms)`);
  } finally {
    await fs.rm(dir, { recursive: true, force: true });
  }
}
