/**
 * How many threads a training or prediction job uses (TrainJobInput.threads, PredictJobInput.threads).
 *
 * tfjs's wasm backend runs on one thread in Node and its cpu backend is single-threaded JavaScript,
 * so on those backends we split every batch over worker threads (parallel-train.ts, predict.ts).
 * The native `tensorflow` backend already uses every core (or a GPU): there, automatic means 1.
 */
import * as os from 'node:os';

/**
 * The automatic thread count's cap. Every helper holds its own copy of the tfjs engine and model
 * (~60-100 MB of wasm heap), and each data-parallel step waits for its slowest shard: beyond ~8
 * shards of a batch of 64 a shard is < 8 spectra, where tfjs's per-op overhead dominates. Users with
 * more cores who want more can ask for them explicitly.
 */
export const MAX_AUTO_THREADS = 8;

export function availableCores(): number {
  return (os as { availableParallelism?: () => number }).availableParallelism?.() ?? os.cpus().length;
}

/** Throws a clear error for a thread count that is not a whole number ≥ 0 (0 = automatic). */
export function checkThreads(threads: number | undefined): void {
  if (threads === undefined) return;
  if (!Number.isInteger(threads) || threads < 0) throw new Error(`threads must be a whole number ≥ 0 (0 = automatic), got ${threads}`);
}

/**
 * The thread count to use: `requested` when it is ≥ 1; else (0 or undefined = automatic) 1 on the
 * native `tensorflow` backend, and min(available cores, MAX_AUTO_THREADS) on wasm and cpu, except
 * when TRAINING the fully connected models (`trainingArch` FCN or FCN+), automatically 1: their
 * compute is small next to their weights (FCN: 2.1 M floats to publish, load and return per step),
 * and 2 threads measured 0.85× one thread for FCN (bench/ml.bench.ts) while 1DCNN+ gained 1.9×.
 */
export function resolveThreads(requested: number | undefined, backendName: string, cores = availableCores(), trainingArch?: string): number {
  checkThreads(requested);
  if (requested && requested >= 1) return requested;
  if (backendName === 'tensorflow') return 1;
  if (trainingArch === 'FCN' || trainingArch === 'FCN+') return 1;
  return Math.max(1, Math.min(cores, MAX_AUTO_THREADS));
}

/** Splits n items into at most `parts` contiguous, non-empty ranges of near-equal size: bounds[0] = 0 … bounds[last] = n. */
export function shardBounds(n: number, parts: number): number[] {
  const m = Math.max(1, Math.min(parts, n));
  return Array.from({ length: m + 1 }, (_, i) => Math.round((i * n) / m));
}
