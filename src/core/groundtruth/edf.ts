/**
 * PyMca batch-fit EDF output: `IMAGES/<entry>_<label>.edf`, one image per file, the label both in
 * the file name (`Fe_K`, `sFe_K` for the uncertainty, `chisq`) and in the Title header key
 * (`Fe_K`, `s(Fe_K)`); or one multi-image EDF whose images carry Titles.
 *
 * Opening one per-family file reads the whole fit: every `<entry>_*.edf` beside it, since PyMca
 * writes one file per family and a user who picks one of them means the fit, not one map. A folder
 * is read the same way when it holds exactly one entry. Families from separate files come in
 * element order (Z, then K < L < M), since file order means nothing.
 */
import { promises as fs } from 'node:fs';
import * as nodePath from 'node:path';
import { XrfInputError } from '../errors';
import { readEdf, EdfImage } from '../io/edf-read';
import type { MapStack } from './groundtruth';
import { buildStack, classifyLabel, LabelledMap, sortByElement } from './stack';

/**
 * Split a PyMca file stem `<entry>_<label>` where the label is a family or its uncertainty; the
 * first underscore that leaves such a label wins, so entries may contain underscores.
 */
export function splitEntryLabel(stem: string): { entry: string; label: string } | undefined {
  for (let i = stem.indexOf('_'); i > 0; i = stem.indexOf('_', i + 1)) {
    const label = stem.slice(i + 1);
    if (classifyLabel(label, true).kind !== 'other') return { entry: stem.slice(0, i), label };
  }
  return undefined;
}

function stemOf(file: string): string {
  return nodePath.basename(file).replace(/\.[^.]+$/, '');
}

function singleImage(images: EdfImage[], file: string): EdfImage {
  if (images.length !== 1) throw new XrfInputError(file, `expected one image, found ${images.length}`);
  return images[0];
}

/** Read the per-family files of one entry (full paths) into a stack; all must share one size. */
async function readEntryFiles(display: string, files: string[], entry: string): Promise<MapStack> {
  const items: LabelledMap[] = [];
  let h = -1;
  let w = -1;
  for (const f of files.sort()) {
    const img = singleImage(await readEdf(f), f);
    if (h < 0) [h, w] = [img.height, img.width];
    else if (img.height !== h || img.width !== w) {
      throw new XrfInputError(f, `is ${img.height}×${img.width} (H×W) but the other maps of "${entry}" are ${h}×${w}`);
    }
    const fileLabel = stemOf(f).slice(entry.length + 1);
    items.push(img.title ? { label: img.title, data: img.data } : { label: fileLabel, data: img.data, fileLabel: true });
  }
  return sortByElement(buildStack(display, h, w, items));
}

/** The files `<entry>_*.edf` in `dir` that belong to `entry` (not to a longer entry such as `<entry>_2`). */
async function entryFiles(dir: string, entry: string): Promise<string[]> {
  const names = await fs.readdir(dir);
  return names
    .filter((n) => /\.edf$/i.test(n) && n.startsWith(entry + '_'))
    .filter((n) => {
      const split = splitEntryLabel(stemOf(n));
      return split === undefined || split.entry === entry;
    })
    .map((n) => nodePath.join(dir, n));
}

export async function readEdfStack(path: string): Promise<MapStack> {
  const images = await readEdf(path);
  if (images.length > 1) {
    const { height, width } = images[0];
    const items = images.map((img, i) => {
      if (img.height !== height || img.width !== width) {
        throw new XrfInputError(path, `image ${i + 1} is ${img.height}×${img.width} (H×W) but image 1 is ${height}×${width}`);
      }
      return { label: img.title ?? `image ${i + 1}`, data: img.data };
    });
    return buildStack(path, height, width, items);
  }
  const split = splitEntryLabel(stemOf(path));
  if (split) {
    const files = await entryFiles(nodePath.dirname(path), split.entry);
    return readEntryFiles(path, files, split.entry);
  }
  const img = images[0];
  // A lone image: its Title (or, failing that, its file name) must name the family.
  return buildStack(path, img.height, img.width, [{ label: img.title ?? stemOf(path), data: img.data }]);
}

export async function readEdfFolder(dir: string): Promise<MapStack> {
  const names = (await fs.readdir(dir)).filter((n) => /\.edf$/i.test(n));
  const entries = new Set<string>();
  for (const n of names) {
    const s = splitEntryLabel(stemOf(n));
    if (s) entries.add(s.entry);
  }
  if (entries.size === 0) {
    // No PyMca naming: one multi-image EDF is still fine.
    if (names.length === 1) return readEdfStack(nodePath.join(dir, names[0]));
    throw new XrfInputError(dir, `no <entry>_<family>.edf files (e.g. "scan_Fe_K.edf") among ${names.length} EDF files`);
  }
  if (entries.size > 1) {
    throw new XrfInputError(dir, `holds the fits of several scans (${[...entries].sort().join(', ')}); open one of their files instead`);
  }
  const entry = [...entries][0];
  return readEntryFiles(dir, await entryFiles(dir, entry), entry);
}
