/**
 * HDF5 / NeXus scans through h5wasm.
 *
 * The file is never copied into wasm memory: h5wasm's Node build is compiled with Emscripten's
 * NODERAWFS, so the HDF5 library's POSIX driver reads the host file directly (positional reads
 * through Node's fs) and only the hyperslabs we ask for — plus HDF5's small chunk cache — reach the
 * wasm heap. Chunked and gzip-compressed datasets are read the same way, chunk by chunk.
 *
 * The cube is the NXdata signal when there is one (NX_class = NXdata with a `signal` attribute, or
 * a dataset with `signal` = 1), else the largest 3-D numeric dataset. Its channel axis may be any of
 * the three (hdf5-axes.ts decides which, from NeXus/HDF5 metadata, an energy axis beside it, or the
 * shape); the other two are rows then columns. Rows are read as hyperslabs of whole rows in stored
 * order, covering whole chunks along the row axis (`bandFor`), and cut from that band into
 * pixel-major H × W × C: a copy for channels last, a transpose (transpose.ts: WebAssembly SIMD for
 * 2- and 4-byte samples) otherwise. u2, u4 and f4 datasets also hand rows over raw
 * (`readRawRows`), so the aggregation pass sums them unconverted. Where a band of whole chunk rows
 * is over the band budget (64 MiB: e.g. 64 × 64 × 4096 u2 chunks on a 256-wide scan, or any chunk
 * of 6+ rows on a 1592-wide one), the pass reads tiles instead (`tileShape`, `readRawTile`, `readTile`:
 * whole chunks, each inflated once). A pixel's spectrum (`readPixel`,
 * one per hover) is cut from the kept band, or from a chunk-aligned tile of a compressed dataset
 * kept in a small LRU, so hovering neighbours does not inflate the same chunk again. `listCubeDatasets` lists every
 * 3-D numeric dataset, shaped H × W × C after that decision, so the user can choose.
 */
import { promises as fs } from 'node:fs';
import { DTYPE_BYTES, type Calibration, type Cube, type DType } from './cube';
import { checkPixel, checkRowRange } from './strided-file';
import { checkFinitePixel, checkFiniteRows, HOST_LITTLE_ENDIAN } from './decode';
import { createTransposer, type SlabSamples, type SlabTransposer } from './transpose';
import { XrfInputError } from '../errors';
import {
  decideChannelAxis,
  isEnergyLabel,
  layoutOf,
  pixelRanges,
  rowBlockRanges,
  toPixelMajor,
  type AxisEvidence,
  type AxisFacts,
  type AxisLabel,
  type AxisLayout,
  type ChannelAxis,
} from './hdf5-axes';
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
  /** [height, width, channels], whatever order the file stores them in. */
  shape: [number, number, number];
  /** The dataset's own shape, in stored order. */
  storedShape: [number, number, number];
  /** Which stored axis holds the channels: 2 = channels last (H × W × C), 0 = channels first (C × H × W). */
  channelAxis: ChannelAxis;
  /** What decided `channelAxis` (metadata, the shape, or the default). */
  axesFrom: AxisEvidence;
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

/** The attribute table (names → lazy attributes), empty when HDF5 cannot list it. */
function safeAttrs(obj: H5Group | H5Dataset): Record<string, unknown> {
  try {
    return obj.attrs;
  } catch {
    return {};
  }
}

function attrString(obj: H5Group | H5Dataset, name: string): string | undefined {
  const v = attrValue(obj, name);
  if (typeof v === 'string') return v;
  if (Array.isArray(v) && typeof v[0] === 'string') return v[0];
  return undefined;
}

function stringsOf(v: unknown): string[] | undefined {
  if (typeof v === 'string') return [v];
  if (Array.isArray(v) && v.every((x) => typeof x === 'string')) return v as string[];
  return undefined;
}

function numbersOf(v: unknown): number[] | undefined {
  if (typeof v === 'number') return [v];
  if (typeof v === 'bigint') return [Number(v)];
  if (ArrayBuffer.isView(v) && !(v instanceof DataView)) return Array.from(v as unknown as ArrayLike<number | bigint>, Number);
  if (Array.isArray(v) && v.every((x) => typeof x === 'number')) return v as number[];
  return undefined;
}

interface FoundDataset {
  path: string;
  ds: H5Dataset;
  shape: number[];
  dtype: DType | undefined;
  signal: boolean;
}

interface Found {
  datasets: FoundDataset[];
  nxSignals: string[];
  /** NXdata groups by path, with the datasets their `axes`/`<name>_indices` describe (signal and auxiliary signals). */
  nxGroups: Map<string, { signals: string[] }>;
}

