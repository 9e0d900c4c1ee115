/**
 * Lispix RPL/RAW pairs: a small text header (.rpl) beside the raw samples (.raw).
 *
 * Header dialects seen in the wild, all accepted: keys in any case (Bruker M6 writes `data-Length`),
 * `;` comment lines, key and value separated by a tab, tab plus spaces, or spaces, keys padded with
 * spaces; an optional `key value` title line. Calibration comes from whichever keys are present:
 * HyperSpy's `depth-origin`/`depth-scale`/`depth-units` and `ev-per-chan`, or Bruker's
 * `depthscaleorigin`/`depthscaleincrement`/`depthscaleunits`. (PyMca's RPL reader ignores these.)
 */
import { promises as fs } from 'node:fs';
import * as path from 'node:path';
import type { Calibration, DType } from './cube';
import { StridedFileCube, pixelMajorLayout, type StridedLayout } from './strided-file';
import { XrfInputError } from '../errors';

export interface RplHeader {
  width: number;
  height: number;
  depth: number;
  offset: number;
  dtype: DType;
  littleEndian: boolean;
  recordBy: 'vector' | 'image';
  calibration: Calibration | undefined;
  /** Every key (lower-case) → raw value, for diagnostics. */
  keys: Map<string, string>;
}

/** Split the header text into lower-case keys and trimmed values. */
export function parseRplKeys(text: string): Map<string, string> {
  const keys = new Map<string, string>();
  for (const rawLine of text.split(/\r\n|\r|\n/)) {
    const line = rawLine.trim();
    if (line === '' || line.startsWith(';')) continue;
    const m = /^(\S+)\s+(.*)$/.exec(line);
    if (!m) continue; // a key with no value carries nothing we can use
    keys.set(m[1].toLowerCase(), m[2].trim());
  }
  return keys;
}

function intKey(keys: Map<string, string>, key: string, file: string, fallback?: number): number {
  const raw = keys.get(key);
  if (raw === undefined) {
    if (fallback !== undefined) return fallback;
    throw new XrfInputError(file, `header has no "${key}" key`);
  }
  const n = Number(raw);
  if (!Number.isInteger(n) || n < 0) throw new XrfInputError(file, `header key "${key}" must be a non-negative integer, got "${raw}"`);
  return n;
}

function dtypeOf(kind: string, length: number, file: string): DType {
  const k = kind.toLowerCase();
  const table: Record<string, Partial<Record<number, DType>>> = {
    unsigned: { 1: 'u1', 2: 'u2', 4: 'u4', 8: 'u8' },
    signed: { 1: 'i1', 2: 'i2', 4: 'i4', 8: 'i8' },
    float: { 4: 'f4', 8: 'f8' },
  };
  if (!(k in table)) throw new XrfInputError(file, `unknown data-type "${kind}" (expected signed, unsigned or float)`);
  if (![1, 2, 4, 8].includes(length)) throw new XrfInputError(file, `unsupported data-length ${length} (expected 1, 2, 4 or 8)`);
  const d = table[k][length];
  if (!d) throw new XrfInputError(file, `data-type "${kind}" cannot have data-length ${length}`);
  return d;
}

function finiteKey(keys: Map<string, string>, key: string): number | undefined {
  const raw = keys.get(key);
  if (raw === undefined) return undefined;
  const n = Number(raw);
  return Number.isFinite(n) ? n : undefined;
}

/** keV per unit of a depth axis, from its units text; a missing unit is guessed from the gain's size. */
function keVPerUnit(units: string | undefined, gain: number): number {
  const u = (units ?? '').trim().toLowerCase();
  if (u === 'kev') return 1;
  if (u === 'ev') return 1e-3;
  // No units: a gain of several eV per channel is written as e.g. 10 (eV) or 0.01 (keV).
  return Math.abs(gain) >= 0.5 ? 1e-3 : 1;
}

/** The energy calibration the header carries, in keV, or undefined when it carries none. */
export function rplCalibration(keys: Map<string, string>): Calibration | undefined {
  const brukerGain = finiteKey(keys, 'depthscaleincrement');
  if (brukerGain !== undefined && brukerGain !== 0) {
    const k = keVPerUnit(keys.get('depthscaleunits') ?? 'keV', brukerGain);
    return { offsetKeV: (finiteKey(keys, 'depthscaleorigin') ?? 0) * k, gainKeV: brukerGain * k };
  }
  const hsGain = finiteKey(keys, 'depth-scale');
  if (hsGain !== undefined && hsGain !== 0) {
    const k = keVPerUnit(keys.get('depth-units'), hsGain);
    return { offsetKeV: (finiteKey(keys, 'depth-origin') ?? 0) * k, gainKeV: hsGain * k };
  }
  const evPerChan = finiteKey(keys, 'ev-per-chan');
  if (evPerChan !== undefined && evPerChan !== 0) {
    // HyperSpy writes depth-origin in depth-units (eV by default) beside ev-per-chan.
    const origin = finiteKey(keys, 'depth-origin') ?? 0;
    const k = keVPerUnit(keys.get('depth-units') ?? 'eV', 1);
    return { offsetKeV: origin * k, gainKeV: evPerChan * 1e-3 };
  }
  return undefined;
}

