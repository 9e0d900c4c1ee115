/**
 * Running an experiment: for each held-out painting (fold), for each model, train on the other
 * paintings, predict the held-out painting, evaluate against its ground truth, and write the figures
 * and the summary. Everything goes into a new run folder (./run-folder.ts), which is never reused.
 *
 * After every job run.json and the summary are rewritten (atomically), so a run that is cancelled,
 * fails or is killed keeps what finished. Cancel: the token is checked by training (within one
 * batch), by prediction (per row block) and between jobs; the job that was cut short is recorded as
 * 'cancelled' (its model folder, with the best weights so far, is kept) and the run as 'cancelled'.
 * A job that fails (bad data, a model that does not fit the scan) is recorded as 'failed' with its
 * error and the run goes on with the next job; the run's status is then 'failed'.
 */
import { promises as fs } from 'node:fs';
import * as path from 'node:path';
import { isCancelled, XrfInputError } from '../errors';
import { trainModel } from '../ml/train';
import { predictScan } from '../ml/predict';
import { writeFileAtomic } from '../io/atomic';
import { writePng } from '../io/png';
import { readGroundTruth } from '../groundtruth/read';
import type { MapStack } from '../groundtruth/groundtruth';
import { evaluateDetailed } from '../metrics/evaluate';
import { formatEpochEvent, type PredictJobInput, type PredictJobResult, type TrainEvent, type TrainJobInput, type TrainJobResult } from '../ml/jobs';
import type { ModelArch } from '../ml/models';
import { NEVER_CANCELLED, type CancelToken, type ProgressSink } from '../util/progress';
import type { LoadedExperiment } from './validate';
import { planFolds } from './folds';
import { trainingFor } from './config';
import { comparisonFigure, lossCurveFigure, zScoreFigure } from './figures';
import { RUN_FORMAT, type JobRecord, type RunRecord, type SummaryFold } from './record';
import { summaryJson, summaryMarkdown } from './summary';
import {
  createRunFolder,
  foldDir,
  jobPaths,
  LOG_FILE,
  MAPS_PNG,
  RUN_FILE,
  SNAPSHOT_FILE,
  SUMMARY_JSON,
  SUMMARY_MD,
  ZSCORES_PNG,
} from './run-folder';

/** Training and prediction, injectable: in-process by default; tests may substitute fakes. */
export interface ExperimentJobs {
  train(input: TrainJobInput, opts: { onEvent: (e: TrainEvent) => void; token: CancelToken }): Promise<TrainJobResult>;
  predict(input: PredictJobInput, opts: { onProgress: ProgressSink; token: CancelToken }): Promise<PredictJobResult>;
}

/** Train and predict in this thread (the CLI, or inside the 'experiment' worker). */
export const inProcessJobs: ExperimentJobs = {
  async train(input, opts) {
    return trainModel(input, { onEvent: opts.onEvent, token: opts.token });
  },
  async predict(input, opts) {
    return predictScan(input, { onProgress: opts.onProgress, token: opts.token });
  },
};

export type ExperimentEvent =
  | { kind: 'run'; runDir: string }
  | { kind: 'job-start'; test: string; model: ModelArch; index: number; total: number; input: TrainJobInput }
  | { kind: 'train'; test: string; model: ModelArch; event: TrainEvent }
  | { kind: 'trained'; test: string; model: ModelArch; result: TrainJobResult }
  | { kind: 'job-end'; job: JobRecord }
  | { kind: 'log'; message: string };

export interface RunExperimentOptions {
  /** Run only these of the config's models (e.g. the palette's "Train 1DCNN+"); default all. */
  models?: ModelArch[];
  onEvent?: (e: ExperimentEvent) => void;
  /** Overall progress: jobs done (fractional within a job) of the number of jobs. */
  onProgress?: ProgressSink;
  token?: CancelToken;
  jobs?: ExperimentJobs;
  /** The clock (names the run folder). */
  now?: () => Date;
  /** Threads for every job's training and prediction (the `xrfmaps.training.threads` setting); 0/absent = automatic. */
  threads?: number;
}

export interface RunResult {
  runDir: string;
  record: RunRecord;
}

const TRAIN_SHARE = 0.85; // of a job's progress; prediction and evaluation take the rest

function errorText(e: unknown): string {
  return e instanceof Error ? e.message : String(e);
}

