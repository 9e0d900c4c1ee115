/**
 * Names of line families ("Fe K", "Pb L"): one spelling everywhere. Files spell them many ways
 * (PyMca writes "Fe_K"; others "Fe-K", "FeK", "Fe K", "fe k", "Fe Ka"); all normalize to "Fe K".
 */
export type Family = 'K' | 'L' | 'M';

export interface LineName {
  element: string; // "Fe"
  family: Family;
}

/** The thesis's 12 targets, in its order. */
export const DEFAULT_LINES: readonly string[] = [
  'S K', 'K K', 'Ca K', 'Cr K', 'Mn K', 'Fe K', 'Cu K', 'Zn K', 'Sr K', 'Au L', 'Hg L', 'Pb L',
];

// Symbols Z = 1..92: a name is a line family only when its element exists.
const SYMBOLS = new Set(
  ('H He Li Be B C N O F Ne Na Mg Al Si P S Cl Ar K Ca Sc Ti V Cr Mn Fe Co Ni Cu Zn Ga Ge As Se Br Kr ' +
    'Rb Sr Y Zr Nb Mo Tc Ru Rh Pd Ag Cd In Sn Sb Te I Xe Cs Ba La Ce Pr Nd Pm Sm Eu Gd Tb Dy Ho Er Tm ' +
    'Yb Lu Hf Ta W Re Os Ir Pt Au Hg Tl Pb Bi Po At Rn Fr Ra Ac Th Pa U').split(' '),
);

// Element, optional separator, family, optional line designation (Ka, Ka1, Lb2, Lg…).
const PATTERN = /^\s*([A-Za-z]{1,2}?)[\s_\-]*([KLMklm])(?:[abgABG]\d?)?\s*$/;

/** Parse a line-family name in any common spelling; undefined when it is not one. */
export function parseLineName(raw: string): LineName | undefined {
  const m = PATTERN.exec(raw);
  if (!m) return undefined;
  const sym = m[1][0].toUpperCase() + m[1].slice(1).toLowerCase();
  if (!SYMBOLS.has(sym)) return undefined;
  return { element: sym, family: m[2].toUpperCase() as Family };
}

export function formatLineName(n: LineName): string {
  return `${n.element} ${n.family}`;
}

/** Normalize to "Fe K"; throws with the offending text when it is not a line-family name. */
export function normalizeLineName(raw: string): string {
  const n = parseLineName(raw);
  if (!n) throw new Error(`not a line-family name: "${raw}" (expected e.g. "Fe K", "Fe_K", "Pb-L")`);
  return formatLineName(n);
}
