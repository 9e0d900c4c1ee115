/**
 * The workspace the scenarios open: simulated paintings from the product's own simulator (`xrfmaps simulate
 * --preset tiny`) when the build has it, plus files written here whose content the tests know exactly:
 * a small scan with known element layout, and a broken one (a .raw cut short).
 */
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, join, relative } from 'node:path';

/** Lispix RPL header, HyperSpy/Bruker keys for the calibration, as the product's readers expect. */
function rplHeader(width: number, height: number, depth: number, gainKeV: number): string {
  return [
    'key\tvalue',
    `width\t${width}`,
    `height\t${height}`,
    `depth\t${depth}`,
    'offset\t0',
    'data-length\t2',
    'data-type\tunsigned',
    'byte-order\tlittle-endian',
    'record-by\tvector',
    'depth-origin\t0',
    `depth-scale\t${gainKeV}`,
    'depth-units\tkeV',
    `ev-per-chan\t${gainKeV * 1000}`,
    '',
  ].join('\n');
}

/**
 * A scan whose maps are known without any reader: Fe K rises from left to right, Pb L fills a disk in the middle,
 * Ca K fills the top half. Counts are noise-free Gaussian peaks (integers) on a flat background of 1.
 */
export interface KnownScan {
  rpl: string;
  raw: string;
  width: number;
  height: number;
  channels: number;
  gainKeV: number;
  /** Peak amplitude (counts at the peak centre) per line family and pixel, row-major. */
  amplitude: Record<'Fe K' | 'Pb L' | 'Ca K', Float64Array>;
}

const PEAKS: Record<'Fe K' | 'Pb L' | 'Ca K', { keV: number; rel: number }[]> = {
  'Ca K': [{ keV: 3.69, rel: 1 }, { keV: 4.01, rel: 0.13 }],
  'Fe K': [{ keV: 6.40, rel: 1 }, { keV: 7.06, rel: 0.13 }],
  'Pb L': [{ keV: 10.55, rel: 1 }, { keV: 12.61, rel: 0.8 }],
};

export function writeKnownScan(path: string, opts: { width?: number; height?: number; channels?: number; gainKeV?: number } = {}): KnownScan {
  const width = opts.width ?? 32;
  const height = opts.height ?? 24;
  const channels = opts.channels ?? 1024;
  const gainKeV = opts.gainKeV ?? 0.02;
  const sigmaKeV = 0.07;
  const amplitude = { 'Fe K': new Float64Array(width * height), 'Pb L': new Float64Array(width * height), 'Ca K': new Float64Array(width * height) };
  for (let r = 0; r < height; r++) {
    for (let c = 0; c < width; c++) {
      const i = r * width + c;
      amplitude['Fe K'][i] = 20 + (180 * c) / (width - 1);
      const d = Math.hypot(r - (height - 1) / 2, c - (width - 1) / 2);
      amplitude['Pb L'][i] = d < Math.min(width, height) / 4 ? 150 : 0;
      amplitude['Ca K'][i] = r < height / 2 ? 120 : 10;
    }
  }
  const data = new Uint16Array(width * height * channels);
  for (let p = 0; p < width * height; p++) {
    for (let ch = 0; ch < channels; ch++) {
      const e = ch * gainKeV;
      let v = 1;
      for (const line of Object.keys(PEAKS) as (keyof typeof PEAKS)[]) {
        for (const pk of PEAKS[line]) {
          const z = (e - pk.keV) / sigmaKeV;
          if (Math.abs(z) < 6) v += amplitude[line][p] * pk.rel * Math.exp(-0.5 * z * z);
        }
      }
      data[p * channels + ch] = Math.round(v);
    }
  }
  mkdirSync(dirname(path), { recursive: true });
  const raw = path.replace(/\.rpl$/, '.raw');
  writeFileSync(path, rplHeader(width, height, channels, gainKeV));
  writeFileSync(raw, new Uint8Array(data.buffer));
  return { rpl: path, raw, width, height, channels, gainKeV, amplitude };
}

/** A scan whose .raw holds only part of the data the header promises. */
export function writeTruncatedScan(path: string): { rpl: string; raw: string } {
  const s = writeKnownScan(path, { width: 16, height: 12, channels: 512 });
  const bytes = new Uint8Array(readFileSync(s.raw));
  writeFileSync(s.raw, bytes.subarray(0, Math.floor(bytes.length / 3)));
  return { rpl: s.rpl, raw: s.raw };
}

export interface SimPainting {
  name: string;
  scan: string;
  groundTruth?: string;
}

/** The paintings listed in a simulator manifest (paths made absolute); tolerant of the manifest's exact key names. */
export function readSimManifest(dir: string): SimPainting[] {
  const path = join(dir, 'manifest.json');
  if (!existsSync(path)) return [];
  const m = JSON.parse(readFileSync(path, 'utf8')) as { paintings?: Record<string, unknown>[] };
  // Paths are relative to the manifest; an entry is either a path or an object holding one ({path} or {npy}).
  const abs = (p: unknown): string | undefined => {
    if (typeof p === 'string') return join(dir, p);
    if (p && typeof p === 'object' && typeof (p as { path?: unknown }).path === 'string') return join(dir, (p as { path: string }).path);
    return undefined;
  };
  const gtOf = (p: Record<string, unknown>): string | undefined => {
    const gt = p.groundTruth ?? p.groundtruth ?? p.truth;
    if (typeof gt === 'string') return abs(gt);
    if (gt && typeof gt === 'object') return abs((gt as Record<string, unknown>).npy);
    return undefined;
  };
  return (m.paintings ?? [])
    .map((p) => ({ name: String(p.name ?? ''), scan: abs(p.scan) ?? '', groundTruth: gtOf(p) }))
    .filter((p) => p.scan && existsSync(p.scan));
}

export function rel(ws: string, path: string): string {
  return relative(ws, path);
}
