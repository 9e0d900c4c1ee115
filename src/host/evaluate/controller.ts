/**
 * The host half of one results view, without `vscode`: runs the `evaluate` job (reading and metrics
 * off the main thread), sends the reports, serves one family's maps at a time, copies tables to the
 * clipboard and saves figures. ./panel.ts wires it to a WebviewPanel; tests use a fake port and job.
 */
import * as nodePath from 'node:path';
import type { Endpoint, DisplaySettings, ErrorViewData } from '../../protocol';
import type { ResultsHostSide, ResultsWebviewSide, ResultsData, FamilyMaps, SavePngParams } from '../../protocol-ml';
import type { Progress } from '../../core/util/progress';
import { isCancelled } from '../../core/errors';
import { errorToView } from '../error-view';
import type { Logger } from '../scan-editor/controller';
import type { EvaluateJobResult, MapsJobInput, MapsJobResult, PredictionSpec } from './job';

export interface ResultsRequest {
  gt: string;
  predictions: PredictionSpec[];
  /** Evaluate only these families (each must be on both sides). */
  lines?: string[];
  title?: string;
}

export type MapsJobRunner = (input: MapsJobInput, opts: { onProgress: (p: Progress) => void; signal: AbortSignal }) => Promise<MapsJobResult>;

export interface ResultsDeps {
  endpoint: Endpoint<ResultsHostSide, ResultsWebviewSide>;
  runJob: MapsJobRunner;
  display(): DisplaySettings;
  copy(text: string): Promise<void>;
  savePng(p: SavePngParams): Promise<{ path?: string }>;
  log: Logger;
  showLog(): void;
}

/** "Results: painting_4_truth" or "Results: FCN, FCN+ on painting_4_truth". */
export function resultsTitle(req: ResultsRequest, models?: string[]): string {
  if (req.title) return req.title;
  const gt = nodePath.basename(req.gt).replace(/\.[^.]+$/, '');
  return models && models.length ? `Results: ${models.join(', ')} on ${gt}` : `Results: ${gt}`;
}

export class ResultsController {
  private phase: 'running' | 'ready' | 'error' | 'closed' = 'running';
  private result: EvaluateJobResult | undefined;
  private error: ErrorViewData | undefined;
  private lastProgress: { done: number; total: number; label: string } | undefined;
  private readonly abort = new AbortController();

  constructor(
    readonly request: ResultsRequest,
    private readonly deps: ResultsDeps,
  ) {
    const ep = deps.endpoint;
    ep.onReady(() => this.sendState());
    ep.handle('family', async ({ line }) => this.family(line));
    ep.handle('copy', async ({ text, what }) => {
      await deps.copy(text);
      ep.emit('notice', { level: 'info', message: `Copied ${what} to the clipboard.` });
      return { ok: true as const };
    });
    ep.handle('savePng', async (p) => {
      const r = await deps.savePng(p);
      if (r.path) {
        deps.log.info(`results: saved ${r.path}`);
        ep.emit('notice', { level: 'info', message: `Saved ${r.path}` });
      }
      return r;
    });
    ep.handle('rerun', async () => {
      if (this.phase !== 'running' && this.phase !== 'closed') void this.run();
      return { ok: true as const };
    });
    ep.handle('showLog', async () => {
      deps.showLog();
      return { ok: true as const };
    });
  }

  get state(): 'running' | 'ready' | 'error' | 'closed' {
    return this.phase;
  }

  /** The evaluation, once it ran (for callers that also want the numbers). */
  get evaluation(): EvaluateJobResult | undefined {
    return this.result;
  }

  get title(): string {
    return resultsTitle(this.request, this.result?.models);
  }

  /** Evaluate; resolves when the results or the error view are out. */
  async run(): Promise<void> {
    const req = this.request;
    this.deps.log.info(`evaluating ${req.predictions.map((p) => p.path).join(', ')} against ${req.gt}`);
    const t0 = Date.now();
    this.phase = 'running';
    this.error = undefined;
    this.result = undefined;
    try {
      const r = await this.deps.runJob(
        { op: 'evaluate', gt: req.gt, predictions: req.predictions, ...(req.lines ? { lines: req.lines } : {}) },
        {
          signal: this.abort.signal,
          onProgress: (p) => {
            this.lastProgress = { done: p.done, total: p.total, label: p.message ?? 'Evaluating…' };
            this.deps.endpoint.emit('progress', this.lastProgress);
          },
        },
      );
      if (r.op !== 'evaluate') throw new Error('the evaluate job answered with something else');
      if (this.closed()) return;
      this.result = r;
      this.phase = 'ready';
      for (const rep of r.reports) {
        const { inPred, inGt } = rep.extra;
        if (inPred.length) this.deps.log.info(`${rep.model}: not in the ground truth, ignored: ${inPred.join(', ')}`);
        if (inGt.length) this.deps.log.info(`${rep.model}: not predicted, ignored: ${inGt.join(', ')}`);
      }
      this.deps.log.info(`evaluated ${r.models.join(', ')} on ${r.lines.length} families in ${Date.now() - t0} ms`);
      this.sendState();
    } catch (e) {
      if (this.closed() || isCancelled(e)) return;
      this.phase = 'error';
      const view = errorToView(e, req.gt);
      this.error = { ...view, title: view.kind === 'input' ? 'The prediction cannot be evaluated' : view.title };
      this.deps.log.error(`evaluate: ${this.error.file}: ${this.error.problem}${view.kind === 'internal' && e instanceof Error ? `\n${e.stack ?? ''}` : ''}`);
      this.deps.endpoint.emit('error', this.error);
    }
  }

  /** A method, not a field test: TypeScript would narrow `phase` across the awaits above. */
  private closed(): boolean {
    return this.phase === 'closed';
  }

  dispose(): void {
    if (this.phase === 'closed') return;
    this.phase = 'closed';
    this.abort.abort();
    this.deps.endpoint.dispose();
  }

  private data(): ResultsData | undefined {
    const r = this.result;
    if (!r) return undefined;
    return { title: this.title, gt: r.gt.path, height: r.gt.height, width: r.gt.width, models: r.models, reports: r.reports, lines: r.lines };
  }

  private family(line: string): FamilyMaps {
    const r = this.result;
    if (!r) throw new Error(this.phase === 'error' ? 'the evaluation failed' : 'the evaluation is still running');
    const i = r.lines.indexOf(line);
    if (i < 0) throw new Error(`no line family "${line}" in these results (they have ${r.lines.join(', ')})`);
    return { line, gt: r.gtMaps[i], preds: r.predMaps.map((m) => m[i]), zMaps: r.zMaps.map((m) => m[i]) };
  }

  private sendState(): void {
    const ep = this.deps.endpoint;
    ep.emit('init', { display: this.deps.display(), title: this.title });
    const data = this.data();
    if (this.phase === 'ready' && data) ep.emit('results', data);
    else if (this.phase === 'error' && this.error) ep.emit('error', this.error);
    else if (this.lastProgress) ep.emit('progress', this.lastProgress);
  }
}
