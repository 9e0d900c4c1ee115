/**
 * ROI windows: which channels each map sums. Line families get the physics module's default window
 * for the scan's calibration; a window the user drags on the spectrum is clamped to the cube.
 */
import type { Calibration } from '../cube/cube';
import type { RoiWindow } from './summary';
import { normalizeLineName } from '../lines';
import { roiChannels } from '../physics';

export function windowsForLines(lines: readonly string[], cal: Calibration, channels: number): RoiWindow[] {
  return lines.map((raw) => {
    const label = normalizeLineName(raw);
    const { loChannel, hiChannel } = roiChannels(label, cal, channels);
    return { label, loChannel, hiChannel };
  });
}

/** A user window [lo, hi) clamped to [0, channels], labelled with its energies. */
export function userWindow(loChannel: number, hiChannel: number, channels: number, cal?: Calibration): RoiWindow {
  const clamp = (c: number) => Math.min(channels, Math.max(0, Math.round(c)));
  const lo = clamp(Math.min(loChannel, hiChannel));
  const hi = clamp(Math.max(loChannel, hiChannel));
  const label = cal
    ? `${(cal.offsetKeV + cal.gainKeV * lo).toFixed(2)}–${(cal.offsetKeV + cal.gainKeV * hi).toFixed(2)} keV`
    : `channels ${lo}–${hi}`;
  return { label, loChannel: lo, hiChannel: hi };
}
