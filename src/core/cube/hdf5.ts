/**
 * HDF5 / NeXus scans through h5wasm.
 *
 * The file is never copied into wasm memory: h5wasm's Node build is compiled with Emscripten's
 * NODERAWFS, so the HDF5 library's POSIX driver reads the host file directly (positional reads
 * through Node's fs) and only the hyperslabs we ask for — plus HDF5's small chunk cache — reach the
 * wasm heap. Chunked and gzip-compressed datasets are read the same way, chunk by chunk.
 *
 * The cube is the NXdata signal when there is one (NX_class = NXdata with a `signal` attribute, or
 * a dataset with `signal` = 1), else the largest 3-D numeric dataset, taken as height × width ×
 * channels. `listCubeDatasets` lists every 3-D numeric dataset so the user can choose.
 */
import { promises as fs } from 'node:fs';
import type { Calibration, Cube, DType } from './cube';
import { checkPixel, checkRowRange } from './strided-file';
import { checkFinitePixel, checkFiniteRows } from './decode';
import { XrfInputError } from '../errors';
import type * as H5 from 'h5wasm/node';

type H5Module = typeof H5;
type H5File = InstanceType<H5Module['File']>;
type H5Dataset = InstanceType<H5Module['Dataset']>;
type H5Group = InstanceType<H5Module['Group']>;

let loading: Promise<H5Module> | undefined;

/** Load h5wasm once per thread, with HDF5 errors thrown as exceptions instead of printed to stderr. */
export function loadH5wasm(): Promise<H5Module> {
  loading ??= import('h5wasm/node').then(async (m) => {
    await m.ready;
    (m.Module as unknown as { activate_throwing_error_handler(): number }).activate_throwing_error_handler();
    return m;
  });
  return loading;
}

export interface CubeDatasetCandidate {
  /** Absolute path inside the file, e.g. "/entry/data/data". */
  path: string;
  shape: [number, number, number];
  dtype: DType;
  /** True for the one openCube picks by default. */
  preferred: boolean;
}

export const HDF5_SIGNATURE = [0x89, 0x48, 0x44, 0x46, 0x0d, 0x0a, 0x1a, 0x0a];

/** HDF5 files start with a signature at byte 0, 512, 1024, 2048, … (after an optional user block). */
async function hasHdf5Signature(file: string): Promise<boolean> {
  const fh = await fs.open(file, 'r');
  try {
    const size = (await fh.stat()).size;
    const buf = new Uint8Array(8);
    for (let at = 0; at + 8 <= size; at = at === 0 ? 512 : at * 2) {
      await fh.read(buf, 0, 8, at);
      if (HDF5_SIGNATURE.every((b, i) => buf[i] === b)) return true;
    }
    return false;
  } finally {
    await fh.close();
  }
}

function h5Message(e: unknown): string {
  const text = e instanceof Error ? e.message : String(e);
  // HDF5's error stack is many lines; the last "minor:" line says what went wrong.
  const minor = [...text.matchAll(/minor:\s*(.+)/g)].map((m) => m[1].trim());
  return minor.length ? minor[minor.length - 1] : text.split('\n')[0];
}

async function openH5(file: string): Promise<{ h5: H5Module; f: H5File }> {
  await fs.access(file).catch(() => {
    throw new XrfInputError(file, 'file not found');
  });
  if (!(await hasHdf5Signature(file))) throw new XrfInputError(file, 'not an HDF5 file (no HDF5 signature)');
  const h5 = await loadH5wasm();
  let f: H5File;
  try {
    f = new h5.File(file, 'r');
  } catch (e) {
    throw new XrfInputError(file, `cannot open as HDF5: ${h5Message(e)}`);
  }
  if (f.file_id < 0n) throw new XrfInputError(file, 'cannot open as HDF5');
  return { h5, f };
}

