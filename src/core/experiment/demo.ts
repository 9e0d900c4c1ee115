/**
 * The demo (`npm run demo`): simulate the `icons` preset at a small scale, write an experiment config
 * that holds out paintings 4 and 5 in turn and trains the four models with a short schedule, run it,
 * and leave everything in one folder that also opens in VS Code as an example workspace:
 *
 *   <out>/README.md                     what is here and how to open it
 *   <out>/data/                         the simulated scans, ground truth and manifest.json
 *   <out>/<name>.xrfmaps.json           the experiment config
 *   <out>/runs/<name>-<time>/           the run: summary.md (tables), figures, models, predictions
 *
 * Running it again reuses the simulated data (when it was made with the same settings) and adds a new
 * run folder; nothing is overwritten. The default schedule is sized to finish in under 20 minutes on
 * a 2-core machine (see the report in the experiments notes); `quick` is a tiny version for tests.
 */
import { promises as fs } from 'node:fs';
import * as path from 'node:path';
import { XrfInputError } from '../errors';
import { simulatePreset } from '../simulate/simulate';
import { writeFileAtomic } from '../io/atomic';
import type { BackendPref } from '../ml/backend';
import type { ModelArch } from '../ml/models';
import type { CancelToken, ProgressSink } from '../util/progress';
import { CONFIG_SUFFIX, EXPERIMENT_MODELS } from './config';
import { loadExperiment } from './validate';
import { runExperiment, type ExperimentEvent, type ExperimentJobs, type RunResult } from './run';

export interface DemoSettings {
  preset: 'icons';
  scale: number;
  seed: number;
  epochs: number;
  patience: number;
  stride: number;
  batch: number;
  backend: BackendPref;
  models: ModelArch[];
  /** Per-model schedules over the common one (the fast FCN+ can afford many more epochs). */
  perModel: Partial<Record<ModelArch, Partial<Pick<DemoSettings, 'epochs' | 'patience' | 'batch'>>>>;
  heldOut: string[];
  configName: string;
}

/**
 * The full demo: icons at scale 0.2 (5 paintings, 86×113 the largest, 4096 channels; ~24 000 spectra),
 * training on every 10th pixel of the other four paintings (~1100-1600 spectra). The convolutional
 * networks dominate the time (~15-70 training spectra/s each on the wasm backend of a loaded 2-core
 * machine): 6 epochs of batch 16 for them; FCN 16 epochs of 64; FCN+ (thousands of spectra/s) 200.
 * Measured on the 2-core machine: about 12-15 minutes in all (see the experiments report).
 */
export const DEMO_FULL: DemoSettings = {
  preset: 'icons',
  scale: 0.2,
  seed: 1,
  epochs: 6,
  patience: 3,
  stride: 10,
  batch: 16,
  backend: 'auto',
  models: [...EXPERIMENT_MODELS],
  perModel: { FCN: { epochs: 16, batch: 64 }, 'FCN+': { epochs: 200, patience: 20, batch: 32 } },
  heldOut: ['icon4', 'icon5'],
  configName: 'icons-demo',
};

/** The quick demo for tests: icons at scale 0.06 (tens of pixels a side), one epoch. */
export const DEMO_QUICK: DemoSettings = {
  ...DEMO_FULL,
  scale: 0.06,
  epochs: 1,
  patience: 1,
  stride: 5,
  batch: 32,
  perModel: {},
  configName: 'icons-quick',
};

export interface DemoOptions {
  outDir: string;
  settings: DemoSettings;
  onLog?: (line: string) => void;
  /** Simulation progress (rows), then the experiment's (jobs). */
  onProgress?: (stage: 'simulate' | 'experiment', p: Parameters<ProgressSink>[0]) => void;
  onEvent?: (e: ExperimentEvent) => void;
  token?: CancelToken;
  jobs?: ExperimentJobs;
}

export interface DemoResult extends RunResult {
  configPath: string;
  dataDir: string;
  simulated: boolean;
}

async function exists(p: string): Promise<boolean> {
  try {
    await fs.access(p);
    return true;
  } catch {
    return false;
  }
}

/** The config the demo runs, as text (paths relative to the demo folder). */
export function demoConfigText(s: DemoSettings, paintings: string[]): string {
  const config = {
    name: s.configName,
    description: `Demo: the simulated icons preset at scale ${s.scale}, paintings ${s.heldOut.join(' and ')} held out in turn, a short schedule.`,
    paintings: paintings.map((n) => ({ name: n, scan: `data/${n}.rpl`, groundTruth: `data/${n}_truth.npy` })),
    lines: ['S K', 'K K', 'Ca K', 'Cr K', 'Mn K', 'Fe K', 'Cu K', 'Zn K', 'Sr K', 'Au L', 'Hg L', 'Pb L'],
    models: s.models,
    training: {
      epochs: s.epochs,
      patience: s.patience,
      batch: s.batch,
      stride: s.stride,
      valShare: 0.2,
      seed: 0,
      backend: s.backend,
      ...Object.fromEntries(Object.entries(s.perModel).filter(([m]) => s.models.includes(m as ModelArch))),
    },
    protocol: { test: s.heldOut },
    outputDir: 'runs',
  };
  return JSON.stringify(config, null, 2) + '\n';
}

