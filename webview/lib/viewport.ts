/**
 * Zoom and pan of a map on a canvas, as pure maths (unit-tested). Image coordinates are continuous
 * pixel units: pixel (row r, col c) covers x ∈ [c, c+1), y ∈ [r, r+1). A viewport is the image point
 * at the canvas centre plus a zoom relative to "fit" (zoom 1 = the whole map fits the canvas), so one
 * viewport can be shared by maps drawn on canvases of different sizes (the grid and the enlarged map).
 */
export interface Viewport {
  cx: number;
  cy: number;
  zoom: number;
}

export interface Size {
  width: number;
  height: number;
}

/** At most this many screen pixels per map pixel when zoomed in all the way. */
export const MAX_SCREEN_PX_PER_PIXEL = 64;

export function fitViewport(img: Size): Viewport {
  return { cx: img.width / 2, cy: img.height / 2, zoom: 1 };
}

export function fitScale(img: Size, canvas: Size): number {
  return Math.min(canvas.width / img.width, canvas.height / img.height);
}

/** Screen pixels per image pixel. */
export function scaleOf(vp: Viewport, img: Size, canvas: Size): number {
  return fitScale(img, canvas) * vp.zoom;
}

export function maxZoom(img: Size, canvas: Size): number {
  return Math.max(1, MAX_SCREEN_PX_PER_PIXEL / fitScale(img, canvas));
}

/** The affine map image → screen as (scale, offsetX, offsetY): sx = s·x + ox, sy = s·y + oy. */
export function imageToScreenTransform(vp: Viewport, img: Size, canvas: Size): { s: number; ox: number; oy: number } {
  const s = scaleOf(vp, img, canvas);
  return { s, ox: canvas.width / 2 - vp.cx * s, oy: canvas.height / 2 - vp.cy * s };
}

export function imageToScreen(vp: Viewport, img: Size, canvas: Size, x: number, y: number): { x: number; y: number } {
  const t = imageToScreenTransform(vp, img, canvas);
  return { x: x * t.s + t.ox, y: y * t.s + t.oy };
}

export function screenToImage(vp: Viewport, img: Size, canvas: Size, sx: number, sy: number): { x: number; y: number } {
  const t = imageToScreenTransform(vp, img, canvas);
  return { x: (sx - t.ox) / t.s, y: (sy - t.oy) / t.s };
}

/** The map pixel under a screen point, or undefined off the map. */
export function hitPixel(vp: Viewport, img: Size, canvas: Size, sx: number, sy: number): { row: number; col: number } | undefined {
  const p = screenToImage(vp, img, canvas, sx, sy);
  const col = Math.floor(p.x);
  const row = Math.floor(p.y);
  if (col < 0 || row < 0 || col >= img.width || row >= img.height) return undefined;
  return { row, col };
}

/** Keep the zoom in [1, max] and the centre inside the map, so the map can never be lost off-screen. */
export function clampViewport(vp: Viewport, img: Size, canvas: Size): Viewport {
  const zoom = Math.min(maxZoom(img, canvas), Math.max(1, vp.zoom));
  return {
    cx: Math.min(img.width, Math.max(0, vp.cx)),
    cy: Math.min(img.height, Math.max(0, vp.cy)),
    zoom,
  };
}

/** Zoom by `factor` keeping the image point under (sx, sy) where it is (wheel zoom at the cursor). */
export function zoomAt(vp: Viewport, img: Size, canvas: Size, factor: number, sx: number, sy: number): Viewport {
  const before = screenToImage(vp, img, canvas, sx, sy);
  const zoom = Math.min(maxZoom(img, canvas), Math.max(1, vp.zoom * factor));
  const s = fitScale(img, canvas) * zoom;
  // Solve canvas/2 + (before − c)·s = (sx, sy) for the new centre c.
  const next = { cx: before.x - (sx - canvas.width / 2) / s, cy: before.y - (sy - canvas.height / 2) / s, zoom };
  return clampViewport(next, img, canvas);
}

/** Drag the map by (dx, dy) screen pixels. */
export function panBy(vp: Viewport, img: Size, canvas: Size, dx: number, dy: number): Viewport {
  const s = scaleOf(vp, img, canvas);
  return clampViewport({ cx: vp.cx - dx / s, cy: vp.cy - dy / s, zoom: vp.zoom }, img, canvas);
}

/** Keyboard: + / = zoom in, − zoom out, arrows pan by a tenth of the canvas, 0 resets. Undefined: not ours. */
export function viewportForKey(key: string, vp: Viewport, img: Size, canvas: Size): Viewport | undefined {
  const step = 0.1;
  switch (key) {
    case '+':
    case '=':
      return zoomAt(vp, img, canvas, 1.25, canvas.width / 2, canvas.height / 2);
    case '-':
    case '_':
      return zoomAt(vp, img, canvas, 1 / 1.25, canvas.width / 2, canvas.height / 2);
    case '0':
      return fitViewport(img);
    case 'ArrowLeft':
      return panBy(vp, img, canvas, canvas.width * step, 0);
    case 'ArrowRight':
      return panBy(vp, img, canvas, -canvas.width * step, 0);
    case 'ArrowUp':
      return panBy(vp, img, canvas, 0, canvas.height * step);
    case 'ArrowDown':
      return panBy(vp, img, canvas, 0, -canvas.height * step);
    default:
      return undefined;
  }
}
