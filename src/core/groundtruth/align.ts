/**
 * Pairing a prediction with its ground truth: same size, and the line families both have, in the
 * ground truth's order. Families only one side has are reported and left out; families the caller
 * asks for by name must be on both sides.
 */
import { XrfInputError } from '../errors';
import { normalizeLineName } from '../lines';
import type { MapStack } from './groundtruth';

export interface Alignment {
  /** Families in both stacks, in ground-truth order. */
  lines: string[];
  /** Families only the prediction has (ignored). */
  extraInPred: string[];
  /** Families only the ground truth has (ignored). */
  extraInGt: string[];
}

export function alignStacks(pred: MapStack, gt: MapStack, opts?: { lines?: string[] }): Alignment {
  if (pred.height !== gt.height || pred.width !== gt.width) {
    throw new XrfInputError(
      pred.path,
      `prediction is ${pred.height}×${pred.width} (H×W) but the ground truth ${gt.path} is ${gt.height}×${gt.width}`,
    );
  }
  if (opts?.lines) {
    const wanted = opts.lines.map(normalizeLineName);
    const notInPred = wanted.filter((l) => !pred.lines.includes(l));
    const notInGt = wanted.filter((l) => !gt.lines.includes(l));
    if (notInPred.length) throw new XrfInputError(pred.path, `has no map for ${notInPred.join(', ')} (it has ${pred.lines.join(', ')})`);
    if (notInGt.length) throw new XrfInputError(gt.path, `has no map for ${notInGt.join(', ')} (it has ${gt.lines.join(', ')})`);
    const order = gt.lines.filter((l) => wanted.includes(l));
    return {
      lines: order,
      extraInPred: pred.lines.filter((l) => !wanted.includes(l)),
      extraInGt: gt.lines.filter((l) => !wanted.includes(l)),
    };
  }
  const lines = gt.lines.filter((l) => pred.lines.includes(l));
  if (lines.length === 0) {
    throw new XrfInputError(
      pred.path,
      `shares no line family with the ground truth ${gt.path} (prediction: ${pred.lines.join(', ')}; ground truth: ${gt.lines.join(', ')})`,
    );
  }
  return {
    lines,
    extraInPred: pred.lines.filter((l) => !gt.lines.includes(l)),
    extraInGt: gt.lines.filter((l) => !pred.lines.includes(l)),
  };
}
