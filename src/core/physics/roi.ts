/**
 * Default region-of-interest windows of line families, the windows the streaming pass sums into maps.
 *
 * Choice: centred on the family's α group (Kα1,2 for K, Lα1,2 for L, Mα1,2 for M; rate-weighted mean
 * energy), ± 1 FWHM at that energy, as PyMca-style ROI tools do. ±1 FWHM = ±2.355 σ holds 98 % of the
 * peak's counts while staying clear of the β lines in the cases that matter (Fe Kβ is 650 eV above Kα,
 * the window reaches ±150 eV). Wider windows gain little signal and pick up neighbours.
 */
import type { Calibration } from '../cube/cube';
import { DEFAULT_DETECTOR, fwhmKeV, type DetectorParams } from './detector';
import { alphaGroup } from './line-table';

export function roiWindow(line: string, cal: Calibration, det: DetectorParams = DEFAULT_DETECTOR): { loKeV: number; hiKeV: number } {
  void cal; // the window is an energy range; the calibration matters only when turning it into channels
  const { energyKeV } = alphaGroup(line);
  const w = fwhmKeV(energyKeV, det);
  return { loKeV: energyKeV - w, hiKeV: energyKeV + w };
}

/**
 * The window as channels [loChannel, hiChannel): the channels whose centre energy lies in
 * [loKeV, hiKeV], clamped to [0, channels]. A window outside the range comes back empty (lo = hi).
 */
export function roiChannels(
  line: string,
  cal: Calibration,
  channels: number,
  det: DetectorParams = DEFAULT_DETECTOR,
): { loChannel: number; hiChannel: number } {
  if (!(cal.gainKeV > 0)) throw new RangeError(`calibration gain must be > 0 keV/channel, got ${cal.gainKeV}`);
  const { loKeV, hiKeV } = roiWindow(line, cal, det);
  const clamp = (c: number) => Math.min(channels, Math.max(0, c));
  // A tiny tolerance so a channel centre landing exactly on a window edge is not lost to rounding.
  const eps = 1e-9;
  const lo = clamp(Math.ceil((loKeV - cal.offsetKeV) / cal.gainKeV - eps));
  const hi = clamp(Math.floor((hiKeV - cal.offsetKeV) / cal.gainKeV + eps) + 1);
  return { loChannel: lo, hiChannel: Math.max(lo, hi) };
}
