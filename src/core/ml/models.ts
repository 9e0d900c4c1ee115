/**
 * The four networks of thesis chapter 4, built with standard tfjs layers so the same model code runs
 * on the native `tensorflow`, `wasm` and `cpu` backends, and saves/loads as a plain tfjs model.
 *
 * Every model takes a batch of raw spectra [batch, d] and returns [batch, k] line-family intensities.
 * - FCN:    d → 512 → 64 → 64 → k, ReLU on the hidden layers, linear output.
 * - FCN+:   prior layer (dot) d → l, then l → 512 → 64 → 64 → k.
 * - 1DCNN:  [d, 1] → conv(64, k5, s2) → conv(64, k3, s2) ×3 → conv(128, k3, s2), each followed by
 *           ReLU and max-pool(2, 2); dropout 0.05; flatten; dense → k (linear).
 * - 1DCNN+: prior layer (product-concat) [d] → [d, l + 1], then the 1DCNN stack.
 * Convolutions and pools use 'valid' padding (PyTorch's default, as in the reference implementation),
 * so with d = 4096 the lengths are 2046→1023, 511→255, 127→63, 31→15, 7→3 and the flatten has 3·128.
 * The output is linear: intensities are unbounded counts and the aL1 loss needs no squashing.
 */
import type * as tf from '@tensorflow/tfjs';
import type { TF } from './backend';
import { priorLayerClass } from './prior-layer';

export type ModelArch = 'FCN' | 'FCN+' | '1DCNN' | '1DCNN+';
export const MODEL_ARCHS: readonly ModelArch[] = ['FCN', 'FCN+', '1DCNN', '1DCNN+'];

/** 'fcn+', 'FCN_plus', '1dcnn-plus', ' 1DCNN ' … → canonical; a clear error otherwise. */
export function parseModelArch(s: string): ModelArch {
  const v = String(s)
    .trim()
    .toUpperCase()
    .replace(/[\s_-]*(PLUS|\+)$/, '+')
    .replace(/^1D[\s_-]?CNN/, '1DCNN');
  const hit = MODEL_ARCHS.find((a) => a === v);
  if (!hit) throw new Error(`unknown model "${s}": expected one of fcn, fcn+, 1dcnn, 1dcnn+`);
  return hit;
}

export function isPriorArch(arch: ModelArch): boolean {
  return arch.endsWith('+');
}

export interface PriorSpec {
  /** l × d row-major: one normalized pure spectrum per row. */
  matrix: Float32Array;
  /** l */
  rows: number;
}

export interface BuildModelOptions {
  arch: ModelArch;
  /** d: spectrum length. */
  channels: number;
  /** k: number of predicted line families. */
  outputs: number;
  /** Required by FCN+ and 1DCNN+, refused by FCN and 1DCNN. */
  prior?: PriorSpec;
  /** Seeds the weight initializers for reproducible runs. */
  seed?: number;
  /**
   * Tests only: dropout rate 0 in the CNNs (the layer stays, so weights and layer names are the same),
   * making a training step deterministic (the data-parallel equivalence tests).
   */
  noDropout?: boolean;
}

export const FCN_HIDDEN = [512, 64, 64] as const;
/** [filters, kernel size] per convolution; stride 2 for all, each followed by max-pool(2, 2). */
export const CNN_CONVS: ReadonlyArray<readonly [number, number]> = [
  [64, 5],
  [64, 3],
  [64, 3],
  [64, 3],
  [128, 3],
];
export const CNN_STRIDE = 2;
export const CNN_POOL = 2;
export const CNN_DROPOUT = 0.05;

/** Length after one valid convolution (stride 2) and one valid max-pool (2, 2). */
export function convBlockLength(len: number, kernel: number): number {
  const conv = Math.floor((len - kernel) / CNN_STRIDE) + 1;
  return Math.floor(conv / CNN_POOL);
}

/** The shortest spectrum the 1DCNN stack accepts (every block must keep at least one position). */
export function minCnnChannels(): number {
  for (let d = 1; d < 100000; d++) {
    let len = d;
    let ok = true;
    for (const [, k] of CNN_CONVS) {
      if (len < k) { ok = false; break; }
      len = convBlockLength(len, k);
      if (len < 1) { ok = false; break; }
    }
    if (ok) return d;
  }
  throw new Error('unreachable');
}

