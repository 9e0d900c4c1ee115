/**
 * The spectrum model of a painting: turns a pixel's layer stack into the expected counts of every
 * spectral component, and those into a Poisson-sampled spectrum.
 *
 * Physics (fundamental-parameter style, primary fluorescence only):
 * - Excitation: the Rh-tube spectrum (physics/tube.ts, 50 kV), its continuum rebinned into ~30 bins,
 *   its characteristic lines kept as lines.
 * - Geometry: beam normal to the panel (ψ1 = 90°), detector at ψ2 = 45° (scattering angle 135°).
 * - Layers, top to bottom: air (1 cm, shows Ar), paint 2, paint 1, gold leaf, bole, gesso. A line of
 *   element i in layer j, excited by photons of energy E0, reaches the detector with intensity
 *     I0(E0) · τ_i,line(E0) · m_ij · F(χ_j) · exp(−Σ_above (μ_l(E0)/sinψ1 + μ_l(E)/sinψ2) ρt_l) · η(E)
 *   where m_ij is the element's areal mass (g/cm²) in the layer, χ_j = (μ_j(E0)/sinψ1 + μ_j(E)/sinψ2) ρt_j,
 *   F(χ) = (1 − e^−χ)/χ its self-absorption, τ the line's production cross section (family production
 *   × the line table's rate) and η the detector efficiency (Be window, Si thickness). Upper layers
 *   attenuate lower ones, so signals mix non-linearly.
 * - Scatter: Rayleigh (at E0) and Compton (at E0/(1 + E0/511·(1 − cos 135°)), Doppler-broadened) of the
 *   tube lines and of every continuum bin, with the same attenuation. The scattered continuum is the
 *   background; a small flat shelf stands in for incomplete charge collection.
 * - Detector: Gaussian peaks with FWHM(E) and Si escape peaks from physics/detector.ts.
 *
 * Every component has a fixed shape (per painting) and a per-pixel amplitude, so a spectrum is
 * Σ_k λ_k·shape_k. Poisson noise is drawn per component (superposition of Poisson processes), then each
 * count is placed by the component's alias table: exactly the law of independent Poisson channels.
 */
import type { Calibration } from '../cube/cube';
import {
  addGaussian,
  addLineResponse,
  DEFAULT_DETECTOR,
  fwhmKeV,
  FWHM_PER_SIGMA,
  hasLineFamily,
  lineFamilyLines,
  siEscapeFraction,
  SI_ESCAPE_KEV,
  atomicNumber,
  type DetectorParams,
} from '../physics/index';
import { massAttenuation, rayleigh, compton, familyProductionCrossSection } from '../physics/xs';
import { excitationBins, scatterTents } from './excitation';
import { parseLineName, type Family } from '../lines';
import { AliasTable } from './alias';
import type { Rng } from './rng';
import { PIGMENTS, PIGMENT_NAMES, BINDER, BINDER_PER_PIGMENT, GESSO, GESSO_AREAL_MASS, BOLE, GOLD_LEAF, AIR, AIR_AREAL_MASS, type Composition } from './materials';
import { STATE, N_PIGMENTS } from './scene';

export interface ModelOptions {
  cal: Calibration;
  channels: number;
  tubeKV?: number;
  det?: DetectorParams;
  /** Target line families whose ground truth is reported ("Fe K", …). */
  lines: readonly string[];
  /**
   * Total count rate (counts/s) of the reference pixel (a 30 µm lead-white layer on gesso); sets the
   * tube flux × solid angle. Default 150 000 counts/s, typical of a Bruker M6 at 50 kV, 600 µA.
   */
  referenceRate?: number;
  /**
   * Families whose emission is switched off (their absorption stays): for tests that measure a family's
   * net counts as the difference of two noise-free spectra.
   */
  silence?: readonly string[];
  /**
   * Pulse-pair resolving time (s) for pile-up sum peaks; 0 (default) simulates none. Sum peaks are made
   * for every pair of the α groups of the bright families in PILEUP_FAMILIES; they do not take their
   * counts out of the photopeaks, so the ground truth is the same with or without them.
   */
  pileupResolvingTimeS?: number;
}

/** Families whose α groups pile up when pile-up is on (the ones bright enough for sum peaks to show). */
export const PILEUP_FAMILIES = ['Ca K', 'Fe K', 'Cu K', 'Zn K', 'Sr K', 'Au L', 'Hg L', 'Pb L'];

