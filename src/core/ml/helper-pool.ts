/**
 * A small pool of long-lived helper threads for data-parallel training and prediction. Each helper
 * runs one script from src/workers (resolved as runWorkerJob resolves its jobs: the bundled
 * dist/workers/NAME.worker.js, or the TypeScript source under tsx), gets its set-up as workerData,
 * answers `{type: 'ready'}` once it has built/loaded its model, then answers every request with one
 * reply. One request per helper is in flight at a time (the coordinator waits for all shards of a
 * batch before it sends the next).
 *
 * Any helper failure (an error reply, an uncaught exception, an unexpected exit) fails the whole
 * pool: the pending and every later request reject with the helper's message, so the coordinator
 * stops at its next batch. `close()` terminates every helper and resolves once all have exited; the
 * coordinator calls it on completion, cancel and error alike, so no thread outlives its job.
 */
import { Worker } from 'node:worker_threads';
import { workerEntry } from '../../workers/launch';

/** A helper's answers: `ready` once after start, then one `reply` per request, or `error`. */
export type HelperMessage<R> = { type: 'ready' } | { type: 'reply'; reply: R } | { type: 'error'; message: string };

let live = 0;
/** Helper threads started and not yet exited, in this thread (tests check it returns to 0). */
export function liveHelperThreads(): number {
  return live;
}

interface Slot<R> {
  worker: Worker;
  exited: Promise<void>;
  pending?: { resolve: (r: R) => void; reject: (e: Error) => void };
}

export class HelperPool<Req, R> {
  private failure?: Error;
  private closing = false;

  private constructor(
    private readonly what: string,
    private readonly slots: Slot<R>[],
  ) {}

  /**
   * Starts one helper per entry of `inits`, running src/workers/`script`.worker.ts with that entry
   * as workerData, and resolves when all are ready. `what` names them in errors ("training helper 2 failed: …").
   * If one fails to start, all are terminated and the promise rejects.
   */
  static async start<Req, R>(script: string, inits: readonly unknown[], what: string): Promise<HelperPool<Req, R>> {
    const { file, execArgv } = workerEntry(script);
    const slots: Slot<R>[] = [];
    const readies: Promise<void>[] = [];
    let pool: HelperPool<Req, R> | undefined;
    for (let i = 0; i < inits.length; i++) {
      const worker = new Worker(file, { workerData: inits[i], execArgv });
      live++;
      const exited = new Promise<void>((res) => worker.once('exit', () => {
        live--;
        res();
      }));
      const slot: Slot<R> = { worker, exited };
      slots.push(slot);
      readies.push(
        new Promise<void>((resolve, reject) => {
          let ready = false;
          const fail = (message: string) => {
            const e = new Error(`${what} ${i + 1} failed: ${message}`);
            if (!ready) reject(e);
            else pool?.fail(e);
          };
          worker.on('message', (m: HelperMessage<R>) => {
            if (m.type === 'ready') {
              ready = true;
              resolve();
            } else if (m.type === 'reply') {
              const p = slot.pending;
              slot.pending = undefined;
              p?.resolve(m.reply);
            } else fail(m.message);
          });
          worker.on('error', (e) => fail(e.message));
          worker.on('exit', (code) => {
            if (!pool?.closing) fail(`its thread exited (code ${code}) unexpectedly`);
          });
        }),
      );
    }
    pool = new HelperPool<Req, R>(what, slots);
    try {
      await Promise.all(readies);
    } catch (e) {
      await pool.close();
      throw e;
    }
    return pool;
  }

  get size(): number {
    return this.slots.length;
  }

  /** Sends one request to helper `i`; `transfer` hands buffers over without copying them. */
  request(i: number, req: Req, transfer: ArrayBuffer[] = []): Promise<R> {
    if (this.failure) return Promise.reject(this.failure);
    if (this.closing) return Promise.reject(new Error(`${this.what}s are closed`));
    const slot = this.slots[i];
    if (slot.pending) return Promise.reject(new Error(`${this.what} ${i + 1} is busy`));
    return new Promise<R>((resolve, reject) => {
      slot.pending = { resolve, reject };
      slot.worker.postMessage(req, transfer);
    });
  }

  private fail(e: Error): void {
    if (this.closing) return;
    this.failure ??= e;
    for (const s of this.slots) {
      const p = s.pending;
      s.pending = undefined;
      p?.reject(this.failure);
    }
  }

  /** Terminates every helper and waits until all have exited. Idempotent. */
  async close(): Promise<void> {
    if (!this.closing) {
      this.closing = true;
      const err = this.failure ?? new Error(`${this.what}s were closed`);
      for (const s of this.slots) {
        const p = s.pending;
        s.pending = undefined;
        p?.reject(err);
        void s.worker.terminate();
      }
    }
    await Promise.all(this.slots.map((s) => s.exited));
  }
}
