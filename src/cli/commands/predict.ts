/**
 * `xrfmaps predict`: runs a model folder over a scan and writes float32 H×W×k maps (.npy, the
 * model's line order) with a `<base>.json` sidecar naming the lines. Refuses to overwrite an
 * existing --out unless --force. Ctrl-C cancels and leaves no output (exit code 130).
 */
import { existsSync } from 'node:fs';
import { parseArgs, numOpt, opt } from '../args';
import { predictScan } from '../../core/ml/predict';
import { tokenFromSignal } from '../../core/util/progress';
import { backendOpt, calibrationOpt, splitDataset } from './cli-ml-common';
import { cancelOnSigint, cancelledExitCode } from './cancel';

export const summary = 'predict elemental maps of a scan with a trained model folder';

const USAGE = `usage: xrfmaps predict --model <modelDir> --scan <scan> --out <pred.npy>
         [--backend auto|tensorflow|wasm|cpu] [--threads N] [--offset keV --gain keV/channel] [--force]

  --scan    the scan (an HDF5 scan may be given as file.h5::/path/to/dataset)
  --out     the maps to write: float32 H×W×k .npy, plus <base>.json naming the lines
  --force   replace --out if it exists
  --threads threads that share each row block (default 0 = automatic: 1 on tensorflow, else the
            number of cores, at most 8)
  --offset, --gain  energy calibration for a scan whose file carries none`;

export async function run(args: string[]): Promise<number> {
  const p = parseArgs(args, { options: ['model', 'scan', 'out', 'backend', 'threads', 'offset', 'gain'], flags: ['force'] });
  if (p.flags.has('help')) {
    console.log(USAGE);
    return 0;
  }
  const modelDir = opt(p, 'model');
  const scanArg = opt(p, 'scan');
  const out = opt(p, 'out');
  if (!modelDir || !scanArg || !out || p.positionals.length > 0) {
    console.error(p.positionals.length > 0 ? `unexpected argument "${p.positionals[0]}"\n\n${USAGE}` : USAGE);
    return 2;
  }
  if (existsSync(out) && !p.flags.has('force')) throw new Error(`${out}: already exists (use --force to replace it)`);
  const scan = splitDataset(scanArg);
  const sigint = cancelOnSigint(() => console.error('\ncancelling; no output will be written'));
  let lastPct = -1;
  try {
    const r = await predictScan(
      { modelDir, scan: scan.path, dataset: scan.dataset, out, calibration: calibrationOpt(p), backend: backendOpt(p), threads: numOpt(p, 'threads', 0) },
      {
        token: tokenFromSignal(sigint.signal),
        onProgress: (pr) => {
          const pct = Math.floor((100 * pr.done) / Math.max(1, pr.total));
          if (process.stderr.isTTY && pct !== lastPct) process.stderr.write(`\rpredicting: ${pct} %`);
          lastPct = pct;
        },
      },
    );
    if (process.stderr.isTTY) process.stderr.write('\n');
    console.log(`wrote ${r.out} (${r.height}×${r.width}×${r.lines.length}: ${r.lines.join(', ')}) in ${r.seconds.toFixed(1)} s`);
    return 0;
  } catch (e) {
    return cancelledExitCode(e);
  } finally {
    sigint.dispose();
  }
}