export type ComponentKind = 'peak' | 'escape' | 'rayleigh' | 'compton' | 'shelf' | 'pileup';

/** One spectral component: a fixed shape over channels [lo, lo + n) with in-range area `inRange`. */
export interface Component {
  name: string;
  kind: ComponentKind;
  lo: number;
  /** Shape per unit amplitude (counts per channel for one photon reaching the detector). */
  shape: Float64Array;
  /** Σ shape: the fraction of the component's photons recorded inside the channel range. */
  inRange: number;
  table: AliasTable | undefined;
}

/** A group of lines of one family close enough in energy to share their attenuation. */
interface LineGroup {
  family: string; // "Pb L"
  element: number; // index into elements
  energyKeV: number;
  /** Index into the model's energy list (for μ). */
  energyIndex: number;
  /** τ(E_b)·η(E) per excitation bin, cm²/g (0 below the edge). */
  tau: Float64Array;
  firstBin: number;
  peak: number; // component index
  escape: number; // component index (−1 when no escape in range)
}

const PSI1 = Math.PI / 2;
const PSI2 = Math.PI / 4;
const CSC1 = 1 / Math.sin(PSI1);
const CSC2 = 1 / Math.sin(PSI2);
/** Scattering angle between the normal beam and the 45° take-off direction: 90° + 45°. */
const SCATTER_ANGLE = (135 * Math.PI) / 180;
const ELECTRON_KEV = 510.999;
/** Differential-to-total weights for scattering at 135° (relative to isotropic): Rayleigh is forward-peaked, Compton not. */
const RAYLEIGH_WEIGHT = 0.35;
const COMPTON_WEIGHT = 1.1;
/** Compton peaks are Doppler-broadened: extra Gaussian σ as a fraction of the scattered energy. */
const COMPTON_DOPPLER = 0.012;
/** Detector: 8 µm Be window, 450 µm Si. */
const BE_WINDOW_GCM2 = 8e-4 * 1.848;
const SI_GCM2 = 0.045 * 2.33;
/** Share of all recorded counts that fall into the flat incomplete-charge shelf. */
const SHELF_SHARE = 0.004;
/** Lines of a family within this relative energy share one attenuation factor. */
const GROUP_TOLERANCE = 0.03;
const MIN_LINE_KEV = 1.2;

export function comptonEnergy(e0: number, angle = SCATTER_ANGLE): number {
  return e0 / (1 + (e0 / ELECTRON_KEV) * (1 - Math.cos(angle)));
}

export function detectorEfficiency(e: number): number {
  if (e < 1) return 0;
  return Math.exp(-massAttenuation(4, e) * BE_WINDOW_GCM2) * -Math.expm1(-massAttenuation(14, e) * SI_GCM2);
}

/** Materials known to the model; pigments first (state order), then the fixed ones. */
const FIXED_MATERIALS = { binder: BINDER, gesso: GESSO, bole: BOLE, gold: GOLD_LEAF, air: AIR } as const;
const MATERIALS: Composition[] = [...PIGMENT_NAMES.map((p) => PIGMENTS[p].comp), ...Object.values(FIXED_MATERIALS)];
const MAT = {
  binder: N_PIGMENTS,
  gesso: N_PIGMENTS + 1,
  bole: N_PIGMENTS + 2,
  gold: N_PIGMENTS + 3,
  air: N_PIGMENTS + 4,
  count: N_PIGMENTS + 5,
};
const N_LAYERS = 6; // air, paint2, paint1, gold, bole, gesso

/** Every element any material contains. */
export const MODEL_ELEMENTS: string[] = [...new Set(MATERIALS.flatMap((m) => Object.keys(m)))].sort((a, b) => atomicNumber(a) - atomicNumber(b));

