/**
 * Options shared by `xrfmaps train` and `xrfmaps predict`: the calibration fallback, the backend,
 * "scan.h5::/dataset" paths, and Ctrl-C as a clean cancel.
 */
import { existsSync } from 'node:fs';
import type { Calibration } from '../../core/cube/cube';
import { parseBackendPref, type BackendPref } from '../../core/ml/backend';
import { numOpt, opt, type ParsedArgs } from '../args';

// Ctrl-C handling lives in ./cancel.ts (the maps command uses it too); re-exported for the ML commands.
export { cancelOnSigint } from './cancel';

export function backendOpt(p: ParsedArgs): BackendPref {
  return parseBackendPref(opt(p, 'backend') ?? 'auto');
}

/** --offset/--gain (keV, keV per channel): used only for scans whose files carry no calibration. */
export function calibrationOpt(p: ParsedArgs): Calibration | undefined {
  const hasOffset = opt(p, 'offset') !== undefined;
  const hasGain = opt(p, 'gain') !== undefined;
  if (!hasOffset && !hasGain) return undefined;
  const cal = { offsetKeV: numOpt(p, 'offset', 0), gainKeV: numOpt(p, 'gain', 0.01) };
  if (!(cal.gainKeV > 0)) throw new Error(`--gain must be positive (keV per channel), got ${cal.gainKeV}`);
  return cal;
}

/** "file.h5::/entry/data" → file and dataset path; other paths pass through. */
export function splitDataset(p: string): { path: string; dataset?: string } {
  const i = p.indexOf('::');
  return i < 0 ? { path: p } : { path: p.slice(0, i), dataset: p.slice(i + 2) || undefined };
}

/**
 * "<scan>=<groundtruth>": split at the first '=' whose left side is an existing file, so paths that
 * contain '=' still work; else at the first '='.
 */
export function splitTrainPair(arg: string): { scan: string; groundTruth: string } {
  const cuts: number[] = [];
  for (let i = arg.indexOf('='); i >= 0; i = arg.indexOf('=', i + 1)) cuts.push(i);
  if (cuts.length === 0) throw new Error(`--train needs <scan>=<groundtruth>, got "${arg}"`);
  const cut = cuts.find((i) => existsSync(splitDataset(arg.slice(0, i)).path)) ?? cuts[0];
  const scan = arg.slice(0, cut);
  const groundTruth = arg.slice(cut + 1);
  if (!scan || !groundTruth) throw new Error(`--train needs <scan>=<groundtruth>, got "${arg}"`);
  return { scan, groundTruth };
}

