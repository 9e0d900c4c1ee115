/**
 * "Train FCN" & co., step 2: run one TrainJobInput in the `train` worker and show it: the progress
 * notification's text (epoch, train and validation aL1, samples/s, ETA), the live loss chart (its
 * webview endpoint, when open), the backend and its reason (status bar, log). Cancel aborts the
 * worker's signal: the pipeline stops within one batch and keeps the best model so far.
 *
 * No `vscode` here: ./commands.ts passes the notification, the status bar and the panel in; tests
 * pass fakes and a fake job.
 */
import * as nodePath from 'node:path';
import type { Endpoint } from '../../protocol';
import type { TrainingHostSide, TrainingWebviewSide, TrainingStatus, SavePngParams } from '../../protocol-ml';
import type { TrainEvent, TrainJobInput, TrainJobResult } from '../../core/ml/jobs';
import { formatDuration } from '../../core/ml/jobs';
import type { Progress } from '../../core/util/progress';
import { isCancelled } from '../../core/errors';
import type { Logger } from '../scan-editor/controller';

export type TrainJobRunner = (
  input: TrainJobInput,
  opts: { onEvent: (e: unknown) => void; onProgress: (p: Progress) => void; signal: AbortSignal },
) => Promise<TrainJobResult>;

export interface TrainingRunDeps {
  runJob: TrainJobRunner;
  /** The progress notification: a new message, and how far along (0–100) the bar should be. */
  report(message: string, percent: number): void;
  /** The status bar's backend part. */
  setBackend(name: string, reason: string): void;
  savePng(p: SavePngParams): Promise<{ path?: string }>;
  showLog(): void;
  log: Logger;
}

type EpochEvent = Extract<TrainEvent, { kind: 'epoch' }>;

/** The notification's line for an epoch: "epoch 12/1000 · train aL1 0.1234 · val aL1 0.1301 · 5230 samples/s · ETA 3 min 5 s". */
export function epochMessage(e: EpochEvent): string {
  const f = (v: number) => (Number.isFinite(v) ? v.toFixed(4) : 'n/a');
  return (
    `epoch ${e.epoch}/${e.epochs} · train aL1 ${f(e.trainLoss)} · val aL1 ${f(e.valLoss)}${e.best ? ' (best)' : ''} · ` +
    `${Math.round(e.samplesPerSec)} samples/s · ETA ${formatDuration(e.etaSec)}`
  );
}

/** One sentence for the end of a run. */
export function resultMessage(r: TrainJobResult, model: string): string {
  const loss = Number.isFinite(r.bestValLoss) ? `validation aL1 ${r.bestValLoss.toFixed(4)}` : 'no epoch finished';
  const kept = r.bestEpoch > 0 ? `best epoch ${r.bestEpoch} of ${r.epochsRun}, ${loss}` : loss;
  return `${model} ${r.cancelled ? 'cancelled; the best model so far is' : 'trained and'} saved to ${r.modelDir} (${kept}).`;
}

export class TrainingRun {
  readonly history: { train: number[]; val: number[] } = { train: [], val: [] };
  private status: TrainingStatus = { state: 'starting', message: 'Starting…', bestEpoch: 0 };
  private readonly abort = new AbortController();
  private endpoint: Endpoint<TrainingHostSide, TrainingWebviewSide> | undefined;
  private result: TrainJobResult | undefined;

  constructor(
    readonly input: TrainJobInput,
    private readonly deps: TrainingRunDeps,
  ) {}

  get state(): TrainingStatus['state'] {
    return this.status.state;
  }

  get cancelRequested(): boolean {
    return this.abort.signal.aborted;
  }

  /** Connect the loss chart panel (it may be opened, closed and reopened during the run). */
  attach(endpoint: Endpoint<TrainingHostSide, TrainingWebviewSide>): void {
    this.endpoint = endpoint;
    endpoint.onReady(() => {
      endpoint.emit('init', {
        model: this.input.model,
        outDir: this.input.outDir,
        paintings: this.input.train.map((t) => t.name ?? nodePath.basename(t.scan)),
        maxEpochs: this.input.epochs,
      });
      endpoint.emit('history', { train: [...this.history.train], val: [...this.history.val] });
      endpoint.emit('status', this.status);
    });
    endpoint.handle('cancel', async () => {
      this.cancel();
      return { ok: true as const };
    });
    endpoint.handle('savePng', (p) => this.deps.savePng(p));
    endpoint.handle('showLog', async () => {
      this.deps.showLog();
      return { ok: true as const };
    });
  }

