/**
 * Shared by every ground-truth reader: turning labelled maps into a MapStack with normalized line
 * names, telling uncertainty labels from family labels, and refusing NaN/Inf with the pixel named.
 */
import { XrfInputError } from '../errors';
import { parseLineName, formatLineName } from '../lines';
import type { MapStack } from './groundtruth';

/** What a label in a PyMca output (CSV column, EDF title, HDF5 dataset, TIFF page) stands for. */
export type LabelKind =
  | { kind: 'line'; line: string }
  | { kind: 'uncertainty'; line: string }
  | { kind: 'other' };

/**
 * Classify a label. PyMca titles uncertainties "s(Fe_K)" (CSV, EDF/TIFF titles) and names their
 * files "<entry>_sFe_K.edf"; concentrations are "w(Fe_K)" / "mM(Fe_K)" and count as other.
 * `fileLabel` enables the bracket-less file-name form "sFe_K".
 */
export function classifyLabel(label: string, fileLabel = false): LabelKind {
  const direct = parseLineName(label);
  if (direct) return { kind: 'line', line: formatLineName(direct) };
  const bracketed = /^\s*s\((.+)\)\s*$/.exec(label);
  const inner = bracketed?.[1] ?? (fileLabel ? /^s([A-Z].*)$/.exec(label.trim())?.[1] : undefined);
  if (inner !== undefined) {
    const n = parseLineName(inner);
    if (n) return { kind: 'uncertainty', line: formatLineName(n) };
  }
  return { kind: 'other' };
}

export interface LabelledMap {
  label: string;
  data: Float32Array;
  /** Use the file-name form of labels ("sFe_K") when classifying. */
  fileLabel?: boolean;
}

/**
 * Build a MapStack from labelled maps (all H·W): families in the order met, uncertainties
 * attached to their family, everything else listed in `ignored`. A family given twice (e.g. "Fe_K"
 * and "Fe-K") is an error, since the reader cannot know which one is meant.
 */
export function buildStack(path: string, height: number, width: number, items: LabelledMap[]): MapStack {
  const lines: string[] = [];
  const maps: Float32Array[] = [];
  const labelOf: string[] = [];
  const unc = new Map<string, Float32Array>();
  const ignored: string[] = [];
  for (const it of items) {
    if (it.data.length !== height * width) {
      throw new XrfInputError(path, `"${it.label}" has ${it.data.length} values, expected ${height}×${width} = ${height * width}`);
    }
    const c = classifyLabel(it.label, it.fileLabel);
    if (c.kind === 'line') {
      const prev = lines.indexOf(c.line);
      if (prev >= 0) throw new XrfInputError(path, `line family ${c.line} appears twice ("${labelOf[prev]}" and "${it.label}")`);
      lines.push(c.line);
      labelOf.push(it.label);
      maps.push(it.data);
    } else if (c.kind === 'uncertainty') {
      if (unc.has(c.line)) throw new XrfInputError(path, `uncertainty of ${c.line} appears twice ("${it.label}")`);
      unc.set(c.line, it.data);
    } else {
      ignored.push(it.label);
    }
  }
  // An uncertainty whose family is absent is not usable: report it rather than drop it silently.
  for (const [line] of unc) if (!lines.includes(line)) ignored.push(`s(${line}) (no ${line} map)`);
  if (lines.length === 0) {
    const seen = items.map((i) => `"${i.label}"`).join(', ') || 'nothing';
    throw new XrfInputError(path, `no line-family maps found (labels seen: ${seen}); expected names such as "Fe_K" or "Pb L"`);
  }
  const stack: MapStack = { path, height, width, lines, maps };
  if (unc.size > 0) stack.uncertainties = lines.map((l) => unc.get(l));
  if (ignored.length > 0) stack.ignored = ignored;
  return stack;
}

/** The first non-finite value of a stack's maps as an error naming file, family and pixel; undefined when all are finite. */
export function findNonFinite(stack: MapStack, what = ''): XrfInputError | undefined {
  for (let k = 0; k < stack.maps.length; k++) {
    const m = stack.maps[k];
    for (let i = 0; i < m.length; i++) {
      const v = m[i];
      if (!Number.isFinite(v)) {
        const row = Math.floor(i / stack.width);
        const col = i - row * stack.width;
        const kind = Number.isNaN(v) ? 'NaN' : v > 0 ? '+Inf' : '-Inf';
        return new XrfInputError(stack.path, `${what ? `${what} of ` : ''}${stack.lines[k]} is ${kind} at pixel (row ${row}, column ${col})`);
      }
    }
  }
  return undefined;
}

export function assertFinite(stack: MapStack, what = ''): void {
  const e = findNonFinite(stack, what);
  if (e) throw e;
}

/** Check the stack against the size the caller expects (e.g. its scan's), naming both. */
export function checkExpectedSize(stack: MapStack, opts: { height?: number; width?: number } | undefined): void {
  if (!opts) return;
  const { height, width } = opts;
  if ((height !== undefined && height !== stack.height) || (width !== undefined && width !== stack.width)) {
    throw new XrfInputError(
      stack.path,
      `maps are ${stack.height}×${stack.width} (H×W) but ${height ?? stack.height}×${width ?? stack.width} was expected`,
    );
  }
}

// Z order of element symbols, for ordering families read from separate files (which have no order).
const Z_ORDER = (
  'H He Li Be B C N O F Ne Na Mg Al Si P S Cl Ar K Ca Sc Ti V Cr Mn Fe Co Ni Cu Zn Ga Ge As Se Br Kr ' +
  'Rb Sr Y Zr Nb Mo Tc Ru Rh Pd Ag Cd In Sn Sb Te I Xe Cs Ba La Ce Pr Nd Pm Sm Eu Gd Tb Dy Ho Er Tm ' +
  'Yb Lu Hf Ta W Re Os Ir Pt Au Hg Tl Pb Bi Po At Rn Fr Ra Ac Th Pa U'
).split(' ');

/**
 * Reorder a stack's families by atomic number, then K < L < M (the thesis's table order): used for
 * per-family files, whose directory order means nothing.
 */
export function sortByElement(stack: MapStack): MapStack {
  const key = (line: string) => {
    const [el, fam] = line.split(' ');
    return Z_ORDER.indexOf(el) * 3 + 'KLM'.indexOf(fam);
  };
  const order = stack.lines.map((_, i) => i).sort((a, b) => key(stack.lines[a]) - key(stack.lines[b]));
  const out: MapStack = { ...stack, lines: order.map((i) => stack.lines[i]), maps: order.map((i) => stack.maps[i]) };
  if (stack.uncertainties) out.uncertainties = order.map((i) => stack.uncertainties![i]);
  return out;
}
