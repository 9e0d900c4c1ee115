/**
 * The protocol as folds (thesis §5.2, leave-one-out): each held-out painting is one fold, whose test
 * set is that whole painting (never sampled for training) and whose training pixels come from all the
 * other paintings. Every model of the config is trained and evaluated once per fold.
 */
import type { ExperimentConfig, PaintingConfig } from './config';

export interface Fold {
  /** The held-out painting's name. */
  test: string;
  /** The paintings training pixels are drawn from, in config order. */
  train: string[];
}

export function planFolds(config: Pick<ExperimentConfig, 'paintings' | 'protocol'>): Fold[] {
  const names = config.paintings.map((p: PaintingConfig) => p.name);
  const heldOut = config.protocol.kind === 'leaveOneOut' ? names : config.protocol.heldOut.filter((n) => names.includes(n));
  return heldOut.map((test) => ({ test, train: names.filter((n) => n !== test) }));
}
