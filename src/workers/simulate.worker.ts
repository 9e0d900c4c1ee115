/** Worker thread for the simulator: renders a set of row blocks of one painting (src/core/simulate/render.ts). */
import { serveJob } from './worker-side';
import { renderRows, type RenderJob, type RenderResult } from '../core/simulate/render';
import { tokenFromSignal } from '../core/util/progress';

serveJob<RenderJob, RenderResult>(
  async (job, ctx) => {
    const total = job.blocks.reduce((s, [a, b]) => s + (b - a), 0);
    let done = 0;
    return renderRows(job, tokenFromSignal(ctx.signal), () => ctx.progress({ done: ++done, total }));
  },
  (r) => [r.truth.buffer as ArrayBuffer],
);
