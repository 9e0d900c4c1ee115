/**
 * Worker 'evaluate': reads maps files and computes the metrics off the main thread (the maps editor's
 * `read`, the results view's `evaluate`; see src/host/evaluate/job.ts). Maps come back transferred.
 */
import { serveJob } from './worker-side';
import { mapsJob, transferablesOf, type MapsJobInput, type MapsJobResult } from '../host/evaluate/job';
import { tokenFromSignal } from '../core/util/progress';

serveJob<MapsJobInput, MapsJobResult>(
  (input, ctx) => mapsJob(input, { token: tokenFromSignal(ctx.signal), onProgress: (p) => ctx.progress(p) }),
  transferablesOf,
);