const README = (s: DemoSettings, configFile: string) => `# XRF Maps demo workspace

Made by \`xrfmaps demo\` (\`npm run demo\`). Open this folder in VS Code with the XRF Maps extension:

- \`data/\`: five simulated panel paintings (the \`icons\` preset at scale ${s.scale}, seed ${s.seed}): scans
  (\`iconN.rpl\` + \`.raw\`, open them to see their maps), exact ground truth (\`iconN_truth.npy\` and PyMca's
  layout in \`iconN_pymca/\`), and \`manifest.json\`.
- \`${configFile}\`: the experiment: the four models (FCN, FCN+, 1DCNN, 1DCNN+), paintings ${s.heldOut.join(' and ')}
  held out in turn, up to ${s.epochs} epochs. Edit it and run it with "XRF Maps: Run Experiment" (or "Train 1DCNN+" etc.
  with the config open); each line family shows its figures from the latest run.
- \`runs/\`: one folder per run (never overwritten): \`summary.md\` with the thesis-style tables, \`<painting>/maps.png\`
  and \`zscores.png\`, and per model the trained model, the prediction, \`metrics.json\` and \`loss.png\`.

From a terminal: \`xrfmaps experiment ${configFile}\` runs the config again into a new run folder.
`;

/** Simulates (or reuses) the data, writes the config and README, and runs the experiment. */
export async function runDemo(opts: DemoOptions): Promise<DemoResult> {
  const s = opts.settings;
  const log = opts.onLog ?? (() => undefined);
  const outDir = path.resolve(opts.outDir);
  const dataDir = path.join(outDir, 'data');
  await fs.mkdir(outDir, { recursive: true });

  // 1. Data: reuse a simulation made with the same settings; refuse to mix with another one.
  const manifestPath = path.join(dataDir, 'manifest.json');
  let simulated = false;
  let paintings: string[];
  if (await exists(manifestPath)) {
    const m = JSON.parse(await fs.readFile(manifestPath, 'utf8')) as { preset?: string; scale?: number; seed?: number; paintings?: { name: string }[] };
    if (m.preset !== s.preset || m.scale !== s.scale || m.seed !== s.seed) {
      throw new XrfInputError(
        manifestPath,
        `holds a simulation of preset ${m.preset} at scale ${m.scale} (seed ${m.seed}), not ${s.preset} at scale ${s.scale} (seed ${s.seed}); use another --out folder`,
      );
    }
    paintings = (m.paintings ?? []).map((p) => p.name);
    log(`reusing the simulated paintings in ${dataDir}`);
  } else {
    log(`simulating the ${s.preset} preset at scale ${s.scale} into ${dataDir}`);
    const t0 = Date.now();
    const manifest = await simulatePreset(s.preset, {
      outDir: dataDir,
      seed: s.seed,
      scale: s.scale,
      token: opts.token,
      onProgress: (p) => opts.onProgress?.('simulate', p),
    });
    paintings = manifest.paintings.map((p) => p.name);
    simulated = true;
    log(`simulated ${paintings.length} paintings (${manifest.paintings.map((p) => `${p.name} ${p.height}×${p.width}`).join(', ')}) in ${((Date.now() - t0) / 1000).toFixed(0)} s`);
  }
  const missing = s.heldOut.filter((n) => !paintings.includes(n));
  if (missing.length) throw new XrfInputError(manifestPath, `has no painting ${missing.join(', ')} to hold out`);

  // 2. Config and README, written when absent. A config of that name that was edited (or made with
  //    other settings) is left alone: these settings go to the first free "<name>-N" instead.
  let configPath = '';
  for (let i = 1; ; i++) {
    const name = i === 1 ? s.configName : `${s.configName}-${i}`;
    configPath = path.join(outDir, `${name}${CONFIG_SUFFIX}`);
    const text = demoConfigText({ ...s, configName: name }, paintings);
    if (!(await exists(configPath))) {
      await writeFileAtomic(configPath, text);
      break;
    }
    if ((await fs.readFile(configPath, 'utf8')) === text) break;
    log(`${path.basename(configPath)} differs from these settings (edited?): left as it is`);
  }
  const readme = path.join(outDir, 'README.md');
  if (!(await exists(readme))) await writeFileAtomic(readme, README(s, path.basename(configPath)));

  // 3. The experiment.
  const exp = await loadExperiment(configPath);
  const result = await runExperiment(exp, {
    token: opts.token,
    jobs: opts.jobs,
    onEvent: (e) => {
      if (e.kind === 'log') log(e.message);
      opts.onEvent?.(e);
    },
    onProgress: (p) => opts.onProgress?.('experiment', p),
  });
  return { ...result, configPath, dataDir, simulated };
}
