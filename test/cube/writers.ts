/**
 * Small writers for test scans, independent of the readers under test: RPL/RAW pairs in any dtype,
 * byte order and record-by; NPY headers written by hand (versions 1–3, either byte order, C or
 * Fortran order); NPZ archives (stored or deflated, ZIP built here); HDF5 through h5wasm.
 * Every cube is "expected values" first: a Float64Array in pixel-major H×W×C order.
 */
import { promises as fs } from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import * as zlib from 'node:zlib';

const zcrc32 = (zlib as unknown as { crc32(d: Uint8Array): number }).crc32;
const deflateRawSync = zlib.deflateRawSync;
import type { DType } from '../../src/core/cube/cube';

export async function withTempDir<T>(fn: (dir: string) => Promise<T>): Promise<T> {
  const dir = await fs.mkdtemp(path.join(os.tmpdir(), 'xrf-cube-'));
  try {
    return await fn(dir);
  } finally {
    await fs.rm(dir, { recursive: true, force: true });
  }
}

/** Deterministic test values in 0..max−1 (default 250), some negative when `signed`. */
export function testValues(H: number, W: number, C: number, opts: { signed?: boolean; fractional?: boolean; max?: number } = {}): Float64Array {
  const mod = opts.max ?? 251;
  const v = new Float64Array(H * W * C);
  for (let r = 0; r < H; r++)
    for (let c = 0; c < W; c++)
      for (let ch = 0; ch < C; ch++) {
        let x = (r * 31 + c * 7 + ch * 3 + ((r * c * ch) % 11)) % mod;
        if (opts.signed && (r + c + ch) % 3 === 0) x = -x;
        if (opts.fractional) x += 0.25;
        v[(r * W + c) * C + ch] = x;
      }
  return v;
}

const SIZE: Record<DType, number> = { u1: 1, i1: 1, u2: 2, i2: 2, u4: 4, i4: 4, u8: 8, i8: 8, f4: 4, f8: 8 };

/** Encode values in the given dtype and byte order (DataView: independent of the readers' typed-array path). */
export function encodeSamples(values: ArrayLike<number>, dtype: DType, littleEndian: boolean): Uint8Array {
  const size = SIZE[dtype];
  const out = new Uint8Array(values.length * size);
  const dv = new DataView(out.buffer);
  for (let i = 0; i < values.length; i++) {
    const x = values[i];
    const at = i * size;
    switch (dtype) {
      case 'u1': dv.setUint8(at, x); break;
      case 'i1': dv.setInt8(at, x); break;
      case 'u2': dv.setUint16(at, x, littleEndian); break;
      case 'i2': dv.setInt16(at, x, littleEndian); break;
      case 'u4': dv.setUint32(at, x, littleEndian); break;
      case 'i4': dv.setInt32(at, x, littleEndian); break;
      case 'u8': dv.setBigUint64(at, BigInt(x), littleEndian); break;
      case 'i8': dv.setBigInt64(at, BigInt(x), littleEndian); break;
      case 'f4': dv.setFloat32(at, x, littleEndian); break;
      case 'f8': dv.setFloat64(at, x, littleEndian); break;
    }
  }
  return out;
}

/** Reorder pixel-major H×W×C values into channel-major planes (RPL record-by image). */
export function toChannelMajor(v: Float64Array, H: number, W: number, C: number): Float64Array {
  const out = new Float64Array(v.length);
  for (let r = 0; r < H; r++) for (let c = 0; c < W; c++) for (let ch = 0; ch < C; ch++) out[ch * H * W + r * W + c] = v[(r * W + c) * C + ch];
  return out;
}

/** Reorder into Fortran order (first index fastest). */
export function toFortran(v: Float64Array, H: number, W: number, C: number): Float64Array {
  const out = new Float64Array(v.length);
  for (let r = 0; r < H; r++) for (let c = 0; c < W; c++) for (let ch = 0; ch < C; ch++) out[r + c * H + ch * H * W] = v[(r * W + c) * C + ch];
  return out;
}