export class SpectrumModel {
  readonly cal: Calibration;
  readonly channels: number;
  readonly tubeKV: number;
  readonly det: DetectorParams;
  readonly elements = MODEL_ELEMENTS;
  readonly components: Component[] = [];
  /** Target lines (normalized) and, per target, the groups that make it up. */
  readonly lines: string[];
  private readonly targetGroups: number[][];
  private readonly groups: LineGroup[] = [];
  /** Excitation bins: energy and photons (relative flux, already scaled by `flux`). */
  private readonly binE: Float64Array;
  private readonly binI: Float64Array;
  private readonly nBins: number;
  /** Every energy we need μ at: bins, then line groups, then Compton energies of the bins. */
  private readonly energies: number[];
  private readonly comptonIndex: Int32Array;
  /** Tube photons whose scatter each bin's components carry (tent-weighted, see the constructor). */
  private readonly scatterI: Float64Array;
  /** μ (cm²/g) per material per energy: [mat·nE + e]. */
  private readonly matMu: Float64Array;
  /** Element mass fractions per material: [mat·nEl + el]. */
  private readonly matFrac: Float64Array;
  /** Rayleigh/Compton cross sections × angular weight per material per bin, and η at the scattered energy folded in. */
  private readonly matRay: Float64Array;
  private readonly matCom: Float64Array;
  private readonly rayComp: Int32Array; // component of each bin's Rayleigh scatter
  private readonly comComp: Int32Array;
  private readonly shelfComp: number;
  /** Set after the flux is calibrated (the reference pixel is defined without pile-up). */
  private pileupTau = 0;
  /** [peak component i, peak component j, sum-peak component, multiplicity]. */
  private readonly pileupPairs: [number, number, number, number][] = [];
  /** Overall scale: counts/s per unit of model intensity. */
  private flux = 1;

  // Scratch buffers (per model; a model is used by one thread).
  private readonly layerMass: Float64Array;
  private readonly muL: Float64Array;
  private readonly xIn: Float64Array;
  private readonly xOut: Float64Array;
  private readonly eIn: Float64Array;
  private readonly mEl: Float64Array;
  private readonly present = new Int32Array(MAT.count);
  /** Channels clipped at 65535 by sample() so far. */
  clippedChannels = 0;
  /** Poisson draws per component (scratch for sample()). */
  private drawn = new Float64Array(0);