function dtypeOfMeta(meta: { type: number; size: number; signed: boolean }): DType | undefined {
  if (meta.type === 0) {
    const s = meta.signed ? 'i' : 'u';
    return ([1, 2, 4, 8].includes(meta.size) ? `${s}${meta.size}` : undefined) as DType | undefined;
  }
  if (meta.type === 1) return meta.size === 4 ? 'f4' : meta.size === 8 ? 'f8' : undefined;
  return undefined;
}

function attrValue(obj: H5Group | H5Dataset, name: string): unknown {
  try {
    const a = (obj.attrs as Record<string, { value: unknown }>)[name];
    return a?.value;
  } catch {
    return undefined;
  }
}

function attrString(obj: H5Group | H5Dataset, name: string): string | undefined {
  const v = attrValue(obj, name);
  if (typeof v === 'string') return v;
  if (Array.isArray(v) && typeof v[0] === 'string') return v[0];
  return undefined;
}

function numbersOf(v: unknown): number[] | undefined {
  if (typeof v === 'number') return [v];
  if (typeof v === 'bigint') return [Number(v)];
  if (ArrayBuffer.isView(v) && !(v instanceof DataView)) return Array.from(v as unknown as ArrayLike<number | bigint>, Number);
  if (Array.isArray(v) && v.every((x) => typeof x === 'number')) return v as number[];
  return undefined;
}

interface Found {
  datasets: { path: string; ds: H5Dataset; shape: number[]; dtype: DType | undefined; signal: boolean }[];
  nxSignals: string[];
}

/** Walk the file (groups only, each once) collecting datasets and NXdata signals. */
function walk(f: H5File, h5: H5Module): Found {
  const found: Found = { datasets: [], nxSignals: [] };
  const seen = new Set<string>();
  const stack: string[] = ['/'];
  let budget = 20000; // objects; enough for any scan file, bounded for hostile ones
  while (stack.length && budget > 0) {
    const gpath = stack.pop()!;
    if (seen.has(gpath)) continue;
    seen.add(gpath);
    const g = f.get(gpath) as H5Group;
    if (attrString(g, 'NX_class') === 'NXdata') {
      const signal = attrString(g, 'signal');
      if (signal) found.nxSignals.push(join(gpath, signal));
    }
    let names: string[] = [];
    try {
      names = g.keys();
    } catch {
      continue;
    }
    for (const name of names) {
      if (--budget <= 0) break;
      const p = join(gpath, name);
      let obj: unknown;
      try {
        obj = f.get(p);
      } catch {
        continue; // broken or external link
      }
      if (obj instanceof h5.Group) stack.push(p);
      else if (obj instanceof h5.Dataset) {
        let meta;
        try {
          meta = obj.metadata;
        } catch {
          continue;
        }
        const sig = attrValue(obj, 'signal');
        found.datasets.push({
          path: p,
          ds: obj,
          shape: meta.shape ?? [],
          dtype: dtypeOfMeta(meta),
          signal: sig === 1 || sig === 1n || sig === '1' || (Array.isArray(sig) && Number(sig[0]) === 1),
        });
      }
    }
  }
  return found;
}

function join(group: string, name: string): string {
  return name.startsWith('/') ? name : `${group === '/' ? '' : group}/${name}`;
}

function candidatesOf(found: Found): CubeDatasetCandidate[] {
  const cubes = found.datasets.filter((d) => d.shape.length === 3 && d.dtype !== undefined && d.shape.every((n) => n > 0));
  const size = (s: number[]) => s[0] * s[1] * s[2];
  const signalPaths = new Set([...found.nxSignals, ...found.datasets.filter((d) => d.signal).map((d) => d.path)]);
  const preferred =
    cubes.find((d) => found.nxSignals.includes(d.path)) ??
    cubes.find((d) => signalPaths.has(d.path)) ??
    [...cubes].sort((a, b) => size(b.shape) - size(a.shape))[0];
  return cubes
    .map((d) => ({ path: d.path, shape: d.shape as [number, number, number], dtype: d.dtype!, preferred: d === preferred }))
    .sort((a, b) => Number(b.preferred) - Number(a.preferred) || size(b.shape) - size(a.shape));
}

