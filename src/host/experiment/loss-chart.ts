/**
 * The live loss chart during a config run: the training UI's chart panel and its `TrainingRun`
 * (src/host/training), fed from the experiment worker's events instead of a 'train' worker of its
 * own. One panel at a time, beside the config: each training of the run replaces the previous one's.
 * The chart's Cancel button cancels the whole run (what finished is kept).
 */
import * as vscode from 'vscode';
import * as nodePath from 'node:path';
import type { TrainEvent, TrainJobInput, TrainJobResult } from '../../core/ml/jobs';
import type { JobRecord } from '../../core/experiment/record';
import type { TrainingHostSide, TrainingWebviewSide } from '../../protocol-ml';
import { writeFileAtomic } from '../../core/io/atomic';
import { TrainingRun } from '../training/run';
import { setUpWebview, webviewOptions } from '../webview-panel';
import { pickPngPath } from '../evaluate/panel';
import { savePng } from '../evaluate/png-save';
import { xrfLog } from '../log';
import { xrfStatusBar } from '../status-bar';

interface Current {
  input: TrainJobInput;
  history: { train: number[]; val: number[] };
  onEvent?: (e: unknown) => void;
  resolve?: (r: TrainJobResult) => void;
}

export class ExperimentLossChart implements vscode.Disposable {
  private panel: vscode.WebviewPanel | undefined;
  private current: Current | undefined;

  constructor(
    private readonly extensionUri: vscode.Uri,
    private readonly title: string,
    private readonly onCancel: () => void,
  ) {}

  /** A training of the run starts: a fresh chart for it. */
  jobStart(input: TrainJobInput, test: string): void {
    this.finish(undefined);
    const current: Current = { input, history: { train: [], val: [] } };
    this.current = current;
    const log = xrfLog();
    const run = new TrainingRun(input, {
      // The training runs in the experiment worker; this "job" just waits for its events and its end.
      runJob: (_i, o) =>
        new Promise<TrainJobResult>((resolve) => {
          current.onEvent = o.onEvent;
          current.resolve = resolve;
          o.signal.addEventListener('abort', () => this.onCancel());
        }),
      report: () => undefined, // the run's own notification reports progress
      setBackend: (name, reason) => xrfStatusBar().set('backend', `$(chip) ${name}`, `XRF Maps ML backend: ${name} (${reason})`),
      savePng: (p) => savePng(p, { pickSavePath: (n) => pickPngPath(nodePath.dirname(input.outDir), n), writeFile: (t, parts) => writeFileAtomic(t, parts) }),
      showLog: () => log.show(true),
      log,
    });
    const title = `${this.title}: ${input.model}, ${test} held out`;
    const old = this.panel;
    const panel = vscode.window.createWebviewPanel('xrfmaps.training', title, { viewColumn: old?.viewColumn ?? vscode.ViewColumn.Beside, preserveFocus: true }, {
      ...webviewOptions(this.extensionUri),
      retainContextWhenHidden: true,
    });
    const endpoint = setUpWebview<TrainingHostSide, TrainingWebviewSide>(panel.webview, this.extensionUri, 'training', title);
    run.attach(endpoint);
    panel.onDidDispose(() => {
      run.detach(endpoint);
      endpoint.dispose();
      if (this.panel === panel) this.panel = undefined;
    });
    this.panel = panel;
    old?.dispose();
    void run.start().catch(() => undefined);
  }

  trainEvent(e: TrainEvent): void {
    const c = this.current;
    if (!c) return;
    if (e.kind === 'epoch') {
      c.history.train[e.epoch - 1] = e.trainLoss;
      c.history.val[e.epoch - 1] = e.valLoss;
    }
    c.onEvent?.(e);
  }

  /** The training ended: the chart shows its result (the job goes on to predict and evaluate). */
  trained(result: TrainJobResult): void {
    const c = this.current;
    if (!c) return;
    this.current = undefined;
    c.resolve?.(result);
  }

  /** The job ended; if its training never reported an end (it failed), close the chart's run. */
  jobEnd(job: JobRecord): void {
    this.finish(job);
  }

  private finish(job: JobRecord | undefined): void {
    const c = this.current;
    if (!c) return;
    this.current = undefined;
    c.resolve?.({
      modelDir: c.input.outDir,
      epochsRun: c.history.train.length,
      bestEpoch: job?.bestEpoch ?? 0,
      bestValLoss: typeof job?.bestValLoss === 'number' ? job.bestValLoss : NaN,
      cancelled: true,
      history: c.history,
      backend: job?.backend ?? '',
    });
  }

  dispose(): void {
    this.finish(undefined);
  }
}
