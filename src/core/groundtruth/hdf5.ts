/**
 * PyMca batch-fit HDF5 output: `<root>.h5::/<entry>/xrf_fit/results/parameters/<label>` (2-D maps,
 * labels like "Fe_K", "Pb_L", "Scatter_Compton000") with `…/results/uncertainties/<label>` beside it.
 * `path` may be `file.h5` (the one entry holding results is found) or `file.h5::/<entry>` or
 * `file.h5::/<entry>/<process>/results/parameters`. Parameters that are not line families are
 * reported in `ignored`.
 *
 * h5wasm's Node build reads the real file system directly (NODERAWFS), so nothing is copied; maps
 * are small and read whole.
 */
import { promises as fs } from 'node:fs';
import * as nodePath from 'node:path';
import { XrfInputError } from '../errors';
import type { MapStack } from './groundtruth';
import { buildStack, classifyLabel, LabelledMap } from './stack';

type H5 = typeof import('h5wasm/node');
let h5Promise: Promise<H5> | undefined;

/** h5wasm is ESM-only: load it once with a dynamic import (works from CommonJS and bundles). */
export function loadH5wasm(): Promise<H5> {
  h5Promise ??= import('h5wasm/node').then(async (m) => {
    await m.ready;
    return m;
  });
  return h5Promise;
}

/** `a.h5::/entry` → `{file: 'a.h5', inner: '/entry'}`. */
export function splitH5Path(path: string): { file: string; inner?: string } {
  const i = path.indexOf('::');
  return i < 0 ? { file: path } : { file: path.slice(0, i), inner: path.slice(i + 2) || '/' };
}

const HDF5_MAGIC = [0x89, 0x48, 0x44, 0x46, 0x0d, 0x0a, 0x1a, 0x0a];

async function checkMagic(file: string): Promise<void> {
  let fh;
  try {
    fh = await fs.open(file, 'r');
  } catch (e) {
    throw new XrfInputError(file, `cannot read: ${(e as NodeJS.ErrnoException).code ?? (e as Error).message}`);
  }
  try {
    // The superblock may follow a user block of 512, 1024, 2048 … bytes.
    const buf = new Uint8Array(8);
    const size = (await fh.stat()).size;
    for (let off = 0; off + 8 <= size; off = off === 0 ? 512 : off * 2) {
      await fh.read(buf, 0, 8, off);
      if (HDF5_MAGIC.every((b, i) => buf[i] === b)) return;
    }
  } finally {
    await fh.close();
  }
  throw new XrfInputError(file, 'not an HDF5 file (no HDF5 signature)');
}

