/**
 * Materials of a panel painting, as element mass fractions. Pigment compositions follow their chemical
 * formulas (rounded); clays, earths and glass are typical compositions from the conservation literature.
 * Fractions of each material sum to 1.
 */

export type Composition = Readonly<Record<string, number>>;

/** Kaolinite Al2Si2O5(OH)4: the clay in ochres, earths and bole. */
const CLAY: Composition = { Al: 0.209, Si: 0.218, O: 0.557, H: 0.016 };

function blend(parts: [Composition, number][]): Composition {
  const out: Record<string, number> = {};
  for (const [c, w] of parts) for (const [el, f] of Object.entries(c)) out[el] = (out[el] ?? 0) + f * w;
  return normalize(out);
}

function normalize(c: Record<string, number>): Composition {
  const s = Object.values(c).reduce((a, b) => a + b, 0);
  const out: Record<string, number> = {};
  for (const [el, f] of Object.entries(c)) out[el] = f / s;
  return out;
}

const HEMATITE: Composition = { Fe: 0.699, O: 0.301 };
const GOETHITE: Composition = { Fe: 0.629, O: 0.36, H: 0.011 };
const PYROLUSITE: Composition = { Mn: 0.632, O: 0.368 };

/** Pigments by name. `note` says which elements a viewer should expect to see. */
export const PIGMENTS = {
  leadWhite: { label: 'lead white 2PbCO3·Pb(OH)2', comp: normalize({ Pb: 0.8015, C: 0.031, O: 0.165, H: 0.0026 }) },
  vermilion: { label: 'vermilion HgS', comp: normalize({ Hg: 0.862, S: 0.138 }) },
  redLead: { label: 'red lead Pb3O4', comp: normalize({ Pb: 0.9067, O: 0.0933 }) },
  yellowOchre: { label: 'yellow ochre (goethite + clay)', comp: blend([[GOETHITE, 0.4], [CLAY, 0.58], [{ K: 1 }, 0.02]]) },
  redOchre: { label: 'red ochre (hematite + clay)', comp: blend([[HEMATITE, 0.5], [CLAY, 0.5]]) },
  umber: { label: 'umber (hematite + MnO2 + clay)', comp: blend([[HEMATITE, 0.45], [PYROLUSITE, 0.15], [CLAY, 0.4]]) },
  azurite: { label: 'azurite 2CuCO3·Cu(OH)2', comp: normalize({ Cu: 0.553, C: 0.0697, O: 0.371, H: 0.0058 }) },
  malachite: { label: 'malachite CuCO3·Cu(OH)2', comp: normalize({ Cu: 0.575, C: 0.054, O: 0.362, H: 0.009 }) },
  zincWhite: { label: 'zinc white ZnO', comp: normalize({ Zn: 0.803, O: 0.197 }) },
  chromeYellow: { label: 'chrome yellow PbCrO4', comp: normalize({ Pb: 0.641, Cr: 0.161, O: 0.198 }) },
  smalt: {
    label: 'smalt (K-Co glass with As)',
    comp: normalize({ Si: 0.327, K: 0.083, Co: 0.047, As: 0.0076, Fe: 0.005, O: 0.53 }),
  },
  greenEarth: { label: 'green earth (celadonite)', comp: normalize({ K: 0.08, Mg: 0.05, Fe: 0.15, Al: 0.05, Si: 0.25, O: 0.41, H: 0.01 }) },
  titaniumWhite: { label: 'titanium white TiO2 (modern retouching)', comp: normalize({ Ti: 0.599, O: 0.401 }) },
  bariumWhite: { label: 'barium white BaSO4 (retouching filler)', comp: normalize({ Ba: 0.588, S: 0.137, O: 0.275 }) },
  boneBlack: { label: 'bone black (carbon + hydroxyapatite)', comp: normalize({ C: 0.6, Ca: 0.16, P: 0.075, O: 0.16, H: 0.005 }) },
} as const satisfies Record<string, { label: string; comp: Composition }>;

export type PigmentName = keyof typeof PIGMENTS;
export const PIGMENT_NAMES = Object.keys(PIGMENTS) as PigmentName[];

/** Egg tempera binder (protein + lipid), with the egg's sulfur. */
export const BINDER: Composition = normalize({ C: 0.55, O: 0.25, H: 0.08, N: 0.1, S: 0.01, P: 0.01 });
/** Binder mass per unit pigment mass in a paint layer. */
export const BINDER_PER_PIGMENT = 0.35;

/** Gypsum gesso with animal glue, strontium as the usual trace of natural gypsum. */
export const GESSO: Composition = blend([
  [{ Ca: 0.233, S: 0.186, O: 0.558, H: 0.023 }, 0.897],
  [{ C: 0.5, O: 0.25, N: 0.18, H: 0.07 }, 0.1],
  [{ Sr: 1 }, 0.0015],
]);
/** Gesso areal mass (g/cm²): ~1 mm, infinitely thick for every line we record. */
export const GESSO_AREAL_MASS = 0.2;

/** Armenian bole under the gilding: Fe-rich clay with potassium. */
export const BOLE: Composition = blend([[CLAY, 0.8], [HEMATITE, 0.17], [{ K: 1 }, 0.03]]);
/** Gold leaf, with the silver and copper of real beaten gold. */
export const GOLD_LEAF: Composition = normalize({ Au: 0.97, Ag: 0.02, Cu: 0.01 });

/** Air between the painting and the detector/tube (~1 cm of it): attenuates, and shows Ar. */
export const AIR: Composition = normalize({ N: 0.755, O: 0.232, Ar: 0.0128, C: 0.0002 });
export const AIR_AREAL_MASS = 0.0012; // 1 cm × 1.2 mg/cm³

/** Densities (g/cm³) used only to turn µm into g/cm² in preset definitions. */
export const DENSITY = { paint: 3.0, bole: 2.0, gold: 19.3 } as const;

/** µm of a material of density ρ (g/cm³) → g/cm². */
export function arealMass(um: number, density: number): number {
  return um * 1e-4 * density;
}
