/**
 * `xrfmaps evaluate`: predicted maps against ground truth — SSIM, Pearson r, slope α and the
 * absolute z-score shares per line family, with Avg and Total rows (definitions: docs/metrics.md).
 * Prints the thesis-style Markdown tables, or JSON / CSV; --out also writes them to a file.
 */
import { existsSync, promises as fs } from 'node:fs';
import * as nodePath from 'node:path';
import { parseArgs, opt } from '../args';
import { readGroundTruth } from '../../core/groundtruth/read';
import { evaluate, reportToMarkdown, reportToCsv, EvaluationReport } from '../../core/metrics';
import { normalizeLineName } from '../../core/lines';
import { writeFileAtomic } from '../../core/io/atomic';

export const summary = 'compare predicted maps with ground truth: SSIM, Pearson r, slope, z-score shares';

const USAGE = `usage: xrfmaps evaluate --pred <pred> [--pred NAME=<pred> …] --gt <groundtruth>
         [--lines "Fe K,Pb L"] [--json | --csv] [--out <file>] [--force]

  --pred    predicted maps (.npy + <base>.json sidecar, or any ground-truth format); repeat to compare
            several models on one scan, each as NAME=path (the name heads its column)
  --gt      ground truth: .npy + sidecar, PyMca .csv/.edf/.h5 (file.h5::/entry), .tif, or a folder of them
  --lines   evaluate only these families (each must be on both sides); default: all common families
  --json    print JSON: for one prediction the report itself (per family ssim, pearson, slope,
            z {le1, le2, le3, gt3}; average; total); for several, {"models": {NAME: report}}
  --csv     print CSV (one row per model and family, plus Avg and Total)
  --out     also write the output to this file (format from --json/--csv, else by extension
            .json/.csv/.md); refuses to replace an existing file unless --force

Undefined values (r of a flat map, α of an all-zero ground truth) are null in JSON, n/a in tables.`;

function splitNamed(arg: string): { name?: string; path: string } {
  const eq = arg.indexOf('=');
  // NAME=path only when the whole argument is not itself an existing file.
  if (eq > 0 && !existsSync(arg)) return { name: arg.slice(0, eq), path: arg.slice(eq + 1) };
  return { path: arg };
}

function defaultName(path: string): string {
  return nodePath.basename(path).replace(/\.[^.]+$/, '');
}

export async function run(args: string[]): Promise<number> {
  const p = parseArgs(args, { options: ['pred', 'gt', 'lines', 'out'], flags: ['json', 'csv', 'force'] });
  if (p.flags.has('help')) {
    console.log(USAGE);
    return 0;
  }
  const preds = p.options.get('pred') ?? [];
  const gtPath = opt(p, 'gt');
  if (preds.length === 0 || !gtPath || p.positionals.length > 0 || (p.flags.has('json') && p.flags.has('csv'))) {
    console.error(p.positionals.length > 0 ? `unexpected argument "${p.positionals[0]}"\n\n${USAGE}` : USAGE);
    return 2;
  }
  const out = opt(p, 'out');
  if (out && existsSync(out) && !p.flags.has('force')) throw new Error(`${out}: already exists (use --force to replace it)`);
  const linesOpt = opt(p, 'lines');
  const lines = linesOpt ? linesOpt.split(',').map((s) => normalizeLineName(s)) : undefined;

  const gt = await readGroundTruth(gtPath);
  if (gt.ignored?.length) console.error(`${gtPath}: not line families, ignored: ${gt.ignored.join(', ')}`);
  const reports: Record<string, EvaluationReport> = {};
  for (const arg of preds) {
    const { name, path } = splitNamed(arg);
    const label = name ?? defaultName(path);
    if (reports[label]) throw new Error(`two predictions are named "${label}"; name them with --pred NAME=path`);
    const pred = await readGroundTruth(path);
    reports[label] = evaluate(pred, gt, { lines, model: label });
  }
  const names = Object.keys(reports);
  const format = p.flags.has('json') ? 'json' : p.flags.has('csv') ? 'csv' : out && /\.json$/i.test(out) ? 'json' : out && /\.csv$/i.test(out) ? 'csv' : 'md';
  const text =
    format === 'json'
      ? JSON.stringify(names.length === 1 ? reports[names[0]] : { models: reports }, null, 2) + '\n'
      : format === 'csv'
        ? reportToCsv(reports)
        : reportToMarkdown(names.length === 1 ? reports[names[0]] : reports);
  process.stdout.write(text);
  if (out) {
    await fs.mkdir(nodePath.dirname(nodePath.resolve(out)), { recursive: true });
    await writeFileAtomic(out, text);
    console.error(`wrote ${out}`);
  }
  return 0;
}
