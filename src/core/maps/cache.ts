/**
 * A disk cache of scan summaries, so reopening a scan shows its maps at once. An entry is keyed by
 * the scan's path, size and modification time (and the data file's, for RPL/RAW pairs), the ROI
 * windows, the calibration and the HDF5 dataset; the key's hash names the file. Entries are binary:
 *
 *   magic "XRFMAPS-SUMMARY\0" (16) | u32 version | u32 JSON length | JSON (key + shape + windows),
 *   zero-padded to 8 | f64 sumSpectrum[C] | f32 maxSpectrum[C] | f32 totalCounts[H·W] |
 *   f32 roiMaps[n][H·W] | u32 CRC-32 of everything before it
 *
 * A corrupt, truncated or mismatching entry reads as a miss (and is rewritten by the next store);
 * stores are atomic, so a crash never leaves half an entry.
 */
import { promises as fs } from 'node:fs';
import * as path from 'node:path';
import * as os from 'node:os';
import * as zlib from 'node:zlib';
import { createHash } from 'node:crypto';
import type { Calibration, Cube } from '../cube/cube';
import type { RoiWindow, ScanSummary } from './summary';
import { findRawBeside } from '../cube/rpl';
import { writeFileAtomic } from '../io/atomic';

export interface FileStamp {
  path: string;
  size: number;
  mtimeMs: number;
}

export interface SummaryCacheKey {
  files: FileStamp[];
  dataset?: string;
  /** The cube as read: [H, W, C] and, for HDF5, the stored axis of the channels (a sidecar can change it). */
  shape: [number, number, number];
  channelAxis?: number;
  windows: RoiWindow[];
  calibration: Calibration;
}

const MAGIC = new TextEncoder().encode('XRFMAPS-SUMMARY\0');
const VERSION = 1;

/** The CLI's cache folder: $XDG_CACHE_HOME/xrfmaps, else ~/.cache/xrfmaps. */
export function defaultCacheDir(): string {
  const xdg = process.env.XDG_CACHE_HOME;
  return path.join(xdg && path.isAbsolute(xdg) ? xdg : path.join(os.homedir(), '.cache'), 'xrfmaps');
}

async function stamp(file: string): Promise<FileStamp> {
  const st = await fs.stat(file);
  return { path: path.resolve(file), size: st.size, mtimeMs: st.mtimeMs };
}

export async function summaryCacheKey(
  cube: Pick<Cube, 'path' | 'format' | 'datasetPath' | 'height' | 'width' | 'channels'> & { channelAxis?: number },
  windows: readonly RoiWindow[],
  calibration: Calibration,
): Promise<SummaryCacheKey> {
  const files = [await stamp(cube.path)];
  if (cube.format === 'rpl') files.push(await stamp(await findRawBeside(cube.path)));
  return {
    files,
    dataset: cube.datasetPath,
    shape: [cube.height, cube.width, cube.channels],
    channelAxis: cube.channelAxis,
    windows: windows.map((w) => ({ label: w.label, loChannel: w.loChannel, hiChannel: w.hiChannel })),
    calibration: { offsetKeV: calibration.offsetKeV, gainKeV: calibration.gainKeV },
  };
}

function keyText(key: SummaryCacheKey): string {
  return JSON.stringify(key);
}

export function cacheFileFor(cacheDir: string, key: SummaryCacheKey): string {
  return path.join(cacheDir, `${createHash('sha256').update(keyText(key)).digest('hex').slice(0, 40)}.xrfsum`);
}

const crc32: (data: Uint8Array, value?: number) => number = (zlib as unknown as { crc32: (d: Uint8Array, v?: number) => number }).crc32;

function bytesOf(a: Float32Array | Float64Array): Uint8Array {
  return new Uint8Array(a.buffer, a.byteOffset, a.byteLength);
}

export async function storeCachedSummary(cacheDir: string, key: SummaryCacheKey, s: ScanSummary): Promise<string> {
  const meta = new TextEncoder().encode(JSON.stringify({ key: keyText(key), height: s.height, width: s.width, channels: s.channels, windows: s.windows }));
  const head = new Uint8Array(Math.ceil((24 + meta.length) / 8) * 8);
  const dv = new DataView(head.buffer);
  head.set(MAGIC, 0);
  dv.setUint32(16, VERSION, true);
  dv.setUint32(20, meta.length, true);
  head.set(meta, 24);
  const parts: Uint8Array[] = [head, bytesOf(s.sumSpectrum), bytesOf(s.maxSpectrum), bytesOf(s.totalCounts), ...s.roiMaps.map(bytesOf)];
  let crc = 0;
  for (const p of parts) crc = crc32(p, crc);
  const tail = new Uint8Array(4);
  new DataView(tail.buffer).setUint32(0, crc >>> 0, true);
  const file = cacheFileFor(cacheDir, key);
  await writeFileAtomic(file, [...parts, tail]);
  return file;
}

/** The cached summary for `key`, or undefined on a miss or an unusable entry. */
export async function loadCachedSummary(cacheDir: string, key: SummaryCacheKey): Promise<ScanSummary | undefined> {
  let buf: Uint8Array;
  try {
    const b = await fs.readFile(cacheFileFor(cacheDir, key));
    buf = new Uint8Array(b.buffer, b.byteOffset, b.byteLength);
  } catch {
    return undefined;
  }
  try {
    const dv = new DataView(buf.buffer, buf.byteOffset, buf.byteLength);
    if (buf.length < 28 || !MAGIC.every((x, i) => buf[i] === x) || dv.getUint32(16, true) !== VERSION) return undefined;
    const metaLen = dv.getUint32(20, true);
    if (24 + metaLen > buf.length) return undefined;
    const meta = JSON.parse(new TextDecoder().decode(buf.subarray(24, 24 + metaLen))) as {
      key: string; height: number; width: number; channels: number; windows: RoiWindow[];
    };
    if (meta.key !== keyText(key)) return undefined;
    const { height: H, width: W, channels: C, windows } = meta;
    let at = Math.ceil((24 + metaLen) / 8) * 8;
    const expected = at + C * 8 + C * 4 + H * W * 4 * (1 + windows.length) + 4;
    if (buf.length !== expected) return undefined;
    if ((crc32(buf.subarray(0, buf.length - 4)) >>> 0) !== dv.getUint32(buf.length - 4, true)) return undefined;
    // Copy into fresh, aligned arrays (the file buffer may sit at any offset in a shared pool).
    const take64 = (n: number) => {
      const a = new Float64Array(n);
      bytesOf(a).set(buf.subarray(at, at + n * 8));
      at += n * 8;
      return a;
    };
    const take32 = (n: number) => {
      const a = new Float32Array(n);
      bytesOf(a).set(buf.subarray(at, at + n * 4));
      at += n * 4;
      return a;
    };
    const sumSpectrum = take64(C);
    const maxSpectrum = take32(C);
    const totalCounts = take32(H * W);
    const roiMaps = windows.map(() => take32(H * W));
    return { height: H, width: W, channels: C, windows, totalCounts, roiMaps, sumSpectrum, maxSpectrum };
  } catch {
    return undefined;
  }
}
