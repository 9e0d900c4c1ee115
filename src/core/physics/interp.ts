/**
 * Log-log interpolation on a tabulated energy grid (cross sections are close to power laws between
 * absorption edges). Grids carry a point just below and just above every edge, so a segment never
 * spans a jump. A segment with a zero end (a production cross section below its edge) is
 * interpolated linearly instead. Outside the grid the end segment is extended.
 */
export function interpLogLog(energies: ArrayLike<number>, values: ArrayLike<number>, e: number): number {
  const n = energies.length;
  let i: number;
  if (e <= energies[0]) i = 0;
  else if (e >= energies[n - 1]) i = n - 2;
  else {
    let lo = 0;
    let hi = n - 1;
    while (hi - lo > 1) {
      const mid = (lo + hi) >> 1;
      if (energies[mid] <= e) lo = mid;
      else hi = mid;
    }
    i = lo;
  }
  const e0 = energies[i];
  const e1 = energies[i + 1];
  const y0 = values[i];
  const y1 = values[i + 1];
  if (!(e1 > e0)) return e < e1 ? y0 : y1; // coincident points (an edge pair collapsed in float32)
  if (y0 <= 0 || y1 <= 0) {
    if (e <= e0) return y0;
    if (e >= e1) return y1;
    return y0 + ((y1 - y0) * (e - e0)) / (e1 - e0);
  }
  const t = Math.log(e / e0) / Math.log(e1 / e0);
  return Math.exp(Math.log(y0) + t * Math.log(y1 / y0));
}
