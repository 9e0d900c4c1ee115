/**
 * What the network sees and what it outputs, recorded in each model's metadata so prediction
 * applies exactly the same transform.
 *
 * The thesis feeds raw counts and regresses raw counts. We keep both in counts but put two fixed,
 * linear scale factors around the network, measured once on the training samples:
 *   network input  = spectrum (counts) × inputScale          (inputScale = 1 / RMS of all channel values)
 *   predicted counts = network output_j × targetScale_j        (targetScale_j = RMS of line j's targets)
 * so the network works with values of order 1 whatever the dwell time or element, which lets Adam at
 * lr 1e-3 converge in few epochs. Both factors are linear, so the prior layer's dot products W·x and
 * x⊙wᵢ are the thesis's up to one constant. The loss aL1 = mean(|y − ŷ| / √y) is computed on counts:
 * the output is multiplied by targetScale inside the loss, never the targets divided.
 *
 * Targets below zero (a PyMca fit can give small negative areas) are clamped to 0 counts, since
 * √y is undefined for them; the number clamped is logged and recorded.
 */

export interface Preprocessing {
  input: { kind: 'scaled-counts'; scale: number };
  target: { kind: 'scaled-counts'; scale: number[] };
  negativeTargets: 'clamped-to-zero';
}

/** Running sums over the training samples, from which the scale factors are taken. */
export class ScaleStats {
  private sumSqX = 0;
  private nX = 0;
  private readonly sumSqY: Float64Array;
  private nY = 0;

  constructor(readonly outputs: number) {
    this.sumSqY = new Float64Array(outputs);
  }

  /** One spectrum, given as the sum of its squared channel values and its length. */
  addSpectrumSumSq(sumSq: number, channels: number): void {
    this.sumSqX += sumSq;
    this.nX += channels;
  }

  addTargets(y: Float32Array, offset: number): void {
    for (let j = 0; j < this.outputs; j++) this.sumSqY[j] += y[offset + j] * y[offset + j];
    this.nY++;
  }

  preprocessing(): Preprocessing {
    const rmsX = this.nX > 0 ? Math.sqrt(this.sumSqX / this.nX) : 0;
    const scale = Array.from(this.sumSqY, (s) => {
      const rms = this.nY > 0 ? Math.sqrt(s / this.nY) : 0;
      // A line absent from every training pixel: keep outputs in counts (scale 1) rather than divide by 0.
      return rms > 0 && Number.isFinite(rms) ? rms : 1;
    });
    return {
      input: { kind: 'scaled-counts', scale: rmsX > 0 && Number.isFinite(rmsX) ? 1 / rmsX : 1 },
      target: { kind: 'scaled-counts', scale },
      negativeTargets: 'clamped-to-zero',
    };
  }
}

/** Multiplies spectra in place by the input scale. */
export function scaleInputs(x: Float32Array, pre: Preprocessing, length = x.length): void {
  const s = pre.input.scale;
  for (let i = 0; i < length; i++) x[i] *= s;
}

/** Converts network outputs (n×k, in place) to counts. */
export function outputsToCounts(y: Float32Array, pre: Preprocessing, length = y.length): void {
  const s = pre.target.scale;
  const k = s.length;
  for (let i = 0; i < length; i++) y[i] *= s[i % k];
}

/** Checks a Preprocessing read back from a model's metadata; returns a problem or undefined. */
export function preprocessingProblem(p: unknown, outputs: number): string | undefined {
  const q = p as Preprocessing | undefined;
  if (!q || q.input?.kind !== 'scaled-counts' || !(q.input.scale > 0)) return 'preprocessing.input is missing or not a positive scale';
  if (q.target?.kind !== 'scaled-counts' || !Array.isArray(q.target.scale) || q.target.scale.length !== outputs) {
    return `preprocessing.target.scale must list ${outputs} factors`;
  }
  if (!q.target.scale.every((v) => typeof v === 'number' && v > 0 && Number.isFinite(v))) return 'preprocessing.target.scale has a non-positive factor';
  return undefined;
}