export async function runExperiment(exp: LoadedExperiment, opts: RunExperimentOptions = {}): Promise<RunResult> {
  const token = opts.token ?? NEVER_CANCELLED;
  const jobsImpl = opts.jobs ?? inProcessJobs;
  const emit = opts.onEvent ?? (() => undefined);
  const { config } = exp;
  // An explicit choice ("Train FCN" from the palette) wins over the config's list.
  const models = opts.models?.length ? opts.models : config.models;
  const folds = planFolds(config);
  if (folds.length === 0) throw new XrfInputError(exp.configPath, 'the protocol holds out no painting: nothing to evaluate');

  const started = (opts.now ?? (() => new Date()))();
  const runDir = await createRunFolder(exp.outputDir, config.name, started);
  emit({ kind: 'run', runDir });

  // The log: every line with the time, appended in order.
  let logChain: Promise<void> = Promise.resolve();
  const logPath = path.join(runDir, LOG_FILE);
  const log = (message: string) => {
    emit({ kind: 'log', message });
    const line = `${new Date().toISOString()} ${message}\n`;
    logChain = logChain.then(() => fs.appendFile(logPath, line)).catch(() => undefined);
  };

  const record: RunRecord = {
    format: RUN_FORMAT,
    formatVersion: 1,
    name: path.basename(runDir),
    configName: config.name,
    config: exp.configPath,
    status: 'running',
    started: started.toISOString(),
    lines: config.lines,
    models,
    paintings: exp.paintings,
    folds,
    training: config.training,
    ...(Object.keys(config.trainingByModel).length ? { trainingByModel: config.trainingByModel } : {}),
    jobs: folds.flatMap((f) => models.map((m): JobRecord => ({ test: f.test, model: m, status: 'pending', dir: path.relative(runDir, jobPaths(runDir, f.test, m).dir).split(path.sep).join('/') }))),
  };
  const summaryFolds: SummaryFold[] = folds.map((f) => ({ test: f.test, train: f.train, reports: {} }));
  const saveRecord = () => writeFileAtomic(path.join(runDir, RUN_FILE), JSON.stringify(record, null, 2) + '\n');
  const saveSummary = async () => {
    await writeFileAtomic(path.join(runDir, SUMMARY_JSON), JSON.stringify(summaryJson(record, summaryFolds), null, 1) + '\n');
    await writeFileAtomic(path.join(runDir, SUMMARY_MD), summaryMarkdown(record, summaryFolds));
  };

  await writeFileAtomic(path.join(runDir, SNAPSHOT_FILE), exp.text);
  await saveRecord();
  log(`run ${record.name} of ${exp.configPath}: ${folds.length} held-out painting(s) × ${models.length} model(s)`);
  for (const w of exp.warnings) log(`config warning: ${w.message}`);

  const byName = new Map(exp.paintings.map((p) => [p.name, p]));
  const total = record.jobs.length;
  let index = 0;
  let cancelled = false;
  try {
    for (const fold of folds) {
      if (cancelled) break;
      const test = byName.get(fold.test)!;
      // The held-out painting's ground truth and the fold's finished predictions, for its figures.
      let gt: MapStack | undefined;
      const finished: { model: ModelArch; maps: Float32Array[]; zMaps: Float32Array[] }[] = [];
      for (const model of models) {
        const job = record.jobs[index];
        const tag = `[${fold.test} · ${model}]`;
        const unit = index;
        index++;
        if (token.cancelled) {
          cancelled = true;
          break;
        }
        const paths = jobPaths(runDir, fold.test, model);
        const input: TrainJobInput = {
          model,
          train: fold.train.map((n) => {
            const p = byName.get(n)!;
            return { scan: p.scan.split('::')[0], dataset: p.dataset ?? p.scan.split('::')[1], groundTruth: p.groundTruth, name: p.name };
          }),
          outDir: paths.modelDir,
          lines: config.lines,
          calibration: config.calibration,
          extraPriorLines: config.extraPriorLines.length ? config.extraPriorLines : undefined,
          ...trainingFor(config, model),
          ...(opts.threads ? { threads: opts.threads } : {}),
        };
        emit({ kind: 'job-start', test: fold.test, model, index: unit, total, input });
        opts.onProgress?.({ done: unit, total, message: `${fold.test} · ${model}: training` });
        await fs.mkdir(paths.dir, { recursive: true });
        job.status = 'training';
        await saveRecord();
        log(`${tag} training on ${fold.train.join(', ')}`);
        const t0 = Date.now();
        try {
          const trained = await jobsImpl.train(
            input,
            {
              token,
              onEvent: (e) => {
                emit({ kind: 'train', test: fold.test, model, event: e });
                if (e.kind === 'epoch') {
                  log(`${tag} ${formatEpochEvent(e)}`);
                  opts.onProgress?.({ done: unit + (TRAIN_SHARE * e.epoch) / e.epochs, total, message: `${fold.test} · ${model}: epoch ${e.epoch}/${e.epochs}, val aL1 ${e.valLoss.toFixed(4)}` });
                } else if (e.kind === 'data') {
                  job.trainSamples = e.trainSamples;
                  job.valSamples = e.valSamples;
                  log(`${tag} ${e.trainSamples} training and ${e.valSamples} validation spectra`);
                } else if (e.kind === 'backend') {
                  job.backend = e.name;
                  log(`${tag} backend ${e.name} (${e.reason})`);
                } else log(`${tag} ${e.message}`);
              },
            },
          );
          emit({ kind: 'trained', test: fold.test, model, result: trained });
          job.trainSeconds = (Date.now() - t0) / 1000;
          job.epochsRun = trained.epochsRun;
          job.bestEpoch = trained.bestEpoch;
          job.bestValLoss = Number.isFinite(trained.bestValLoss) ? trained.bestValLoss : null;
          job.backend = trained.backend;
          await writePng(paths.lossPng, ...figureArgs(lossCurveFigure(trained.history, { title: `${model}, ${fold.test} held out: aL1 per epoch` })));
          if (trained.cancelled) {
            job.status = 'cancelled';
            cancelled = true;
            log(`${tag} cancelled during training; the model so far is kept in ${paths.modelDir}`);
            break;
          }

          job.status = 'predicting';
          await saveRecord();
          const t1 = Date.now();
          log(`${tag} predicting ${fold.test}`);
          await jobsImpl.predict(
            { modelDir: paths.modelDir, scan: test.scan.split('::')[0], dataset: test.dataset ?? test.scan.split('::')[1], out: paths.prediction, calibration: config.calibration, backend: trainingFor(config, model).backend, ...(opts.threads ? { threads: opts.threads } : {}) },
            {
              token,
              onProgress: (p) =>
                opts.onProgress?.({ done: unit + TRAIN_SHARE + ((1 - TRAIN_SHARE) * 0.9 * p.done) / Math.max(1, p.total), total, message: `${fold.test} · ${model}: predicting` }),
            },
          );
          job.predictSeconds = (Date.now() - t1) / 1000;

          job.status = 'evaluating';
          const pred = await readGroundTruth(paths.prediction);
          gt ??= await readGroundTruth(test.groundTruth, { height: pred.height, width: pred.width });
          const { report, zMaps } = evaluateDetailed(pred, gt, { lines: config.lines, model });
          await writeFileAtomic(paths.metrics, JSON.stringify({ ...report, heldOut: fold.test, trainedOn: fold.train, model, modelDir: paths.modelDir }, null, 1) + '\n');
          job.average = report.average;
          job.total = report.total;
          job.status = 'finished';
          summaryFolds.find((f) => f.test === fold.test)!.reports[model] = report;
          finished.push({ model, maps: report.lines.map((l) => pred.maps[pred.lines.indexOf(l)]), zMaps });
          await writeFoldFigures(runDir, fold.test, config.lines, gt, finished);
          log(`${tag} done: avg SSIM ${fmt(report.average.ssim)}, r ${fmt(report.average.pearson)}, α ${fmt(report.average.slope)}, |z| ≤ 1 ${(100 * report.total.z.le1).toFixed(0)} %`);
        } catch (e) {
          if (isCancelled(e) || token.cancelled) {
            job.status = 'cancelled';
            cancelled = true;
            log(`${tag} cancelled`);
            break;
          }
          job.status = 'failed';
          job.error = errorText(e);
          log(`${tag} failed: ${job.error}`);
        } finally {
          emit({ kind: 'job-end', job: { ...job } });
          await saveRecord();
          await saveSummary();
        }
      }
    }
    if (cancelled || token.cancelled) {
      record.status = 'cancelled';
    } else {
      record.status = record.jobs.some((j) => j.status === 'failed') ? 'failed' : 'finished';
      if (record.status === 'failed') record.error = `${record.jobs.filter((j) => j.status === 'failed').length} of ${total} trainings failed (see Trainings below and log.txt)`;
    }
  } catch (e) {
    record.status = isCancelled(e) ? 'cancelled' : 'failed';
    if (!isCancelled(e)) record.error = errorText(e);
    log(`run stopped: ${errorText(e)}`);
  } finally {
    const end = new Date();
    record.finished = end.toISOString();
    record.seconds = (end.getTime() - started.getTime()) / 1000;
    await saveRecord();
    await saveSummary();
    log(`run ${record.status} after ${record.seconds.toFixed(0)} s; summary in ${path.join(runDir, SUMMARY_MD)}`);
    await logChain;
  }
  opts.onProgress?.({ done: total, total, message: record.status });
  return { runDir, record };
}