export interface RplOptions {
  dtype?: DType;
  littleEndian?: boolean;
  recordBy?: 'vector' | 'image' | 'dont-care';
  byteOrderText?: string;
  offset?: number;
  /** Extra header lines, verbatim. */
  extra?: string[];
  /** Whole header text instead of the generated one. */
  header?: string;
  rawName?: string;
}

const RPL_TYPES: Record<DType, [string, number]> = {
  u1: ['unsigned', 1], u2: ['unsigned', 2], u4: ['unsigned', 4], u8: ['unsigned', 8],
  i1: ['signed', 1], i2: ['signed', 2], i4: ['signed', 4], i8: ['signed', 8], f4: ['float', 4], f8: ['float', 8],
};

/** Write base.rpl + base.raw; returns the .rpl path. */
export async function writeRpl(dir: string, base: string, values: Float64Array, H: number, W: number, C: number, o: RplOptions = {}): Promise<string> {
  const dtype = o.dtype ?? 'u2';
  const le = o.littleEndian ?? true;
  const recordBy = o.recordBy ?? 'vector';
  const offset = o.offset ?? 0;
  const [kind, len] = RPL_TYPES[dtype];
  const header =
    o.header ??
    [
      'key\tvalue',
      `width\t${W}`,
      `height\t${H}`,
      `depth\t${C}`,
      `offset\t${offset}`,
      `data-length\t${len}`,
      `data-type\t${kind}`,
      `byte-order\t${o.byteOrderText ?? (le ? 'little-endian' : 'big-endian')}`,
      `record-by\t${recordBy}`,
      ...(o.extra ?? []),
    ].join('\n') + '\n';
  const ordered = recordBy === 'image' ? toChannelMajor(values, H, W, C) : values;
  const body = encodeSamples(ordered, dtype, le);
  const raw = new Uint8Array(offset + body.length);
  raw.set(body, offset);
  const rpl = path.join(dir, `${base}.rpl`);
  await fs.writeFile(rpl, header);
  await fs.writeFile(path.join(dir, o.rawName ?? `${base}.raw`), raw);
  return rpl;
}

/** NPY bytes with a hand-written header (version 1, 2 or 3). */
export function npyBytes(descr: string, shape: number[], data: Uint8Array, opts: { fortran?: boolean; version?: 1 | 2 | 3 } = {}): Uint8Array {
  const version = opts.version ?? 1;
  const shapeStr = shape.length === 1 ? `(${shape[0]},)` : `(${shape.join(', ')})`;
  let dict = `{'descr': '${descr}', 'fortran_order': ${opts.fortran ? 'True' : 'False'}, 'shape': ${shapeStr}, }`;
  const pre = version === 1 ? 10 : 12;
  const total = Math.ceil((pre + dict.length + 1) / 64) * 64;
  dict = dict.padEnd(total - pre - 1, ' ') + '\n';
  const out = new Uint8Array(total + data.length);
  out.set([0x93, 0x4e, 0x55, 0x4d, 0x50, 0x59, version, 0]);
  const dv = new DataView(out.buffer);
  if (version === 1) dv.setUint16(8, dict.length, true);
  else dv.setUint32(8, dict.length, true);
  for (let i = 0; i < dict.length; i++) out[pre + i] = dict.charCodeAt(i);
  out.set(data, total);
  return out;
}

export function npyDescr(dtype: DType, littleEndian: boolean): string {
  const kind = dtype[0] === 'f' ? 'f' : dtype[0] === 'u' ? 'u' : 'i';
  const order = SIZE[dtype] === 1 ? '|' : littleEndian ? '<' : '>';
  return `${order}${kind}${SIZE[dtype]}`;
}