/** Builds with the given tfjs namespace (the one initBackend returned: its engine runs the model). */
export function buildModel(tf: TF, opts: BuildModelOptions): tf.LayersModel {
  const { arch, channels: d, outputs: k, prior } = opts;
  if (!MODEL_ARCHS.includes(arch)) throw new Error(`unknown model architecture "${String(arch)}"`);
  if (!(Number.isInteger(d) && d > 0)) throw new Error(`channels must be a positive integer, got ${d}`);
  if (!(Number.isInteger(k) && k > 0)) throw new Error(`outputs must be a positive integer, got ${k}`);
  if (isPriorArch(arch) && !prior) throw new Error(`${arch} needs the prior spectra (prior.matrix, prior.rows)`);
  if (!isPriorArch(arch) && prior) throw new Error(`${arch} has no prior layer; use ${arch}+ to use the prior spectra`);
  if (prior && !(Number.isInteger(prior.rows) && prior.rows > 0)) throw new Error(`prior.rows must be a positive integer, got ${prior.rows}`);
  const cnn = arch.startsWith('1DCNN');
  if (cnn && d < minCnnChannels()) throw new Error(`${arch} needs spectra of at least ${minCnnChannels()} channels, got ${d}`);

  let seed = opts.seed;
  const init = () => (seed === undefined ? 'glorotUniform' : tf.initializers.glorotUniform({ seed: seed++ }));

  const input = tf.input({ shape: [d], name: 'spectrum' });
  let h: tf.SymbolicTensor = input;
  if (prior) {
    const PriorLayer = priorLayerClass(tf);
    h = new PriorLayer({ name: 'prior', mode: cnn ? 'product-concat' : 'dot', channels: d, lines: prior.rows, matrix: prior.matrix }).apply(h) as tf.SymbolicTensor;
  }
  if (!cnn) {
    FCN_HIDDEN.forEach((units, i) => {
      h = tf.layers.dense({ units, activation: 'relu', kernelInitializer: init(), name: `dense${i + 1}` }).apply(h) as tf.SymbolicTensor;
    });
  } else {
    if (!prior) h = tf.layers.reshape({ targetShape: [d, 1], name: 'as_channels' }).apply(h) as tf.SymbolicTensor;
    CNN_CONVS.forEach(([filters, kernelSize], i) => {
      h = tf.layers
        .conv1d({ filters, kernelSize, strides: CNN_STRIDE, padding: 'valid', activation: 'relu', kernelInitializer: init(), name: `conv${i + 1}` })
        .apply(h) as tf.SymbolicTensor;
      h = tf.layers.maxPooling1d({ poolSize: CNN_POOL, strides: CNN_POOL, padding: 'valid', name: `pool${i + 1}` }).apply(h) as tf.SymbolicTensor;
    });
    h = tf.layers.dropout({ rate: opts.noDropout ? 0 : CNN_DROPOUT, name: 'dropout' }).apply(h) as tf.SymbolicTensor;
    h = tf.layers.flatten({ name: 'flatten' }).apply(h) as tf.SymbolicTensor;
  }
  const out = tf.layers.dense({ units: k, kernelInitializer: init(), name: 'output' }).apply(h) as tf.SymbolicTensor;
  return tf.model({ inputs: input, outputs: out, name: arch.replace('+', '_plus') });
}

export interface LayerDescription {
  name: string;
  className: string;
  /** Output shape without the batch dimension. */
  outputShape: number[];
  params: number;
  trainableParams: number;
}

export function describeModel(model: tf.LayersModel): LayerDescription[] {
  const count = (ws: tf.LayerVariable[]) => ws.reduce((s, w) => s + (w.shape as number[]).reduce((a, b) => a * b, 1), 0);
  return model.layers.map((layer) => {
    const shape = layer.outputShape as (number | null)[];
    return {
      name: layer.name,
      className: layer.getClassName(),
      outputShape: shape.slice(1).map((v) => v ?? -1),
      params: count(layer.weights),
      trainableParams: count(layer.trainableWeights),
    };
  });
}
