/**
 * Ctrl-C as a clean cancel for the long CLI commands (maps, train, predict, …): the first one aborts
 * the run, which then writes nothing (exit code 130); a second one exits at once.
 */
import { isCancelled } from '../../core/errors';

/** First Ctrl-C aborts the returned signal (a clean cancel); a second one exits at once. */
export function cancelOnSigint(onFirst: () => void): { signal: AbortSignal; dispose(): void } {
  const ac = new AbortController();
  const second = () => process.exit(130);
  const first = () => {
    onFirst();
    ac.abort();
    process.once('SIGINT', second);
  };
  process.once('SIGINT', first);
  return {
    signal: ac.signal,
    dispose() {
      process.removeListener('SIGINT', first);
      process.removeListener('SIGINT', second);
    },
  };
}

/** For a command's catch: a cancelled run says so and exits 130; anything else is thrown on. */
export function cancelledExitCode(e: unknown, said = 'cancelled; nothing written'): number {
  if (!isCancelled(e)) throw e;
  console.error(said);
  return 130;
}
