/**
 * Which axis of a 3-D HDF5 dataset holds the channels (energies), and how to turn a hyperslab in
 * stored order into the pixel-major H × W × C block every Cube returns.
 *
 * Files are not always channels-last: NeXus NXdata may store (energy, y, x) and say so, and some
 * beamline files store (channels, rows, cols) with nothing said at all. Reading those as H × W × C
 * gives a wrong scan silently, so the decision is made from the strongest evidence present and
 * recorded (`AxisEvidence`) so the user can see why. This module is pure: hdf5.ts gathers the facts
 * from the file, `decideChannelAxis` weighs them.
 *
 * Order of evidence (the first that names exactly one axis wins):
 *  1. metadata naming the axes: the NXdata group's `axes` attribute, its `<name>_indices`
 *     attributes, the dataset's own (old NeXus) colon-separated `axes` attribute, sibling axis
 *     datasets carrying the old NeXus `axis` = k attribute, HDF5 dimension labels / scales. An axis
 *     is the channel axis when its name says energy/channel or its axis dataset's `units`
 *     (keV, eV, channel) or `long_name` do;
 *  2. `interpretation = "spectrum"` on the dataset (NeXus: the spectrum is the last axis);
 *  3. a 1-D energy axis dataset beside the cube (named like energy/channels, or in keV/eV) whose
 *     length matches exactly one dimension;
 *  4. the shape alone, conservatively (`channelsFirstByShape`);
 *  5. otherwise the last axis (channels last, the common layout and the old behaviour).
 * The two remaining axes are rows then columns, in their stored order.
 */
import { transposeJs } from './transpose';

export type ChannelAxis = 0 | 1 | 2;

/** How the channel axis was decided (shown to the user by `xrfmaps info`). */
export type AxisEvidence =
  | 'NXdata axes'
  | 'NXdata indices'
  | 'dataset axes attribute'
  | 'axis datasets'
  | 'dimension scales'
  | 'interpretation'
  | 'energy axis length'
  | 'shape'
  | 'default'
  | 'user';

/** A name given to one stored dimension by some metadata, with what its axis dataset says of itself. */
export interface AxisLabel {
  dim: number;
  name: string;
  units?: string;
  longName?: string;
  /** Length of the axis dataset when it exists and is 1-D. */
  length?: number;
}

export interface AxisFacts {
  /** Stored shape, 3-D. */
  shape: readonly number[];
  /** Axis labels per metadata source, strongest source first. */
  labels: { source: AxisEvidence; labels: AxisLabel[] }[];
  /** The dataset's `interpretation` attribute. */
  interpretation?: string;
  /** Lengths of 1-D energy-like datasets beside the cube. */
  energyAxisLengths: number[];
}

export interface AxisDecision {
  channelAxis: ChannelAxis;
  from: AxisEvidence;
}

/** Names that mean energy or channel: "energy", "Energy_keV", "channel", "chan", "E", "eV", "keV"; not "exchange" or "level". */
const ENERGY_NAME = /energy|channel|(^|[^a-z])(chans?|e|k?ev)([^a-z]|$)/i;
const ENERGY_UNITS = /^\s*(k?ev|channels?|chans?)\s*$/i;
const ENERGY_LONG_NAME = /energy|channel/i;

export function isEnergyName(name: string): boolean {
  return ENERGY_NAME.test(name.trim());
}

export function isEnergyLabel(l: Omit<AxisLabel, 'dim'>): boolean {
  return isEnergyName(l.name) || (l.units !== undefined && ENERGY_UNITS.test(l.units)) || (l.longName !== undefined && ENERGY_LONG_NAME.test(l.longName));
}

/** The one dimension the labels call energy, or undefined when none or several do. */
function energyDimOf(labels: AxisLabel[], shape: readonly number[]): number | undefined {
  const dims = new Set<number>();
  for (const l of labels) {
    if (!Number.isInteger(l.dim) || l.dim < 0 || l.dim >= shape.length || !isEnergyLabel(l)) continue;
    // An axis dataset whose length fits neither the dimension nor its bin edges contradicts the label.
    if (l.length !== undefined && l.length !== shape[l.dim] && l.length !== shape[l.dim] + 1) continue;
    dims.add(l.dim);
  }
  return dims.size === 1 ? [...dims][0] : undefined;
}

/**
 * No metadata at all: channels first only when the first axis is clearly the spectrum — it is much
 * the longest — and the last axis is not plausibly one:
 *  - first ≥ 256, first ≥ 4 × both others, and last < 256 (fewer than 256 channels of ~10 eV
 *    stop below 2.6 keV: no MA-XRF spectrum is that short), e.g. 4096 × 300 × 200; or
 *  - first ≥ 8 × both others and both others ≥ 16, e.g. 4096 × 300 × 300 or 2048 × 256 × 256.
 * A channels-last scan is misread by this only if it has fewer than 256 channels and is at least
 * 4× taller than wide, or is a strip at least 8× taller than wide with at most 1/8 as many channels
 * as rows: neither is a realistic raw MA-XRF scan. Channels-first files that miss the rule (e.g.
 * 1024 × 300 × 200 or 4096 × 600 × 800) are read channels-last: they need metadata.
 */