export async function readHdf5Stack(path: string): Promise<MapStack> {
  const { file, inner } = splitH5Path(path);
  await checkMagic(file);
  const h5 = await loadH5wasm();
  let f: InstanceType<H5['File']>;
  try {
    f = new h5.File(nodePath.resolve(file), 'r');
  } catch (e) {
    throw new XrfInputError(file, `cannot open as HDF5: ${(e as Error).message}`);
  }
  try {
    const paramsPath = findParameters(h5, f, path, inner);
    const params = lookup(h5, f, paramsPath) as InstanceType<H5['Group']>;
    const uncPath = paramsPath.replace(/\/parameters$/, '/uncertainties');
    const uncGroup = lookup(h5, f, uncPath);
    const items: LabelledMap[] = [];
    const ignored: string[] = [];
    let shape: number[] | undefined;
    const read = (ds: InstanceType<H5['Dataset']>, where: string): Float32Array => {
      const s = ds.shape ?? [];
      if (shape === undefined) shape = s;
      else if (s.length !== 2 || s[0] !== shape[0] || s[1] !== shape[1]) {
        throw new XrfInputError(path, `${where} has shape (${s.join(', ')}), the other maps (${shape.join(', ')})`);
      }
      const v = ds.value;
      if (!ArrayBuffer.isView(v) || v instanceof DataView || typeof (v as ArrayLike<number>).length !== 'number') {
        throw new XrfInputError(path, `${where} is not numeric`);
      }
      return Float32Array.from(v as unknown as ArrayLike<number>, Number);
    };
    for (const label of params.keys()) {
      const ds = lookup(h5, f, `${paramsPath}/${label}`);
      const where = `${paramsPath}/${label}`;
      if (!(ds instanceof h5.Dataset) || (ds.shape ?? []).length !== 2 || classifyLabel(label).kind !== 'line') {
        ignored.push(label);
        continue;
      }
      items.push({ label, data: read(ds, where) });
      if (uncGroup instanceof h5.Group) {
        const u = lookup(h5, f, `${uncPath}/${label}`);
        if (u instanceof h5.Dataset) items.push({ label: `s(${label})`, data: read(u, `${uncPath}/${label}`) });
      }
    }
    if (items.length === 0 || shape === undefined) {
      throw new XrfInputError(path, `${paramsPath} holds no 2-D line-family maps (found: ${params.keys().join(', ') || 'nothing'})`);
    }
    const stack = buildStack(path, shape[0], shape[1], items);
    if (ignored.length) stack.ignored = [...(stack.ignored ?? []), ...ignored];
    return stack;
  } finally {
    f.close();
  }
}

/**
 * The object at `p`, walking one component at a time through group keys, so that an absent path
 * is simply undefined (h5wasm's `get` of a missing nested path prints HDF5 diagnostics).
 */
function lookup(h5: H5, f: InstanceType<H5['File']>, p: string): InstanceType<H5['Group']> | InstanceType<H5['Dataset']> | undefined {
  let cur: unknown = f;
  for (const part of p.split('/').filter((x) => x.length > 0)) {
    if (!(cur instanceof h5.Group) || !cur.keys().includes(part)) return undefined;
    cur = cur.get(part);
  }
  return cur instanceof h5.Group || cur instanceof h5.Dataset ? cur : undefined;
}

/** Where the parameters group is: from `inner` when given, else the one `/<entry>/<process>/results/parameters`. */
function findParameters(h5: H5, f: InstanceType<H5['File']>, path: string, inner: string | undefined): string {
  const join = (a: string, b: string) => (a === '/' ? `/${b}` : `${a}/${b}`);
  const isGroup = (p: string) => lookup(h5, f, p) instanceof h5.Group;
  const base = inner ? `/${inner.replace(/^\/+/, '').replace(/\/+$/, '')}`.replace(/^\/$/, '/') : '/';
  const g = lookup(h5, f, base);
  if (!(g instanceof h5.Group)) throw new XrfInputError(path, `no group ${base} in the file`);
  let found: string[];
  if (/\/parameters$/.test(base)) found = [base];
  else if (isGroup(join(base, 'results/parameters'))) found = [join(base, 'results/parameters')];
  else {
    // Entries (and, from the root, entries' processes) holding results/parameters.
    found = [];
    const scan = (at: string, depth: number) => {
      const grp = lookup(h5, f, at);
      if (!(grp instanceof h5.Group)) return;
      for (const k of grp.keys()) {
        const p = join(at, k);
        if (isGroup(join(p, 'results/parameters'))) found.push(join(p, 'results/parameters'));
        else if (depth > 0) scan(p, depth - 1);
      }
    };
    scan(base, base === '/' ? 1 : 0);
  }
  if (found.length === 0) {
    throw new XrfInputError(path, `no PyMca fit results (<entry>/xrf_fit/results/parameters) under ${base}`);
  }
  if (found.length > 1) {
    const { file } = splitH5Path(path);
    const choices = found.map((p) => `${file}::${p.replace(/(\/xrf_fit)?\/results\/parameters$/, '')}`).join(', ');
    throw new XrfInputError(path, `holds several fits; name one: ${choices}`);
  }
  return found[0];
}
