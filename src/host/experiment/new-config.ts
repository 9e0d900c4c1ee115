/**
 * "Create Experiment Config" from files selected in the explorer: scans are paired with their ground
 * truth (selected too, or found beside the scan by name: `painting_truth.npy`, PyMca's
 * `painting_pymca/IMAGES/painting.csv`, …), and a config holding them is written next to them.
 * No `vscode` here: the command passes the selection and a directory lister.
 */
import * as nodePath from 'node:path';
import { DEFAULT_LINES } from '../../core/lines';
import { DEFAULT_EXPERIMENT_TRAINING, DEFAULT_OUTPUT_DIR, EXPERIMENT_MODELS } from '../../core/experiment/config';

const SCAN_EXT = ['.rpl', '.raw', '.npz', '.h5', '.hdf5', '.nxs'];
const MAP_EXT = ['.npy', '.csv', '.edf', '.tif', '.tiff', '.h5', '.hdf5', '.dat'];

export interface SelectionPairing {
  paintings: { name: string; scan: string; groundTruth?: string }[];
  /** Selected files that are neither a scan nor anyone's ground truth. */
  unused: string[];
}

const stem = (p: string) => nodePath.basename(p).replace(/\.[^.]+$/, '');
const looksLikeTruth = (p: string) => /(truth|[._-]gt\b|ground|pymca|IMAGES)/i.test(p);

/**
 * Pairs selected files: a selected file is a scan when it has a scan extension (an .npy is a scan
 * unless it looks like maps: a name with "truth"/"gt" or a `<base>.json` sidecar listing lines, as the
 * caller tells through `isMaps`). Each scan takes the selected maps file whose name starts with its
 * stem, else a candidate from `besideScan` (files near the scan, best first).
 */
export function pairSelection(selected: string[], isMaps: (p: string) => boolean, besideScan: (scan: string) => string[]): SelectionPairing {
  const scans: string[] = [];
  const maps: string[] = [];
  for (const f of selected) {
    const ext = nodePath.extname(f).toLowerCase();
    if (ext === '.npy') (isMaps(f) ? maps : scans).push(f);
    else if (ext === '.h5' || ext === '.hdf5') (looksLikeTruth(f) ? maps : scans).push(f);
    else if (SCAN_EXT.includes(ext)) {
      // An RPL and its RAW are one scan: keep the .rpl.
      if (ext === '.raw' && selected.some((o) => o.toLowerCase() === f.slice(0, -4).toLowerCase() + '.rpl')) continue;
      scans.push(f);
    } else if (MAP_EXT.includes(ext)) maps.push(f);
  }
  const used = new Set<string>();
  const names = new Set<string>();
  const paintings = scans.map((scan) => {
    const s = stem(scan).toLowerCase();
    const gt = maps.find((m) => !used.has(m) && stem(m).toLowerCase().startsWith(s)) ?? besideScan(scan).find((m) => !used.has(m));
    if (gt) used.add(gt);
    let name = stem(scan);
    for (let i = 2; names.has(name); i++) name = `${stem(scan)}-${i}`;
    names.add(name);
    return { name, scan, ...(gt ? { groundTruth: gt } : {}) };
  });
  return { paintings, unused: maps.filter((m) => !used.has(m)) };
}

/** The config text for paired paintings; paths relative to the config's folder, with forward slashes. */
export function newConfigText(configDir: string, pairing: SelectionPairing): string {
  const rel = (p: string) => nodePath.relative(configDir, p).split(nodePath.sep).join('/');
  const paintings = pairing.paintings.map((p) => ({ name: p.name, scan: rel(p.scan), groundTruth: p.groundTruth ? rel(p.groundTruth) : '' }));
  const config = {
    paintings,
    lines: [...DEFAULT_LINES],
    models: [...EXPERIMENT_MODELS],
    training: { ...DEFAULT_EXPERIMENT_TRAINING },
    protocol: paintings.length > 2 ? { leaveOneOut: true } : { test: paintings[paintings.length - 1]?.name ?? '' },
    outputDir: DEFAULT_OUTPUT_DIR,
  };
  return JSON.stringify(config, null, 2) + '\n';
}

/** The common folder of the selected files (where the config goes). */
export function commonFolder(files: string[]): string {
  if (files.length === 0) return '';
  let dir = nodePath.dirname(files[0]);
  for (const f of files.slice(1)) {
    while (!(nodePath.dirname(f) + nodePath.sep).startsWith(dir.endsWith(nodePath.sep) ? dir : dir + nodePath.sep) && nodePath.dirname(dir) !== dir) {
      dir = nodePath.dirname(dir);
    }
  }
  return dir;
}
