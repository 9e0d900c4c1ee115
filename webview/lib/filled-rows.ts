/**
 * Which rows of a map of a pass still running hold values (the scan editor's preview). Immutable: a
 * `mapRows` makes a new one, so components that cache by identity (the rendered image, the contrast)
 * see the change. Rows not filled are no data: drawn transparent, left out of the contrast, and
 * hovering them shows no value.
 */
export interface FilledRows {
  /** 1 for each filled row, length = the map's height. */
  readonly filled: Uint8Array;
  /** How many rows are filled (grows with each update of a preview, so it keys caches). */
  readonly count: number;
}

export function noRowsFilled(height: number): FilledRows {
  return { filled: new Uint8Array(height), count: 0 };
}

/** `rows` with rows [from, to) filled too (clamped to the map). */
export function withRowsFilled(rows: FilledRows, from: number, to: number): FilledRows {
  const filled = rows.filled.slice();
  filled.fill(1, Math.max(0, from), Math.min(filled.length, to));
  let count = 0;
  for (const f of filled) count += f;
  return { filled, count };
}

export function isRowFilled(rows: FilledRows | undefined, row: number): boolean {
  return !rows || rows.filled[row] === 1;
}

/** The values of the filled rows only, in row order (what the contrast percentiles are taken over). */
export function filledValues(data: Float32Array, rows: FilledRows): Float32Array {
  const height = rows.filled.length;
  const width = height > 0 ? data.length / height : 0;
  const out = new Float32Array(rows.count * width);
  let o = 0;
  for (let r = 0; r < height; r++) {
    if (!rows.filled[r]) continue;
    out.set(data.subarray(r * width, (r + 1) * width), o);
    o += width;
  }
  return out;
}

/** Make the unfilled rows of an RGBA image (width × rows.filled.length) fully transparent. */
export function clearUnfilledRows(rgba: Uint8ClampedArray, width: number, rows: FilledRows): void {
  const stride = 4 * width;
  for (let r = 0; r < rows.filled.length; r++) if (!rows.filled[r]) rgba.fill(0, r * stride, (r + 1) * stride);
}