  constructor(opts: ModelOptions) {
    this.cal = opts.cal;
    this.channels = opts.channels;
    this.tubeKV = opts.tubeKV ?? 50;
    this.det = opts.det ?? DEFAULT_DETECTOR;
    this.lines = opts.lines.map((l) => {
      const p = parseLineName(l);
      if (!p) throw new Error(`not a line-family name: "${l}"`);
      return `${p.element} ${p.family}`;
    });
    const nEl = this.elements.length;
    const silence = new Set((opts.silence ?? []).map((l) => {
      const p = parseLineName(l);
      if (!p) throw new Error(`not a line-family name: "${l}"`);
      return `${p.element} ${p.family}`;
    }));

    // --- Excitation bins from the tube spectrum -----------------------------------------------
    const bins = excitationBins(this.tubeKV);
    this.nBins = bins.length;
    this.binE = Float64Array.from(bins, (b) => b.e);
    this.binI = Float64Array.from(bins, (b) => b.w);

    // --- Line groups of every element's families --------------------------------------------
    this.energies = [...this.binE];
    const groupDefs: { family: string; el: number; lines: { e: number; rate: number }[] }[] = [];
    for (let el = 0; el < nEl; el++) {
      const sym = this.elements[el];
      for (const fam of ['K', 'L', 'M'] as Family[]) {
        const name = `${sym} ${fam}`;
        if (!hasLineFamily(name)) continue;
        const fl = lineFamilyLines(name).filter((l) => l.energyKeV >= MIN_LINE_KEV && l.energyKeV < this.tubeKV);
        if (fl.length === 0) continue;
        let prodMax = 0;
        try {
          prodMax = familyProductionCrossSection(sym, fam, this.tubeKV - 0.01);
        } catch {
          continue;
        }
        if (!(prodMax > 0)) continue;
        let cur: { e: number; rate: number }[] = [];
        const flush = () => {
          if (cur.length) groupDefs.push({ family: name, el, lines: cur });
          cur = [];
        };
        for (const l of fl) {
          if (cur.length && l.energyKeV > cur[0].e * (1 + GROUP_TOLERANCE)) flush();
          cur.push({ e: l.energyKeV, rate: l.rate });
        }
        flush();
      }
    }
    for (const g of groupDefs) {
      const rate = g.lines.reduce((s, l) => s + l.rate, 0);
      const energyKeV = g.lines.reduce((s, l) => s + l.e * l.rate, 0) / rate;
      const fam = g.family.split(' ')[1] as Family;
      const tau = new Float64Array(this.nBins);
      let firstBin = this.nBins;
      const silenced = silence.has(g.family);
      const eta = detectorEfficiency(energyKeV);
      for (let b = 0; b < this.nBins; b++) {
        const t = silenced ? 0 : familyProductionCrossSection(this.elements[g.el], fam, this.binE[b]) * rate * eta;
        tau[b] = t > 0 ? t : 0;
        if (tau[b] > 0 && b < firstBin) firstBin = b;
      }
      // Components: photopeak (Gaussians of the group's lines, escape taken out) and its escape peak.
      const peak = new Float64Array(this.channels);
      const esc = new Float64Array(this.channels);
      for (const l of g.lines) {
        const f = this.det.escape ? siEscapeFraction(l.e) : 0;
        addGaussian(peak, l.e, fwhmKeV(l.e, this.det) / FWHM_PER_SIGMA, (l.rate / rate) * (1 - f), this.cal);
        if (f > 0) addGaussian(esc, l.e - SI_ESCAPE_KEV, fwhmKeV(l.e - SI_ESCAPE_KEV, this.det) / FWHM_PER_SIGMA, (l.rate / rate) * f, this.cal);
      }
      const peakIdx = this.addComponent(`${g.family} ${energyKeV.toFixed(2)} keV`, 'peak', peak);
      const escIdx = this.addComponent(`${g.family} ${energyKeV.toFixed(2)} keV escape`, 'escape', esc);
      this.groups.push({ family: g.family, element: g.el, energyKeV, energyIndex: this.energies.length, tau, firstBin, peak: peakIdx, escape: escIdx });
      this.energies.push(energyKeV);
    }

    // --- Scatter components ------------------------------------------------------------------
    // Rayleigh and Compton shapes per bin, from tent-weighted tube photons (excitation.ts: no steps).
    const tentSubs = scatterTents(bins);
    this.scatterI = Float64Array.from(tentSubs, (subs) => subs.reduce((a, [, w]) => a + w, 0));
    this.comptonIndex = new Int32Array(this.nBins);
    this.rayComp = new Int32Array(this.nBins);
    this.comComp = new Int32Array(this.nBins);
    for (let b = 0; b < this.nBins; b++) {
      const ray = new Float64Array(this.channels);
      const com = new Float64Array(this.channels);
      const total = this.scatterI[b];
      for (const [e, w] of tentSubs[b]) {
        const share = w / total;
        addLineResponse(ray, e, share, this.cal, this.det);
        const ec = comptonEnergy(e);
        const sigma = Math.hypot(fwhmKeV(ec, this.det) / FWHM_PER_SIGMA, COMPTON_DOPPLER * ec);
        addGaussian(com, ec, sigma, share, this.cal);
      }
      this.rayComp[b] = this.addComponent(`Rayleigh ${bins[b].label}`, 'rayleigh', ray);
      this.comComp[b] = this.addComponent(`Compton ${bins[b].label}`, 'compton', com);
      this.comptonIndex[b] = this.energies.length;
      this.energies.push(comptonEnergy(bins[b].e));
    }
    // Flat shelf from 1 keV to the tube voltage (or the end of the range).
    const shelf = new Float64Array(this.channels);
    for (let i = 0; i < this.channels; i++) {
      const e = this.cal.offsetKeV + this.cal.gainKeV * i;
      if (e >= 1 && e <= this.tubeKV) shelf[i] = 1;
    }
    let shelfSum = 0;
    for (let i = 0; i < this.channels; i++) shelfSum += shelf[i];
    if (shelfSum > 0) for (let i = 0; i < this.channels; i++) shelf[i] /= shelfSum;
    this.shelfComp = this.addComponent('shelf', 'shelf', shelf);

    // --- Pile-up sum peaks (optional) ---------------------------------------------------------
    if ((opts.pileupResolvingTimeS ?? 0) > 0) {
      const alpha = PILEUP_FAMILIES.flatMap((fam) => {
        const gs = this.groups.map((g, i) => ({ g, i })).filter(({ g }) => g.family === fam);
        if (gs.length === 0) return [];
        // The family's strongest group: the largest production summed over the excitation bins (∝ its rate).
        const best = gs.reduce((a, b) => (b.g.tau.reduce((x, y) => x + y, 0) > a.g.tau.reduce((x, y) => x + y, 0) ? b : a));
        return [best.i];
      });
      for (let a = 0; a < alpha.length; a++) {
        for (let b = a; b < alpha.length; b++) {
          const ga = this.groups[alpha[a]];
          const gb = this.groups[alpha[b]];
          const e = ga.energyKeV + gb.energyKeV;
          const shape = new Float64Array(this.channels);
          addGaussian(shape, e, fwhmKeV(e, this.det) / FWHM_PER_SIGMA, 1, this.cal);
          const comp = this.addComponent(`pile-up ${ga.family} + ${gb.family} ${e.toFixed(2)} keV`, 'pileup', shape);
          this.pileupPairs.push([ga.peak, gb.peak, comp, a === b ? 1 : 2]);
        }
      }
    }

    // --- Material tables ---------------------------------------------------------------------
    const nE = this.energies.length;
    this.matMu = new Float64Array(MAT.count * nE);
    this.matFrac = new Float64Array(MAT.count * nEl);
    this.matRay = new Float64Array(MAT.count * this.nBins);
    this.matCom = new Float64Array(MAT.count * this.nBins);
    const elIndex = new Map(this.elements.map((s, i) => [s, i]));
    const muEl = this.elements.map((s) => this.energies.map((e) => massAttenuation(s, e)));
    for (let m = 0; m < MAT.count; m++) {
      for (const [sym, w] of Object.entries(MATERIALS[m])) {
        const el = elIndex.get(sym)!;
        this.matFrac[m * nEl + el] = w;
        for (let e = 0; e < nE; e++) this.matMu[m * nE + e] += w * muEl[el][e];
        for (let b = 0; b < this.nBins; b++) {
          const e0 = this.binE[b];
          this.matRay[m * this.nBins + b] += w * rayleigh(sym, e0) * RAYLEIGH_WEIGHT * detectorEfficiency(e0);
          this.matCom[m * this.nBins + b] += w * compton(sym, e0) * COMPTON_WEIGHT * detectorEfficiency(comptonEnergy(e0));
        }
      }
    }

    // --- Targets -----------------------------------------------------------------------------
    this.targetGroups = this.lines.map((line) => this.groups.flatMap((g, i) => (g.family === line ? [i] : [])));

    this.layerMass = new Float64Array(N_LAYERS * MAT.count);
    this.muL = new Float64Array(nE);
    this.xIn = new Float64Array(this.nBins);
    this.xOut = new Float64Array(nE);
    this.eIn = new Float64Array(this.nBins);
    this.mEl = new Float64Array(nEl);
    this.drawn = new Float64Array(this.components.length);

    // --- Flux from the reference pixel -------------------------------------------------------
    const ref = new Float64Array(STATE.length);
    ref[STATE.paint1 + PIGMENT_NAMES.indexOf('leadWhite')] = (30e-4 * 3.0) / (1 + BINDER_PER_PIGMENT);
    const amp = new Float64Array(this.components.length);
    this.amplitudes(ref, amp);
    let total = 0;
    for (let k = 0; k < amp.length; k++) total += amp[k] * this.components[k].inRange;
    // The flux is a property of the instrument: with families silenced, take it from the full model.
    this.flux = silence.size > 0 ? new SpectrumModel({ ...opts, silence: [] }).flux : (opts.referenceRate ?? 150_000) / total;
    this.pileupTau = opts.pileupResolvingTimeS ?? 0;
  }

