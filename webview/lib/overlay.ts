/**
 * Scaling a line family's pure spectrum onto a pixel's spectrum for the overlay.
 *
 * Choice: scale so the overlay's counts in the family's ROI window equal the pixel's counts there,
 * i.e. the overlay carries exactly the value that pixel has in the family's map. A user reads it as
 * "this is what the map counts as Fe K here"; where the window also holds background or a neighbour's
 * peak, the overlay visibly overshoots the other lines of the family, which is the useful warning.
 * (A least-squares fit of one pure spectrum against the whole pixel would be pulled by every other
 * element's peaks.)
 */
export function roiScaleFactor(pure: ArrayLike<number>, pixel: ArrayLike<number>, loChannel: number, hiChannel: number): number {
  let p = 0;
  let s = 0;
  const hi = Math.min(hiChannel, pure.length, pixel.length);
  for (let i = Math.max(0, loChannel); i < hi; i++) {
    p += pure[i];
    s += pixel[i];
  }
  if (!(p > 0) || !(s > 0)) return 0;
  return s / p;
}

export function scaledOverlay(pure: Float32Array, factor: number): Float32Array {
  const out = new Float32Array(pure.length);
  for (let i = 0; i < pure.length; i++) out[i] = pure[i] * factor;
  return out;
}
