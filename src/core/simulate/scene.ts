/**
 * The painting itself: which materials lie where, and how thick. A scene is a small description (a
 * few shapes with their paint recipes, generated from the seed) plus stateless noise fields, so the
 * layer stack of any pixel can be computed on its own: workers render disjoint rows independently.
 *
 * The stack of every pixel, bottom to top: gesso ground (always; infinitely thick), bole and gold leaf
 * (where gilded), paint layer 1 (the local colour), paint layer 2 (modelling: highlights, shadows,
 * glazes). Losses remove everything above the gesso.
 */
import { PIGMENT_NAMES, type PigmentName, arealMass, DENSITY, BINDER_PER_PIGMENT } from './materials';
import { fbm, brush, smoothstep, valueNoise } from './noise';
import { Rng, hash32 } from './rng';

export const N_PIGMENTS = PIGMENT_NAMES.length;
const PIG_INDEX = new Map(PIGMENT_NAMES.map((p, i) => [p, i]));

/** Layout of one pixel's state vector (g/cm²): bole, gold, then pigment masses of paint 1, then of paint 2. */
export const STATE = {
  bole: 0,
  gold: 1,
  paint1: 2,
  paint2: 2 + N_PIGMENTS,
  length: 2 + 2 * N_PIGMENTS,
} as const;

/** A paint layer: pigment mass fractions (of the pigment part) and its thickness in µm. */
export interface PaintLayer {
  pigments: Partial<Record<PigmentName, number>>;
  um: number;
}

/** What a region of the painting is made of. */
export interface Recipe {
  name: string;
  /** 0..1: gilded (bole + gold leaf) or not. */
  gild?: number;
  paint1?: PaintLayer;
  paint2?: PaintLayer;
  /** Brush texture strength for paint thickness (fraction), default 0.35. */
  texture?: number;
}

export type ShapeKind = 'ellipse' | 'rect' | 'ring' | 'frame';

/** A region: a shape in normalized coordinates (x = column/width, y = row/height, both 0..1). */
export interface Shape {
  kind: ShapeKind;
  cx: number;
  cy: number;
  rx: number;
  ry: number;
  /** ring: half-thickness of the band; frame: width of the border. */
  band?: number;
  /** Softness of the boundary (normalized units). */
  edge: number;
  /** Amplitude of the noise that makes edges irregular (normalized units). */
  wobble: number;
  recipe: Recipe;
  /** Stroke direction for this region's brush texture (radians). */
  strokeAngle: number;
}

export interface Scene {
  key: number;
  height: number;
  width: number;
  background: Recipe;
  shapes: Shape[];
  /** Fraction of the paint surface lost down to the gesso (approximately). */
  lossFraction: number;
  /** Wear of the gold leaf, 0..1 (bole shows through). */
  goldWear: number;
}

/** A recipe as a dense state vector (g/cm²), before texture and losses. */
function recipeVector(r: Recipe): Float64Array {
  const v = new Float64Array(STATE.length);
  const gild = r.gild ?? 0;
  v[STATE.bole] = gild * arealMass(15, DENSITY.bole);
  v[STATE.gold] = gild * arealMass(0.25, DENSITY.gold);
  const addLayer = (layer: PaintLayer | undefined, base: number) => {
    if (!layer) return;
    const total = Object.values(layer.pigments).reduce((a, b) => a + (b ?? 0), 0);
    // Pigment share of the dried layer's mass: the rest is binder (added back in the physics).
    const pigmentMass = arealMass(layer.um, DENSITY.paint) / (1 + BINDER_PER_PIGMENT);
    for (const [p, f] of Object.entries(layer.pigments)) v[base + PIG_INDEX.get(p as PigmentName)!] += (pigmentMass * (f ?? 0)) / total;
  };
  addLayer(r.paint1, STATE.paint1);
  addLayer(r.paint2, STATE.paint2);
  return v;
}