  private addComponent(name: string, kind: ComponentKind, dense: Float64Array): number {
    let lo = 0;
    let hi = dense.length;
    while (lo < hi && !(dense[lo] > 1e-15)) lo++;
    while (hi > lo && !(dense[hi - 1] > 1e-15)) hi--;
    const shape = dense.slice(lo, hi);
    let inRange = 0;
    for (let i = 0; i < shape.length; i++) inRange += shape[i];
    const table = inRange > 0 ? new AliasTable(shape) : undefined;
    this.components.push({ name, kind, lo, shape, inRange, table });
    return this.components.length - 1;
  }

  /** Mass of each material in each layer (g/cm²) from a pixel state. */
  private fillLayers(state: Float64Array, o: number): void {
    const lm = this.layerMass;
    lm.fill(0);
    const M = MAT.count;
    lm[0 * M + MAT.air] = AIR_AREAL_MASS;
    let binder2 = 0;
    let binder1 = 0;
    for (let p = 0; p < N_PIGMENTS; p++) {
      const a = state[o + STATE.paint2 + p];
      const b = state[o + STATE.paint1 + p];
      lm[1 * M + p] = a;
      lm[2 * M + p] = b;
      binder2 += a;
      binder1 += b;
    }
    lm[1 * M + MAT.binder] = binder2 * BINDER_PER_PIGMENT;
    lm[2 * M + MAT.binder] = binder1 * BINDER_PER_PIGMENT;
    lm[3 * M + MAT.gold] = state[o + STATE.gold];
    lm[4 * M + MAT.bole] = state[o + STATE.bole];
    lm[5 * M + MAT.gesso] = GESSO_AREAL_MASS;
  }

