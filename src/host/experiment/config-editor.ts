/**
 * The config editor's extras for `*.xrfmaps.json`: diagnostics (the config's problems with their
 * exact ranges, and line families whose SSIM in the latest run is below `xrfmaps.flagSsimBelow`),
 * an inlay hint after each entry of "lines" with its figures from the latest run, and a CodeLens
 * over "lines" (the run's key figures; click: open its results) and over the file (Run Experiment).
 */
import * as vscode from 'vscode';
import { promises as fs } from 'node:fs';
import * as nodePath from 'node:path';
import { parseExperimentConfig, checkExperimentFiles, defaultInspector, type FileInspector, type ConfigProblem } from '../../core/experiment/validate';
import { isConfigPath } from '../../core/experiment/config';
import { configAnnotations, type ConfigAnnotations } from './annotations';
import { latestEvaluatedRun, type AnnotatedRun } from './latest-run';
import { isRunning } from './runner';
import { runWorkerJob } from '../../workers/launch';
import type { MapsJobInput, MapsJobResult, ReadMapsResult } from '../evaluate/job';

export const CONFIG_SELECTOR: vscode.DocumentSelector = [
  { language: 'json', pattern: '**/*.xrfmaps.json' },
  { language: 'jsonc', pattern: '**/*.xrfmaps.json' },
];
export const DEFAULT_FLAG_SSIM_BELOW = 0.8;

export function flagThreshold(): number {
  const v = vscode.workspace.getConfiguration('xrfmaps').get<number>('flagSsimBelow');
  return typeof v === 'number' && Number.isFinite(v) ? v : DEFAULT_FLAG_SSIM_BELOW;
}

/** Scan sizes and ground-truth contents, re-read only when the file's size or time changes. */
function cachingInspector(): FileInspector {
  const cache = new Map<string, { stamp: string; value: Promise<unknown> }>();
  const cached = async <T>(key: string, file: string, read: () => Promise<T>): Promise<T> => {
    const st = await fs.stat(file.split('::')[0]);
    const stamp = `${st.size}:${st.mtimeMs}`;
    const hit = cache.get(key);
    if (hit && hit.stamp === stamp) return hit.value as Promise<T>;
    const value = read();
    cache.set(key, { stamp, value });
    value.catch(() => cache.delete(key));
    return value;
  };
  return {
    scanSize: (scan, dataset) => cached(`scan:${scan}:${dataset ?? ''}`, scan, () => defaultInspector.scanSize(scan, dataset)),
    // NPY: header and sidecar only. Other formats are parsed whole: in the evaluate worker, off the host's thread.
    groundTruthInfo: (file) =>
      cached(`gt:${file}`, file, async () => {
        if (/\.npy$/i.test(file)) return defaultInspector.groundTruthInfo(file);
        const r = (await runWorkerJob<MapsJobInput, MapsJobResult>('evaluate', { op: 'read', path: file })) as ReadMapsResult;
        return { height: r.height, width: r.width, lines: r.lines };
      }),
  };
}

function toRange(doc: vscode.TextDocument, offset: number, length: number): vscode.Range {
  return new vscode.Range(doc.positionAt(offset), doc.positionAt(offset + Math.max(1, length)));
}

export class ConfigEditorSupport implements vscode.InlayHintsProvider, vscode.CodeLensProvider, vscode.Disposable {
  private readonly diagnostics = vscode.languages.createDiagnosticCollection('xrfmaps-experiment');
  private readonly hintsChanged = new vscode.EventEmitter<void>();
  private readonly lensesChanged = new vscode.EventEmitter<void>();
  readonly onDidChangeInlayHints = this.hintsChanged.event;
  readonly onDidChangeCodeLenses = this.lensesChanged.event;
  private readonly inspector = cachingInspector();
  /** Latest evaluated run per config path (undefined: looked, none). */
  private readonly runs = new Map<string, Promise<AnnotatedRun | undefined>>();
  private readonly timers = new Map<string, NodeJS.Timeout>();
  private readonly disposables: vscode.Disposable[] = [];

  constructor() {
    this.disposables.push(
      this.diagnostics,
      vscode.workspace.onDidOpenTextDocument((d) => this.schedule(d, 0)),
      vscode.workspace.onDidChangeTextDocument((e) => this.schedule(e.document, 400)),
      vscode.workspace.onDidSaveTextDocument((d) => this.schedule(d, 0)),
      vscode.workspace.onDidCloseTextDocument((d) => isConfigPath(d.uri.fsPath) && this.diagnostics.delete(d.uri)),
      vscode.workspace.onDidChangeConfiguration((e) => e.affectsConfiguration('xrfmaps.flagSsimBelow') && this.refreshAll()),
    );
    for (const d of vscode.workspace.textDocuments) this.schedule(d, 0);
  }

