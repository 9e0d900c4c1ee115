/**
 * Elemental maps of one painting: ground truth (PyMca fits, simulator truth) or predictions. Every
 * reader (PyMca CSV/EDF/HDF5, NPY + sidecar, TIFF) returns this shape.
 */
export interface MapStack {
  /** The file it came from (for error messages and titles). */
  path: string;
  height: number;
  width: number;
  /** Normalized line-family names ("Fe K"), one per map, in file order. */
  lines: string[];
  /** One H·W row-major float32 map per line. */
  maps: Float32Array[];
  /** 1σ uncertainties per map where the file has them (PyMca's s(Fe_K) columns, `uncertainties`). */
  uncertainties?: (Float32Array | undefined)[];
  /**
   * What the file holds besides line-family maps and their uncertainties (PyMca's "chisq",
   * "Scatter_Compton000", "w(Fe_K)" …): listed so the user can see it was seen, then ignored.
   */
  ignored?: string[];
}

/** The map of one line family, or undefined. `line` in any spelling. */
export function mapOf(stack: MapStack, normalizedLine: string): Float32Array | undefined {
  const i = stack.lines.indexOf(normalizedLine);
  return i < 0 ? undefined : stack.maps[i];
}
