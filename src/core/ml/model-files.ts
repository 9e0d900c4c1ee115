/**
 * A model on disk as tfjs writes it for Node (`file://` layout): model.json (topology + weights
 * manifest) and one weights.bin. Written through a custom IOHandler with node:fs, so it works on
 * every backend (tfjs-node's file:// handler exists only with the native backend) and tfjs-node can
 * load the same folder. Each file is written atomically; the caller makes the folder itself atomic.
 * The prior layer's fixed spectra travel in weights.bin like any other weight.
 */
import type * as tf from '@tensorflow/tfjs';
import * as bundledTf from '@tensorflow/tfjs';
import { promises as fs } from 'node:fs';
import { join } from 'node:path';
import { XrfInputError } from '../errors';
import { writeFileAtomic } from '../io/atomic';
import type { TF } from './backend';
import { priorLayerClass } from './prior-layer';

export const MODEL_JSON = 'model.json';
export const WEIGHTS_BIN = 'weights.bin';

const BYTES_PER_DTYPE: Record<string, number> = { float32: 4, int32: 4, bool: 1, uint8: 1, float16: 2 };

export async function writeModelFiles(model: tf.LayersModel, dir: string): Promise<void> {
  await fs.mkdir(dir, { recursive: true });
  // withSaveHandler and CompositeArrayBuffer are plain helpers: any tfjs copy's will do.
  await model.save(
    bundledTf.io.withSaveHandler(async (artifacts) => {
      if (!artifacts.modelTopology || artifacts.modelTopology instanceof ArrayBuffer) {
        throw new Error('writeModelFiles: only layers models with a JSON topology can be saved');
      }
      const weightData = artifacts.weightData ? bundledTf.io.CompositeArrayBuffer.join(artifacts.weightData) : new ArrayBuffer(0);
      const modelJson = {
        modelTopology: artifacts.modelTopology,
        format: artifacts.format ?? 'layers-model',
        generatedBy: artifacts.generatedBy,
        convertedBy: artifacts.convertedBy ?? null,
        weightsManifest: [{ paths: [`./${WEIGHTS_BIN}`], weights: artifacts.weightSpecs ?? [] }],
        ...(artifacts.trainingConfig ? { trainingConfig: artifacts.trainingConfig } : {}),
        ...(artifacts.userDefinedMetadata ? { userDefinedMetadata: artifacts.userDefinedMetadata } : {}),
      };
      await writeFileAtomic(join(dir, WEIGHTS_BIN), new Uint8Array(weightData));
      await writeFileAtomic(join(dir, MODEL_JSON), JSON.stringify(modelJson));
      return {
        modelArtifactsInfo: {
          dateSaved: new Date(),
          modelTopologyType: 'JSON',
          modelTopologyBytes: JSON.stringify(artifacts.modelTopology).length,
          weightSpecsBytes: JSON.stringify(artifacts.weightSpecs ?? []).length,
          weightDataBytes: weightData.byteLength,
        },
      };
    }),
  );
}

interface ManifestGroup {
  paths: string[];
  weights: tf.io.WeightsManifestEntry[];
}

/** Loads with the given tfjs namespace (the one initBackend returned). */
export async function readModelFiles(tf: TF, dir: string): Promise<tf.LayersModel> {
  const jsonPath = join(dir, MODEL_JSON);
  let text: string;
  try {
    text = await fs.readFile(jsonPath, 'utf8');
  } catch (e) {
    throw new XrfInputError(jsonPath, (e as NodeJS.ErrnoException).code === 'ENOENT' ? 'no model.json in the model folder' : `cannot read (${(e as Error).message})`);
  }
  let json: { modelTopology?: unknown; weightsManifest?: ManifestGroup[]; format?: string; trainingConfig?: tf.io.TrainingConfig };
  try {
    json = JSON.parse(text);
  } catch (e) {
    throw new XrfInputError(jsonPath, `not valid JSON (${(e as Error).message})`);
  }
  if (!json || typeof json !== 'object' || !json.modelTopology || typeof json.modelTopology !== 'object') {
    throw new XrfInputError(jsonPath, 'no modelTopology: not a tfjs layers model');
  }
  if (!Array.isArray(json.weightsManifest)) throw new XrfInputError(jsonPath, 'no weightsManifest');

  const specs: tf.io.WeightsManifestEntry[] = [];
  const parts: Uint8Array[] = [];
  for (const group of json.weightsManifest) {
    if (!group || !Array.isArray(group.paths) || !Array.isArray(group.weights)) throw new XrfInputError(jsonPath, 'malformed weightsManifest group');
    specs.push(...group.weights);
    for (const p of group.paths) {
      if (typeof p !== 'string' || p.includes('..') || p.startsWith('/')) throw new XrfInputError(jsonPath, `weights path "${String(p)}" must be a file inside the model folder`);
      const binPath = join(dir, p);
      try {
        parts.push(new Uint8Array(await fs.readFile(binPath)));
      } catch (e) {
        throw new XrfInputError(binPath, `cannot read weights (${(e as Error).message})`);
      }
    }
  }
  let expected = 0;
  for (const s of specs) {
    const per = BYTES_PER_DTYPE[s.dtype];
    if (!per || !Array.isArray(s.shape) || s.quantization) throw new XrfInputError(jsonPath, `unsupported weight "${s.name}" (${s.dtype}${s.quantization ? ', quantized' : ''})`);
    expected += per * s.shape.reduce((a, b) => a * b, 1);
  }
  const total = parts.reduce((a, b) => a + b.byteLength, 0);
  const binName = join(dir, json.weightsManifest.flatMap((g) => g.paths).join(', '));
  if (total !== expected) throw new XrfInputError(binName, `weights hold ${total} bytes but model.json describes ${expected} (truncated or mismatched files)`);
  const weightData = new Uint8Array(total);
  let off = 0;
  for (const p of parts) {
    weightData.set(p, off);
    off += p.byteLength;
  }
  // A model with NaN/Inf weights predicts garbage everywhere: refuse it here, naming the weight.
  let at = 0;
  for (const s of specs) {
    const n = s.shape.reduce((a, b) => a * b, 1);
    if (s.dtype === 'float32') {
      const v = at % 4 === 0 ? new Float32Array(weightData.buffer, at, n) : new Float32Array(weightData.slice(at, at + 4 * n).buffer);
      for (let i = 0; i < n; i++) if (!Number.isFinite(v[i])) throw new XrfInputError(binName, `weight "${s.name}" holds a non-finite value (${v[i]})`);
    }
    at += BYTES_PER_DTYPE[s.dtype] * n;
  }
  priorLayerClass(tf); // registers the prior layer with this namespace's deserialiser
  try {
    return await tf.loadLayersModel(
      tf.io.fromMemory({ modelTopology: json.modelTopology as object, weightSpecs: specs, weightData: weightData.buffer, trainingConfig: json.trainingConfig }),
    );
  } catch (e) {
    throw new XrfInputError(jsonPath, `not a loadable model (${(e as Error).message.split('\n')[0]})`);
  }
}
