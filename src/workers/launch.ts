import { Worker } from 'node:worker_threads';
import * as path from 'node:path';
import { existsSync } from 'node:fs';
import type { Progress } from '../core/util/progress';
import { CancelledError } from '../core/errors';

/**
 * Messages between a job's caller and its worker thread. A worker posts any number of `progress`
 * (and job-specific `event`) messages, then exactly one `result` or `error`. The caller may post
 * `cancel` at any time; the worker stops at its next block/batch boundary and replies `error`
 * with name 'CancelledError' (or `result`, for jobs that keep partial work such as training).
 */
export type ToWorker = { type: 'cancel' };
export type FromWorker =
  | { type: 'progress'; progress: Progress }
  | { type: 'event'; event: unknown }
  | { type: 'result'; result: unknown }
  | { type: 'error'; name: string; message: string; stack?: string };

export interface JobOptions {
  onProgress?: (p: Progress) => void;
  onEvent?: (e: unknown) => void;
  signal?: AbortSignal;
  /** Transferables for the input (e.g. ArrayBuffers). */
  transfer?: readonly ArrayBuffer[];
}

/**
 * Where a worker's code lives: next to the bundle (dist/workers/NAME.worker.js) when running built
 * code; the TypeScript source under tsx in tests and dev scripts.
 */
export function workerEntry(name: string): { file: string; execArgv: string[] } {
  const bundled = path.join(__dirname, 'workers', `${name}.worker.js`);
  if (!__filename.endsWith('.ts') && existsSync(bundled)) return { file: bundled, execArgv: [] };
  const sibling = path.join(__dirname, `${name}.worker.js`); // when this file itself is dist/workers/*.js
  if (!__filename.endsWith('.ts') && existsSync(sibling)) return { file: sibling, execArgv: [] };
  const source = path.resolve(__dirname, '..', '..', 'src', 'workers', `${name}.worker.ts`);
  const local = path.join(__dirname, `${name}.worker.ts`);
  // `--require tsx/cjs`, not `--import tsx`: on Node 20 a worker started with `--import tsx` still
  // fails on its .ts entry ("Unknown file extension .ts"); the CJS hook works (this is a CJS project).
  return { file: existsSync(local) ? local : source, execArgv: ['--require', 'tsx/cjs'] };
}

/** Run one job in a fresh worker thread; resolves with its result, rejects with its error. */
export function runWorkerJob<I, R>(name: string, input: I, opts: JobOptions = {}): Promise<R> {
  const { file, execArgv } = workerEntry(name);
  return new Promise<R>((resolve, reject) => {
    const worker = new Worker(file, { workerData: input, execArgv, transferList: opts.transfer as ArrayBuffer[] | undefined });
    let settled = false;
    const finish = (f: () => void) => {
      if (settled) return;
      settled = true;
      opts.signal?.removeEventListener('abort', onAbort);
      f();
      void worker.terminate();
    };
    const onAbort = () => worker.postMessage({ type: 'cancel' } satisfies ToWorker);
    if (opts.signal?.aborted) onAbort();
    else opts.signal?.addEventListener('abort', onAbort);
    worker.on('message', (m: FromWorker) => {
      if (m.type === 'progress') opts.onProgress?.(m.progress);
      else if (m.type === 'event') opts.onEvent?.(m.event);
      else if (m.type === 'result') finish(() => resolve(m.result as R));
      else if (m.type === 'error') {
        const e = m.name === 'CancelledError' ? new CancelledError(m.message) : new Error(m.message);
        if (m.name !== 'CancelledError') e.name = m.name;
        finish(() => reject(e));
      }
    });
    worker.on('error', (e) => finish(() => reject(e)));
    worker.on('exit', (code) => finish(() => reject(new Error(`worker ${name} exited with code ${code} before answering`))));
  });
}