export function parseRplHeader(text: string, file: string): RplHeader {
  const keys = parseRplKeys(text);
  if (keys.size === 0) throw new XrfInputError(file, 'empty RPL header (no key/value lines)');
  const width = intKey(keys, 'width', file);
  const height = intKey(keys, 'height', file);
  const depth = intKey(keys, 'depth', file);
  if (width === 0 || height === 0 || depth === 0) {
    throw new XrfInputError(file, `zero dimension in header: width ${width}, height ${height}, depth ${depth}`);
  }
  const offset = intKey(keys, 'offset', file, 0);
  const kind = keys.get('data-type');
  if (kind === undefined) throw new XrfInputError(file, 'header has no "data-type" key');
  const dtype = dtypeOf(kind, intKey(keys, 'data-length', file), file);
  const order = (keys.get('byte-order') ?? 'dont-care').toLowerCase();
  let littleEndian: boolean;
  if (order === 'big-endian') littleEndian = false;
  else if (order === 'little-endian') littleEndian = true;
  // Lispix writes dont-care for 1-byte data; exporters that write it for wider data run on x86.
  else if (order === 'dont-care') littleEndian = true;
  else throw new XrfInputError(file, `unknown byte-order "${keys.get('byte-order')}" (expected big-endian, little-endian or dont-care)`);
  const rec = (keys.get('record-by') ?? 'vector').toLowerCase();
  let recordBy: 'vector' | 'image';
  if (rec === 'vector' || rec === 'dont-care') recordBy = 'vector';
  else if (rec === 'image') recordBy = 'image';
  else throw new XrfInputError(file, `unknown record-by "${keys.get('record-by')}" (expected vector, image or dont-care)`);
  return { width, height, depth, offset, dtype, littleEndian, recordBy, calibration: rplCalibration(keys), keys };
}

/** The .raw beside an .rpl: same base name, extension in any case. */
export async function findRawBeside(rplPath: string): Promise<string> {
  const dir = path.dirname(rplPath);
  const base = path.basename(rplPath, path.extname(rplPath));
  const exact = path.join(dir, `${base}.raw`);
  try {
    await fs.access(exact);
    return exact;
  } catch {
    // fall through to a case-insensitive search of the folder
  }
  const names = await fs.readdir(dir).catch(() => [] as string[]);
  const hit = names.find((n) => n.toLowerCase() === `${base}.raw`.toLowerCase());
  if (!hit) throw new XrfInputError(rplPath, `no ${base}.raw beside the header (the raw data file is missing)`);
  return path.join(dir, hit);
}

/** The .rpl beside a .raw the user opened directly. */
async function findRplBeside(rawPath: string): Promise<string> {
  const dir = path.dirname(rawPath);
  const base = path.basename(rawPath, path.extname(rawPath));
  const names = await fs.readdir(dir).catch(() => [] as string[]);
  const hit = names.find((n) => n.toLowerCase() === `${base}.rpl`.toLowerCase());
  if (!hit) throw new XrfInputError(rawPath, `no ${base}.rpl header beside the raw file`);
  return path.join(dir, hit);
}

const MAX_HEADER_BYTES = 1 << 20;

export async function openRpl(scanPath: string): Promise<StridedFileCube> {
  const rplPath = path.extname(scanPath).toLowerCase() === '.raw' ? await findRplBeside(scanPath) : scanPath;
  const stat = await fs.stat(rplPath);
  if (stat.size > MAX_HEADER_BYTES) throw new XrfInputError(rplPath, `is ${stat.size} bytes: too large for an RPL text header`);
  const header = parseRplHeader(await fs.readFile(rplPath, 'latin1'), rplPath);
  const rawPath = await findRawBeside(rplPath);
  const { width: W, height: H, depth: C, offset } = header;
  const layout: StridedLayout =
    header.recordBy === 'vector'
      ? pixelMajorLayout(W, C, offset)
      : { baseOffset: offset, rowStride: W, colStride: 1, channelStride: H * W };
  return StridedFileCube.open({
    path: rplPath,
    dataPath: rawPath,
    format: 'rpl',
    height: H,
    width: W,
    channels: C,
    sample: { dtype: header.dtype, littleEndian: header.littleEndian },
    layout,
    fileCalibration: header.calibration,
    exactSize: true,
  });
}
