/**
 * An error about one input file that a user can act on. The message always names the file, so the
 * CLI can print it as is and the editors can show it in their error view.
 */
export class XrfInputError extends Error {
  constructor(
    readonly file: string,
    readonly problem: string,
  ) {
    super(`${file}: ${problem}`);
    this.name = 'XrfInputError';
  }
}

/** Thrown by long jobs when their cancellation token fires; callers treat it as a normal end. */
export class CancelledError extends Error {
  constructor(message = 'cancelled') {
    super(message);
    this.name = 'CancelledError';
  }
}

export function isCancelled(e: unknown): e is CancelledError {
  return e instanceof Error && e.name === 'CancelledError';
}
