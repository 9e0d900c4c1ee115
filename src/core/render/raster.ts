/**
 * Drawing into plain RGBA buffers for the figures we write as PNG (docs figures of the simulator, a run's
 * loss curves and map panels): no canvas, no font library, the same output on every machine.
 */
export interface Figure {
  rgba: Uint8ClampedArray;
  width: number;
  height: number;
}

export type RGB = readonly [number, number, number];

/** A white, opaque figure. */
export function blankFigure(width: number, height: number): Figure {
  return { rgba: new Uint8ClampedArray(width * height * 4).fill(255), width, height };
}

/** One opaque pixel at the nearest integer position; outside the figure is ignored. */
export function setPx(f: Figure, x: number, y: number, c: RGB): void {
  x = Math.round(x);
  y = Math.round(y);
  if (x < 0 || y < 0 || x >= f.width || y >= f.height) return;
  const o = 4 * (y * f.width + x);
  f.rgba[o] = c[0];
  f.rgba[o + 1] = c[1];
  f.rgba[o + 2] = c[2];
  f.rgba[o + 3] = 255;
}

/** A straight line, `thick` pixels high (thickened vertically, which is what plot curves need). */
export function drawLine(f: Figure, x0: number, y0: number, x1: number, y1: number, c: RGB, thick = 1): void {
  const n = Math.max(Math.abs(x1 - x0), Math.abs(y1 - y0), 1);
  for (let i = 0; i <= n; i++) {
    const x = x0 + ((x1 - x0) * i) / n;
    const y = y0 + ((y1 - y0) * i) / n;
    for (let d = 0; d < thick; d++) setPx(f, x, y + d - Math.floor(thick / 2), c);
  }
}
