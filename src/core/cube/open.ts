/**
 * One entry point for every scan format: `openCube(path)` picks the reader from the extension (or,
 * for an unknown extension, from the file's first bytes) and returns a Cube that reads from disk.
 */
import { promises as fs } from 'node:fs';
import * as path from 'node:path';
import type { Cube, CubeFormat } from './cube';
import { openRpl } from './rpl';
import { openNpy } from './npy';
import { openNpz } from './npz';
import { HDF5_SIGNATURE, openHdf5, listCubeDatasets as listHdf5Datasets, type CubeDatasetCandidate } from './hdf5';
import { XrfInputError } from '../errors';
import { readSidecarChannelAxis } from './calibration';

export type { CubeDatasetCandidate } from './hdf5';

export interface OpenCubeOptions {
  /** HDF5: the dataset to open instead of the default (the NXdata signal or the largest 3-D one). */
  dataset?: string;
  /**
   * HDF5: which stored axis holds the channels (0, 1 or 2), overriding what the file's metadata or
   * shape suggest. Without it, the sidecar JSON's "channelAxis" is used when present.
   */
  channelAxis?: 0 | 1 | 2;
  /** Compressed .npz: folder for the private spill file of inflated bytes (default the OS temp folder). */
  spillDir?: string;
}

const BY_EXTENSION: Record<string, CubeFormat> = {
  '.rpl': 'rpl',
  '.raw': 'rpl',
  '.npy': 'npy',
  '.npz': 'npz',
  '.h5': 'hdf5',
  '.hdf5': 'hdf5',
  '.hdf': 'hdf5',
  '.he5': 'hdf5',
  '.nxs': 'hdf5',
  '.nx5': 'hdf5',
};

/** File extensions openCube understands (for file pickers and editor registration). */
export const SCAN_EXTENSIONS = Object.keys(BY_EXTENSION);

async function sniff(file: string): Promise<CubeFormat | undefined> {
  const fh = await fs.open(file, 'r');
  try {
    const b = new Uint8Array(8);
    const { bytesRead } = await fh.read(b, 0, 8, 0);
    const starts = (sig: number[]) => bytesRead >= sig.length && sig.every((x, i) => b[i] === x);
    if (starts([0x93, 0x4e, 0x55, 0x4d, 0x50, 0x59])) return 'npy'; // \x93NUMPY
    if (starts([0x50, 0x4b, 0x03, 0x04])) return 'npz'; // PK\3\4 (a ZIP)
    if (starts(HDF5_SIGNATURE)) return 'hdf5';
    return undefined;
  } finally {
    await fh.close();
  }
}

export async function detectFormat(file: string): Promise<CubeFormat> {
  const known = BY_EXTENSION[path.extname(file).toLowerCase()];
  if (known) return known;
  const sniffed = await sniff(file);
  if (!sniffed) {
    throw new XrfInputError(file, `unknown scan format (expected ${SCAN_EXTENSIONS.join(', ')})`);
  }
  return sniffed;
}

/** Turn file-system errors into input errors a user can act on; pass everything else through. */
function asInputError(file: string, e: unknown): unknown {
  const code = (e as NodeJS.ErrnoException)?.code;
  const target = (e as NodeJS.ErrnoException)?.path ?? file;
  if (code === 'ENOENT') return new XrfInputError(target, 'file not found');
  if (code === 'EACCES' || code === 'EPERM') return new XrfInputError(target, 'permission denied');
  if (code === 'EISDIR') return new XrfInputError(target, 'is a folder, not a scan file');
  return e;
}

export async function openCube(file: string, opts: OpenCubeOptions = {}): Promise<Cube> {
  try {
    const st = await fs.stat(file);
    if (st.isDirectory()) throw new XrfInputError(file, 'is a folder, not a scan file');
    switch (await detectFormat(file)) {
      case 'rpl':
        return await openRpl(file);
      case 'npy':
        return await openNpy(file);
      case 'npz':
        return await openNpz(file, { spill: { dir: opts.spillDir } });
      case 'hdf5':
        return await openHdf5(file, { ...opts, channelAxis: opts.channelAxis ?? (await readSidecarChannelAxis(file)) });
    }
  } catch (e) {
    throw asInputError(file, e);
  }
}

/** HDF5: every 3-D numeric dataset, the default first. Other formats hold one cube: an empty list. */
export async function listCubeDatasets(file: string): Promise<CubeDatasetCandidate[]> {
  try {
    return (await detectFormat(file)) === 'hdf5' ? await listHdf5Datasets(file) : [];
  } catch (e) {
    throw asInputError(file, e);
  }
}
