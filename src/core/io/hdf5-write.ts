/**
 * Scan cubes as NeXus HDF5, written row block by row block through h5wasm (the file is never held in
 * memory whole):
 *
 *   /entry                          NX_class NXentry, default "data"
 *   /entry/data                     NX_class NXdata, signal "counts", axes [".", ".", "energy"]
 *   /entry/data/counts              H×W×C, chunked (1 row × ≤16 pixels × C), gzip
 *   /entry/data/energy              C, keV per channel (units "keV")
 *   /entry/instrument/detector/calibration   [offsetKeV, gainKeV, 0] (PyMca's a + b·ch + c·ch²)
 *
 * Written to a temporary name beside the target and renamed into place at the end.
 */
import { promises as fs } from 'node:fs';
import * as path from 'node:path';
import { randomBytes } from 'node:crypto';
import type { Calibration } from '../cube/cube';
import type { CancelToken } from '../util/progress';

export interface NexusCubeSpec {
  height: number;
  width: number;
  channels: number;
  calibration: Calibration;
  /** gzip level 0–9 (default 4). */
  gzipLevel?: number;
}

/** Supplies rows [row0, row0 + nRows) as H·W·C-ordered unsigned 16-bit counts. */
export type RowSource = (row0: number, nRows: number) => Promise<Uint16Array>;

type H5Module = typeof import('h5wasm/node')['default'];
let h5: Promise<H5Module> | undefined;
/** h5wasm's node build is an ES module; load it once, lazily (CLI commands that never write HDF5 skip it). */
export function loadH5wasm(): Promise<H5Module> {
  h5 ??= import('h5wasm/node').then(async (m) => {
    await m.default.ready;
    return m.default;
  });
  return h5;
}

export async function writeNexusCube(
  target: string,
  spec: NexusCubeSpec,
  rows: RowSource,
  opts: { rowsPerBlock?: number; token?: CancelToken; onRows?: (done: number) => void } = {},
): Promise<void> {
  const { height: H, width: W, channels: C, calibration: cal } = spec;
  const h5wasm = await loadH5wasm();
  await fs.mkdir(path.dirname(target), { recursive: true });
  const tmp = path.join(path.dirname(target), `.${path.basename(target)}.${randomBytes(4).toString('hex')}.tmp`);
  const file = new h5wasm.File(tmp, 'w');
  let closed = false;
  try {
    const entry = file.create_group('entry');
    entry.create_attribute('NX_class', 'NXentry');
    entry.create_attribute('default', 'data');
    const data = file.create_group('entry/data');
    data.create_attribute('NX_class', 'NXdata');
    data.create_attribute('signal', 'counts');
    data.create_attribute('axes', ['.', '.', 'energy']);
    data.create_attribute('energy_indices', 2);
    const energy = new Float64Array(C);
    for (let i = 0; i < C; i++) energy[i] = cal.offsetKeV + cal.gainKeV * i;
    const en = data.create_dataset({ name: 'energy', data: energy, shape: [C], dtype: '<d' });
    en.create_attribute('units', 'keV');
    const inst = file.create_group('entry/instrument');
    inst.create_attribute('NX_class', 'NXinstrument');
    const det = file.create_group('entry/instrument/detector');
    det.create_attribute('NX_class', 'NXdetector');
    const calDs = det.create_dataset({ name: 'calibration', data: new Float64Array([cal.offsetKeV, cal.gainKeV, 0]), shape: [3], dtype: '<d' });
    calDs.create_attribute('description', 'energy (keV) = a + b*channel + c*channel^2, [a, b, c]');

    const chunkW = Math.min(W, 16);
    const counts = data.create_dataset({
      name: 'counts',
      data: new Uint16Array(0),
      shape: [0, W, C],
      maxshape: [H, W, C],
      chunks: [1, chunkW, C],
      compression: 'gzip',
      compression_opts: spec.gzipLevel ?? 4,
      dtype: '<H',
    });
    counts.create_attribute('units', 'counts');
    counts.create_attribute('interpretation', 'spectrum');
    const block = Math.max(1, opts.rowsPerBlock ?? 4);
    for (let r0 = 0; r0 < H; r0 += block) {
      opts.token?.throwIfCancelled();
      const n = Math.min(block, H - r0);
      const rowsData = await rows(r0, n);
      if (rowsData.length !== n * W * C) throw new RangeError(`HDF5 writer: rows ${r0}+${n} gave ${rowsData.length} values, expected ${n * W * C}`);
      counts.resize([r0 + n, W, C]);
      counts.write_slice([[r0, r0 + n], [0, W], [0, C]], rowsData);
      opts.onRows?.(r0 + n);
    }
    file.close();
    closed = true;
    await fs.rename(tmp, target);
  } catch (e) {
    if (!closed) {
      try {
        file.close();
      } catch {
        /* already failed; the temporary file is removed below */
      }
    }
    await fs.rm(tmp, { force: true });
    throw e;
  }
}