  /**
   * Photons per unit time (model units × flux = counts/s before the in-range cut) of every component
   * for one pixel state. `out` has one entry per component.
   */
  amplitudes(state: Float64Array, out: Float64Array, stateOffset = 0): Float64Array {
    out.fill(0);
    this.fillLayers(state, stateOffset);
    const M = MAT.count;
    const nE = this.energies.length;
    const nB = this.nBins;
    const nEl = this.elements.length;
    const { muL, xIn, xOut, eIn, mEl, matMu, matFrac, binI, groups } = this;
    xIn.fill(0);
    xOut.fill(0);
    let total = 0;
    for (let j = 0; j < N_LAYERS; j++) {
      const base = j * M;
      let mass = 0;
      for (let m = 0; m < M; m++) mass += this.layerMass[base + m];
      if (!(mass > 0)) continue;
      muL.fill(0);
      mEl.fill(0);
      let nz = 0;
      const present = this.present;
      for (let m = 0; m < M; m++) {
        const mm = this.layerMass[base + m];
        if (mm === 0) continue;
        present[nz++] = m;
        const mo = m * nE;
        for (let e = 0; e < nE; e++) muL[e] += mm * matMu[mo + e];
        const fo = m * nEl;
        for (let el = 0; el < nEl; el++) mEl[el] += mm * matFrac[fo + el];
      }
      for (let b = 0; b < nB; b++) eIn[b] = binI[b] * Math.exp(-xIn[b]);
      // Fluorescence.
      for (let gi = 0; gi < groups.length; gi++) {
        const g = groups[gi];
        const m = mEl[g.element];
        if (m === 0) continue;
        const outMu = muL[g.energyIndex] * CSC2;
        let s = 0;
        for (let b = g.firstBin; b < nB; b++) {
          const t = g.tau[b];
          if (t === 0) continue;
          s += eIn[b] * t * selfAbsorption(muL[b] * CSC1 + outMu);
        }
        const a = s * m * CSC1 * Math.exp(-xOut[g.energyIndex]);
        out[g.peak] += a;
        out[g.escape] += a;
      }
      // Scatter.
      for (let b = 0; b < nB; b++) {
        let ray = 0;
        let com = 0;
        for (let q = 0; q < nz; q++) {
          const m = present[q];
          const mm = this.layerMass[base + m];
          ray += mm * this.matRay[m * nB + b];
          com += mm * this.matCom[m * nB + b];
        }
        const ci = this.comptonIndex[b];
        const sIn = eIn[b] * (this.scatterI[b] / binI[b]);
        out[this.rayComp[b]] += sIn * ray * CSC1 * selfAbsorption(muL[b] * CSC1 + muL[b] * CSC2) * Math.exp(-xOut[b]);
        out[this.comComp[b]] += sIn * com * CSC1 * selfAbsorption(muL[b] * CSC1 + muL[ci] * CSC2) * Math.exp(-xOut[ci]);
      }
      // What lies below sees this layer's attenuation.
      for (let b = 0; b < nB; b++) xIn[b] += muL[b] * CSC1;
      for (let e = 0; e < nE; e++) xOut[e] += muL[e] * CSC2;
    }
    const flux = this.flux;
    for (let k = 0; k < out.length; k++) {
      out[k] *= flux;
      total += out[k] * this.components[k].inRange;
    }
    out[this.shelfComp] = (total * SHELF_SHARE) / (1 - SHELF_SHARE);
    // Pile-up: two photons within the resolving time τ count as one at the summed energy; the rate of
    // such pairs is m·r_i·r_j·τ (m = 2 for distinct peaks, 1 for a peak with itself).
    const comps = this.components;
    for (const [i, j, c, mult] of this.pileupPairs) {
      out[c] = mult * out[i] * comps[i].inRange * out[j] * comps[j].inRange * this.pileupTau;
    }
    return out;
  }