/** Signed distance (normalized units; negative inside) of point (x, y) to a shape, before wobble. */
function signedDistance(s: Shape, x: number, y: number): number {
  const dx = x - s.cx;
  const dy = y - s.cy;
  switch (s.kind) {
    case 'ellipse': {
      const k = Math.hypot(dx / s.rx, dy / s.ry);
      return (k - 1) * Math.min(s.rx, s.ry);
    }
    case 'ring': {
      const k = Math.hypot(dx / s.rx, dy / s.ry);
      return Math.abs((k - 1) * Math.min(s.rx, s.ry)) - (s.band ?? 0.01);
    }
    case 'rect': {
      const qx = Math.abs(dx) - s.rx;
      const qy = Math.abs(dy) - s.ry;
      return Math.hypot(Math.max(qx, 0), Math.max(qy, 0)) + Math.min(Math.max(qx, qy), 0);
    }
    case 'frame': {
      // Inside the border band of the whole panel: distance to the inner rectangle, negated.
      const b = s.band ?? 0.05;
      const qx = Math.abs(dx) - (0.5 - b);
      const qy = Math.abs(dy) - (0.5 - b);
      const inner = Math.hypot(Math.max(qx, 0), Math.max(qy, 0)) + Math.min(Math.max(qx, qy), 0);
      return -inner;
    }
  }
}

/** Cached dense vectors of every recipe of a scene. */
export class SceneSampler {
  private readonly bg: Float64Array;
  private readonly shapeVecs: Float64Array[];
  private readonly aspect: number;
  private readonly wobbleKeys: number[];
  /** Loss-noise level above which paint is lost: the (1 − lossFraction) quantile of the field. */
  private readonly lossThreshold: number;

  constructor(readonly scene: Scene) {
    this.bg = recipeVector(scene.background);
    this.shapeVecs = scene.shapes.map((s) => recipeVector(s.recipe));
    this.aspect = scene.width / scene.height;
    this.wobbleKeys = scene.shapes.map((_, i) => hash32(scene.key, 11, i));
    // Quantile from a fixed 64×64 sampling of the field: deterministic, and independent of the pixel size.
    const samples: number[] = [];
    for (let i = 0; i < 64; i++) for (let j = 0; j < 64; j++) samples.push(this.lossNoise(((j + 0.5) / 64) * this.aspect, (i + 0.5) / 64));
    samples.sort((a, b) => a - b);
    const q = Math.min(samples.length - 1, Math.max(0, Math.round((1 - scene.lossFraction) * samples.length)));
    this.lossThreshold = scene.lossFraction <= 0 ? Infinity : samples[q];
  }

  private lossNoise(nx: number, y: number): number {
    const key = this.scene.key;
    return fbm(hash32(key, 31), nx * 7, y * 7, 5) * 0.75 + 0.25 * valueNoise(hash32(key, 32), nx * 40, y * 40);
  }

  /**
   * The state vector of every pixel of row `r`, written into `out` (width × STATE.length).
   * Pure function of (scene, r): the same row always gives the same values.
   */
  row(r: number, out: Float64Array): Float64Array {
    const { scene } = this;
    const W = scene.width;
    const H = scene.height;
    const L = STATE.length;
    const key = scene.key;
    const y = (r + 0.5) / H;
    const tmp = new Float64Array(L);
    for (let c = 0; c < W; c++) {
      const x = (c + 0.5) / W;
      // Noise coordinates in units of the panel height, so features are round on non-square panels.
      const nx = x * this.aspect;
      tmp.set(this.bg);
      let texture = scene.background.texture ?? 0.2;
      let angle = 0.3;
      for (let i = 0; i < scene.shapes.length; i++) {
        const s = scene.shapes[i];
        const d0 = signedDistance(s, x, y);
        const reach = s.wobble + s.edge;
        if (d0 > reach) continue; // clearly outside: no noise needed
        const d = d0 < -reach ? d0 : d0 + s.wobble * (fbm(this.wobbleKeys[i], nx * 9, y * 9, 3) - 0.5) * 2;
        if (d > s.edge) continue;
        const w = 1 - smoothstep(-s.edge, s.edge, d);
        const v = this.shapeVecs[i];
        for (let k = 0; k < L; k++) tmp[k] += (v[k] - tmp[k]) * w;
        texture += ((s.recipe.texture ?? 0.35) - texture) * w;
        angle = w > 0.5 ? s.strokeAngle : angle;
      }
      // Brush strokes modulate paint thickness (not the gilding): long thin streaks along the stroke angle.
      const stroke = brush(hash32(key, 21), nx * 60, y * 60, angle, 6, 0.6) + 0.5 * (fbm(hash32(key, 22), nx * 14, y * 14, 3) - 0.5);
      const paintScale = Math.max(0, 1 + 2 * texture * stroke);
      // Highlights/shadows (paint 2) vary more, as modelling does.
      const modelling = Math.max(0, 1 + 3 * texture * (fbm(hash32(key, 23), nx * 6, y * 6, 4) - 0.5) + 2 * texture * stroke);
      // Losses: a sharp-ish threshold on a noise field, so they look like flaked islands with soft rims.
      const keep = 1 - smoothstep(this.lossThreshold - 0.015, this.lossThreshold + 0.015, this.lossNoise(nx, y));
      const goldKeep = 1 - scene.goldWear * smoothstep(0.45, 0.75, fbm(hash32(key, 41), nx * 20, y * 20, 3));
      const o = c * L;
      out[o + STATE.bole] = tmp[STATE.bole] * keep;
      out[o + STATE.gold] = tmp[STATE.gold] * keep * goldKeep;
      for (let k = 0; k < N_PIGMENTS; k++) {
        out[o + STATE.paint1 + k] = tmp[STATE.paint1 + k] * keep * paintScale;
        out[o + STATE.paint2 + k] = tmp[STATE.paint2 + k] * keep * modelling;
      }
    }
    return out;
  }
}

