/** The subcommands. Add one line per command; each module exports `run` and `summary`. */
export interface CliCommand {
  summary: string;
  run(args: string[]): Promise<number>;
}

export const COMMANDS: Record<string, CliCommand> = {};

// Registered lazily so that `xrfmaps info` does not load TensorFlow.
function lazy(summary: string, load: () => Promise<{ run(args: string[]): Promise<number> }>): CliCommand {
  return { summary, run: async (args) => (await load()).run(args) };
}

// (one line per command, e.g.)
// COMMANDS.info = lazy('print a scan\'s format, shape, dtype and calibration', () => import('./info'));
COMMANDS.train = lazy('train FCN, FCN+, 1DCNN or 1DCNN+ on scans with ground truth, writing a model folder', () => import('./train'));
COMMANDS.predict = lazy('predict elemental maps of a scan with a trained model folder', () => import('./predict'));
COMMANDS.info = lazy("print a scan's format, shape, dtype and energy calibration", () => import('./info'));
COMMANDS.maps = lazy('write the ROI maps of a scan as a float32 H×W×n .npy', () => import('./maps'));
COMMANDS.simulate = lazy('generate synthetic MA-XRF paintings with exact ground truth (presets: icons, tiny)', () => import('./simulate'));
COMMANDS.evaluate = lazy('compare predicted maps with ground truth: SSIM, Pearson r, slope, z-score shares', () => import('./evaluate'));
COMMANDS.experiment = lazy('run an experiment config (*.xrfmaps.json): train, predict and evaluate every held-out painting × model', () => import('./experiment'));
COMMANDS.demo = lazy('simulate the icons preset, train the four models holding out paintings 4 and 5, write tables and figures', () => import('./demo'));
