import { parentPort, workerData } from 'node:worker_threads';
import type { FromWorker, ToWorker } from './launch';
import type { Progress } from '../core/util/progress';

/**
 * The worker half of runWorkerJob: wires cancel messages to an AbortSignal, and reports progress,
 * events, the result or the error. A job's file is then one call: `serveJob(async (input, ctx) => …)`.
 */
export interface JobContext {
  signal: AbortSignal;
  progress(p: Progress): void;
  /** `transfer`: ArrayBuffers in `e` to move to the caller instead of copying. */
  event(e: unknown, transfer?: ArrayBuffer[]): void;
}

export function serveJob<I, R>(job: (input: I, ctx: JobContext) => Promise<R>, transferOf?: (r: R) => ArrayBuffer[]): void {
  const port = parentPort;
  if (!port) throw new Error('serveJob must run inside a worker thread');
  const ac = new AbortController();
  port.on('message', (m: ToWorker) => {
    if (m.type === 'cancel') ac.abort();
  });
  const post = (m: FromWorker, transfer?: ArrayBuffer[]) => port.postMessage(m, transfer);
  let lastProgress = 0;
  const ctx: JobContext = {
    signal: ac.signal,
    progress(p) {
      // Throttle to ~20 messages/s; the last one (done === total) always goes through.
      const now = Date.now();
      if (p.done < p.total && now - lastProgress < 50) return;
      lastProgress = now;
      post({ type: 'progress', progress: p });
    },
    event(e, transfer) {
      post({ type: 'event', event: e }, transfer);
    },
  };
  job(workerData as I, ctx).then(
    (result) => {
      post({ type: 'result', result }, transferOf?.(result));
      port.close();
    },
    (e: unknown) => {
      const err = e instanceof Error ? e : new Error(String(e));
      post({ type: 'error', name: err.name, message: err.message, stack: err.stack });
      port.close();
    },
  );
}
