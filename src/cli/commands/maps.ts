/**
 * `xrfmaps maps <scan> --out maps.npy`: the ROI map of each line in one streaming pass (in the scan
 * session's worker, with the summary cache), written as float32 H×W×n in the given line order, plus
 * `<base>.json` holding {"lines": [...]} (merged into an existing sidecar, never replacing its other
 * keys). Progress goes to stderr; Ctrl-C cancels and writes nothing (exit code 130).
 */
import { promises as fs, existsSync } from 'node:fs';
import * as path from 'node:path';
import { parseArgs, opt } from '../args';
import { DEFAULT_LINES, normalizeLineName } from '../../core/lines';
import { NpyStreamWriter } from '../../core/io/npy-write';
import { writeFileAtomic } from '../../core/io/atomic';
import { sidecarPath } from '../../core/cube/calibration';
import { defaultCacheDir } from '../../core/maps/cache';
import { XrfInputError } from '../../core/errors';
import { cancelOnSigint, cancelledExitCode } from './cancel';
import { ScanSession } from '../../workers/scan-session-client';
import { calibrationFlags } from './scan-common';

export const summary = 'write the ROI maps of a scan as a float32 H×W×n .npy';

const USAGE = `usage: xrfmaps maps <scan> --out <maps.npy> [--lines "Fe K,Pb L"] [--offset-kev X --gain-kev Y]
                    [--dataset /path/in/file] [--no-cache] [--force]

  --out          float32 H×W×n .npy, maps in --lines order; <base>.json beside it names the lines
  --lines        comma-separated line families (default: ${DEFAULT_LINES.join(', ')})
  --offset-kev, --gain-kev
                 calibration to use when neither the file nor its <base>.json sidecar has one
  --dataset      HDF5: the dataset to open instead of the default
  --no-cache     do not read or write the summary cache ($XDG_CACHE_HOME/xrfmaps or ~/.cache/xrfmaps)
  --force        replace --out if it exists`;

export async function run(args: string[]): Promise<number> {
  const p = parseArgs(args, { options: ['out', 'lines', 'offset-kev', 'gain-kev', 'dataset'], flags: ['force', 'no-cache'] });
  if (p.flags.has('help')) {
    console.log(USAGE);
    return 0;
  }
  const out = opt(p, 'out');
  if (p.positionals.length !== 1 || !out) {
    console.error(USAGE);
    return 2;
  }
  const scan = p.positionals[0];
  const linesArg = opt(p, 'lines');
  const lines = linesArg === undefined ? [...DEFAULT_LINES] : linesArg.split(',').map((s) => s.trim()).filter(Boolean).map(normalizeLineName);
  if (lines.length === 0) throw new Error('--lines names no line families');
  if (!out.toLowerCase().endsWith('.npy')) throw new Error(`--out must name a .npy file, got "${out}"`);
  if (path.resolve(out) === path.resolve(scan)) throw new XrfInputError(out, 'is the scan itself; choose another --out');
  if (existsSync(out) && !p.flags.has('force')) throw new Error(`${out}: already exists (use --force to replace it)`);

  const session = await ScanSession.open(scan, {
    dataset: opt(p, 'dataset'),
    calibration: calibrationFlags(p),
    cacheDir: p.flags.has('no-cache') ? undefined : defaultCacheDir(),
  });
  const sigint = cancelOnSigint(() => process.stderr.write('\ncancelling; nothing will be written\n'));
  try {
    const { info } = session;
    const cal = info.calibration;
    process.stderr.write(
      `${scan}: ${info.height}×${info.width}×${info.channels} ${info.dtype}, calibration ${cal.offsetKeV} keV + ${cal.gainKeV} keV/channel (${cal.source})\n`,
    );
    const t0 = performance.now();
    let lastPct = -1;
    const s = await session.summary(lines, {
      signal: sigint.signal,
      onProgress: (pr) => {
        const pct = Math.floor((100 * pr.done) / Math.max(1, pr.total));
        if (pct === lastPct) return;
        lastPct = pct;
        if (process.stderr.isTTY) process.stderr.write(`\rmaps: ${pct} %`);
        else if (pct % 10 === 0 || pr.message === 'from cache') process.stderr.write(`maps: ${pct} %${pr.message === 'from cache' ? ' (from cache)' : ''}\n`);
      },
    });
    if (process.stderr.isTTY) process.stderr.write('\n');

    // Interleave the n maps into H×W×n, one image row at a time.
    const { height: H, width: W } = s;
    const n = lines.length;
    const w = await NpyStreamWriter.open(out, '<f4', [H, W, n]);
    let restoreSidecar: (() => Promise<void>) | undefined;
    try {
      const row = new Float32Array(W * n);
      for (let r = 0; r < H; r++) {
        for (let c = 0; c < W; c++) for (let k = 0; k < n; k++) row[c * n + k] = s.roiMaps[k][r * W + c];
        await w.write(row);
      }
      // The sidecar first: whoever sees the .npy appear also finds its line names.
      restoreSidecar = await writeLinesSidecar(out, lines, scan, s.windows);
      await w.commit();
    } catch (e) {
      await restoreSidecar?.();
      await w.abort();
      throw e;
    }
    const secs = (performance.now() - t0) / 1000;
    console.log(`wrote ${out} (${H}×${W}×${n}: ${lines.join(', ')}) in ${secs.toFixed(1)} s`);
    return 0;
  } catch (e) {
    return cancelledExitCode(e);
  } finally {
    sigint.dispose();
    await session.close();
  }
}

/**
 * `<base>.json` beside the maps: {"lines": [...]} merged into any JSON already there. Returns how to put back
 * what was there before, for when the maps themselves then fail to land.
 */
async function writeLinesSidecar(
  out: string,
  lines: string[],
  scan: string,
  windows: { label: string; loChannel: number; hiChannel: number }[],
): Promise<() => Promise<void>> {
  const file = sidecarPath(out);
  let json: Record<string, unknown> = {};
  let previous: string | undefined;
  try {
    previous = await fs.readFile(file, 'utf8');
    const parsed = JSON.parse(previous);
    if (parsed && typeof parsed === 'object' && !Array.isArray(parsed)) json = parsed;
  } catch {
    // absent or unreadable: start afresh
  }
  json.lines = lines;
  json.scan = path.resolve(scan);
  json.windows = windows;
  await writeFileAtomic(file, JSON.stringify(json, null, 2) + '\n');
  return async () => {
    if (previous === undefined) await fs.rm(file, { force: true });
    else await writeFileAtomic(file, previous);
  };
}
