/**
 * The thesis's absolute z-score palette (Figure 5.4): |z| in (0, 1] white, (1, 2] yellow, (2, 3] orange,
 * above 3 red; NaN (no data, e.g. zero uncertainty) black. |z| = 0 counts as the first bin.
 */
export const Z_SCORE_BINS = ['(0,1]', '(1,2]', '(2,3]', '>3', 'no data'] as const;
export type ZScoreBin = 0 | 1 | 2 | 3 | 4;

export const Z_SCORE_RGB: readonly (readonly [number, number, number])[] = [
  [255, 255, 255], // (0,1]  white
  [255, 255, 0], // (1,2]  yellow
  [255, 165, 0], // (2,3]  orange
  [255, 0, 0], // >3     red
  [0, 0, 0], // no data black
];

/** Bin index of a z-score (sign ignored): 0..3 as above, 4 for NaN. */
export function zScoreBin(z: number): ZScoreBin {
  if (Number.isNaN(z)) return 4;
  const a = Math.abs(z);
  if (a <= 1) return 0;
  if (a <= 2) return 1;
  if (a <= 3) return 2;
  return 3;
}

export function zScoreColor(z: number): readonly [number, number, number] {
  return Z_SCORE_RGB[zScoreBin(z)];
}

/** RGBA image of a z-score map (opaque). */
export function renderZScoreRGBA(z: Float32Array | Float64Array, width: number, height: number): Uint8ClampedArray {
  if (z.length !== width * height) throw new RangeError(`z-score map holds ${z.length} values, ${width}×${height} needs ${width * height}`);
  const out = new Uint8ClampedArray(z.length * 4);
  for (let i = 0; i < z.length; i++) {
    const c = Z_SCORE_RGB[zScoreBin(z[i])];
    out[4 * i] = c[0];
    out[4 * i + 1] = c[1];
    out[4 * i + 2] = c[2];
    out[4 * i + 3] = 255;
  }
  return out;
}
