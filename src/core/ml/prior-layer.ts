/**
 * The prior layer of FCN+ and 1DCNN+ (thesis §4.4): a fixed, untrainable W (d × l) whose columns
 * are the l normalized pure spectra of the target line families (the physics module builds them for
 * the scan's calibration and channel count).
 *
 * - mode 'dot' (FCN+): output [batch, l] = x · W, the alignment of the spectrum with each pure spectrum.
 * - mode 'product-concat' (1DCNN+): output [batch, d, l + 1] = [x, x ⊙ w₁, …, x ⊙ w_l] as channels
 *   (channels-last, the raw spectrum first), the input of the first convolution.
 *
 * W is a NON-trainable weight (addWeight(..., trainable = false), as tfjs BatchNormalization keeps
 * its moving statistics), so it is saved in weights.bin with the model, restored on load, and never
 * touched by the optimizer. Only the shape and mode go in the layer config.
 *
 * The class is made per tfjs namespace (`priorLayerClass(tf)`): a bundled extension carries its own
 * copy of tfjs, while @tensorflow/tfjs-node brings another from node_modules, and a layer must
 * extend — and be registered with — the copy whose engine runs it.
 */
import type * as tfTypes from '@tensorflow/tfjs';
import * as bundledTf from '@tensorflow/tfjs';

type TF = typeof tfTypes;

export type PriorMode = 'dot' | 'product-concat';

export interface PriorLayerArgs {
  mode: PriorMode;
  /** d: spectrum length (input channels). */
  channels: number;
  /** l: number of pure spectra. */
  lines: number;
  /** Initial W as l × d row-major (one pure spectrum per row); omitted when the weights are loaded. */
  matrix?: Float32Array;
  name?: string;
}

type LayerArgs = ConstructorParameters<typeof tfTypes.layers.Layer>[0];
type SerializableConfig = tfTypes.serialization.ConfigDict;

export interface PriorLayer extends tfTypes.layers.Layer {
  readonly mode: PriorMode;
  readonly channels: number;
  readonly lines: number;
  /** W as l × d row-major (one pure spectrum per row), read back from the layer. */
  readMatrix(): Float32Array;
}
export interface PriorLayerClass {
  new (args: PriorLayerArgs & LayerArgs): PriorLayer;
  readonly className: string;
}

const classes = new WeakMap<object, PriorLayerClass>();

/** The prior layer class for this tfjs namespace, registered for deserialisation there. */
export function priorLayerClass(tf: TF): PriorLayerClass {
  const known = classes.get(tf.layers);
  if (known) return known;
  const made = definePriorLayer(tf);
  classes.set(tf.layers, made);
  return made;
}

function definePriorLayer(tf: TF): PriorLayerClass {
  class PriorLayerImpl extends tf.layers.Layer implements PriorLayer {
    static className = 'XrfPriorLayer';
    readonly mode: PriorMode;
    readonly channels: number;
    readonly lines: number;
    private readonly initialMatrix?: Float32Array;
    private w?: tfTypes.LayerVariable;

    constructor(args: PriorLayerArgs & LayerArgs) {
      super({ ...args, trainable: false });
      if (args.mode !== 'dot' && args.mode !== 'product-concat') throw new Error(`prior layer: unknown mode "${String(args.mode)}"`);
      if (!(Number.isInteger(args.channels) && args.channels > 0)) throw new Error(`prior layer: channels must be a positive integer, got ${args.channels}`);
      if (!(Number.isInteger(args.lines) && args.lines > 0)) throw new Error(`prior layer: lines must be a positive integer, got ${args.lines}`);
      if (args.matrix) {
        if (args.matrix.length !== args.lines * args.channels) {
          throw new Error(`prior layer: matrix has ${args.matrix.length} values, expected lines × channels = ${args.lines} × ${args.channels}`);
        }
        for (let i = 0; i < args.matrix.length; i++) {
          if (!Number.isFinite(args.matrix[i])) throw new Error(`prior layer: matrix value ${i} is not finite (${args.matrix[i]})`);
        }
      }
      this.mode = args.mode;
      this.channels = args.channels;
      this.lines = args.lines;
      this.initialMatrix = args.matrix;
    }

    override build(inputShape: tfTypes.Shape | tfTypes.Shape[]): void {
      const shape = (Array.isArray(inputShape[0]) ? inputShape[0] : inputShape) as tfTypes.Shape;
      if (shape.length !== 2 || shape[1] !== this.channels) {
        throw new Error(`prior layer: expected input [batch, ${this.channels}], got [${shape.join(', ')}]`);
      }
      // Stored d × l, the thesis's W, so the 'dot' mode is one matMul without transposes.
      this.w = this.addWeight('prior_spectra', [this.channels, this.lines], 'float32', tf.initializers.zeros(), undefined, false);
      if (this.initialMatrix) {
        const m = this.initialMatrix;
        const d = this.channels;
        const l = this.lines;
        const t = new Float32Array(d * l);
        for (let i = 0; i < l; i++) for (let j = 0; j < d; j++) t[j * l + i] = m[i * d + j];
        this.w.write(tf.tensor2d(t, [d, l]));
      }
      this.built = true;
    }

    override computeOutputShape(inputShape: tfTypes.Shape | tfTypes.Shape[]): tfTypes.Shape {
      const shape = (Array.isArray(inputShape[0]) ? inputShape[0] : inputShape) as tfTypes.Shape;
      return this.mode === 'dot' ? [shape[0], this.lines] : [shape[0], this.channels, this.lines + 1];
    }

    override call(inputs: tfTypes.Tensor | tfTypes.Tensor[]): tfTypes.Tensor {
      return tf.tidy(() => {
        const x = (Array.isArray(inputs) ? inputs[0] : inputs) as tfTypes.Tensor2D;
        const w = this.w!.read() as tfTypes.Tensor2D;
        if (this.mode === 'dot') return tf.matMul(x, w);
        // [1 | W] (d × (l+1)) broadcast against x[:, :, None]: channel 0 is x itself, channel i is x ⊙ wᵢ.
        const gains = tf.concat([tf.ones([this.channels, 1]), w], 1);
        return tf.mul(tf.expandDims(x, 2), gains);
      });
    }

    override getConfig(): SerializableConfig {
      return { ...super.getConfig(), mode: this.mode, channels: this.channels, lines: this.lines };
    }

    /** W as l × d row-major (one pure spectrum per row), read back from the layer. */
    readMatrix(): Float32Array {
      if (!this.w) throw new Error('prior layer is not built yet');
      return tf.tidy(() => tf.transpose(this.w!.read()).dataSync() as Float32Array);
    }
  }
  tf.serialization.registerClass(PriorLayerImpl);
  return PriorLayerImpl;
}

/** The class for the tfjs copy this module was built with (wasm and cpu backends). */
export const PriorLayer: PriorLayerClass = priorLayerClass(bundledTf);