/** Every 3-D numeric dataset in the file, the one openCube would pick first. */
export async function listCubeDatasets(file: string): Promise<CubeDatasetCandidate[]> {
  const { h5, f } = await openH5(file);
  try {
    return candidatesOf(walk(f, h5));
  } finally {
    f.close();
  }
}

/** Linear calibration [offset, gain] from attribute values; PyMca's [a, b, c] keeps a and b. */
function calFromPair(v: number[] | undefined, scaleToKeV = 1): Calibration | undefined {
  if (!v || v.length < 2 || !v.every(Number.isFinite) || v[1] === 0) return undefined;
  return { offsetKeV: v[0] * scaleToKeV, gainKeV: v[1] * scaleToKeV };
}

function unitsScale(obj: H5Group | H5Dataset): number {
  const u = attrString(obj, 'units')?.trim().toLowerCase();
  return u === 'ev' ? 1e-3 : 1;
}

function calFromAttrs(obj: H5Group | H5Dataset): Calibration | undefined {
  const scale = unitsScale(obj);
  const off = numbersOf(attrValue(obj, 'offsetKeV')) ?? numbersOf(attrValue(obj, 'offset'));
  const gain = numbersOf(attrValue(obj, 'gainKeV')) ?? numbersOf(attrValue(obj, 'gain'));
  if (off && gain) return calFromPair([off[0], gain[0]], scale);
  return calFromPair(numbersOf(attrValue(obj, 'calibration')), scale);
}

function readSmall(ds: H5Dataset, max: number): number[] | undefined {
  try {
    const meta = ds.metadata;
    const n = (meta.shape ?? []).reduce((a: number, b: number) => a * b, 1);
    if (n === 0 || n > max || (meta.type !== 0 && meta.type !== 1)) return undefined;
    return numbersOf(ds.value);
  } catch {
    return undefined;
  }
}

/**
 * The calibration the file carries for `cube`: attributes on the dataset or its group; the NXdata
 * energy axis (a sibling 1-D dataset, keV unless its units say eV); a sibling `calibration`
 * dataset; `<entry>/instrument/detector/calibration` ([offsetKeV, gainKeV, quadratic]).
 */
function findCalibration(f: H5File, found: Found, cubePath: string, channels: number): Calibration | undefined {
  const cubeDs = found.datasets.find((d) => d.path === cubePath)?.ds;
  const groupPath = cubePath.slice(0, cubePath.lastIndexOf('/')) || '/';
  const group = f.get(groupPath) as H5Group;
  const fromAttrs = (cubeDs && calFromAttrs(cubeDs)) ?? calFromAttrs(group);
  if (fromAttrs) return fromAttrs;

  const byPath = new Map(found.datasets.map((d) => [d.path, d]));
  // NXdata axes: the last axis names the energy dataset; else a sibling named "energy".
  const axesAttr = attrValue(group, 'axes');
  const axes = typeof axesAttr === 'string' ? axesAttr.split(/[,:\s]+/) : Array.isArray(axesAttr) ? (axesAttr as unknown[]).map(String) : [];
  const energyNames = [axes[axes.length - 1], 'energy', 'energies', 'energy_keV'].filter((n): n is string => !!n && n !== '.');
  for (const name of energyNames) {
    const d = byPath.get(join(groupPath, name));
    if (!d || d.shape.length !== 1 || d.shape[0] !== channels || channels < 2) continue;
    const e = readSmall(d.ds, 1 << 20);
    if (!e) continue;
    const scale = unitsScale(d.ds);
    const cal = calFromPair([e[0], (e[channels - 1] - e[0]) / (channels - 1)], scale);
    if (cal) return cal;
  }
  const top = '/' + (cubePath.split('/').filter(Boolean)[0] ?? '');
  const calPaths = [join(groupPath, 'calibration'), `${top}/instrument/detector/calibration`];
  // Any other dataset named "calibration" with 2–3 numbers, nearest first.
  for (const d of found.datasets) if (d.path.endsWith('/calibration') && !calPaths.includes(d.path)) calPaths.push(d.path);
  for (const p of calPaths) {
    const d = byPath.get(p);
    if (!d || d.shape.length > 1) continue;
    const cal = calFromPair(readSmall(d.ds, 3), unitsScale(d.ds));
    if (cal) return cal;
  }
  return undefined;
}