/** Walk the file (groups only, each once) collecting datasets and NXdata signals. */
function walk(f: H5File, h5: H5Module): Found {
  const found: Found = { datasets: [], nxSignals: [], nxGroups: new Map() };
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
      const aux = stringsOf(attrValue(g, 'auxiliary_signals')) ?? [];
      found.nxGroups.set(gpath, { signals: [signal, ...aux].filter((n): n is string => !!n).map((n) => join(gpath, n)) });
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

function parentOf(p: string): string {
  return p.slice(0, p.lastIndexOf('/')) || '/';
}

function baseName(p: string): string {
  return p.slice(p.lastIndexOf('/') + 1);
}

/** NeXus `axes`: an array of names ("." = unnamed), or one string "energy:y:x" / "energy,y,x". */
function axisNames(v: unknown): string[] | undefined {
  const list = stringsOf(v);
  if (!list) return undefined;
  const names = list.length === 1 ? list[0].split(/[,:\s]+/).filter(Boolean) : list.map((n) => n.trim());
  return names.length ? names : undefined;
}

/** A label for dimension `dim` called `name`, with the units/long_name/length of the dataset of that name in `groupPath`. */
function labelOf(byPath: Map<string, FoundDataset>, groupPath: string, dim: number, name: string): AxisLabel {
  const d = byPath.get(join(groupPath, name));
  return describeAxisDataset({ dim, name: baseName(name) }, d);
}

function describeAxisDataset(label: AxisLabel, d: FoundDataset | undefined): AxisLabel {
  if (!d) return label;
  return {
    ...label,
    units: attrString(d.ds, 'units'),
    longName: attrString(d.ds, 'long_name'),
    length: d.shape.length === 1 ? d.shape[0] : undefined,
  };
}

interface DatasetIndex {
  byPath: Map<string, FoundDataset>;
  /** 1-D datasets (axis candidates) by the group holding them. */
  vectorsIn: Map<string, FoundDataset[]>;
}

function indexDatasets(found: Found): DatasetIndex {
  const index: DatasetIndex = { byPath: new Map(), vectorsIn: new Map() };
  for (const d of found.datasets) {
    index.byPath.set(d.path, d);
    if (d.shape.length !== 1) continue;
    const g = parentOf(d.path);
    const list = index.vectorsIn.get(g);
    if (list) list.push(d);
    else index.vectorsIn.set(g, [d]);
  }
  return index;
}

/** Everything the file says about which axis of `d` is the channel axis (see hdf5-axes.ts for how it is weighed). */
function axisFacts(f: H5File, found: Found, index: DatasetIndex, d: FoundDataset): AxisFacts {
  const { byPath } = index;
  const groupPath = parentOf(d.path);
  const facts: AxisFacts = { shape: d.shape, labels: [], energyAxisLengths: [] };
  const isSignal = d.signal || found.nxSignals.includes(d.path);
  const nx = found.nxGroups.get(groupPath);
  if (nx?.signals.includes(d.path)) {
    const group = f.get(groupPath) as H5Group;
    const names = axisNames(attrValue(group, 'axes'));
    if (names?.length === d.shape.length) {
      facts.labels.push({ source: 'NXdata axes', labels: names.flatMap((n, dim) => (n === '.' ? [] : [labelOf(byPath, groupPath, dim, n)])) });
    }
    const indices: AxisLabel[] = [];
    for (const a of Object.keys(safeAttrs(group))) {
      if (!a.endsWith('_indices') || a.length <= '_indices'.length) continue;
      const dims = numbersOf(attrValue(group, a));
      if (dims?.length === 1) indices.push(labelOf(byPath, groupPath, dims[0], a.slice(0, -'_indices'.length)));
    }
    if (indices.length) facts.labels.push({ source: 'NXdata indices', labels: indices });
  }
  const own = axisNames(attrValue(d.ds, 'axes'));
  if (own?.length === d.shape.length) {
    facts.labels.push({ source: 'dataset axes attribute', labels: own.flatMap((n, dim) => (n === '.' ? [] : [labelOf(byPath, groupPath, dim, n)])) });
  }
  const siblings = index.vectorsIn.get(groupPath) ?? [];
  if (isSignal) {
    // Old NeXus: each axis dataset beside the signal says which dimension it is (`axis` = 1-based).
    const old: AxisLabel[] = [];
    for (const s of siblings) {
      const k = numbersOf(attrValue(s.ds, 'axis'));
      if (k?.length === 1) old.push(describeAxisDataset({ dim: k[0] - 1, name: baseName(s.path) }, s));
    }
    if (old.length) facts.labels.push({ source: 'axis datasets', labels: old });
  }
  facts.labels.push({ source: 'dimension scales', labels: dimensionScaleLabels(byPath, d) });
  facts.interpretation = attrString(d.ds, 'interpretation');
  for (const s of siblings) {
    const l = describeAxisDataset({ dim: -1, name: baseName(s.path) }, s);
    if (s.dtype && l.length !== undefined && l.length >= 16 && isEnergyLabel(l)) facts.energyAxisLengths.push(l.length);
  }
  return facts;
}

/** HDF5 dimension scales (h5py's `ds.dims[i].label` and attached scale datasets). */
function dimensionScaleLabels(byPath: Map<string, FoundDataset>, d: FoundDataset): AxisLabel[] {
  const labels: AxisLabel[] = [];
  try {
    d.ds.get_dimension_labels().forEach((name, dim) => {
      if (name) labels.push({ dim, name });
    });
  } catch {
    // no labels
  }
  for (let dim = 0; dim < d.shape.length; dim++) {
    let scales: string[] = [];
    try {
      scales = d.ds.get_attached_scales(dim);
    } catch {
      continue;
    }
    for (const p of scales) labels.push(describeAxisDataset({ dim, name: baseName(p) }, byPath.get(p)));
  }
  return labels;
}

function candidatesOf(f: H5File, found: Found): CubeDatasetCandidate[] {
  const cubes = found.datasets.filter((d) => d.shape.length === 3 && d.dtype !== undefined && d.shape.every((n) => n > 0));
  const size = (s: number[]) => s[0] * s[1] * s[2];
  const signalPaths = new Set([...found.nxSignals, ...found.datasets.filter((d) => d.signal).map((d) => d.path)]);
  const preferred =
    cubes.find((d) => found.nxSignals.includes(d.path)) ??
    cubes.find((d) => signalPaths.has(d.path)) ??
    [...cubes].sort((a, b) => size(b.shape) - size(a.shape))[0];
  const index = indexDatasets(found);
  return cubes
    .map((d): CubeDatasetCandidate => {
      const { channelAxis, from } = decideChannelAxis(axisFacts(f, found, index, d));
      return {
        path: d.path,
        shape: layoutOf(d.shape, channelAxis).shape,
        storedShape: d.shape as [number, number, number],
        channelAxis,
        axesFrom: from,
        dtype: d.dtype!,
        preferred: d === preferred,
      };
    })
    .sort((a, b) => Number(b.preferred) - Number(a.preferred) || size(b.shape) - size(a.shape));
}

/** Every 3-D numeric dataset in the file, the one openCube would pick first. */
export async function listCubeDatasets(file: string): Promise<CubeDatasetCandidate[]> {
  const { h5, f } = await openH5(file);
  try {
    return candidatesOf(f, walk(f, h5));
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
function findCalibration(f: H5File, found: Found, cubePath: string, channels: number, channelAxis: ChannelAxis): Calibration | undefined {
  const cubeDs = found.datasets.find((d) => d.path === cubePath)?.ds;
  const groupPath = cubePath.slice(0, cubePath.lastIndexOf('/')) || '/';
  const group = f.get(groupPath) as H5Group;
  const fromAttrs = (cubeDs && calFromAttrs(cubeDs)) ?? calFromAttrs(group);
  if (fromAttrs) return fromAttrs;

  const byPath = new Map(found.datasets.map((d) => [d.path, d]));
  // The dataset the axes metadata names for the channel axis (NXdata `axes` or `<name>_indices`,
  // the dataset's own `axes`); else a sibling named "energy".
  const groupAxes = axisNames(attrValue(group, 'axes')) ?? [];
  const ownAxes = (cubeDs && axisNames(attrValue(cubeDs, 'axes'))) ?? [];
  const indexed = Object.keys(safeAttrs(group)).filter((a) => a.endsWith('_indices') && numbersOf(attrValue(group, a))?.[0] === channelAxis);
  const energyNames = [
    groupAxes.length === 3 ? groupAxes[channelAxis] : groupAxes[groupAxes.length - 1],
    ...indexed.map((a) => a.slice(0, -'_indices'.length)),
    ownAxes.length === 3 ? ownAxes[channelAxis] : undefined,
    'energy',
    'energies',
    'energy_keV',
  ].filter((n): n is string => !!n && n !== '.');
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

/**
 * `channelAxis`, when given (the sidecar JSON's "channelAxis"), overrides the
 * decision for the opened dataset: the user's word for files whose metadata and shape say nothing.
 */
export async function openHdf5(file: string, opts: { dataset?: string; channelAxis?: ChannelAxis } & Hdf5CubeOptions = {}): Promise<Hdf5Cube> {
  const { h5, f } = await openH5(file);
  try {
    const found = walk(f, h5);
    const candidates = candidatesOf(f, found);
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
    if (opts.channelAxis !== undefined && opts.channelAxis !== chosen.channelAxis) {
      chosen = { ...chosen, channelAxis: opts.channelAxis, axesFrom: 'user', shape: layoutOf(chosen.storedShape, opts.channelAxis).shape };
    } else if (opts.channelAxis !== undefined) {
      chosen = { ...chosen, axesFrom: 'user' };
    }
    const ds = found.datasets.find((d) => d.path === chosen!.path)!.ds;
    const cal = findCalibration(f, found, chosen.path, chosen.shape[2], chosen.channelAxis);
    const { transpose, pixelTileBytes, pixelCacheBytes, maxBandBytes, readBandBytes, passTileSamples } = opts;
    return new Hdf5Cube(file, f, ds, chosen, cal, candidates.map((c) => c.path), { transpose, pixelTileBytes, pixelCacheBytes, maxBandBytes, readBandBytes, passTileSamples });
  } catch (e) {
    f.close();
    throw e;
  }
}

/**
 * Rows read together from the file, in stored order: the hyperslab of whole rows [row0, row0 + rows)
 * (every column and channel). Kept until a request falls outside it.
 */
interface Band {
  row0: number;
  rows: number;
  /** The samples, for channels-last datasets and 8-byte integers (the transposer holds the others). */
  data?: SlabSamples | BigInt64Array | BigUint64Array;
}

/** A band read to cover whole chunks holds at most this many bytes; past it, rows are read as asked. */
const MAX_BAND_BYTES = 64 * 2 ** 20;
/** Row reads' band budget for compressed chunks (Hdf5CubeOptions.readBandBytes). */
const READ_BAND_BYTES = 256 * 2 ** 20;
/**
 * The pass's tiles (tileShape) hold at most this many samples, where a chunk column allows: the
 * kernel's slot for them is 4 bytes a sample (64 MiB), of which raw u2 tiles fill 32 MiB.
 */
const DEFAULT_PASS_TILE_SAMPLES = 16 * 2 ** 20;

/** Typed arrays for the sample types the raw path hands over, in host byte order. */
const RAW_ARRAYS = { u2: Uint16Array, u4: Uint32Array, f4: Float32Array } as const;

export interface Hdf5CubeOptions {
  /** 'wasm' (default: the SIMD transpose where WebAssembly SIMD exists) or 'js' (the JavaScript loop). */
  transpose?: 'wasm' | 'js';
  /**
   * readPixel on a chunked, filtered (compressed) dataset reads the chunk-aligned tile holding the
   * pixel (its chunk's rows × its chunk's columns × every channel) when the tile holds at most this
   * many bytes, and keeps it (default 32 MiB; 0 turns the tile cache off: one hyperslab per pixel).
   */
  pixelTileBytes?: number;
  /** The most bytes of pixel tiles kept, least recently used dropped first (default 64 MiB). */
  pixelCacheBytes?: number;
  /**
   * The most bytes a band of whole chunk rows may hold to be read at once (default 64 MiB; an option
   * so that tests stay small). A chunked dataset whose chunk-row band is larger offers the
   * aggregation pass tiles instead (tileShape).
   */
  maxBandBytes?: number;
  /**
   * For row reads (readRows / readRawRows: training and prediction read row blocks) of a compressed
   * chunked dataset, the most bytes a band of whole chunk rows may hold (default 256 MiB, never below
   * maxBandBytes). Past it, each row block inflates every chunk it touches again.
   */
  readBandBytes?: number;
  /**
   * The most samples of one pass tile (default 16 Mi: 32 MiB of u2, 64 MiB of f4): whole chunk columns
   * side by side up to it; a single chunk column larger than it is cut along rows, at a divisor of the
   * chunk rows (its chunks are then inflated once per cut). 0 turns pass tiles off (the pass reads
   * row blocks, as before tiles; for benchmarks and tests).
   */
  passTileSamples?: number;
}

const DEFAULT_PIXEL_TILE_BYTES = 32 * 2 ** 20;
/** Pixels per transpose call when a tile is reordered (its output area: this many spectra). */
const TILE_TRANSPOSE_PIXELS = 1024;
const DEFAULT_PIXEL_CACHE_BYTES = 64 * 2 ** 20;

type StoredSamples = SlabSamples | BigInt64Array | BigUint64Array;

/** A chunk-aligned block of whole spectra, in stored order, kept for readPixel. */
interface PixelTile {
  row0: number;
  col0: number;
  rows: number;
  cols: number;
  /** The block's sizes in stored order. */
  sub: number[];
  data: StoredSamples;
}

/** Does the dataset pass through filters (gzip, shuffle, …), so HDF5 decodes whole chunks to read any sample? */
function hasFilters(ds: H5Dataset): boolean {
  try {
    return ds.filters.length > 0;
  } catch {
    return true; // unknown: assume compressed, where tiles pay off most
  }
}

/**
 * The spectrum of pixel (r, c) of a block read in stored order (sizes `sub`, r and c counted from
 * the block's first row and column) into `out`, converted to float32: one run for channels last,
 * a strided gather otherwise.
 */
function cutSpectrum(data: StoredSamples, sub: readonly number[], layout: AxisLayout, r: number, c: number, out: Float32Array): void {
  const stride = [sub[1] * sub[2], sub[2], 1];
  const at = r * stride[layout.rowAxis] + c * stride[layout.colAxis];
  const step = stride[layout.channelAxis];
  const n = out.length;
  if (data instanceof BigInt64Array || data instanceof BigUint64Array) {
    for (let ch = 0; ch < n; ch++) out[ch] = Number(data[at + ch * step]);
  } else if (step === 1) {
    out.set(data.subarray(at, at + n));
  } else {
    for (let ch = 0; ch < n; ch++) out[ch] = data[at + ch * step];
  }
}

export class Hdf5Cube implements Cube {
  readonly format = 'hdf5' as const;
  readonly height: number;
  readonly width: number;
  readonly channels: number;
  readonly dtype: DType;
  readonly datasetPath: string;
  /** Which stored axis holds the channels (2 = channels last) and what decided it. */
  readonly channelAxis: ChannelAxis;
  readonly axesFrom: AxisEvidence;
  /**
   * Raw u16 / u32 / f32 rows (see Cube.rawRowDType). h5wasm hands every dataset over in host byte
   * order (HDF5 converts big-endian files to the native type on reading), so only the sample type
   * decides; a channels-first dataset is transposed sample for sample, without conversion.
   */
  readonly rawRowDType: DType | undefined;
  /** Rows per chunk along the row axis (1 when the dataset is contiguous). */
  readonly chunkRows: number;
  /** See Cube.rowChunk: chunkRows, where bands of whole chunks are read. */
  readonly rowChunk: number | undefined;
  /** Rows read from the file into bands so far (for tests: a chunk-aligned pass reads each row once). */
  get bandRowsRead(): number {
    return this.bandRows;
  }
  /**
   * See Cube.tileShape: set for a chunked, filtered (compressed) dataset whose band of whole chunk rows exceeds maxBandBytes.
   * Such a band is not read at once, so row blocks (a few rows each) would each inflate every chunk
   * they touch, whole: a 64 × 64 × 4096 u2 chunk (32 MiB) 16 times per pass in 4-row blocks. A tile is
   * the chunk rows × as many whole chunk columns as fit passTileSamples × every channel, so a pass
   * reads (and inflates) each chunk once.
   */
  readonly tileShape: { rows: number; cols: number } | undefined;
  /** Hyperslabs readTile / readRawTile have read (for tests: one per tile). */
  get tileSlabsRead(): number {
    return this.tileSlabs;
  }
  private tileSlabs = 0;
  private readonly maxBandBytes: number;
  /** bandFor's budget: larger than maxBandBytes for compressed chunks (see Hdf5CubeOptions.readBandBytes). */
  private readonly readBandBytes: number;
  private readonly layout: AxisLayout;
  private readonly sampleBytes: number;
  private readonly transposer: SlabTransposer | undefined;
  /** Hyperslabs readPixel has read from the file (tiles and single spectra; for tests). */
  get pixelSlabsRead(): number {
    return this.pixelSlabs;
  }
  /** Bytes of pixel tiles held now (for tests: never more than pixelCacheBytes). */
  get pixelTileBytesHeld(): number {
    return this.tileBytesHeld;
  }
  private band: Band | undefined;
  private bandRows = 0;
  private closed = false;
  /** Rows × columns of readPixel's chunk-aligned tiles; undefined when tiles are off (contiguous, unfiltered, or over budget). */
  private readonly pixelTileShape: { rows: number; cols: number } | undefined;
  private readonly tileCacheBytes: number;
  /** Tiles by "row0,col0", least recently used first (a Map keeps insertion order; a hit re-inserts). */
  private readonly tiles = new Map<string, PixelTile>();
  private tileBytesHeld = 0;
  private pixelSlabs = 0;

  constructor(
    readonly path: string,
    private readonly file: H5File,
    private readonly ds: H5Dataset,
    chosen: CubeDatasetCandidate,
    readonly fileCalibration: Calibration | undefined,
    /** Every 3-D numeric dataset in the file (the chosen one first when it is the default). */
    readonly candidates: string[],
    opts: Hdf5CubeOptions = {},
  ) {
    this.layout = layoutOf(chosen.storedShape, chosen.channelAxis);
    [this.height, this.width, this.channels] = this.layout.shape;
    this.channelAxis = chosen.channelAxis;
    this.axesFrom = chosen.axesFrom;
    this.dtype = chosen.dtype;
    this.datasetPath = chosen.path;
    this.sampleBytes = DTYPE_BYTES[this.dtype];
    this.rawRowDType = HOST_LITTLE_ENDIAN && this.dtype in RAW_ARRAYS ? this.dtype : undefined;
    let chunks: number[] | null | undefined;
    try {
      chunks = this.ds.metadata.chunks;
    } catch {
      chunks = undefined;
    }
    this.chunkRows = Math.max(1, chunks?.[this.layout.rowAxis] ?? 1);
    // Whole chunks are read together only while a band of them fits maxBandBytes (see bandFor).
    this.maxBandBytes = Math.max(0, opts.maxBandBytes ?? MAX_BAND_BYTES);
    const chunkBytes = this.chunkRows * this.width * this.channels * this.sampleBytes;
    this.rowChunk = this.chunkRows > 1 && chunkBytes <= this.maxBandBytes ? this.chunkRows : undefined;
    // Pass tiles only where chunks are filtered: HDF5 reads an unfiltered chunk's rows in place, so row
    // blocks cost nothing extra there, and measured faster than tiles (130 vs 240 ms for 128 × 256 ×
    // 4096 u2 in 64 × 64 × 4096 chunks: the tiles' 32 MiB slabs are copied twice more than 4-row blocks).
    this.tileShape = chunks?.length === 3 && hasFilters(this.ds) ? this.passTiles(chunks, Math.max(0, opts.passTileSamples ?? DEFAULT_PASS_TILE_SAMPLES)) : undefined;
    // Row reads (training, prediction) of compressed chunks: a band up to readBandBytes, so that
    // (8, 8, 4096) or (16, 16, 4096) chunks of a 1592-pixel-wide scan (104 / 208 MB bands) are inflated
    // once per band rather than once per row block. Memory of a reader using it: the band, h5wasm's
    // heap holding one slab of it, and for channels-first the transposer's copy (≤ 3 × 256 MiB);
    // the scan viewer's pass and pixels use tiles instead and never grow a band past maxBandBytes.
    this.readBandBytes = hasFilters(this.ds) ? Math.max(this.maxBandBytes, opts.readBandBytes ?? READ_BAND_BYTES) : this.maxBandBytes;
    this.transposer = chosen.channelAxis !== 2 && this.sampleBytes < 8 ? createTransposer(this.sampleBytes, opts.transpose) : undefined;
    // readPixel's tiles: HDF5 inflates a compressed chunk whole for any sample of it, and its 1 MiB
    // chunk cache keeps none of a larger one, so each hover over a 32 MB chunk re-inflated it. A tile
    // is the chunk's rows × columns with every channel (all chunks along the channel axis); reading
    // it costs about what reading one pixel of it did, and its neighbours are then a copy away.
    // Unfiltered chunks are left out: HDF5 reads just the spectrum's samples from them (channels last
    // ~0.05 ms, a 4096 × 64 × 64 channels-first chunk ~4 ms), where reading a 32 MB tile costs
    // ~13 ms, and a pixel already meets the 20 ms goal (bench/hdf5-axes.bench.ts).
    // Memory: at most pixelCacheBytes of tiles (64 MiB by default) in JavaScript, beside the row band
    // (≤ MAX_BAND_BYTES); a tile passes through the wasm heap once while read (≤ pixelTileBytes).
    this.tileCacheBytes = Math.max(0, opts.pixelCacheBytes ?? DEFAULT_PIXEL_CACHE_BYTES);
    const tileBudget = Math.min(Math.max(0, opts.pixelTileBytes ?? DEFAULT_PIXEL_TILE_BYTES), this.tileCacheBytes);
    if (chunks && chunks.length === 3 && hasFilters(this.ds)) {
      const rows = Math.min(this.height, Math.max(1, chunks[this.layout.rowAxis]));
      const cols = Math.min(this.width, Math.max(1, chunks[this.layout.colAxis]));
      if (rows * cols * this.channels * this.sampleBytes <= tileBudget) this.pixelTileShape = { rows, cols };
    }
  }

  /** The pass's tile shape for `chunks` (stored order), or undefined where a band of whole chunk rows fits maxBandBytes. */
  private passTiles(chunks: readonly number[], maxSamples: number): { rows: number; cols: number } | undefined {
    const bandRows = Math.min(this.height, this.chunkRows);
    if (bandRows <= 1 || maxSamples <= 0 || bandRows * this.width * this.channels * this.sampleBytes <= this.maxBandBytes) return undefined;
    const chunkCols = Math.min(this.width, Math.max(1, chunks[this.layout.colAxis]));
    const chunkColumn = bandRows * chunkCols * this.channels; // samples of one chunk column's tile
    if (chunkColumn <= maxSamples) {
      return { rows: bandRows, cols: Math.min(this.width, chunkCols * Math.floor(maxSamples / chunkColumn)) };
    }
    // One chunk column is over budget: the largest divisor of its rows that fits (at least 1), so
    // tiles stay inside one chunk row and each chunk is inflated chunkRows / rows times.
    const most = Math.max(1, Math.floor(maxSamples / (chunkCols * this.channels)));
    let rows = Math.min(most, bandRows);
    while (this.chunkRows % rows !== 0) rows--;
    return { rows, cols: chunkCols };
  }

  /** The transpose in use for this cube's channels-first rows ('wasm' or 'js'), if it has any. */
  get transposeEngine(): 'wasm' | 'js' | undefined {
    return this.transposer?.engine;
  }

  /** Read the hyperslab `ranges` (stored order) as h5wasm returns it: `count` samples of the dataset's type. */
  private slab(ranges: [number, number][], count: number): SlabSamples | BigInt64Array | BigUint64Array {
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
    return data as SlabSamples | BigInt64Array | BigUint64Array;
  }

  /** Read the hyperslab `ranges` (stored order) into pixel-major `out`. */
  private slice(ranges: [number, number][], count: number, out: Float32Array): void {
    const sub = ranges.map(([a, b]) => b - a);
    toPixelMajor(this.slab(ranges, count), sub, this.layout.channelAxis, out);
  }

  /**
   * The band holding rows [row0, row0 + nRows): the one kept, or a new one. A chunked dataset is
   * read in whole chunks along the row axis: HDF5 reads (and inflates) every chunk a hyperslab
   * touches, whole, and its chunk cache (1 MiB) holds few of a scan's, so reading one row of
   * 8-row chunks would read each chunk 8 times. The band is read once and later rows are cut from it.
   */
  private bandFor(row0: number, nRows: number): Band {
    const kept = this.band;
    if (kept && row0 >= kept.row0 && row0 + nRows <= kept.row0 + kept.rows) return kept;
    let b0 = row0;
    let b1 = row0 + nRows;
    const cr = this.chunkRows;
    if (cr > 1) {
      const a0 = Math.floor(row0 / cr) * cr;
      const a1 = Math.min(this.height, Math.ceil((row0 + nRows) / cr) * cr);
      if ((a1 - a0) * this.width * this.channels * this.sampleBytes <= this.readBandBytes) [b0, b1] = [a0, a1];
    }
    this.band = undefined; // a failed read leaves no stale band behind
    const data = this.slab(rowBlockRanges(this.layout, b0, b1 - b0), (b1 - b0) * this.width * this.channels);
    const band: Band = { row0: b0, rows: b1 - b0 };
    this.bandRows += band.rows;
    if (this.transposer && !(data instanceof BigInt64Array || data instanceof BigUint64Array)) this.transposer.load(data);
    else band.data = data;
    this.band = band;
    return band;
  }

  /** Rows [row0, row0 + nRows) into `dst`, pixel-major: raw samples of the dataset's type, or float32. */
  private rowsInto(row0: number, nRows: number, dst: SlabSamples): void {
    const band = this.bandFor(row0, nRows);
    const { width: W, channels: C } = this;
    const k = row0 - band.row0;
    const n = nRows * W * C;
    const t = this.transposer;
    if (!t || band.data) {
      // Channels last (or 8-byte integers): the rows are one run of the band, or a toPixelMajor away.
      const data = band.data!;
      if (this.layout.channelAxis === 2 && !(data instanceof BigInt64Array || data instanceof BigUint64Array)) {
        dst.set(data.subarray(k * W * C, k * W * C + n));
      } else {
        const sub = rowBlockRanges(this.layout, band.row0, band.rows).map(([a, b]) => b - a);
        const all = new Float32Array(band.rows * W * C);
        toPixelMajor(data, sub, this.layout.channelAxis, all);
        dst.set(all.subarray(k * W * C, k * W * C + n));
      }
    } else if (this.layout.channelAxis === 0) {
      // (C, rows, W): the asked rows are `nRows · W` adjacent samples of every channel row.
      t.transpose(k * W, band.rows * W, C, nRows * W, dst, 0);
    } else {
      // (rows, C, W): each row is its own C × W matrix.
      for (let r = 0; r < nRows; r++) t.transpose((k + r) * C * W, W, C, W, dst, r * W * C);
    }
  }

  async readRows(row0: number, nRows: number, out?: Float32Array): Promise<Float32Array> {
    checkRowRange(this, row0, nRows);
    if (this.closed) throw new Error(`${this.path}: cube is closed`);
    const n = nRows * this.width * this.channels;
    const dst = out ?? new Float32Array(n);
    this.rowsInto(row0, nRows, n === dst.length ? dst : dst.subarray(0, n));
    checkFiniteRows(this.path, this.dtype, dst, n, row0, this.width, this.channels);
    return dst;
  }

  async readRawRows(row0: number, nRows: number, into: Uint8Array, checkFinite = true): Promise<void> {
    checkRowRange(this, row0, nRows);
    if (this.closed) throw new Error(`${this.path}: cube is closed`);
    const dtype = this.rawRowDType;
    if (dtype === undefined) throw new Error(`${this.path}: ${this.datasetPath} has no raw row path (${this.dtype} samples)`);
    const n = nRows * this.width * this.channels;
    const bytes = n * this.sampleBytes;
    if (into.length < bytes) throw new RangeError(`readRawRows: into holds ${into.length} bytes, ${bytes} needed`);
    if (into.byteOffset % this.sampleBytes !== 0) throw new RangeError('readRawRows: into is not aligned to the sample size');
    const view = new RAW_ARRAYS[dtype as keyof typeof RAW_ARRAYS](into.buffer as ArrayBuffer, into.byteOffset, n);
    this.rowsInto(row0, nRows, view);
    if (checkFinite && view instanceof Float32Array) checkFiniteRows(this.path, dtype, view, n, row0, this.width, this.channels);
  }

  async readTile(row0: number, nRows: number, col0: number, nCols: number, out: Float32Array): Promise<void> {
    this.checkTile(row0, nRows, col0, nCols);
    const n = nRows * nCols * this.channels;
    if (out.length < n) throw new RangeError(`readTile: out holds ${out.length} values, ${n} needed`);
    const dst = out.subarray(0, n);
    this.tileInto(row0, nRows, col0, nCols, dst);
    this.checkFiniteTile(dst, row0, nRows, col0, nCols);
  }

  async readRawTile(row0: number, nRows: number, col0: number, nCols: number, into: Uint8Array, checkFinite = true): Promise<void> {
    this.checkTile(row0, nRows, col0, nCols);
    const dtype = this.rawRowDType;
    if (dtype === undefined) throw new Error(`${this.path}: ${this.datasetPath} has no raw tile path (${this.dtype} samples)`);
    const n = nRows * nCols * this.channels;
    if (into.length < n * this.sampleBytes) throw new RangeError(`readRawTile: into holds ${into.length} bytes, ${n * this.sampleBytes} needed`);
    if (into.byteOffset % this.sampleBytes !== 0) throw new RangeError('readRawTile: into is not aligned to the sample size');
    const view = new RAW_ARRAYS[dtype as keyof typeof RAW_ARRAYS](into.buffer as ArrayBuffer, into.byteOffset, n);
    this.tileInto(row0, nRows, col0, nCols, view);
    if (checkFinite && view instanceof Float32Array) this.checkFiniteTile(view, row0, nRows, col0, nCols);
  }

  private checkTile(row0: number, nRows: number, col0: number, nCols: number): void {
    checkRowRange(this, row0, nRows);
    if (!(Number.isInteger(col0) && Number.isInteger(nCols) && col0 >= 0 && nCols >= 1 && col0 + nCols <= this.width)) {
      throw new RangeError(`columns [${col0}, ${col0 + nCols}) are not inside 0..${this.width}`);
    }
    if (this.closed) throw new Error(`${this.path}: cube is closed`);
  }

  /** A float dataset's tile: the first NaN/Inf named by its row, column and channel in the scan. */
  private checkFiniteTile(tile: Float32Array, row0: number, nRows: number, col0: number, nCols: number): void {
    if (this.dtype !== 'f4' && this.dtype !== 'f8') return;
    const C = this.channels;
    for (let p = 0; p < nRows * nCols; p++) {
      checkFinitePixel(this.path, this.dtype, tile.subarray(p * C, (p + 1) * C), row0 + Math.floor(p / nCols), col0 + (p % nCols));
    }
  }

  /**
   * The tile rows [row0, row0 + nRows) × columns [col0, col0 + nCols) × every channel, one hyperslab
   * (HDF5 inflates each chunk it touches once), into `dst` pixel-major: a copy for channels last, the
   * transposer otherwise, in pieces of TILE_TRANSPOSE_PIXELS pixels so that its output area stays small.
   */
  private tileInto(row0: number, nRows: number, col0: number, nCols: number, dst: SlabSamples): void {
    const C = this.channels;
    const ranges: [number, number][] = [];
    ranges[this.layout.rowAxis] = [row0, row0 + nRows];
    ranges[this.layout.colAxis] = [col0, col0 + nCols];
    ranges[this.layout.channelAxis] = [0, C];
    this.tileSlabs++;
    const data = this.slab(ranges, nRows * nCols * C);
    const t = this.transposer;
    if (this.layout.channelAxis === 2 && !(data instanceof BigInt64Array || data instanceof BigUint64Array)) {
      dst.set(data);
    } else if (!t || data instanceof BigInt64Array || data instanceof BigUint64Array) {
      // 8-byte samples (never raw): the general reorder into float32.
      toPixelMajor(data, ranges.map(([a, b]) => b - a), this.layout.channelAxis, dst as Float32Array);
    } else {
      // The transposer holds one slab: a band kept there (channels-first rows) is gone after this.
      if (this.band && !this.band.data) this.band = undefined;
      t.load(data);
      if (this.layout.channelAxis === 0) {
        // (C, nRows, nCols): one C × (nRows · nCols) matrix.
        const P = nRows * nCols;
        for (let i = 0; i < P; i += TILE_TRANSPOSE_PIXELS) t.transpose(i, P, C, Math.min(TILE_TRANSPOSE_PIXELS, P - i), dst, i * C);
      } else {
        // (nRows, C, nCols): each row its own C × nCols matrix.
        for (let r = 0; r < nRows; r++) t.transpose(r * C * nCols, nCols, C, nCols, dst, r * nCols * C);
      }
    }
  }

  /**
   * One pixel's spectrum: cut from the row band kept by the last row reads when it holds the pixel
   * in stored order (the pass's band is only read, never replaced); else from the chunk-aligned tile
   * holding it (read once, kept in an LRU); else (contiguous or unfiltered datasets, tiles over
   * budget) one hyperslab of the spectrum alone.
   */
  async readPixel(row: number, col: number): Promise<Float32Array> {
    checkPixel(this, row, col);
    if (this.closed) throw new Error(`${this.path}: cube is closed`);
    const out = new Float32Array(this.channels);
    const band = this.band;
    if (band?.data && row >= band.row0 && row < band.row0 + band.rows) {
      const sub = rowBlockRanges(this.layout, band.row0, band.rows).map(([a, b]) => b - a);
      cutSpectrum(band.data, sub, this.layout, row - band.row0, col, out);
    } else if (this.pixelTileShape) {
      const tile = this.tileFor(row, col, this.pixelTileShape);
      cutSpectrum(tile.data, tile.sub, this.layout, row - tile.row0, col - tile.col0, out);
    } else {
      this.pixelSlabs++;
      this.slice(pixelRanges(this.layout, row, col), this.channels, out);
    }
    checkFinitePixel(this.path, this.dtype, out, row, col);
    return out;
  }

  /** The tile holding pixel (row, col): the one kept, or read now (dropping the least recently used past the budget). */
  private tileFor(row: number, col: number, shape: { rows: number; cols: number }): PixelTile {
    const row0 = Math.floor(row / shape.rows) * shape.rows;
    const col0 = Math.floor(col / shape.cols) * shape.cols;
    const key = `${row0},${col0}`;
    const kept = this.tiles.get(key);
    if (kept) {
      this.tiles.delete(key);
      this.tiles.set(key, kept);
      return kept;
    }
    const rows = Math.min(shape.rows, this.height - row0);
    const cols = Math.min(shape.cols, this.width - col0);
    const ranges: [number, number][] = [];
    ranges[this.layout.rowAxis] = [row0, row0 + rows];
    ranges[this.layout.colAxis] = [col0, col0 + cols];
    ranges[this.layout.channelAxis] = [0, this.channels];
    this.pixelSlabs++;
    const data = this.slab(ranges, rows * cols * this.channels);
    const tile: PixelTile = { row0, col0, rows, cols, sub: ranges.map(([a, b]) => b - a), data };
    for (const [k, old] of this.tiles) {
      if (this.tileBytesHeld + data.byteLength <= this.tileCacheBytes) break;
      this.tiles.delete(k);
      this.tileBytesHeld -= old.data.byteLength;
    }
    this.tiles.set(key, tile);
    this.tileBytesHeld += data.byteLength;
    return tile;
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    this.band = undefined;
    this.tiles.clear();
    this.tileBytesHeld = 0;
    this.transposer?.release();
    this.file.close();
  }
}
