/**
 * The built-in sample paintings. `icons` mirrors the five Greek icons of the thesis (Table 5.1: size,
 * dwell time; Bruker M6 Jetstream, Rh tube at 50 kV, 4096 channels of 10 eV); `tiny` is a handful of
 * small paintings for tests and first runs, generated in seconds.
 */
import type { Calibration } from '../cube/cube';
import type { DesignOptions } from './scene';

export type PresetName = 'icons' | 'tiny';
export const PRESET_NAMES: readonly PresetName[] = ['icons', 'tiny'];

export interface PaintingSpec {
  name: string;
  title: string;
  /** Rows and columns at scale 1. */
  height: number;
  width: number;
  dwellMs: number;
  design: DesignOptions;
}

export interface Preset {
  name: PresetName;
  description: string;
  channels: number;
  calibration: Calibration;
  tubeKV: number;
  paintings: PaintingSpec[];
}

/**
 * Thesis Table 5.1 gives "Width, Height" as 202, 318 … (their product sums to the 589,068 spectra the
 * thesis counts), so painting 1 is 318 rows × 202 columns, and so on.
 */
const ICONS: Preset = {
  name: 'icons',
  description: 'five panel paintings mirroring thesis Table 5.1 (sizes, dwell times), 4096 channels, Rh tube 50 kV',
  channels: 4096,
  calibration: { offsetKeV: 0, gainKeV: 0.01 },
  tubeKV: 50,
  paintings: [
    { name: 'icon1', title: 'Deesis with saints (mid-19th c.)', width: 202, height: 318, dwellMs: 8,
      design: { goldBackground: true, figures: 3, lossFraction: 0.04, goldWear: 0.3, retouch: false } },
    { name: 'icon2', title: 'St Fanourios (late 19th c.)', width: 350, height: 228, dwellMs: 25,
      design: { goldBackground: false, figures: 1, lossFraction: 0.06, goldWear: 0.2, retouch: true } },
    { name: 'icon3', title: 'St Dionysios (19th c.)', width: 382, height: 272, dwellMs: 20,
      design: { goldBackground: true, figures: 1, lossFraction: 0.05, goldWear: 0.5, retouch: false } },
    { name: 'icon4', title: 'Virgin Hodegetria (mid-18th c.)', width: 564, height: 428, dwellMs: 50,
      design: { goldBackground: true, figures: 2, lossFraction: 0.07, goldWear: 0.25, retouch: true } },
    { name: 'icon5', title: 'St John the Forerunner and a Hierarch, decayed (early 19th c.)', width: 364, height: 274, dwellMs: 20,
      design: { goldBackground: false, figures: 2, lossFraction: 0.3, goldWear: 0.6, retouch: true } },
  ],
};

/**
 * 2048 channels of 20 eV: the same 0–41 keV as the full presets, half the data. Not fewer: the 1DCNN's
 * five stride-2 convolutions and pools need at least ~1400 channels, and every model must train on `tiny`.
 */
const TINY: Preset = {
  name: 'tiny',
  description: 'four small paintings (tens of pixels a side) for tests and first runs, 2048 channels of 20 eV, Rh tube 50 kV',
  channels: 2048,
  calibration: { offsetKeV: 0, gainKeV: 0.02 },
  tubeKV: 50,
  paintings: [
    { name: 'tiny1', title: 'gilded saint', width: 32, height: 40, dwellMs: 20,
      design: { goldBackground: true, figures: 1, lossFraction: 0.05, goldWear: 0.3, retouch: false } },
    { name: 'tiny2', title: 'two figures on a painted sky, retouched', width: 40, height: 30, dwellMs: 25,
      design: { goldBackground: false, figures: 2, lossFraction: 0.06, goldWear: 0.2, retouch: true } },
    { name: 'tiny3', title: 'gilded saint, worn', width: 28, height: 36, dwellMs: 20,
      design: { goldBackground: true, figures: 1, lossFraction: 0.08, goldWear: 0.6, retouch: true } },
    { name: 'tiny4', title: 'decayed panel', width: 36, height: 28, dwellMs: 50,
      design: { goldBackground: false, figures: 1, lossFraction: 0.3, goldWear: 0.5, retouch: false } },
  ],
};

export const PRESETS: Record<PresetName, Preset> = { icons: ICONS, tiny: TINY };

/** Both sides scaled, at least 4 pixels each. */
export function scaledSize(p: PaintingSpec, scale: number): { height: number; width: number } {
  return { height: Math.max(4, Math.round(p.height * scale)), width: Math.max(4, Math.round(p.width * scale)) };
}
