/**
 * The energy-dispersive detector: peak width versus energy, Si escape peaks, and the per-channel
 * response to one emission line.
 */
import siJson from './data/si-detector.json';
import { interpLogLog } from './interp';
import { normalCdf } from './erf';
import type { Calibration } from '../cube/cube';

export interface DetectorParams {
  /** Full width at half maximum at Mn Kα (5.899 keV), keV. */
  fwhmMnKaKeV: number;
  /** Fano factor of silicon. */
  fano: number;
  /** Mean energy to create one electron-hole pair, keV. */
  epsilonKeV: number;
  /** Whether to add Si escape peaks. */
  escape: boolean;
}

/** A typical SDD: 145 eV at Mn Kα, F = 0.114, ε = 3.85 eV, with escape peaks. */
export const DEFAULT_DETECTOR: Readonly<DetectorParams> = Object.freeze({
  fwhmMnKaKeV: 0.145,
  fano: 0.114,
  epsilonKeV: 0.00385,
  escape: true,
});

export const MN_KA_KEV = 5.899;
/** FWHM = 2·√(2 ln 2)·σ. */
export const FWHM_PER_SIGMA = 2 * Math.sqrt(2 * Math.LN2); // 2.35482

/**
 * Electronic-noise contribution (keV, as a FWHM) solved from FWHM(Mn Kα):
 * noise² = FWHM(Mn Kα)² − 2.3548²·F·ε·E(Mn Kα). Throws when the stated FWHM is below the Fano limit.
 */
export function electronicNoiseKeV(det: DetectorParams = DEFAULT_DETECTOR): number {
  const fanoTerm = FWHM_PER_SIGMA ** 2 * det.fano * det.epsilonKeV * MN_KA_KEV;
  const noise2 = det.fwhmMnKaKeV ** 2 - fanoTerm;
  if (!(noise2 >= 0)) {
    throw new RangeError(
      `detector FWHM at Mn Kα ${(det.fwhmMnKaKeV * 1000).toFixed(1)} eV is below the Fano limit ` +
        `${(Math.sqrt(fanoTerm) * 1000).toFixed(1)} eV for F = ${det.fano}, ε = ${det.epsilonKeV * 1000} eV`,
    );
  }
  return Math.sqrt(noise2);
}

/** FWHM(E)² = noise² + 2.3548²·F·ε·E, keV. */
export function fwhmKeV(energyKeV: number, det: DetectorParams = DEFAULT_DETECTOR): number {
  const noise = electronicNoiseKeV(det);
  return Math.sqrt(noise * noise + FWHM_PER_SIGMA ** 2 * det.fano * det.epsilonKeV * Math.max(energyKeV, 0));
}

// ---- Si escape ----------------------------------------------------------------------------------

interface SiData {
  edgeKKeV: number;
  kaKeV: number;
  fluorYieldK: number;
  jumpFactorK: number;
  energies: number[];
  total: number[];
  photo: number[];
}
const SI = siJson as SiData;

/** Energy a photon loses when a Si Kα photon escapes the detector. */
export const SI_ESCAPE_KEV = 1.74;
/** Si K absorption edge: photons below it cannot make K vacancies, so they have no escape peak. */
export const SI_K_EDGE_KEV = SI.edgeKKeV;

/**
 * Fraction of photons of energy E that lose a Si Kα photon out of the front of the detector.
 * Model of Reed & Ware (J. Phys. E 5 (1972) 582) for normal incidence on a thick detector:
 *
 *   f(E) = ½ · ω_K · (1 − 1/r_K) · (τ(E)/μ(E)) · [1 − (μ_Kα/μ(E)) · ln(1 + μ(E)/μ_Kα)]
 *
 * (1 − 1/r_K)·τ/μ is the share of interactions that ionize the Si K shell, ω_K the chance a Kα photon
 * follows, ½ that it heads back towards the entrance, and the bracket the chance it escapes from the
 * depth the primary photon reached (μ: Si mass attenuation at E and at Si Kα). Si Kβ escape (≈ 3 % of
 * Si K emission) is neglected. Zero at and below the Si K edge (1.839 keV). About 1.6 % at 2 keV,
 * 0.3 % at Fe Kα, falling with energy as photons are absorbed deeper.
 */
export function siEscapeFraction(energyKeV: number): number {
  if (!(energyKeV > SI.edgeKKeV)) return 0;
  const mu = interpLogLog(SI.energies, SI.total, energyKeV);
  const tau = interpLogLog(SI.energies, SI.photo, energyKeV);
  const muKa = interpLogLog(SI.energies, SI.total, SI.kaKeV);
  const ratio = mu / muKa;
  const escapeFromDepth = 1 - Math.log1p(ratio) / ratio;
  return 0.5 * SI.fluorYieldK * (1 - 1 / SI.jumpFactorK) * (tau / mu) * escapeFromDepth;
}

// ---- Line response ------------------------------------------------------------------------------

/** Gaussians are evaluated out to this many σ either side; beyond it each channel gets < 1e-15 of the area. */
const TAIL_SIGMAS = 8;

/**
 * Add to `out` a Gaussian of area `area` centred at `energyKeV`, integrated over each channel:
 * channel i spans energies [E(i − ½), E(i + ½)] with E(x) = offset + gain·x, and receives
 * area·[Φ(upper) − Φ(lower)]. Point sampling would misstate narrow peaks at coarse gains; integrating
 * makes the counts in range sum exactly to the area.
 */
export function addGaussian(out: Float64Array, centreKeV: number, sigmaKeV: number, area: number, cal: Calibration): void {
  if (area === 0) return;
  const gain = cal.gainKeV;
  const cCentre = (centreKeV - cal.offsetKeV) / gain;
  const halfWidthCh = (TAIL_SIGMAS * sigmaKeV) / Math.abs(gain);
  const first = Math.max(0, Math.floor(cCentre - halfWidthCh));
  const last = Math.min(out.length - 1, Math.ceil(cCentre + halfWidthCh));
  if (first > last) return;
  const zOf = (edgeChannel: number) => (cal.offsetKeV + gain * edgeChannel - centreKeV) / sigmaKeV;
  let prev = normalCdf(zOf(first - 0.5));
  for (let i = first; i <= last; i++) {
    const next = normalCdf(zOf(i + 0.5));
    out[i] += area * (next - prev);
    prev = next;
  }
}

/**
 * The detector's response to `area` photons of one emission line: the main peak (FWHM(E)) plus, when
 * det.escape, its Si escape peak at E − 1.74 keV with FWHM(E − 1.74 keV), which takes siEscapeFraction(E)
 * of the area (the total stays `area`).
 */
export function addLineResponse(
  out: Float64Array,
  energyKeV: number,
  area: number,
  cal: Calibration,
  det: DetectorParams = DEFAULT_DETECTOR,
): void {
  if (!(cal.gainKeV > 0)) throw new RangeError(`calibration gain must be > 0 keV/channel, got ${cal.gainKeV}`);
  const escape = det.escape ? siEscapeFraction(energyKeV) : 0;
  addGaussian(out, energyKeV, fwhmKeV(energyKeV, det) / FWHM_PER_SIGMA, area * (1 - escape), cal);
  if (escape > 0) {
    const eEsc = energyKeV - SI_ESCAPE_KEV;
    addGaussian(out, eEsc, fwhmKeV(eEsc, det) / FWHM_PER_SIGMA, area * escape, cal);
  }
}
