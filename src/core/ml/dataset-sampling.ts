/**
 * Which pixels train the networks, and in what order (thesis §5.2).
 *
 * Strided sampling, as defined here: a pixel at (row r, column c) of an H×W scan has the raster index
 * p = r·W + c; with stride s it is sampled when p mod s = 0, i.e. pixels 0, s, 2s, … in raster order
 * (ceil(H·W / s) pixels; stride 1 takes every pixel). Because the walk continues across row ends, a
 * width that is not a multiple of s shifts the sampled columns from row to row, so the sample is
 * not confined to a few columns.
 *
 * The sampled pixels of all training scans are numbered 0…N−1 (scan by scan, raster order), shuffled
 * with the seed, and split: the first round(N·(1 − valShare)) go to training, the rest to validation.
 * The split is fixed for the whole run; the training part is reshuffled every epoch from the seed.
 */

/** Mulberry32: a small, fast, seedable PRNG (uniform in [0, 1)). Good enough for shuffling. */
export function mulberry32(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** Mix two integers into one seed (so epoch e of seed s gets its own stream). */
export function mixSeed(seed: number, salt: number): number {
  let h = Math.imul((seed >>> 0) ^ 0x9e3779b9, 0x85ebca6b) ^ Math.imul((salt >>> 0) + 0x632be5ab, 0xc2b2ae35);
  h ^= h >>> 16;
  h = Math.imul(h, 0x7feb352d);
  h ^= h >>> 15;
  return h >>> 0;
}

/** Fisher–Yates shuffle in place, driven by `rand`. */
export function shuffleInPlace(a: Uint32Array | number[], rand: () => number): void {
  for (let i = a.length - 1; i > 0; i--) {
    const j = Math.floor(rand() * (i + 1));
    const t = a[i];
    a[i] = a[j];
    a[j] = t;
  }
}

/** How many pixels strided sampling takes from an H×W scan. */
export function stridedCount(height: number, width: number, stride: number): number {
  return Math.ceil((height * width) / stride);
}

/** The raster indices (r·W + c) that strided sampling takes, ascending. */
export function stridedPixelIndices(height: number, width: number, stride: number): Uint32Array {
  checkStride(stride);
  const n = stridedCount(height, width, stride);
  const out = new Uint32Array(n);
  for (let i = 0; i < n; i++) out[i] = i * stride;
  return out;
}

export function checkStride(stride: number): void {
  if (!Number.isInteger(stride) || stride < 1) throw new Error(`stride must be a whole number ≥ 1, got ${stride}`);
}

export interface TrainValSplit {
  /** Sample numbers (0…N−1) for training, in the seeded shuffled order. */
  train: Uint32Array;
  /** Sample numbers for validation. */
  val: Uint32Array;
}

/** Shuffle 0…N−1 with the seed and split it (1 − valShare) / valShare. Both parts are non-empty or it throws. */
export function splitTrainVal(total: number, valShare: number, seed: number): TrainValSplit {
  if (!(valShare > 0 && valShare < 1)) throw new Error(`the validation share must be between 0 and 1 (exclusive), got ${valShare}`);
  const order = new Uint32Array(total);
  for (let i = 0; i < total; i++) order[i] = i;
  shuffleInPlace(order, mulberry32(mixSeed(seed, 0x5b1d)));
  const nTrain = Math.round(total * (1 - valShare));
  if (nTrain < 1 || nTrain >= total) {
    throw new Error(
      `${total} sampled pixel${total === 1 ? '' : 's'} cannot be split into non-empty training and validation sets ` +
        `(validation share ${valShare}); use a smaller stride or more training scans`,
    );
  }
  return { train: order.slice(0, nTrain), val: order.slice(nTrain) };
}

/** The training order of one epoch: a fresh seeded shuffle of the training samples (epoch is 1-based). */
export function epochOrder(train: Uint32Array, seed: number, epoch: number): Uint32Array {
  const order = train.slice();
  shuffleInPlace(order, mulberry32(mixSeed(seed, epoch)));
  return order;
}
