/**
 * TIFF maps: one multi-page file (one page per family, the family in PageName or ImageDescription),
 * or per-element files — PyMca's `<entry>_<label>.tif` or simply `Fe_K.tif` — given one of them
 * (its siblings of the same entry are read too, as for EDF) or their folder.
 */
import { promises as fs } from 'node:fs';
import * as nodePath from 'node:path';
import { XrfInputError } from '../errors';
import { readTiff, TiffPage } from '../io/tiff-read';
import type { MapStack } from './groundtruth';
import { splitEntryLabel } from './edf';
import { buildStack, classifyLabel, LabelledMap, sortByElement } from './stack';

function stemOf(file: string): string {
  return nodePath.basename(file).replace(/\.[^.]+$/, '');
}

/** The label of a single-page per-element file: its page label when that names a family, else the file name. */
function fileItem(page: TiffPage, file: string): LabelledMap {
  if (page.label && classifyLabel(page.label).kind !== 'other') return { label: page.label, data: page.data };
  const stem = stemOf(file);
  const split = splitEntryLabel(stem);
  if (split) return { label: split.label, data: page.data, fileLabel: true };
  return { label: page.label ?? stem, data: page.data, fileLabel: true };
}

async function readFiles(display: string, files: string[]): Promise<MapStack> {
  const items: LabelledMap[] = [];
  let h = -1;
  let w = -1;
  for (const f of files.sort()) {
    const pages = await readTiff(f);
    if (pages.length !== 1) throw new XrfInputError(f, `per-element TIFF should have one page, it has ${pages.length}`);
    const p = pages[0];
    if (h < 0) [h, w] = [p.height, p.width];
    else if (p.height !== h || p.width !== w) throw new XrfInputError(f, `is ${p.height}×${p.width} (H×W), the other maps ${h}×${w}`);
    items.push(fileItem(p, f));
  }
  return sortByElement(buildStack(display, h, w, items));
}

export async function readTiffStack(path: string): Promise<MapStack> {
  const pages = await readTiff(path);
  if (pages.length > 1) {
    const { height, width } = pages[0];
    const items = pages.map((p, i) => {
      if (p.height !== height || p.width !== width) {
        throw new XrfInputError(path, `page ${i + 1} is ${p.height}×${p.width} (H×W) but page 1 is ${height}×${width}`);
      }
      return { label: p.label ?? `page ${i + 1}`, data: p.data };
    });
    return buildStack(path, height, width, items);
  }
  const split = splitEntryLabel(stemOf(path));
  if (split) {
    const dir = nodePath.dirname(path);
    const names = (await fs.readdir(dir)).filter(
      (n) => /\.tiff?$/i.test(n) && n.startsWith(split.entry + '_') && (splitEntryLabel(stemOf(n))?.entry ?? split.entry) === split.entry,
    );
    return readFiles(path, names.map((n) => nodePath.join(dir, n)));
  }
  return buildStack(path, pages[0].height, pages[0].width, [fileItem(pages[0], path)]);
}

export async function readTiffFolder(dir: string): Promise<MapStack> {
  const names = (await fs.readdir(dir)).filter((n) => /\.tiff?$/i.test(n));
  const entries = new Set(names.map((n) => splitEntryLabel(stemOf(n))?.entry).filter((e): e is string => e !== undefined));
  if (entries.size > 1) {
    throw new XrfInputError(dir, `holds the maps of several scans (${[...entries].sort().join(', ')}); open one of their files instead`);
  }
  if (names.length === 1) return readTiffStack(nodePath.join(dir, names[0]));
  return readFiles(dir, names.map((n) => nodePath.join(dir, n)));
}