/** An .npy of H×W×C values in any dtype/order/version. */
export function npyOf(values: Float64Array, H: number, W: number, C: number, dtype: DType, o: { littleEndian?: boolean; fortran?: boolean; version?: 1 | 2 | 3 } = {}): Uint8Array {
  const le = o.littleEndian ?? true;
  const ordered = o.fortran ? toFortran(values, H, W, C) : values;
  return npyBytes(npyDescr(dtype, le), [H, W, C], encodeSamples(ordered, dtype, le), { fortran: o.fortran, version: o.version });
}

/** A ZIP archive (as np.savez / np.savez_compressed write it: one member per array). */
export function zipOf(members: { name: string; data: Uint8Array; deflate?: boolean }[]): Uint8Array {
  const locals: Uint8Array[] = [];
  const centrals: Uint8Array[] = [];
  let offset = 0;
  for (const m of members) {
    const name = new TextEncoder().encode(m.name);
    const body = m.deflate ? new Uint8Array(deflateRawSync(m.data)) : m.data;
    const crc = zcrc32(m.data) >>> 0;
    const lh = new Uint8Array(30 + name.length);
    const l = new DataView(lh.buffer);
    l.setUint32(0, 0x04034b50, true);
    l.setUint16(4, 20, true);
    l.setUint16(8, m.deflate ? 8 : 0, true);
    l.setUint32(14, crc, true);
    l.setUint32(18, body.length, true);
    l.setUint32(22, m.data.length, true);
    l.setUint16(26, name.length, true);
    lh.set(name, 30);
    const ch = new Uint8Array(46 + name.length);
    const c = new DataView(ch.buffer);
    c.setUint32(0, 0x02014b50, true);
    c.setUint16(4, 20, true);
    c.setUint16(6, 20, true);
    c.setUint16(10, m.deflate ? 8 : 0, true);
    c.setUint32(16, crc, true);
    c.setUint32(20, body.length, true);
    c.setUint32(24, m.data.length, true);
    c.setUint16(28, name.length, true);
    c.setUint32(42, offset, true);
    ch.set(name, 46);
    locals.push(lh, body);
    centrals.push(ch);
    offset += lh.length + body.length;
  }
  const cdSize = centrals.reduce((s, x) => s + x.length, 0);
  const eocd = new Uint8Array(22);
  const e = new DataView(eocd.buffer);
  e.setUint32(0, 0x06054b50, true);
  e.setUint16(8, members.length, true);
  e.setUint16(10, members.length, true);
  e.setUint32(12, cdSize, true);
  e.setUint32(16, offset, true);
  const parts = [...locals, ...centrals, eocd];
  const out = new Uint8Array(parts.reduce((s, x) => s + x.length, 0));
  let at = 0;
  for (const p of parts) {
    out.set(p, at);
    at += p.length;
  }
  return out;
}

/** A file's bytes as a plain Uint8Array (Buffer's typings clash with TS 5.9's Uint8Array). */
export async function readBytes(file: string): Promise<Uint8Array> {
  return new Uint8Array(await fs.readFile(file));
}

/** Largest absolute difference between a Float32Array read back and the expected values. */
export function maxAbsDiff(got: ArrayLike<number>, want: ArrayLike<number>): number {
  if (got.length !== want.length) return Infinity;
  let m = 0;
  for (let i = 0; i < got.length; i++) m = Math.max(m, Math.abs(got[i] - want[i]));
  return m;
}

/** Does /usr/bin/python3 have these modules? Returns the reason to skip, or undefined. */
export function pythonMissing(modules: string[]): string | undefined {
  const { spawnSync } = require('node:child_process') as typeof import('node:child_process');
  const r = spawnSync('/usr/bin/python3', ['-c', `import ${modules.join(', ')}`], { encoding: 'utf8' });
  if (r.error) return `/usr/bin/python3 not available (${r.error.message})`;
  if (r.status !== 0) return `/usr/bin/python3 lacks ${modules.join('/')}: ${r.stderr.trim().split('\n').pop()}`;
  return undefined;
}
