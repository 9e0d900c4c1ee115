/**
 * `readGroundTruth(path)`: one entry point for every ground-truth (and prediction) map format.
 * Dispatches by extension, then by content for unknown extensions:
 *   .npy (+ `<base>.json` sidecar) · PyMca .csv/.dat · .edf (one per family, multi-image, or a folder)
 *   · PyMca .h5 (`file.h5` or `file.h5::/entry`) · .tif/.tiff (multi-page or per-element) · a folder of EDF/TIFF.
 */
import { promises as fs } from 'node:fs';
import * as nodePath from 'node:path';
import { XrfInputError } from '../errors';
import type { MapStack } from './groundtruth';
import { readNpyStack } from './npy';
import { readCsvStack } from './csv';
import { readEdfStack, readEdfFolder } from './edf';
import { readHdf5Stack, splitH5Path } from './hdf5';
import { readTiffStack, readTiffFolder } from './tiff';
import { assertFinite, checkExpectedSize } from './stack';

export interface ReadGroundTruthOptions {
  /** The size the maps must have (e.g. the scan's); a mismatch is an error naming both sizes. */
  height?: number;
  width?: number;
  /** Let NaN/Inf through (for viewing only). By default they are an error naming family and pixel. */
  allowNonFinite?: boolean;
}

export type GroundTruthFormat = 'npy' | 'csv' | 'edf' | 'hdf5' | 'tiff' | 'edf-folder' | 'tiff-folder';

const BY_EXTENSION: Record<string, GroundTruthFormat> = {
  '.npy': 'npy',
  '.csv': 'csv',
  '.dat': 'csv',
  '.txt': 'csv',
  '.edf': 'edf',
  '.h5': 'hdf5',
  '.hdf5': 'hdf5',
  '.hdf': 'hdf5',
  '.nxs': 'hdf5',
  '.tif': 'tiff',
  '.tiff': 'tiff',
};

/** Which reader a path goes to; unknown extensions are sniffed from the first bytes. */
export async function detectGroundTruthFormat(path: string): Promise<GroundTruthFormat> {
  const { file } = splitH5Path(path);
  let st;
  try {
    st = await fs.stat(file);
  } catch {
    throw new XrfInputError(path, 'file not found');
  }
  if (st.isDirectory()) {
    const names = await fs.readdir(file);
    if (names.some((n) => /\.edf$/i.test(n))) return 'edf-folder';
    if (names.some((n) => /\.tiff?$/i.test(n))) return 'tiff-folder';
    throw new XrfInputError(path, 'folder holds no .edf or .tif maps');
  }
  const byExt = BY_EXTENSION[nodePath.extname(file).toLowerCase()];
  if (byExt) return byExt;
  const fh = await fs.open(file, 'r');
  const head = new Uint8Array(8);
  try {
    await fh.read(head, 0, 8, 0);
  } finally {
    await fh.close();
  }
  const ascii = String.fromCharCode(...head);
  if (head[0] === 0x93 && ascii.slice(1, 6) === 'NUMPY') return 'npy';
  if (head[0] === 0x89 && ascii.slice(1, 4) === 'HDF') return 'hdf5';
  if (ascii.startsWith('II*\0') || ascii.startsWith('MM\0*')) return 'tiff';
  if (ascii.trimStart().startsWith('{')) return 'edf';
  if (ascii.startsWith('"row"') || /^row/i.test(ascii)) return 'csv';
  throw new XrfInputError(path, 'unknown map format (expected .npy with a .json sidecar, PyMca .csv/.edf/.h5, or .tif)');
}

/** Read ground-truth (or predicted) maps: line names normalized, maps H·W float32, NaN/Inf refused. */
export async function readGroundTruth(path: string, opts?: ReadGroundTruthOptions): Promise<MapStack> {
  const format = await detectGroundTruthFormat(path);
  let stack: MapStack;
  switch (format) {
    case 'npy':
      stack = await readNpyStack(path);
      break;
    case 'csv':
      stack = await readCsvStack(path);
      break;
    case 'edf':
      stack = await readEdfStack(path);
      break;
    case 'edf-folder':
      stack = await readEdfFolder(path);
      break;
    case 'hdf5':
      stack = await readHdf5Stack(path);
      break;
    case 'tiff':
      stack = await readTiffStack(path);
      break;
    case 'tiff-folder':
      stack = await readTiffFolder(path);
      break;
  }
  checkExpectedSize(stack, opts);
  if (!opts?.allowNonFinite) assertFinite(stack);
  return stack;
}

/** The normalized line families a ground-truth file holds, in file order. */
export async function listGroundTruthLines(path: string): Promise<string[]> {
  return (await readGroundTruth(path, { allowNonFinite: true })).lines;
}
