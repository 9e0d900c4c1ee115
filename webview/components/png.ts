/** Canvas → PNG bytes, for "Export PNG" (the host asks where and writes the file). */

export async function canvasToPng(canvas: HTMLCanvasElement): Promise<Uint8Array> {
  const blob = await new Promise<Blob | null>((resolve) => canvas.toBlob(resolve, 'image/png'));
  if (!blob) throw new Error('the figure could not be encoded as PNG');
  return new Uint8Array(await blob.arrayBuffer());
}

/** An RGBA image at its own size on a fresh canvas (maps export at one pixel per map pixel). */
export function rgbaCanvas(rgba: Uint8ClampedArray, width: number, height: number): HTMLCanvasElement {
  const c = document.createElement('canvas');
  c.width = width;
  c.height = height;
  c.getContext('2d')!.putImageData(new ImageData(rgba as Uint8ClampedArray<ArrayBuffer>, width, height), 0, 0);
  return c;
}

/** A theme colour from a --vscode-* variable, with a fallback for pages outside VS Code. */
export function themeColor(el: Element, variable: string, fallback: string): string {
  const v = getComputedStyle(el).getPropertyValue(variable).trim();
  return v || fallback;
}

/** Typed arrays may arrive as plain buffers from some transports. */
export function asF32(x: unknown): Float32Array {
  if (x instanceof Float32Array) return x;
  if (x instanceof ArrayBuffer) return new Float32Array(x);
  if (ArrayBuffer.isView(x)) return new Float32Array(x.buffer, x.byteOffset, x.byteLength / 4);
  return Float32Array.from(x as ArrayLike<number>);
}
