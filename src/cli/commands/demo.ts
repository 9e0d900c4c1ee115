/**
 * `xrfmaps demo --out <dir> [--quick]` (`npm run demo`): simulates the icons preset at a small scale,
 * trains FCN, FCN+, 1DCNN and 1DCNN+ with a short schedule holding out paintings 4 and 5 in turn, and
 * writes the thesis-style tables and figures into <dir>, printing the tables at the end. The folder
 * opens in VS Code as an example workspace. Ctrl-C cancels cleanly (what finished is kept).
 */
import { promises as fs } from 'node:fs';
import * as path from 'node:path';
import { parseArgs, opt, numOpt } from '../args';
import { runDemo, DEMO_FULL, DEMO_QUICK, type DemoSettings } from '../../core/experiment/demo';
import { parseBackendPref } from '../../core/ml/backend';
import { tokenFromSignal } from '../../core/util/progress';
import { formatDuration } from '../../core/ml/jobs';
import { cancelOnSigint } from './cli-ml-common';
import { parseModelName, progressPrinter, EXPERIMENT_MODELS, SUMMARY_MD } from './experiment-common';

export const summary = 'simulate the icons preset, train the four models holding out paintings 4 and 5, write tables and figures';

const F = DEMO_FULL;
const USAGE = `usage: xrfmaps demo --out <dir> [--quick] [options]

  --quick        a tiny version for tests: scale ${DEMO_QUICK.scale}, ${DEMO_QUICK.epochs} epoch (a minute or two)
  --scale S      size of the simulated paintings (default ${F.scale})
  --epochs N     at most N epochs for every model (default ${F.epochs}, patience ${F.patience}; FCN ${F.perModel.FCN?.epochs}, FCN+ ${F.perModel['FCN+']?.epochs})
  --stride N     train on every N-th pixel (default ${F.stride})
  --models list  only these models (default ${F.models.join(',')})
  --backend B    auto, tensorflow, wasm or cpu (default auto)

The folder gets the simulated data (data/), the experiment config, and a run folder under runs/ with
summary.md (the tables), figures (maps, z-scores, loss curves), models and predictions. Run it again
to add a new run; nothing is overwritten.`;

export async function run(args: string[]): Promise<number> {
  const p = parseArgs(args, { options: ['out', 'scale', 'epochs', 'stride', 'patience', 'models', 'backend'], flags: ['quick'] });
  if (p.flags.has('help')) {
    console.log(USAGE);
    return 0;
  }
  const out = opt(p, 'out');
  if (!out || p.positionals.length > 0) {
    console.error(USAGE);
    return 2;
  }
  const base = p.flags.has('quick') ? DEMO_QUICK : DEMO_FULL;
  const modelsOpt = opt(p, 'models');
  // An explicit --epochs sets every model's schedule (the per-model ones are dropped).
  const settings: DemoSettings = {
    ...base,
    perModel: opt(p, 'epochs') !== undefined ? {} : base.perModel,
    scale: numOpt(p, 'scale', base.scale),
    epochs: numOpt(p, 'epochs', base.epochs),
    stride: numOpt(p, 'stride', base.stride),
    patience: numOpt(p, 'patience', base.patience),
    backend: parseBackendPref(opt(p, 'backend') ?? base.backend),
    models: modelsOpt
      ? modelsOpt.split(/[,;]/).map((s) => {
          const m = parseModelName(s);
          if (!m) throw new Error(`--models: unknown model "${s}" (expected ${EXPERIMENT_MODELS.join(', ')})`);
          return m;
        })
      : base.models,
  };
  const printer = progressPrinter();
  printer.line(`demo: ${settings.preset} at scale ${settings.scale}, models ${settings.models.join(', ')}, ${settings.heldOut.join(' and ')} held out in turn, up to ${settings.epochs} epochs`);
  const sigint = cancelOnSigint(() => console.error('\ncancelling after this batch; finished trainings are kept (Ctrl-C again to quit at once)'));
  let lastSim = 0;
  try {
    const result = await runDemo({
      outDir: out,
      settings,
      token: tokenFromSignal(sigint.signal),
      onLog: (s) => printer.line(s),
      onProgress: (stage, pr) => {
        if (stage !== 'simulate') return;
        const now = Date.now();
        if (now - lastSim < 3000 && pr.done < pr.total) return;
        lastSim = now;
        printer.line(`simulate: ${((100 * pr.done) / Math.max(1, pr.total)).toFixed(0)}% ${pr.message ?? ''}`);
      },
    });
    const md = await fs.readFile(path.join(result.runDir, SUMMARY_MD), 'utf8');
    console.log('\n' + md);
    console.log(`demo ${result.record.status} in ${formatDuration(printer.elapsed())}: tables in ${path.join(result.runDir, SUMMARY_MD)}`);
    console.log(`open ${path.resolve(out)} in VS Code to browse the scans, the config and the run.`);
    return result.record.status === 'cancelled' ? 130 : result.record.status === 'finished' ? 0 : 1;
  } finally {
    sigint.dispose();
  }
}
