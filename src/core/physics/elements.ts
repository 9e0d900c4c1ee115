/** Chemical symbols by atomic number, Z = 1..92 (index 0 unused). */
export const ELEMENT_SYMBOLS: readonly string[] = [
  '',
  ...('H He Li Be B C N O F Ne Na Mg Al Si P S Cl Ar K Ca Sc Ti V Cr Mn Fe Co Ni Cu Zn Ga Ge As Se Br Kr ' +
    'Rb Sr Y Zr Nb Mo Tc Ru Rh Pd Ag Cd In Sn Sb Te I Xe Cs Ba La Ce Pr Nd Pm Sm Eu Gd Tb Dy Ho Er Tm ' +
    'Yb Lu Hf Ta W Re Os Ir Pt Au Hg Tl Pb Bi Po At Rn Fr Ra Ac Th Pa U').split(' '),
];

const Z_OF = new Map<string, number>(ELEMENT_SYMBOLS.map((s, z) => [s.toLowerCase(), z]));

/** Atomic number of a chemical symbol (case-insensitive: "Fe", "fe", "FE"); throws for unknown symbols. */
export function atomicNumber(symbol: string): number {
  const z = Z_OF.get(symbol.trim().toLowerCase());
  if (!z) throw new Error(`unknown chemical symbol "${symbol}" (expected H … U, Z = 1..92)`);
  return z;
}

export function elementSymbol(z: number): string {
  if (!Number.isInteger(z) || z < 1 || z > 92) throw new Error(`atomic number ${z} is outside 1..92`);
  return ELEMENT_SYMBOLS[z];
}
