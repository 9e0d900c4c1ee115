/**
 * `xrfmaps simulate --preset <icons|tiny> --out <dir> [--seed N] [--scale S] [--format rpl|npy|hdf5]
 *  [--lines "S K, Ca K, …"] [--workers N] [--only icon1,icon2] [--pileup]`: synthetic paintings with exact ground truth.
 */
import { parseArgs, opt, numOpt } from '../args';
import { simulatePreset, PRESET_NAMES, SCAN_FORMATS, type PresetName, type ScanFormat } from '../../core/simulate/index';

export const summary = 'generate synthetic MA-XRF paintings with exact ground truth (presets: icons, tiny)';

const USAGE = `usage: xrfmaps simulate --preset <${PRESET_NAMES.join('|')}> --out <dir> [options]

  --seed N          random seed (default 1); the same seed gives the same bytes
  --scale S         multiply both sides of every painting by S (default 1)
  --format F        scan format: ${SCAN_FORMATS.join(', ')} (default rpl)
  --lines "A, B"    target line families for the ground truth (default: the thesis's 12)
  --workers N       worker threads (default 2; 0 = none)
  --pileup          add pile-up sum peaks (off by default)
  --only a,b        only these paintings of the preset

Writes, per painting: the scan, <name>_truth.npy (+ .json with the line names) and <name>_pymca/IMAGES
(PyMca's CSV + EDF layout); and manifest.json listing them. Progress goes to stderr.`;

export async function run(args: string[]): Promise<number> {
  const p = parseArgs(args, { options: ['preset', 'out', 'seed', 'scale', 'format', 'lines', 'workers', 'only'], flags: ['pileup'] });
  if (p.flags.has('help')) {
    console.log(USAGE);
    return 0;
  }
  const preset = opt(p, 'preset');
  const out = opt(p, 'out');
  if (!preset || !out) {
    console.error(USAGE);
    return 2;
  }
  if (!PRESET_NAMES.includes(preset as PresetName)) throw new Error(`unknown preset "${preset}" (choose ${PRESET_NAMES.join(', ')})`);
  const format = (opt(p, 'format') ?? 'rpl') as ScanFormat;
  if (!SCAN_FORMATS.includes(format)) throw new Error(`--format must be one of ${SCAN_FORMATS.join(', ')}, got "${format}"`);
  const linesOpt = opt(p, 'lines');
  const lines = linesOpt ? linesOpt.split(/[,;]/).map((s) => s.trim()).filter(Boolean) : undefined;
  const only = opt(p, 'only')?.split(',').map((s) => s.trim()).filter(Boolean);
  const workersOpt = opt(p, 'workers');

  const t0 = performance.now();
  let lastLine = 0;
  const manifest = await simulatePreset(preset as PresetName, {
    outDir: out,
    seed: numOpt(p, 'seed', 1),
    scale: numOpt(p, 'scale', 1),
    format,
    lines,
    only,
    pileup: p.flags.has('pileup'),
    workers: workersOpt === undefined ? undefined : numOpt(p, 'workers', 2),
    onProgress: (pr) => {
      const now = performance.now();
      if (now - lastLine < 500 && pr.done < pr.total) return;
      lastLine = now;
      process.stderr.write(`simulate: ${((100 * pr.done) / Math.max(1, pr.total)).toFixed(0)}% ${pr.message ?? ''}\n`);
    },
  });
  const secs = ((performance.now() - t0) / 1000).toFixed(1);
  for (const m of manifest.paintings) {
    console.log(`${m.name}: ${m.height}×${m.width}×${m.channels}, ${m.dwellMs} ms/pixel, ${m.meanCountsPerPixel.toFixed(0)} counts/pixel → ${m.scan.path}`);
  }
  console.log(`wrote ${manifest.paintings.length} paintings and manifest.json to ${out} in ${secs} s`);
  return 0;
}
