/**
 * Reading a whole input file (opened read-only) into memory, for the readers of small files (maps
 * as NPY, EDF, TIFF): a file that cannot be read is an XrfInputError naming it and the reason.
 */
import { promises as fs } from 'node:fs';
import { XrfInputError } from '../errors';

export async function readInputBytes(path: string): Promise<Uint8Array> {
  try {
    const buf = await fs.readFile(path);
    return new Uint8Array(buf.buffer, buf.byteOffset, buf.byteLength);
  } catch (e) {
    throw new XrfInputError(path, `cannot read: ${(e as NodeJS.ErrnoException).code ?? (e as Error).message}`);
  }
}