function fmt(v: number | null): string {
  return v === null ? 'n/a' : v.toFixed(3);
}

function figureArgs(f: { rgba: Uint8ClampedArray; width: number; height: number }): [Uint8ClampedArray, number, number] {
  return [f.rgba, f.width, f.height];
}

/** The held-out painting's figures with every model finished so far (rewritten as models finish). */
async function writeFoldFigures(
  runDir: string,
  test: string,
  lines: string[],
  gt: MapStack,
  finished: { model: ModelArch; maps: Float32Array[]; zMaps: Float32Array[] }[],
): Promise<void> {
  const dir = foldDir(runDir, test);
  const gtMaps = lines.map((l) => gt.maps[gt.lines.indexOf(l)]);
  const maps = comparisonFigure(`${test}: ground truth and predictions (each row on the scale of its ground truth)`, lines, gt.height, gt.width, gtMaps, finished.map((f) => ({ model: f.model, maps: f.maps })));
  await writePng(path.join(dir, MAPS_PNG), ...figureArgs(maps));
  const z = zScoreFigure(`${test}: absolute z-scores of the predictions`, lines, gt.height, gt.width, finished.map((f) => ({ model: f.model, maps: f.zMaps })));
  await writePng(path.join(dir, ZSCORES_PNG), ...figureArgs(z));
}
