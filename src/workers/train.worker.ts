/** Worker 'train': runs trainModel off the main thread; epochs as progress, TrainEvents as events. */
import { serveJob } from './worker-side';
import { trainModel } from '../core/ml/train';
import { tokenFromSignal } from '../core/util/progress';
import type { TrainJobInput, TrainJobResult } from '../core/ml/jobs';

serveJob<TrainJobInput, TrainJobResult>((input, ctx) =>
  trainModel(input, { onEvent: (e) => ctx.event(e), onProgress: (p) => ctx.progress(p), token: tokenFromSignal(ctx.signal) }),
);
