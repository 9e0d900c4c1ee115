/** What every scenario gets: the toolchain, the build's features, the workspace and the open VS Code window. */
import { join, relative } from 'node:path';
import { REPO, type Toolchain } from './env';
import type { Features } from './features';
import type { Browser, Frame, Locator } from './pw';
import { runToEnd } from './procs';
import type { Window } from './session';
import type { KnownScan, SimPainting } from './workspace';
import * as wb from './workbench';

export interface E2EContext {
  toolchain: Toolchain;
  features: Features;
  /** Temporary root for this run (workspace, code-server profiles); removed at the end. */
  tmp: string;
  /** The workspace folder VS Code opens. */
  ws: string;
  vsix: string;
  browser: Browser;
  win: Window;
  known: KnownScan;
  broken: { rpl: string; raw: string };
  /** Simulated paintings (empty when the build has no simulator yet): `tiny`, 1024 channels. */
  paintings: SimPainting[];
  /** Simulated paintings with 4096 channels (`icons` at a small scale), long enough for the 1DCNN models. */
  trainingPaintings: SimPainting[];
}

/** Runs the built CLI (dist/cli.js) with the project's Node. */
export async function cli(args: string[], timeoutMs = 300_000): Promise<string> {
  const res = await runToEnd(`xrfmaps ${args[0]}`, process.execPath, [join(REPO, 'dist', 'cli.js'), ...args], { cwd: REPO, timeoutMs });
  if (res.code !== 0) throw new Error(`xrfmaps ${args.join(' ')} failed (exit ${res.code}):\n${res.output.slice(-3000)}`);
  return res.output;
}

export function wsPath(ctx: E2EContext, abs: string): string {
  return relative(ctx.ws, abs);
}

/** Closes every editor and waits until their webviews are gone, so the next webview found is the new one. */
export async function freshEditorArea(ctx: E2EContext): Promise<void> {
  const { page } = ctx.win;
  await wb.closeAllEditors(page);
  await wb.waitUntil('the editors’ webviews to close', 15_000, async () => ((await wb.webviewFrames(page)).length === 0 ? true : undefined)).catch(
    () => undefined, // a panel that survives closing is not this step's concern; the next waits look for specific content
  );
}

/**
 * Opens a workspace file in the custom editor `viewType`, as a person would: Quick Open; and when that editor is not
 * the default for the file type, "Reopen Editor With…" and pick it by its display name.
 */
export async function openWith(ctx: E2EContext, file: string, viewType: string): Promise<void> {
  const { page } = ctx.win;
  const editor = ctx.features.editorByType(viewType);
  if (!editor) throw new Error(`no custom editor ${viewType} in package.json`);
  await wb.quickOpen(page, wsPath(ctx, file));
  if (editor.priority === 'option' || otherEditorsClaim(ctx, file, viewType)) {
    await wb.sleep(1000);
    await wb.runCommand(page, 'View: Reopen Editor With...');
    await wb.pickQuickItem(page, editor.displayName ?? viewType);
  }
}

function otherEditorsClaim(ctx: E2EContext, file: string, viewType: string): boolean {
  const ext = file.slice(file.lastIndexOf('.')).toLowerCase();
  return (ctx.features.manifest.contributes?.customEditors ?? []).some(
    (e) => e.viewType !== viewType && e.priority !== 'option' && (e.selector ?? []).some((s) => (s.filenamePattern ?? '').toLowerCase().endsWith(ext)),
  );
}

/**
 * Waits for a webview of kind `view` (`<body data-view="scan">` for the scan editor, "groundTruth" for the maps
 * editor) whose grid says it is drawn (`[data-state="ready"]`) and has map canvases.
 */
export async function readyMapGrid(ctx: E2EContext, timeoutMs = 120_000, view = 'scan'): Promise<{ frame: Frame; canvases: Locator }> {
  const { frame } = await wb.waitForWebview(ctx.win.page, `body[data-view="${view}"] [data-state="ready"] canvas[data-line]`, timeoutMs);
  return { frame, canvases: frame.locator('canvas[data-line]') };
}

/** `data-line` of every map canvas in the frame, in page order. */
export async function mapLines(frame: Frame): Promise<string[]> {
  return frame.locator('canvas[data-line]').evaluateAll((els) => els.map((e) => String(e.getAttribute('data-line'))));
}