export async function openHdf5(file: string, opts: { dataset?: string } = {}): Promise<Hdf5Cube> {
  const { h5, f } = await openH5(file);
  try {
    const found = walk(f, h5);
    const candidates = candidatesOf(found);
    let chosen: CubeDatasetCandidate | undefined;
    if (opts.dataset) {
      const want = opts.dataset.startsWith('/') ? opts.dataset : `/${opts.dataset}`;
      chosen = candidates.find((c) => c.path === want);
      if (!chosen) {
        const exists = found.datasets.find((d) => d.path === want);
        throw new XrfInputError(
          file,
          exists
            ? `dataset ${want} has shape (${exists.shape.join(', ')}) ${exists.dtype ?? 'non-numeric'}; a scan needs a 3-D numeric dataset`
            : `no dataset ${want} in the file`,
        );
      }
    } else {
      chosen = candidates.find((c) => c.preferred);
    }
    if (!chosen) {
      throw new XrfInputError(file, 'no 3-D numeric dataset (height × width × channels) in the file');
    }
    const ds = found.datasets.find((d) => d.path === chosen!.path)!.ds;
    const [H, W, C] = chosen.shape;
    const cal = findCalibration(f, found, chosen.path, C);
    return new Hdf5Cube(file, f, ds, chosen, cal, candidates.map((c) => c.path));
  } catch (e) {
    f.close();
    throw e;
  }
}

export class Hdf5Cube implements Cube {
  readonly format = 'hdf5' as const;
  readonly height: number;
  readonly width: number;
  readonly channels: number;
  readonly dtype: DType;
  readonly datasetPath: string;
  private closed = false;

  constructor(
    readonly path: string,
    private readonly file: H5File,
    private readonly ds: H5Dataset,
    chosen: CubeDatasetCandidate,
    readonly fileCalibration: Calibration | undefined,
    /** Every 3-D numeric dataset in the file (the chosen one first when it is the default). */
    readonly candidates: string[],
  ) {
    [this.height, this.width, this.channels] = chosen.shape;
    this.dtype = chosen.dtype;
    this.datasetPath = chosen.path;
  }

  private slice(ranges: [number, number][], count: number, out: Float32Array): void {
    if (this.closed) throw new Error(`${this.path}: cube is closed`);
    let data: unknown;
    try {
      data = this.ds.slice(ranges);
    } catch (e) {
      throw new XrfInputError(this.path, `cannot read ${this.datasetPath}: ${h5Message(e)}`);
    }
    if (!ArrayBuffer.isView(data) || (data as unknown as ArrayLike<number>).length !== count) {
      throw new XrfInputError(this.path, `reading ${this.datasetPath} returned no data`);
    }
    if (data instanceof BigInt64Array || data instanceof BigUint64Array) {
      for (let i = 0; i < count; i++) out[i] = Number(data[i]);
    } else {
      out.set(data as unknown as ArrayLike<number>);
    }
  }

  async readRows(row0: number, nRows: number, out?: Float32Array): Promise<Float32Array> {
    checkRowRange(this, row0, nRows);
    const n = nRows * this.width * this.channels;
    const dst = out ?? new Float32Array(n);
    this.slice([[row0, row0 + nRows], [0, this.width], [0, this.channels]], n, n === dst.length ? dst : dst.subarray(0, n));
    checkFiniteRows(this.path, this.dtype, dst, n, row0, this.width, this.channels);
    return dst;
  }

  async readPixel(row: number, col: number): Promise<Float32Array> {
    checkPixel(this, row, col);
    const out = new Float32Array(this.channels);
    this.slice([[row, row + 1], [col, col + 1], [0, this.channels]], this.channels, out);
    checkFinitePixel(this.path, this.dtype, out, row, col);
    return out;
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    this.file.close();
  }
}
