/**
 * X-ray interaction data for Z = 1..92 (for the simulator): mass attenuation, its parts, and the
 * production cross section of each line family, from data/xs.json (xraylib, see
 * scripts/gen_physics_tables.py). Values are tabulated on a log grid of ~150 points over 1–60 keV plus
 * points 0.1 eV either side of each of the element's K, L1–L3 and M1–M5 edges; between points they are
 * interpolated log-log (linearly where a segment touches zero); outside 1–60 keV the end segment is
 * extended, which is rough: callers should stay inside.
 */
import xsJson from './data/xs.json';
import { interpLogLog } from './interp';
import { atomicNumber } from './elements';
import type { Family } from '../lines';

type Shell = 'K' | 'L1' | 'L2' | 'L3' | 'M1' | 'M2' | 'M3' | 'M4' | 'M5';

interface RawElement {
  Z: number;
  symbol: string;
  atomicWeight: number;
  density: number;
  energies: string;
  total: string;
  photo: string;
  rayleigh: string;
  compton: string;
  edges: Partial<Record<Shell, number>>;
  fluorYield: Partial<Record<Shell, number>>;
  jumpFactor: Partial<Record<Shell, number>>;
  production: Partial<Record<Family, string>>;
}

interface ElementXs {
  energies: Float32Array;
  total: Float32Array;
  photo: Float32Array;
  rayleigh: Float32Array;
  compton: Float32Array;
  production: Partial<Record<Family, Float32Array>>;
}

// Read lazily (no top-level work), so bundlers can drop the ~700 kB table where only line data is used.
const rawElements = () => (xsJson as unknown as { elements: RawElement[] }).elements;
export const XS_MIN_KEV = 1;
export const XS_MAX_KEV = 60;

/** Float32 little-endian from base64, with atob so the module stays free of node imports. */
function decodeF32(b64: string): Float32Array {
  const bin = atob(b64);
  const bytes = new Uint8Array(bin.length);
  for (let i = 0; i < bin.length; i++) bytes[i] = bin.charCodeAt(i);
  const dv = new DataView(bytes.buffer);
  const out = new Float32Array(bytes.length / 4);
  for (let i = 0; i < out.length; i++) out[i] = dv.getFloat32(i * 4, true);
  return out;
}

function raw(z: number): RawElement {
  if (!Number.isInteger(z) || z < 1 || z > 92) throw new RangeError(`atomic number ${z} is outside 1..92`);
  return rawElements()[z - 1];
}

const decoded: (ElementXs | undefined)[] = [];
function element(z: number): ElementXs {
  let el = decoded[z];
  if (!el) {
    const r = raw(z);
    const production: ElementXs['production'] = {};
    for (const f of Object.keys(r.production) as Family[]) production[f] = decodeF32(r.production[f]!);
    el = {
      energies: decodeF32(r.energies),
      total: decodeF32(r.total),
      photo: decodeF32(r.photo),
      rayleigh: decodeF32(r.rayleigh),
      compton: decodeF32(r.compton),
      production,
    };
    decoded[z] = el;
  }
  return el;
}

function checkEnergy(e: number): void {
  if (!(e > 0) || !Number.isFinite(e)) throw new RangeError(`photon energy must be a positive finite number of keV, got ${e}`);
}

/** Accept Z or a symbol ("Fe"). */
export type ElementRef = number | string;
function zOf(el: ElementRef): number {
  return typeof el === 'number' ? el : atomicNumber(el);
}

/** Total mass attenuation coefficient μ/ρ (photoelectric + Rayleigh + Compton), cm²/g. */
export function massAttenuation(el: ElementRef, energyKeV: number): number {
  checkEnergy(energyKeV);
  const x = element(zOf(el));
  return interpLogLog(x.energies, x.total, energyKeV);
}

/** Photoelectric absorption cross section, cm²/g. */
export function photoCrossSection(el: ElementRef, energyKeV: number): number {
  checkEnergy(energyKeV);
  const x = element(zOf(el));
  return interpLogLog(x.energies, x.photo, energyKeV);
}

/** Rayleigh (coherent) scattering cross section, cm²/g. */
export function rayleigh(el: ElementRef, energyKeV: number): number {
  checkEnergy(energyKeV);
  const x = element(zOf(el));
  return interpLogLog(x.energies, x.rayleigh, energyKeV);
}

/** Compton (incoherent) scattering cross section, cm²/g. */
export function compton(el: ElementRef, energyKeV: number): number {
  checkEnergy(energyKeV);
  const x = element(zOf(el));
  return interpLogLog(x.energies, x.compton, energyKeV);
}

/**
 * Production cross section of a whole line family at excitation energy E, cm²/g: the sum over the
 * family's lines of xraylib CS_FluorLine_Kissel_Cascade (photoionization × fluorescence yield × radiative
 * rate, with Coster-Kronig transitions and cascades). Zero below the family's first edge. Families
 * without tabulated lines (Z < 11; M below Z = 57) throw.
 */
export function familyProductionCrossSection(el: ElementRef, family: Family, energyKeV: number): number {
  checkEnergy(energyKeV);
  const z = zOf(el);
  const x = element(z);
  const prod = x.production[family];
  if (!prod) throw new Error(`no ${family}-line production data for ${raw(z).symbol} (tabulated: K, L for Z = 11..92; M for Z ≥ 57)`);
  return interpLogLog(x.energies, prod, energyKeV);
}

/** Density of the pure element (g/cm³; for gases at normal conditions, as xraylib gives it). */
export function elementDensity(el: ElementRef): number {
  return raw(zOf(el)).density;
}

/** Standard atomic weight, g/mol. */
export function atomicWeight(el: ElementRef): number {
  return raw(zOf(el)).atomicWeight;
}

/** Absorption edge energy of a shell, keV (undefined when the element has no such shell). */
export function edgeEnergy(el: ElementRef, shell: Shell): number | undefined {
  return raw(zOf(el)).edges[shell];
}

/** Fluorescence yield of a shell (undefined when not tabulated). */
export function fluorescenceYield(el: ElementRef, shell: Shell): number | undefined {
  return raw(zOf(el)).fluorYield[shell];
}

/** Absorption jump ratio r of a shell (undefined when not tabulated). */
export function jumpRatio(el: ElementRef, shell: Shell): number | undefined {
  return raw(zOf(el)).jumpFactor[shell];
}

/**
 * Mass attenuation of a compound given by mass fractions ({ Pb: 0.8, O: 0.2 } or keyed by Z): the
 * mixture rule μ/ρ = Σ wᵢ (μ/ρ)ᵢ. Fractions are used as given (callers normalize).
 */
export function compoundMassAttenuation(massFractions: Record<string | number, number>, energyKeV: number): number {
  let mu = 0;
  for (const [k, w] of Object.entries(massFractions)) {
    const z = /^\d+$/.test(k) ? Number(k) : atomicNumber(k);
    mu += w * massAttenuation(z, energyKeV);
  }
  return mu;
}

export type { Shell };
