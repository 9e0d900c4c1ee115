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