export function channelsFirstByShape(shape: readonly number[]): boolean {
  const [first, middle, last] = shape;
  const others = Math.max(middle, last);
  if (first >= 256 && first >= 4 * others && last < 256) return true;
  return first >= 8 * others && Math.min(middle, last) >= 16;
}

export function decideChannelAxis(facts: AxisFacts): AxisDecision {
  const { shape } = facts;
  for (const { source, labels } of facts.labels) {
    const dim = energyDimOf(labels, shape);
    if (dim !== undefined) return { channelAxis: dim as ChannelAxis, from: source };
  }
  if (facts.interpretation?.trim().toLowerCase() === 'spectrum') return { channelAxis: 2, from: 'interpretation' };
  const byLength = new Set<number>();
  for (const n of facts.energyAxisLengths) {
    const dims = [0, 1, 2].filter((d) => shape[d] === n);
    if (dims.length === 1) byLength.add(dims[0]);
    else if (dims.length > 1) byLength.add(-1); // ambiguous: poison
  }
  if (byLength.size === 1 && !byLength.has(-1)) return { channelAxis: [...byLength][0] as ChannelAxis, from: 'energy axis length' };
  if (channelsFirstByShape(shape)) return { channelAxis: 0, from: 'shape' };
  return { channelAxis: 2, from: 'default' };
}

/** Where rows, columns and channels lie in the stored order (rows before columns). */
export interface AxisLayout {
  channelAxis: ChannelAxis;
  rowAxis: number;
  colAxis: number;
  /** [H, W, C]. */
  shape: [number, number, number];
}

export function layoutOf(stored: readonly number[], channelAxis: ChannelAxis): AxisLayout {
  const [rowAxis, colAxis] = [0, 1, 2].filter((d) => d !== channelAxis);
  return { channelAxis, rowAxis, colAxis, shape: [stored[rowAxis], stored[colAxis], stored[channelAxis]] };
}

/** Human wording of the stored order, e.g. "channels × rows × columns". */
export function describeStoredOrder(channelAxis: ChannelAxis): string {
  const names = ['rows', 'columns'];
  const order = [0, 1, 2].map((d) => (d === channelAxis ? 'channels' : names.shift()!));
  return order.join(' × ');
}

/** Hyperslab ranges, in stored order, for rows [row0, row0 + nRows) and every column and channel. */
export function rowBlockRanges(l: AxisLayout, row0: number, nRows: number): [number, number][] {
  const r: [number, number][] = [];
  r[l.rowAxis] = [row0, row0 + nRows];
  r[l.colAxis] = [0, l.shape[1]];
  r[l.channelAxis] = [0, l.shape[2]];
  return r;
}

/** Hyperslab ranges, in stored order, for one pixel's spectrum (contiguous whatever the order). */
export function pixelRanges(l: AxisLayout, row: number, col: number): [number, number][] {
  const r: [number, number][] = [];
  r[l.rowAxis] = [row, row + 1];
  r[l.colAxis] = [col, col + 1];
  r[l.channelAxis] = [0, l.shape[2]];
  return r;
}

/**
 * Reorder a hyperslab read in stored order into pixel-major `dst` (index pixel·C + ch), converting
 * to float32 on the way. Rows and columns keep their stored order, so the slab is `outer` blocks of
 * a C × `inner` matrix (outer = sizes before the channel axis, inner = sizes after it), each
 * transposed into `inner` × C by transpose.ts's register-blocked loop (`transposeJs`).
 */
export function toPixelMajor(src: ArrayLike<number> | BigInt64Array | BigUint64Array, sub: readonly number[], channelAxis: ChannelAxis, dst: Float32Array): void {
  const C = sub[channelAxis];
  let outer = 1;
  let inner = 1;
  for (let d = 0; d < channelAxis; d++) outer *= sub[d];
  for (let d = channelAxis + 1; d < sub.length; d++) inner *= sub[d];
  if (src instanceof BigInt64Array || src instanceof BigUint64Array) {
    for (let o = 0; o < outer; o++) {
      const base = o * C * inner;
      for (let ch = 0; ch < C; ch++) for (let i = 0; i < inner; i++) dst[base + i * C + ch] = Number(src[base + ch * inner + i]);
    }
    return;
  }
  if (inner === 1) {
    dst.set(src as ArrayLike<number>);
    return;
  }
  for (let o = 0; o < outer; o++) transposeJs(src as ArrayLike<number>, o * C * inner, inner, C, inner, dst, o * C * inner);
}