  detach(endpoint: Endpoint<TrainingHostSide, TrainingWebviewSide>): void {
    if (this.endpoint === endpoint) this.endpoint = undefined;
  }

  cancel(): void {
    if (this.abort.signal.aborted || this.result) return;
    this.deps.log.info(`training ${this.input.model} → ${this.input.outDir}: cancel requested (stops within one batch, keeps the best model)`);
    this.setStatus({ message: 'Cancelling: finishing the current batch…' });
    this.abort.abort();
  }

  private setStatus(s: Partial<TrainingStatus>): void {
    this.status = { ...this.status, ...s };
    this.endpoint?.emit('status', this.status);
  }

  private onEvent(raw: unknown): void {
    const e = raw as TrainEvent;
    switch (e.kind) {
      case 'backend':
        this.deps.setBackend(e.name, e.reason);
        this.deps.log.info(`training ${this.input.model}: backend ${e.name} (${e.reason})`);
        this.setStatus({ backend: { name: e.name, reason: e.reason } });
        return;
      case 'data': {
        const msg = `${e.trainSamples} training and ${e.valSamples} validation spectra`;
        this.deps.log.info(`training ${this.input.model}: ${msg}`);
        this.deps.report(`${msg}; first epoch…`, 0);
        this.setStatus({ state: this.cancelRequested ? this.status.state : 'training', message: `${msg}. Training…`, samples: { train: e.trainSamples, val: e.valSamples } });
        return;
      }
      case 'epoch': {
        this.history.train[e.epoch - 1] = e.trainLoss;
        this.history.val[e.epoch - 1] = e.valLoss;
        const line = epochMessage(e);
        this.deps.log.info(`training ${this.input.model}: ${line}`);
        this.deps.report(line, (100 * e.epoch) / Math.max(1, e.epochs));
        this.endpoint?.emit('epoch', { epoch: e.epoch, trainLoss: e.trainLoss, valLoss: e.valLoss, best: e.best });
        this.setStatus({ message: line, ...(e.best ? { bestEpoch: e.epoch } : {}) });
        return;
      }
      case 'log':
        this.deps.log.info(`training ${this.input.model}: ${e.message}`);
        return;
    }
  }

  /**
   * Run the job. Resolves with the result (also when cancelled: the best model so far is kept), or
   * undefined when cancelled before any data was read (nothing written); rejects on failure.
   */
  async start(): Promise<TrainJobResult | undefined> {
    this.deps.log.info(
      `training ${this.input.model} on ${this.input.train.map((t) => `${t.scan} (ground truth ${t.groundTruth})`).join(', ')} → ${this.input.outDir}; ` +
        `epochs ${this.input.epochs}, patience ${this.input.patience}, batch ${this.input.batch}, stride ${this.input.stride}, validation ${this.input.valShare}, seed ${this.input.seed}, backend ${this.input.backend}`,
    );
    this.setStatus({ state: 'reading', message: 'Reading the training spectra…' });
    this.deps.report('reading the training spectra…', 0);
    try {
      const r = await this.deps.runJob(this.input, {
        onEvent: (e) => this.onEvent(e),
        onProgress: () => undefined,
        signal: this.abort.signal,
      });
      this.result = r;
      // The model folder's history is authoritative (an epoch cut by cancel is not in it).
      this.history.train = [...r.history.train];
      this.history.val = [...r.history.val];
      this.endpoint?.emit('history', { train: [...this.history.train], val: [...this.history.val] });
      const message = resultMessage(r, this.input.model);
      this.deps.log.info(`training: ${message}`);
      this.setStatus({ state: r.cancelled ? 'cancelled' : 'done', message, bestEpoch: r.bestEpoch });
      return r;
    } catch (e) {
      if (isCancelled(e)) {
        const message = 'Cancelled while reading the training data; nothing was written.';
        this.deps.log.info(`training ${this.input.model}: ${message}`);
        this.setStatus({ state: 'cancelled', message });
        return undefined;
      }
      const err = e instanceof Error ? e : new Error(String(e));
      this.deps.log.error(`training ${this.input.model} failed: ${err.message}${err.name === 'XrfInputError' ? '' : `\n${err.stack ?? ''}`}`);
      this.setStatus({ state: 'failed', message: `Training failed: ${err.message}` });
      throw err;
    }
  }
}
