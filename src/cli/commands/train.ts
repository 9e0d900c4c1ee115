/**
 * `xrfmaps train`: trains FCN, FCN+, 1DCNN or 1DCNN+ on scans with ground truth and writes a model
 * folder. Prints the backend and why, then one line per epoch. Ctrl-C cancels cleanly: the best
 * model so far is still saved (exit code 130).
 */
import { parseArgs, numOpt, opt } from '../args';
import { parseModelArch } from '../../core/ml/models';
import { trainModel } from '../../core/ml/train';
import { DEFAULT_TRAIN_SETTINGS, formatEpochEvent, type TrainEvent, type TrainJobInput } from '../../core/ml/jobs';
import { tokenFromSignal } from '../../core/util/progress';
import { backendOpt, calibrationOpt, cancelOnSigint, splitDataset, splitTrainPair } from './cli-ml-common';

export const summary = 'train FCN, FCN+, 1DCNN or 1DCNN+ on scans with ground truth, writing a model folder';

const D = DEFAULT_TRAIN_SETTINGS;
const USAGE = `usage: xrfmaps train --model fcn|fcn+|1dcnn|1dcnn+ --train <scan>=<groundtruth> [--train …] --out <modelDir>
         [--epochs N] [--patience N] [--stride N] [--val 0.2] [--batch N] [--seed N]
         [--backend auto|tensorflow|wasm|cpu] [--threads N] [--lines "Fe K, Pb L"] [--extra-prior "Ti K, Ba L"]
         [--offset keV --gain keV/channel]

  --train     a training scan and its ground truth (repeat for more paintings); an HDF5 scan may be
              given as file.h5::/path/to/dataset
  --out       the model folder to create (must not exist)
  --epochs    at most this many epochs (default ${D.epochs})
  --patience  stop after this many epochs without a better validation aL1 (default ${D.patience})
  --stride    sample every N-th pixel in raster order (default ${D.stride})
  --val       share of the sampled pixels held out for validation (default ${D.valShare})
  --batch     batch size (default ${D.batch})
  --seed      seed for the split, the shuffles and the initial weights (default ${D.seed})
  --backend   tfjs backend (default auto: tensorflow, then wasm, then cpu)
  --threads   threads that share each batch (default 0 = automatic: 1 on tensorflow, else the
              number of cores, at most 8)
  --lines     line families to predict (default: the ground truth's thesis lines, else all of them)
  --extra-prior  more pure spectra in the prior layer of the "+" models (thesis §6.2)
  --offset, --gain  energy calibration for scans whose files carry none`;

function listOpt(v: string | undefined): string[] | undefined {
  if (v === undefined) return undefined;
  const items = v.split(/[,;]/).map((s) => s.trim()).filter((s) => s.length > 0);
  return items.length > 0 ? items : undefined;
}

export async function run(args: string[]): Promise<number> {
  const p = parseArgs(args, {
    options: ['model', 'train', 'out', 'epochs', 'patience', 'stride', 'val', 'batch', 'seed', 'backend', 'threads', 'lines', 'extra-prior', 'offset', 'gain'],
  });
  if (p.flags.has('help')) {
    console.log(USAGE);
    return 0;
  }
  const model = opt(p, 'model');
  const pairs = p.options.get('train') ?? [];
  const out = opt(p, 'out');
  if (!model || pairs.length === 0 || !out || p.positionals.length > 0) {
    console.error(p.positionals.length > 0 ? `unexpected argument "${p.positionals[0]}"\n\n${USAGE}` : USAGE);
    return 2;
  }
  const input: TrainJobInput = {
    model: parseModelArch(model),
    train: pairs.map((pair) => {
      const { scan, groundTruth } = splitTrainPair(pair);
      const s = splitDataset(scan);
      return { scan: s.path, dataset: s.dataset, groundTruth };
    }),
    outDir: out,
    lines: listOpt(opt(p, 'lines')),
    extraPriorLines: listOpt(opt(p, 'extra-prior')),
    calibration: calibrationOpt(p),
    epochs: numOpt(p, 'epochs', D.epochs),
    patience: numOpt(p, 'patience', D.patience),
    stride: numOpt(p, 'stride', D.stride),
    valShare: numOpt(p, 'val', D.valShare),
    batch: numOpt(p, 'batch', D.batch),
    seed: numOpt(p, 'seed', D.seed),
    backend: backendOpt(p),
    threads: numOpt(p, 'threads', D.threads),
  };

  const sigint = cancelOnSigint(() => console.error('\ncancelling after this batch; the best model so far will be saved (Ctrl-C again to quit at once)'));
  try {
    const result = await trainModel(input, {
      token: tokenFromSignal(sigint.signal),
      onEvent: (e: TrainEvent) => {
        if (e.kind === 'backend') console.log(`backend: ${e.name} (${e.reason})`);
        else if (e.kind === 'data') console.log(`data: ${e.trainSamples} training and ${e.valSamples} validation spectra`);
        else if (e.kind === 'epoch') console.log(formatEpochEvent(e));
        else console.log(e.message);
      },
    });
    const best = result.bestEpoch > 0 ? `best epoch ${result.bestEpoch} (validation aL1 ${result.bestValLoss.toFixed(4)})` : 'no epoch finished';
    console.log(`${result.cancelled ? 'cancelled; ' : ''}${result.epochsRun} epochs, ${best}; model in ${result.modelDir}`);
    return result.cancelled ? 130 : 0;
  } finally {
    sigint.dispose();
  }
}
