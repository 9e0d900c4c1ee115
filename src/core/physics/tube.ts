/**
 * The spectrum of a Rh-anode X-ray tube, for the simulator's excitation: a Kramers-type continuum with
 * anode self-absorption and Be-window transmission, plus the Rh K and L characteristic lines.
 *
 * Model: H. Ebel, X-Ray Spectrom. 28 (1999) 255 (the semi-empirical tube model PyMca and most FP codes
 * use), with anode and window attenuation from this module's xraylib tables:
 *   continuum  dN/dE = 1.35e9 · Z · (E0/E − 1)^x · f(χ) · T_Be(E)   photons/(s·sr·mA·keV),
 *              x = 1.109 − 0.00435·Z + 0.00175·E0
 *   lines      N = C_shell · (zb/S) · R · ω · p · f(χ) · T_Be   photons/(s·sr·mA),
 *              C_K = 6.0e13 (as PyMca's XRayTubeEbel uses), C_L = 6.9e13
 *   self-absorption f(χ) = (1 − e^(−2χ·ρz̄)) / (2χ·ρz̄), χ = τ(E)·sin φ / sin ε (τ: Rh photoabsorption),
 * with ρz̄ the mean depth of X-ray production (Ebel's fit to Love-Scott), φ the electrons' angle of
 * incidence and ε the take-off angle, both to the anode surface. L-family lines are scaled through the
 * L3 sub-shell (the family's rates from the line table give the other sub-shells' share); PyMca leaves
 * tube L lines out, so they are the least certain part (their constants are Ebel's, unchecked here).
 * The continuum and K lines agree with PyMca's XRayTubeEbel (test/physics/tube.test.ts); absolute
 * numbers are Ebel's semi-empirical ones, good to perhaps 20 %.
 */
import { massAttenuation, photoCrossSection, fluorescenceYield, edgeEnergy, atomicWeight, elementDensity } from './xs';
import { lineFamilyLines } from './line-table';

export interface TubeOptions {
  /** Angle between the electron beam and the anode surface, degrees (default 90: normal incidence). */
  incidenceDeg?: number;
  /** Angle between the outgoing X-rays and the anode surface, degrees (default 20). */
  takeoffDeg?: number;
  /** Be exit-window thickness, µm (default 125). */
  beWindowUm?: number;
  /** Include the Rh L lines (default true); they are the least certain part of the model. */
  lLines?: boolean;
}

export interface TubeLine {
  label: string;
  energyKeV: number;
  /** photons/(s·sr·mA) leaving the window. */
  weight: number;
}

export interface TubeSpectrum {
  /** Continuum grid points first (continuumPoints of them), then the characteristic lines. */
  energiesKeV: Float64Array;
  /** Photons/(s·sr·mA) per entry: a continuum entry carries its bin (half-way to each neighbour). */
  weights: Float64Array;
  continuumPoints: number;
  lines: TubeLine[];
}

const RH = 45;
const BE = 4;

function ebelMeanDepth(z: number, a: number, e0: number, u0: number): number {
  const lnZ = Math.log(z);
  const m = 0.1382 - 0.9211 / Math.sqrt(z);
  // Backscatter coefficient (Love & Scott): about 0.39 for Rh.
  const eta = Math.pow(e0, m) * (0.1904 - 0.2236 * lnZ + 0.1292 * lnZ * lnZ - 0.01491 * lnZ ** 3);
  const j = 0.0135 * z;
  const rhoZm = (a / z) * (0.787e-5 * Math.sqrt(j) * Math.pow(e0, 1.5) + 0.735e-6 * e0 * e0);
  const lnU = Math.log(u0);
  return (rhoZm * (0.49269 - 1.0987 * eta + 0.78557 * eta * eta) * lnU) / (0.70256 - 1.09865 * eta + 1.0046 * eta * eta + lnU);
}

function selfAbsorption(tauRho: number, rhoZ: number, sinRatio: number): number {
  const t = 2 * tauRho * sinRatio * rhoZ;
  return t < 1e-9 ? 1 : -Math.expm1(-t) / t;
}

/** Default grid: bin centres every 0.1 keV from 1 keV up to the tube voltage. */
function defaultGrid(kV: number): Float64Array {
  const step = 0.1;
  const n = Math.max(0, Math.floor((kV - 1) / step));
  return Float64Array.from({ length: n }, (_, i) => 1 + step * (i + 0.5));
}

