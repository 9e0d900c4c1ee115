/**
 * Pure spectra: what the detector records for one line family alone. These are the rows of the
 * thesis's prior layer and the overlays of the spectrum view.
 */
import type { Calibration } from '../cube/cube';
import { addLineResponse, DEFAULT_DETECTOR, type DetectorParams } from './detector';
import { lineFamilyLines } from './line-table';
import { normalizeLineName } from '../lines';

function checkShape(cal: Calibration, channels: number): void {
  if (!Number.isInteger(channels) || channels <= 0) throw new RangeError(`channel count must be a positive integer, got ${channels}`);
  if (!(cal.gainKeV > 0) || !Number.isFinite(cal.offsetKeV)) {
    throw new RangeError(`calibration must have a finite offset and a gain > 0, got offset ${cal.offsetKeV} keV, gain ${cal.gainKeV} keV`);
  }
}

/**
 * The detector response of a whole family: every line at its rate, escape peaks included, with unit
 * total area. Counts that fall outside the channel range are lost, so the sum is 1 only when the whole
 * family lies inside the range.
 */
export function familyResponse(line: string, cal: Calibration, channels: number, det: DetectorParams = DEFAULT_DETECTOR): Float64Array {
  checkShape(cal, channels);
  const out = new Float64Array(channels);
  for (const l of lineFamilyLines(line)) addLineResponse(out, l.energyKeV, l.rate, cal, det);
  return out;
}

/**
 * The thesis's "normalized pure spectrum": familyResponse scaled to unit L2 norm. Why L2: the prior
 * layer takes the dot product s·p of a measured spectrum s with each pure spectrum p. With ‖p‖₂ = 1 that
 * dot product is exactly the least-squares amplitude of p alone in s (argmin_a ‖s − a·p‖²), so every
 * element's feature is on the same footing whatever its peak widths; unit area (L1) would make elements
 * with narrow, tall peaks (low energies) dominate, and unit height would favour broad ones.
 * Throws when the family gives no counts in the channel range (a row of zeros would silently feed nothing).
 */
export function pureSpectrum(line: string, cal: Calibration, channels: number, det: DetectorParams = DEFAULT_DETECTOR): Float32Array {
  const resp = familyResponse(line, cal, channels, det);
  let ss = 0;
  for (let i = 0; i < resp.length; i++) ss += resp[i] * resp[i];
  const norm = Math.sqrt(ss);
  if (!(norm > 0)) {
    const hi = cal.offsetKeV + cal.gainKeV * (channels - 1);
    throw new RangeError(
      `${normalizeLineName(line)}: no lines inside the spectrum's energy range ${cal.offsetKeV.toFixed(3)}–${hi.toFixed(3)} keV`,
    );
  }
  const out = new Float32Array(channels);
  for (let i = 0; i < channels; i++) out[i] = resp[i] / norm;
  return out;
}

/** The prior-layer weights: one pure spectrum per line, an l×d row-major matrix (row i = lines[i]). */
export function priorMatrix(lines: readonly string[], cal: Calibration, channels: number, det: DetectorParams = DEFAULT_DETECTOR): Float32Array {
  const out = new Float32Array(lines.length * channels);
  lines.forEach((line, i) => out.set(pureSpectrum(line, cal, channels, det), i * channels));
  return out;
}
