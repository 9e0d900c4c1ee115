/**
 * Stateless 2-D noise fields: the value at (x, y) depends only on the key and the point, so any row of a
 * painting can be computed on its own (by any worker, in any order) and still give the same image.
 */
import { hash3 } from './rng';

/** Lattice value in [0, 1) for integer point (i, j) under `key`. */
function lattice(key: number, i: number, j: number): number {
  return hash3(key, i, j) / 4294967296;
}

/** Quintic fade: C2-continuous, so fields have no creases at lattice lines. */
function fade(t: number): number {
  return t * t * t * (t * (t * 6 - 15) + 10);
}

/** Value noise in [0, 1), feature size 1 in (x, y) units. */
export function valueNoise(key: number, x: number, y: number): number {
  const i = Math.floor(x);
  const j = Math.floor(y);
  const fx = fade(x - i);
  const fy = fade(y - j);
  const a = lattice(key, i, j);
  const b = lattice(key, i + 1, j);
  const c = lattice(key, i, j + 1);
  const d = lattice(key, i + 1, j + 1);
  return a + (b - a) * fx + (c - a) * fy + (a - b - c + d) * fx * fy;
}

/** Fractal sum of `octaves` value-noise layers, each twice as fine and half as strong; in [0, 1). */
export function fbm(key: number, x: number, y: number, octaves = 4): number {
  let sum = 0;
  let amp = 0.5;
  let norm = 0;
  let f = 1;
  for (let o = 0; o < octaves; o++) {
    sum += amp * valueNoise(key + o * 7919, x * f, y * f);
    norm += amp;
    amp *= 0.5;
    f *= 2;
  }
  return sum / norm;
}

/**
 * Brush-stroke texture: noise stretched along `angle` (long strokes, narrow across), centred on 0,
 * roughly in [-0.5, 0.5]. `length` and `width` are the stroke's feature sizes in the caller's units.
 */
export function brush(key: number, x: number, y: number, angle: number, length: number, width: number): number {
  const ca = Math.cos(angle);
  const sa = Math.sin(angle);
  const u = (x * ca + y * sa) / length;
  const v = (-x * sa + y * ca) / width;
  return 0.7 * (valueNoise(key, u, v) - 0.5) + 0.3 * (valueNoise(key + 1, 2.1 * u, 2.3 * v) - 0.5);
}

/** Smooth step from 0 (x ≤ e0) to 1 (x ≥ e1). */
export function smoothstep(e0: number, e1: number, x: number): number {
  const t = Math.min(1, Math.max(0, (x - e0) / (e1 - e0)));
  return t * t * (3 - 2 * t);
}
