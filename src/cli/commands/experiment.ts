/**
 * `xrfmaps experiment <config.xrfmaps.json> [--models fcn,1dcnn+] [--check]`: runs an experiment
 * config (every held-out painting × every model) into a new run folder and prints the summary tables.
 * `--check` only validates the config and the files it names. Ctrl-C cancels cleanly: what finished
 * is kept and the run is recorded as cancelled (exit code 130).
 */
import { parseArgs, opt } from '../args';
import { promises as fs } from 'node:fs';
import * as path from 'node:path';
import { loadExperiment, parseModelName, progressPrinter, EXPERIMENT_MODELS, SUMMARY_MD, type ModelArchName } from './experiment-common';
import { runExperiment } from '../../core/experiment/run';
import { tokenFromSignal } from '../../core/util/progress';
import { cancelOnSigint } from './cli-ml-common';

export const summary = 'run an experiment config (*.xrfmaps.json): train, predict and evaluate every held-out painting × model';

const USAGE = `usage: xrfmaps experiment <config.xrfmaps.json> [--models fcn,fcn+,1dcnn,1dcnn+] [--check]

  --models   run only these of the models (default: the config's "models")
  --check    validate the config and the files it names, then stop

Writes a new folder <outputDir>/<config-name>-<YYYYMMDD-HHMMSS> with run.json, log.txt, summary.md,
summary.json, and per held-out painting and model: the model, the prediction, metrics.json, loss.png.`;

export async function run(args: string[]): Promise<number> {
  const p = parseArgs(args, { options: ['models'], flags: ['check'] });
  if (p.flags.has('help')) {
    console.log(USAGE);
    return 0;
  }
  if (p.positionals.length !== 1) {
    console.error(USAGE);
    return 2;
  }
  const models = opt(p, 'models')
    ?.split(/[,;]/)
    .map((s) => s.trim())
    .filter(Boolean)
    .map((s): ModelArchName => {
      const m = parseModelName(s);
      if (!m) throw new Error(`--models: unknown model "${s}" (expected ${EXPERIMENT_MODELS.join(', ')})`);
      return m;
    });
  const exp = await loadExperiment(p.positionals[0]);
  for (const w of exp.warnings) console.error(`warning: ${w.message}`);
  if (p.flags.has('check')) {
    console.log(`${p.positionals[0]}: OK (${exp.paintings.length} paintings, ${exp.config.lines.length} line families, models ${(models ?? exp.config.models).join(', ')})`);
    return 0;
  }
  const sigint = cancelOnSigint(() => console.error('\ncancelling after this batch; finished trainings are kept (Ctrl-C again to quit at once)'));
  try {
    const printer = progressPrinter();
    const { runDir, record } = await runExperiment(exp, {
      models,
      token: tokenFromSignal(sigint.signal),
      onEvent: (e) => {
        if (e.kind === 'log') printer.line(e.message);
        if (e.kind === 'run') printer.line(`run folder: ${e.runDir}`);
      },
    });
    console.log('\n' + (await fs.readFile(path.join(runDir, SUMMARY_MD), 'utf8')));
    console.log(`run ${record.status}: ${runDir}`);
    return record.status === 'cancelled' ? 130 : record.status === 'finished' ? 0 : 1;
  } finally {
    sigint.dispose();
  }
}