// ---- The icon design ---------------------------------------------------------------------------

const p = (pigments: Partial<Record<PigmentName, number>>, um: number): PaintLayer => ({ pigments, um });

export interface DesignOptions {
  /** Gold background (true) or a painted one (smalt sky over earth). */
  goldBackground: boolean;
  figures: number;
  lossFraction: number;
  goldWear: number;
  /** Include modern retouchings (Ti, Ba, Zn). */
  retouch: boolean;
}

/**
 * A Byzantine-style icon: gilded or painted background, a red frame, standing figures with gilded
 * haloes, flesh, robes and mantles in historical pigments, a vermilion inscription, losses and
 * (optionally) modern retouchings. Choices (robe pigments, positions) come from the seed.
 */
export function iconScene(key: number, height: number, width: number, opt: DesignOptions): Scene {
  const rng = new Rng(key, 0x5ce7e);
  const pick = <T>(xs: readonly T[]): T => xs[Math.floor(rng.uniform() * xs.length)];
  const shapes: Shape[] = [];
  const add = (s: Omit<Shape, 'strokeAngle' | 'edge' | 'wobble'> & Partial<Shape>) =>
    shapes.push({ edge: 0.006, wobble: 0.006, strokeAngle: (rng.uniform() - 0.5) * 2.5, ...s });

  const background: Recipe = opt.goldBackground
    ? { name: 'gold background', gild: 1, texture: 0.1 }
    : { name: 'smalt sky', paint1: p({ smalt: 0.8, leadWhite: 0.2 }, 40), paint2: p({ leadWhite: 1 }, 4), texture: 0.3 };

  // Ground strip at the bottom: green earth with umber shadows.
  add({ kind: 'rect', cx: 0.5, cy: 0.92, rx: 0.6, ry: 0.14, edge: 0.01, wobble: 0.02,
    recipe: { name: 'earth ground', paint1: p({ greenEarth: 0.7, yellowOchre: 0.3 }, 45), paint2: p({ umber: 1 }, 8) } });

  const robes: PigmentName[][] = [
    ['vermilion', 'redLead'], ['azurite', 'leadWhite'], ['malachite', 'leadWhite'], ['umber', 'redOchre'],
    ['chromeYellow', 'leadWhite'], ['smalt', 'leadWhite'], ['redOchre', 'vermilion'],
  ];
  const n = Math.max(1, opt.figures);
  for (let i = 0; i < n; i++) {
    const cx = (i + 0.5) / n + (rng.uniform() - 0.5) * 0.04;
    const scale = Math.min(1, 1.6 / n) * (0.9 + 0.2 * rng.uniform());
    const headY = 0.28 + (rng.uniform() - 0.5) * 0.05;
    const headR = 0.055 * scale;
    const [robe, robe2] = pick(robes);
    const [mantle] = pick(robes.filter((r) => r[0] !== robe));
    // Halo: gilded disc with a red outline ring.
    add({ kind: 'ellipse', cx, cy: headY - 0.01, rx: headR * 2.0, ry: headR * 2.0 * (width / height),
      recipe: { name: 'halo', gild: 1, texture: 0.1 } });
    add({ kind: 'ring', cx, cy: headY - 0.01, rx: headR * 2.0, ry: headR * 2.0 * (width / height), band: 0.004, edge: 0.003, wobble: 0.002,
      recipe: { name: 'halo outline', paint1: p({ vermilion: 1 }, 15) } });
    // Robe (long ellipse under the head), then a mantle over one side.
    add({ kind: 'ellipse', cx, cy: headY + 0.36 * scale + 0.12, rx: 0.16 * scale, ry: 0.36 * scale,
      recipe: { name: `robe (${robe})`, paint1: p({ [robe]: 0.8, [robe2]: 0.2 }, 35), paint2: p({ leadWhite: 0.7, [robe]: 0.3 }, 6) } });
    add({ kind: 'ellipse', cx: cx + 0.05 * scale, cy: headY + 0.3 * scale + 0.1, rx: 0.1 * scale, ry: 0.24 * scale, wobble: 0.012,
      recipe: { name: `mantle (${mantle})`, paint1: p({ [mantle]: 0.9, leadWhite: 0.1 }, 30), paint2: p({ umber: 0.6, [mantle]: 0.4 }, 5) } });
    // Flesh: ochre underpaint (proplasmos), lead white and vermilion modelling on top.
    add({ kind: 'ellipse', cx, cy: headY, rx: headR, ry: headR * 1.25 * (width / height), edge: 0.004,
      recipe: { name: 'flesh', paint1: p({ yellowOchre: 0.5, greenEarth: 0.3, leadWhite: 0.2 }, 20), paint2: p({ leadWhite: 0.8, vermilion: 0.2 }, 10), texture: 0.5 } });
    // Hair/beard in umber.
    add({ kind: 'ellipse', cx, cy: headY - headR * 0.7, rx: headR * 0.95, ry: headR * 0.45 * (width / height), edge: 0.004,
      recipe: { name: 'hair', paint1: p({ umber: 0.8, boneBlack: 0.2 }, 20) } });
  }

  // Inscription: a row of vermilion letters near the top.
  const letters = 4 + Math.floor(rng.uniform() * 5);
  for (let i = 0; i < letters; i++) {
    add({ kind: 'rect', cx: 0.3 + (0.4 * (i + 0.5)) / letters, cy: 0.1, rx: 0.012, ry: 0.018, edge: 0.002, wobble: 0.002,
      recipe: { name: 'inscription', paint1: p({ vermilion: 1 }, 12) } });
  }

  // The red frame, painted last (over everything at the border).
  add({ kind: 'frame', cx: 0.5, cy: 0.5, rx: 0.5, ry: 0.5, band: 0.045, edge: 0.004, wobble: 0.004,
    recipe: { name: 'frame', paint1: p({ vermilion: 0.6, redLead: 0.4 }, 30) } });

  if (opt.retouch) {
    const cx = 0.2 + 0.6 * rng.uniform();
    const cy = 0.45 + 0.3 * rng.uniform();
    add({ kind: 'ellipse', cx, cy, rx: 0.05, ry: 0.035, edge: 0.008, wobble: 0.01,
      recipe: { name: 'retouching (Ti/Ba/Zn white)', paint1: p({ titaniumWhite: 0.5, bariumWhite: 0.3, zincWhite: 0.2 }, 25) } });
    add({ kind: 'ellipse', cx: 1 - cx, cy: cy - 0.25, rx: 0.035, ry: 0.025, edge: 0.006, wobble: 0.008,
      recipe: { name: 'retouching (zinc white)', paint1: p({ zincWhite: 0.7, yellowOchre: 0.3 }, 20) } });
  }

  return { key, height, width, background, shapes, lossFraction: opt.lossFraction, goldWear: opt.goldWear };
}

/** Which pigments a scene uses anywhere (for the manifest and docs). */
export function scenePigments(scene: Scene): PigmentName[] {
  const used = new Set<PigmentName>();
  for (const r of [scene.background, ...scene.shapes.map((s) => s.recipe)]) {
    for (const l of [r.paint1, r.paint2]) if (l) for (const [k, v] of Object.entries(l.pigments)) if ((v ?? 0) > 0) used.add(k as PigmentName);
  }
  return PIGMENT_NAMES.filter((p) => used.has(p));
}

/** Does a scene contain gilding? */
export function sceneGilded(scene: Scene): boolean {
  return [scene.background, ...scene.shapes.map((s) => s.recipe)].some((r) => (r.gild ?? 0) > 0);
}
