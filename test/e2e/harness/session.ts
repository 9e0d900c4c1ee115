/**
 * One VS Code window for the scenarios: a private code-server with the packaged extension, Chromium on it, and the
 * workspace folder open. Two are used: a trusted one (scenarios 1–5) and one in Restricted Mode (scenario 6).
 */
import { join } from 'node:path';
import type { Toolchain } from './env';
import { startCodeServer, type CodeServer } from './code-server';
import { newPage } from './browser';
import type { Browser, Page } from './pw';
import { openWorkbench, waitForCommands } from './workbench';

/** Settings that keep a fresh VS Code quiet and predictable: no welcome page, no chat panel, no network lookups. */
const QUIET_SETTINGS = {
  'workbench.startupEditor': 'none',
  'workbench.tips.enabled': false,
  'workbench.enableExperiments': false,
  'workbench.secondarySideBar.defaultVisibility': 'hidden',
  'chat.disableAIFeatures': true,
  'chat.commandCenter.enabled': false,
  'extensions.autoUpdate': false,
  'extensions.autoCheckUpdates': false,
  'extensions.ignoreRecommendations': true,
  'update.mode': 'none',
  'telemetry.telemetryLevel': 'off',
  'git.enabled': false,
  'git.openRepositoryInParentFolders': 'never',
  'workbench.editor.enablePreview': false,
  'window.restoreWindows': 'none',
  'files.hotExit': 'off',
};

export interface Window {
  server: CodeServer;
  page: Page;
  /** Errors the page logged (console.error, uncaught exceptions): shown when a scenario fails. */
  errors: string[];
  close(): Promise<void>;
}

export async function openWindow(
  t: Toolchain,
  browser: Browser,
  opts: { root: string; vsix: string; folder: string; trusted: boolean; expectFile?: string; commandCategory?: string; settings?: Record<string, unknown> },
): Promise<Window> {
  const settings: Record<string, unknown> = { ...QUIET_SETTINGS, ...opts.settings };
  if (opts.trusted) {
    // Scenarios 1–5 test the product, not the trust prompt: turn workspace trust off for this profile.
    settings['security.workspace.trust.enabled'] = false;
  } else {
    // Trust on, and no start-up modal: the folder simply opens in Restricted Mode, as after "Don't trust".
    settings['security.workspace.trust.enabled'] = true;
    settings['security.workspace.trust.startupPrompt'] = 'never';
    settings['security.workspace.trust.banner'] = 'always';
  }
  const server = await startCodeServer(t, { root: join(opts.root), vsix: opts.vsix, settings });
  const { page, errors } = await newPage(browser);
  try {
    await openWorkbench(page, server.url(opts.folder), opts.expectFile);
    if (opts.commandCategory) await waitForCommands(page, opts.commandCategory);
  } catch (e) {
    await page.close().catch(() => undefined);
    await server.stop();
    throw e;
  }
  return {
    server,
    page,
    errors,
    close: async () => {
      await page.close().catch(() => undefined);
      await server.stop();
    },
  };
}
