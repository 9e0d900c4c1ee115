/**
 * Colormaps as 256-entry RGB lookup tables (Uint8Array of 768 bytes: r, g, b per entry). viridis and
 * inferno are matplotlib's published tables (see colormap-data.ts); gray is the identity ramp.
 */
import { VIRIDIS_HEX, INFERNO_HEX } from './colormap-data';

export type ColormapName = 'viridis' | 'inferno' | 'gray';
export const COLORMAP_NAMES: readonly ColormapName[] = ['viridis', 'inferno', 'gray'];

function fromHex(hex: string): Uint8Array {
  if (hex.length !== 256 * 6) throw new Error(`colormap table must hold 256 RGB entries, got ${hex.length / 6}`);
  const lut = new Uint8Array(768);
  for (let i = 0; i < 768; i++) lut[i] = parseInt(hex.slice(2 * i, 2 * i + 2), 16);
  return lut;
}

function grayRamp(): Uint8Array {
  const lut = new Uint8Array(768);
  for (let i = 0; i < 256; i++) lut[3 * i] = lut[3 * i + 1] = lut[3 * i + 2] = i;
  return lut;
}

const LUTS = new Map<ColormapName, Uint8Array>();

/** The LUT of a colormap (shared; do not modify). Throws for unknown names. */
export function colormapLut(name: ColormapName): Uint8Array {
  let lut = LUTS.get(name);
  if (!lut) {
    if (name === 'viridis') lut = fromHex(VIRIDIS_HEX);
    else if (name === 'inferno') lut = fromHex(INFERNO_HEX);
    else if (name === 'gray') lut = grayRamp();
    else throw new Error(`unknown colormap "${String(name)}" (expected one of ${COLORMAP_NAMES.join(', ')})`);
    LUTS.set(name, lut);
  }
  return lut;
}

/** The colour at t ∈ [0, 1] (clamped; NaN → 0), nearest of the 256 entries. */
export function colormapColor(name: ColormapName, t: number): [number, number, number] {
  const lut = colormapLut(name);
  const i = lutIndex(t);
  return [lut[3 * i], lut[3 * i + 1], lut[3 * i + 2]];
}

export function lutIndex(t: number): number {
  if (!(t > 0)) return 0;
  if (t >= 1) return 255;
  return Math.min(255, Math.floor(t * 256));
}

/** The three LUTs by name (built on first access). */
export const colormaps: Readonly<Record<ColormapName, Uint8Array>> = Object.freeze({
  get viridis() {
    return colormapLut('viridis');
  },
  get inferno() {
    return colormapLut('inferno');
  },
  get gray() {
    return colormapLut('gray');
  },
});