/**
 * The Rh-tube spectrum at `kV` kilovolts on a calibration-independent energy grid (ascending keV; the
 * default is 0.1 keV bins from 1 keV to kV), plus the Rh K (when kV exceeds the K edge) and L lines.
 */
export function rhTubeSpectrum(kV: number, energies?: ArrayLike<number>, opts: TubeOptions = {}): TubeSpectrum {
  if (!(kV > 1 && kV <= 100)) throw new RangeError(`tube voltage must be within 1–100 kV, got ${kV}`);
  const grid = energies ? Float64Array.from(energies) : defaultGrid(kV);
  for (let i = 1; i < grid.length; i++) {
    if (!(grid[i] > grid[i - 1])) throw new RangeError('tube energy grid must be strictly ascending');
  }
  const sinRatio = Math.sin(((opts.incidenceDeg ?? 90) * Math.PI) / 180) / Math.sin(((opts.takeoffDeg ?? 20) * Math.PI) / 180);
  const beMassThickness = elementDensity(BE) * (opts.beWindowUm ?? 125) * 1e-4; // g/cm²
  const a = atomicWeight(RH);
  const window = (e: number) => Math.exp(-massAttenuation(BE, e) * beMassThickness);
  const e0 = kV;

  // Continuum
  const x = 1.109 - 0.00435 * RH + 0.00175 * e0;
  const cont = new Float64Array(grid.length);
  for (let i = 0; i < grid.length; i++) {
    const e = grid[i];
    if (!(e > 0) || e >= e0) continue;
    const lo = i > 0 ? (grid[i - 1] + e) / 2 : e - (grid.length > 1 ? (grid[1] - e) / 2 : 0.05);
    const hi = i + 1 < grid.length ? (grid[i + 1] + e) / 2 : e + (e - lo);
    const width = Math.min(hi, e0) - lo;
    const rhoZ = ebelMeanDepth(RH, a, e0, e0 / e);
    cont[i] = 1.35e9 * RH * Math.pow(e0 / e - 1, x) * selfAbsorption(photoCrossSection(RH, e), rhoZ, sinRatio) * window(e) * width;
  }

  // Characteristic lines
  const lines: TubeLine[] = [];
  const j = 0.0135 * RH;
  const R_FOR = (u0: number) => 1 - 0.0081517 * RH + 3.613e-5 * RH * RH + 0.009583 * RH * Math.exp(-u0) + 0.001141 * e0;
  const addFamily = (family: 'K' | 'L', shell: 'K' | 'L3', c: number, zShell: number, bShell: number) => {
    const edge = edgeEnergy(RH, shell)!;
    if (e0 <= edge) return;
    const u0 = e0 / edge;
    const lnU = Math.log(u0);
    const core = u0 * lnU + 1 - u0;
    const zbS = ((zShell * bShell) / RH) * core * (1 + (16.05 * Math.sqrt(j / edge) * (Math.sqrt(u0) * lnU + 2 * (1 - Math.sqrt(u0)))) / core);
    const shellPhotons = c * zbS * R_FOR(u0) * fluorescenceYield(RH, shell)!;
    const famLines = lineFamilyLines(`Rh ${family}`);
    const shellShare = famLines.filter((l) => (l.iupac ?? '').startsWith(shell)).reduce((s, l) => s + l.rate, 0);
    const rhoZ = ebelMeanDepth(RH, a, e0, u0);
    for (const l of famLines) {
      const n = (shellPhotons / shellShare) * l.rate * selfAbsorption(photoCrossSection(RH, l.energyKeV), rhoZ, sinRatio) * window(l.energyKeV);
      lines.push({ label: `Rh ${l.label}`, energyKeV: l.energyKeV, weight: n });
    }
  };
  addFamily('K', 'K', 6.0e13, 2, 0.35);
  if (opts.lLines ?? true) addFamily('L', 'L3', 6.9e13, 8, 0.25);

  const energiesKeV = new Float64Array(grid.length + lines.length);
  const weights = new Float64Array(grid.length + lines.length);
  energiesKeV.set(grid);
  weights.set(cont);
  lines.forEach((l, i) => {
    energiesKeV[grid.length + i] = l.energyKeV;
    weights[grid.length + i] = l.weight;
  });
  return { energiesKeV, weights, continuumPoints: grid.length, lines };
}