  /** Expected counts in range of each component for a dwell time (s). */
  expectedCounts(amplitudes: Float64Array, dwellS: number, out: Float64Array): Float64Array {
    for (let k = 0; k < this.components.length; k++) out[k] = amplitudes[k] * this.components[k].inRange * dwellS;
    return out;
  }

  /**
   * Ground truth of each target line for one pixel: the expected counts in the family's photopeaks
   * (all its lines, full-energy Gaussians only, inside the recorded channel range), excluding Si escape
   * peaks, pile-up and scatter. `counts` comes from expectedCounts.
   */
  truth(counts: Float64Array, out: Float32Array | Float64Array, offset = 0): void {
    for (let t = 0; t < this.targetGroups.length; t++) {
      let s = 0;
      for (const gi of this.targetGroups[t]) s += counts[this.groups[gi].peak];
      out[offset + t] = s;
    }
  }

  /** The noise-free spectrum (expected counts per channel) from expectedCounts. */
  expectedSpectrum(counts: Float64Array, out: Float64Array): Float64Array {
    out.fill(0);
    for (let k = 0; k < this.components.length; k++) {
      const c = this.components[k];
      const lam = counts[k];
      if (!(lam > 0) || c.inRange === 0) continue;
      const f = lam / c.inRange;
      for (let i = 0; i < c.shape.length; i++) out[c.lo + i] += f * c.shape[i];
    }
    return out;
  }

  /**
   * Add one Poisson realisation of the spectrum with expected component counts `counts` to
   * out[offset … offset + channels), which must be zero on entry (u16 counts, the scan row itself).
   * Returns the number of counts placed. Channels that would pass 65535 are clipped and counted in
   * `clippedChannels`; that needs a single spectrum with more than 65535 counts, which no preset has.
   */
  sample(counts: Float64Array, rng: Rng, out: Uint16Array, offset = 0): number {
    const n = this.drawn;
    let total = 0;
    for (let k = 0; k < this.components.length; k++) {
      const lam = counts[k];
      n[k] = lam > 0 ? rng.poisson(lam) : 0;
      total += n[k];
    }
    if (total <= 0xffff) {
      // No channel can overflow: count straight into the row.
      for (let k = 0; k < this.components.length; k++) if (n[k] > 0) this.components[k].table!.scatterInto(rng, n[k], out, offset + this.components[k].lo);
      return total;
    }
    // Rare: count in 32 bits, then clip (the same random numbers in the same order, so still reproducible).
    const wide = new Uint32Array(this.channels);
    for (let k = 0; k < this.components.length; k++) {
      const c = this.components[k];
      for (let i = 0; i < n[k]; i++) wide[c.lo + c.table!.sample(rng)]++;
    }
    let placed = 0;
    for (let ch = 0; ch < this.channels; ch++) {
      if (wide[ch] > 0xffff) this.clippedChannels++;
      out[offset + ch] = Math.min(0xffff, wide[ch]);
      placed += out[offset + ch];
    }
    return placed;
  }

  /** Names of the line families the model emits (targets or not), for docs and tests. */
  emittedFamilies(): string[] {
    return [...new Set(this.groups.map((g) => g.family))];
  }

  /** Energy (keV) of each line group of a family with its share of the family's photopeak counts. */
  groupsOf(family: string): { energyKeV: number; peak: number }[] {
    return this.groups.filter((g) => g.family === family).map((g) => ({ energyKeV: g.energyKeV, peak: g.peak }));
  }
}

/**
 * F(χ) = (1 − e^−χ)/χ, the self-absorption factor of a layer (1 at χ → 0). Evaluated millions of
 * times per painting, so from a table with linear interpolation below χ = 32 (step 1/128: error
 * < 2e-6 absolute, far below anything a spectrum can show) and as 1/χ above (e^−32 ≈ 1e-14).
 */
const F_STEP = 128;
const F_MAX = 32;
const F_TABLE = (() => {
  const t = new Float64Array(F_MAX * F_STEP + 2);
  for (let i = 0; i < t.length; i++) {
    const x = i / F_STEP;
    t[i] = x === 0 ? 1 : -Math.expm1(-x) / x;
  }
  return t;
})();

export function selfAbsorption(chi: number): number {
  if (chi >= F_MAX) return 1 / chi;
  const u = chi * F_STEP;
  const i = u | 0;
  const f = u - i;
  return F_TABLE[i] + (F_TABLE[i + 1] - F_TABLE[i]) * f;
}
