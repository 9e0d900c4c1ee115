/**
 * Worker 'experiment': loads and runs an experiment config off the extension host's main thread
 * (training, prediction and evaluation all run in this worker). Overall progress as progress,
 * ExperimentEvents as events; cancel stops within one batch and keeps what finished.
 */
import { serveJob } from './worker-side';
import { loadExperiment } from '../core/experiment/validate';
import { runExperiment, type RunResult } from '../core/experiment/run';
import { tokenFromSignal } from '../core/util/progress';
import type { ModelArch } from '../core/ml/models';

export interface ExperimentJobInput {
  configPath: string;
  /** Only these models (the palette's "Train 1DCNN+"); default the config's. */
  models?: ModelArch[];
  /** Threads per training/prediction job (`xrfmaps.training.threads`); 0/absent = automatic. */
  threads?: number;
}

serveJob<ExperimentJobInput, RunResult>(async (input, ctx) => {
  const exp = await loadExperiment(input.configPath);
  return runExperiment(exp, {
    models: input.models,
    threads: input.threads,
    token: tokenFromSignal(ctx.signal),
    onProgress: (p) => ctx.progress(p),
    onEvent: (e) => ctx.event(e),
  });
});
