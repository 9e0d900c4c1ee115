/** Worker 'predict': runs predictScan off the main thread; rows done/total as progress. */
import { serveJob } from './worker-side';
import { predictScan } from '../core/ml/predict';
import { tokenFromSignal } from '../core/util/progress';
import type { PredictJobInput, PredictJobResult } from '../core/ml/jobs';

serveJob<PredictJobInput, PredictJobResult>((input, ctx) =>
  predictScan(input, { onProgress: (p) => ctx.progress(p), token: tokenFromSignal(ctx.signal) }),
);
