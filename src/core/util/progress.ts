import { CancelledError } from '../errors';

/** Progress of a long job: `done` of `total` units, with an optional human message. */
export interface Progress {
  done: number;
  total: number;
  message?: string;
}

export type ProgressSink = (p: Progress) => void;

/**
 * Cooperative cancellation. Long loops call `throwIfCancelled()` once per block or batch, so a
 * cancel takes effect within one unit of work. Backed by an AbortSignal so it composes with Node APIs.
 */
export interface CancelToken {
  readonly cancelled: boolean;
  throwIfCancelled(): void;
}

export function tokenFromSignal(signal?: AbortSignal): CancelToken {
  return {
    get cancelled() {
      return signal?.aborted ?? false;
    },
    throwIfCancelled() {
      if (signal?.aborted) throw new CancelledError();
    },
  };
}

export const NEVER_CANCELLED: CancelToken = tokenFromSignal(undefined);
