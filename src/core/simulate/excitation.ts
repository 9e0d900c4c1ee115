/**
 * The excitation seen by the model: the Rh-tube spectrum (physics/tube.ts) reduced to a few bins, so
 * the per-pixel work (attenuation and self-absorption per bin) stays small, while scatter shapes keep
 * the tube's fine structure.
 */
import { rhTubeSpectrum } from '../physics/tube';

export interface ExcitationBin {
  /** Photon-weighted mean energy, keV: where attenuation and cross sections are evaluated. */
  e: number;
  /** Photons (tube units). */
  w: number;
  /** The tube's own grid points or lines inside the bin: [energy keV, photons]. */
  sub: [number, number][];
  /** A characteristic tube line (or close lines merged), not a slice of continuum. */
  line: boolean;
  label: string;
}

/**
 * Continuum in 1 keV bins up to 8 keV (light elements' edges crowd there), 2 keV bins to 20 keV and 5 keV
 * above (few edges); then the tube's lines above 1 keV, merged when closer than 0.2 keV (they share
 * attenuation; their scatter peaks keep every line).
 */
export function excitationBins(tubeKV: number): ExcitationBin[] {
  const tube = rhTubeSpectrum(tubeKV);
  const edges: number[] = [];
  for (let e = 1; e < 8; e += 1) edges.push(e);
  for (let e = 8; e < 20; e += 2) edges.push(e);
  for (let e = 20; e < tubeKV; e += 5) edges.push(e);
  edges.push(tubeKV);
  const bins: ExcitationBin[] = [];
  for (let b = 0; b + 1 < edges.length; b++) {
    let w = 0;
    let ew = 0;
    const sub: [number, number][] = [];
    for (let i = 0; i < tube.continuumPoints; i++) {
      const e = tube.energiesKeV[i];
      if (e >= edges[b] && e < edges[b + 1] && tube.weights[i] > 0) {
        w += tube.weights[i];
        ew += e * tube.weights[i];
        sub.push([e, tube.weights[i]]);
      }
    }
    if (w > 0) bins.push({ e: ew / w, w, sub, line: false, label: `continuum ${edges[b]}–${edges[b + 1]} keV` });
  }
  const lines = [...tube.lines].filter((l) => l.energyKeV > 1).sort((a, b) => a.energyKeV - b.energyKeV);
  for (const l of lines) {
    const last = bins[bins.length - 1];
    if (last && last.line && l.energyKeV - last.e < 0.2) {
      last.e = (last.e * last.w + l.energyKeV * l.weight) / (last.w + l.weight);
      last.w += l.weight;
      last.sub.push([l.energyKeV, l.weight]);
    } else bins.push({ e: l.energyKeV, w: l.weight, sub: [[l.energyKeV, l.weight]], line: true, label: l.label });
  }
  return bins;
}

/**
 * The tube photons whose scatter each bin carries. A bin's scatter is attenuated as at its centre
 * energy; splitting every continuum grid point between the two nearest continuum bin centres (tent
 * weights) makes that attenuation vary piecewise-linearly with energy, so the scattered background has
 * no steps at bin edges. Line bins keep their lines. Photons are conserved.
 */
export function scatterTents(bins: readonly ExcitationBin[]): [number, number][][] {
  const centres = bins.flatMap((b, i) => (b.line ? [] : [i]));
  const tents: [number, number][][] = bins.map((b) => (b.line ? [...b.sub] : []));
  for (const bi of centres) {
    for (const [e, w] of bins[bi].sub) {
      const k = centres.findIndex((c) => bins[c].e > e); // first centre above e
      if (k < 0) tents[centres[centres.length - 1]].push([e, w]);
      else if (k === 0) tents[centres[0]].push([e, w]);
      else {
        const lo = centres[k - 1];
        const hi = centres[k];
        const f = (e - bins[lo].e) / (bins[hi].e - bins[lo].e);
        tents[lo].push([e, w * (1 - f)]);
        tents[hi].push([e, w * f]);
      }
    }
  }
  return tents;
}