  /** Runs changed on disk: forget the cached runs and redo every open config. */
  refreshAll(): void {
    this.runs.clear();
    for (const d of vscode.workspace.textDocuments) this.schedule(d, 0);
    this.hintsChanged.fire();
    this.lensesChanged.fire();
  }

  private schedule(doc: vscode.TextDocument, delayMs: number): void {
    if (doc.uri.scheme !== 'file' || !isConfigPath(doc.uri.fsPath)) return;
    const key = doc.uri.toString();
    clearTimeout(this.timers.get(key));
    this.timers.set(
      key,
      setTimeout(() => {
        this.timers.delete(key);
        void this.validate(doc);
      }, delayMs),
    );
  }

  private latestRun(doc: vscode.TextDocument): Promise<AnnotatedRun | undefined> {
    const key = nodePath.resolve(doc.uri.fsPath);
    let p = this.runs.get(key);
    if (!p) {
      p = latestEvaluatedRun(key, doc.getText()).catch(() => undefined);
      this.runs.set(key, p);
    }
    return p;
  }

  private async annotations(doc: vscode.TextDocument): Promise<ConfigAnnotations | undefined> {
    const run = await this.latestRun(doc);
    if (!run) return undefined;
    const parsed = parseExperimentConfig(doc.getText(), doc.uri.fsPath);
    return configAnnotations(parsed.tree, run, flagThreshold());
  }

  /** The config's problems (text and files) and the latest run's flags, as diagnostics. Resolves true when there are no errors. */
  async validate(doc: vscode.TextDocument): Promise<boolean> {
    const version = doc.version;
    const text = doc.getText();
    const parsed = parseExperimentConfig(text, doc.uri.fsPath);
    let problems: ConfigProblem[] = [...parsed.problems];
    try {
      problems = problems.concat(await checkExperimentFiles(parsed, doc.uri.fsPath, this.inspector));
    } catch (e) {
      problems.push({ kind: 'unreadable', severity: 'error', message: `checking the files failed: ${(e as Error).message}`, path: [], offset: 0, length: 1 });
    }
    const ann = await this.annotations(doc);
    if (doc.version !== version || doc.isClosed) return !problems.some((p) => p.severity === 'error');
    const diags = problems.map((p) => {
      const d = new vscode.Diagnostic(toRange(doc, p.offset, p.length), p.message, p.severity === 'error' ? vscode.DiagnosticSeverity.Error : vscode.DiagnosticSeverity.Warning);
      d.source = 'xrfmaps';
      d.code = p.kind;
      return d;
    });
    for (const f of ann?.flags ?? []) {
      const d = new vscode.Diagnostic(toRange(doc, f.offset, f.length), f.message, vscode.DiagnosticSeverity.Warning);
      d.source = 'xrfmaps';
      d.code = 'low-ssim';
      diags.push(d);
    }
    this.diagnostics.set(doc.uri, diags);
    return !problems.some((p) => p.severity === 'error');
  }

  async provideInlayHints(doc: vscode.TextDocument, range: vscode.Range): Promise<vscode.InlayHint[]> {
    const ann = await this.annotations(doc);
    return (ann?.hints ?? [])
      .map((h) => {
        const hint = new vscode.InlayHint(doc.positionAt(h.offset), h.label, vscode.InlayHintKind.Type);
        hint.paddingLeft = true;
        hint.tooltip = h.tooltip;
        return hint;
      })
      .filter((h) => range.contains(h.position));
  }

  async provideCodeLenses(doc: vscode.TextDocument): Promise<vscode.CodeLens[]> {
    const top = new vscode.Range(0, 0, 0, 0);
    const running = isRunning(doc.uri.fsPath);
    const lenses = [
      new vscode.CodeLens(top, running ? { title: '$(sync~spin) Running… (cancel from the notification)', command: '' } : { title: '$(play) Run Experiment', command: 'xrfmaps.runExperiment', arguments: [doc.uri] }),
    ];
    const run = await this.latestRun(doc);
    const ann = await this.annotations(doc);
    if (run && ann?.lens) {
      const at = toRange(doc, ann.lens.offset, 0);
      lenses.push(new vscode.CodeLens(at, { title: ann.lens.title, command: 'xrfmaps.openRun', arguments: [run.dir] }));
    }
    return lenses;
  }

  dispose(): void {
    for (const t of this.timers.values()) clearTimeout(t);
    this.hintsChanged.dispose();
    this.lensesChanged.dispose();
    vscode.Disposable.from(...this.disposables).dispose();
  }
}
