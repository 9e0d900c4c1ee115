/**
 * Driving the VS Code workbench the way a person does: the command palette, Quick Open, editor tabs, notifications,
 * and the extension's webviews. Webviews are nested iframes (an outer `iframe.webview` holding an inner
 * `#active-frame`); they are found through playwright's frame tree, by what they contain.
 */
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { OUTPUT_DIR } from './env';
import type { Frame, Locator, Page } from './pw';

export const sleep = (ms: number) => new Promise<void>((r) => setTimeout(r, ms));

/** Thrown by a probe to stop waiting at once (e.g. the product reported a failure). */
export class GiveUp extends Error {}

/**
 * Polls `probe` until it returns something other than undefined, or throws with `what` after `timeoutMs`.
 * Errors thrown by the probe count as "not yet", except GiveUp, which ends the wait.
 */
export async function waitUntil<T>(what: string, timeoutMs: number, probe: () => Promise<T | undefined>, everyMs = 250): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  let lastError: unknown;
  for (;;) {
    try {
      const v = await probe();
      if (v !== undefined) return v;
    } catch (e) {
      if (e instanceof GiveUp) throw e;
      lastError = e;
    }
    if (Date.now() > deadline) {
      const why = lastError instanceof Error ? ` (last error: ${lastError.message.split('\n')[0]})` : '';
      throw new Error(`timed out after ${Math.round(timeoutMs / 1000)} s waiting for ${what}${why}`);
    }
    await sleep(everyMs);
  }
}

export async function screenshot(page: Page, name: string): Promise<string> {
  mkdirSync(OUTPUT_DIR, { recursive: true });
  const path = join(OUTPUT_DIR, `${name}.png`);
  await page.screenshot({ path, timeout: 20_000 });
  return path;
}

/** Opens the workbench on `url` and waits until the explorer shows the folder and the window is idle. */
export async function openWorkbench(page: Page, url: string, expectFile?: string): Promise<void> {
  await page.goto(url, { waitUntil: 'domcontentloaded', timeout: 60_000 });
  await page.locator('.monaco-workbench').waitFor({ state: 'visible', timeout: 60_000 });
  await page.locator('.part.statusbar').waitFor({ state: 'visible', timeout: 60_000 });
  if (expectFile) {
    await page
      .locator(`.explorer-folders-view .monaco-list-row[aria-label^="${expectFile}"]`)
      .first()
      .waitFor({ state: 'visible', timeout: 60_000 });
  }
}

/** Gives keyboard focus back to the workbench (after a webview had it), without clicking anything that acts. */
export async function focusWorkbench(page: Page): Promise<void> {
  await page.keyboard.press('Escape');
  const title = page.locator('.part.editor .title, .part.sidebar .composite.title').first();
  if ((await title.count()) > 0) await title.click({ position: { x: 2, y: 2 }, timeout: 5000 }).catch(() => undefined);
}

const quickInput = (page: Page) => page.locator('.quick-input-widget');
const quickRows = (page: Page) => page.locator('.quick-input-widget .quick-input-list .monaco-list-row');

async function openPalette(page: Page, text: string): Promise<void> {
  await focusWorkbench(page);
  await page.keyboard.press('F1');
  const input = page.locator('.quick-input-widget input.input');
  await input.waitFor({ state: 'visible', timeout: 10_000 });
  await input.fill(text);
}

/** Labels of the command-palette entries that match `query` (empty when none does). */
export async function paletteEntries(page: Page, query: string): Promise<string[]> {
  await openPalette(page, `>${query}`);
  await sleep(800); // the palette filters as it goes; give it a moment to settle
  const labels = await quickRows(page).evaluateAll((rows) => rows.map((r) => String(r.getAttribute('aria-label') ?? '')));
  await page.keyboard.press('Escape');
  return labels.filter((l) => l.length > 0 && !/^no matching commands/i.test(l));
}

/**
 * Waits until the palette offers commands of `category` ("XRF Maps"): the workbench shows before the extensions'
 * contributions are registered, and a command run too early is simply not found.
 */
export async function waitForCommands(page: Page, category: string, timeoutMs = 60_000): Promise<string[]> {
  return waitUntil(`the palette to offer "${category}: …" commands`, timeoutMs, async () => {
    const entries = (await paletteEntries(page, `${category}:`)).filter((l) => l.startsWith(`${category}:`));
    return entries.length > 0 ? entries : undefined;
  }, 1000);
}

/**
 * Runs the palette command whose label contains `title` (preferring "<category>: <title>" exactly).
 * Returns false when no such entry is offered.
 */
export async function runCommand(page: Page, title: string, opts: { mustExist?: boolean } = {}): Promise<boolean> {
  await openPalette(page, `>${title}`);
  let row: Locator | undefined;
  try {
    row = await waitUntil(`a palette entry "${title}"`, 15_000, async () => {
      const rows = quickRows(page);
      const n = await rows.count();
      let loose: Locator | undefined;
      for (let i = 0; i < n; i++) {
        const label = (await rows.nth(i).getAttribute('aria-label')) ?? '';
        const main = label.split(',')[0].trim();
        if (main === title || main.endsWith(`: ${title}`)) return rows.nth(i);
        if (!loose && main.includes(title)) loose = rows.nth(i);
      }
      return loose;
    });
  } catch (e) {
    await page.keyboard.press('Escape');
    if (opts.mustExist !== false) throw e;
    return false;
  }
  await row.click();
  return true;
}

/** Opens a workspace file through Quick Open (as a person would type its name). */
export async function quickOpen(page: Page, relPath: string): Promise<void> {
  await openPalette(page, relPath);
  const base = relPath.split('/').pop() ?? relPath;
  const row = await waitUntil(`Quick Open to offer ${relPath}`, 15_000, async () => {
    const rows = quickRows(page);
    const n = await rows.count();
    for (let i = 0; i < n; i++) {
      const label = (await rows.nth(i).getAttribute('aria-label')) ?? '';
      if (label.startsWith(base)) return rows.nth(i);
    }
    return undefined;
  });
  await row.click();
}

/** Picks an entry of an open quick pick (e.g. after "Reopen Editor With…") by a part of its label. */
export async function pickQuickItem(page: Page, labelPart: string | RegExp, timeoutMs = 10_000): Promise<string> {
  const { row, label } = await waitUntil(`a quick-pick entry ${labelPart}`, timeoutMs, async () => {
    const rows = quickRows(page);
    const n = await rows.count();
    for (let i = 0; i < n; i++) {
      const label = (await rows.nth(i).getAttribute('aria-label')) ?? '';
      if (typeof labelPart === 'string' ? label.includes(labelPart) : labelPart.test(label)) return { row: rows.nth(i), label };
    }
    return undefined;
  });
  await row.click();
  return label;
}

/**
 * Types into the open quick input (a path into VS Code's file dialog, which in the browser is a quick input; a name
 * into an input box) and accepts it. The file dialog fills in its start folder asynchronously after it shows, and
 * would overwrite text typed too early, so the text is typed again until it stays.
 */
export async function answerQuickInput(page: Page, text: string): Promise<void> {
  const input = page.locator('.quick-input-widget input.input');
  await input.waitFor({ state: 'visible', timeout: 15_000 });
  await sleep(500);
  for (let attempt = 0; ; attempt++) {
    await input.fill(text);
    await sleep(700);
    const now = await input.evaluate((el: HTMLInputElement) => el.value);
    if (now === text) break;
    if (attempt >= 4) throw new Error(`the quick input keeps "${now}" instead of "${text}"`);
  }
  await page.keyboard.press('Enter');
}

/** Throws GiveUp when a notification matching `pattern` (e.g. /failed/i) is shown: the wait is then pointless. */
export async function failOnNotification(page: Page, pattern: RegExp): Promise<void> {
  const bad = (await notificationTexts(page)).find((t) => pattern.test(t));
  if (bad) throw new GiveUp(`VS Code says: ${bad}`);
}

export async function isQuickInputOpen(page: Page): Promise<boolean> {
  return quickInput(page).isVisible();
}

export async function closeAllEditors(page: Page): Promise<void> {
  await runCommand(page, 'View: Close All Editors');
  await sleep(500);
}

/** Texts of the notification toasts currently shown (and of the notification center when open). */
export async function notificationTexts(page: Page): Promise<string[]> {
  return page
    .locator('.notifications-toasts .notification-list-item, .notifications-center .notification-list-item')
    .evaluateAll((els) => els.map((e) => String((e as HTMLElement).innerText ?? '').replace(/\s+/g, ' ').trim()));
}

export async function clearNotifications(page: Page): Promise<void> {
  await runCommand(page, 'Notifications: Clear All Notifications', { mustExist: false });
}

/** Labels of the editor tabs, the active one first. */
export async function editorTabs(page: Page): Promise<{ active: string | undefined; all: string[] }> {
  const all = await page.locator('.tabs-container .tab').evaluateAll((els) => els.map((e) => String(e.getAttribute('aria-label') ?? '')));
  const active = await page.locator('.tabs-container .tab.active').first().getAttribute('aria-label', { timeout: 2000 }).catch(() => undefined);
  return { active: active ?? undefined, all };
}

/** The inner frames of every webview currently in the page. */
export async function webviewFrames(page: Page): Promise<Frame[]> {
  const out: Frame[] = [];
  for (const f of page.frames()) {
    if (f.isDetached() || f === page.mainFrame()) continue;
    try {
      const el = await f.frameElement();
      const id = await el.getAttribute('id');
      await el.dispose();
      if (id === 'active-frame') out.push(f);
    } catch {
      // detached while we looked
    }
  }
  return out;
}

/** Waits for a webview holding an element that matches `selector` (shadow DOM included); returns its frame and locator. */
export async function waitForWebview(page: Page, selector: string, timeoutMs = 60_000): Promise<{ frame: Frame; el: Locator }> {
  return waitUntil(`a webview showing ${selector}`, timeoutMs, async () => {
    for (const frame of await webviewFrames(page)) {
      const el = frame.locator(selector);
      if ((await el.count().catch(() => 0)) > 0) return { frame, el };
    }
    return undefined;
  }, 400);
}

/** Visible text of a webview frame's document, shadow roots included (Lit renders into them). */
export async function webviewText(frame: Frame): Promise<string> {
  return deepText(frame.locator('body'));
}

/**
 * Text of an element including what its shadow roots render (innerText stops at shadow boundaries). Iterative on
 * purpose: tsx compiles named inner functions with a `__name` helper that does not exist inside the page.
 */
export async function deepText(el: Locator): Promise<string> {
  const text = await el.evaluate((root: Element) => {
    const parts: string[] = [];
    const stack: Node[] = [root];
    while (stack.length > 0) {
      const node = stack.pop() as Node;
      // Text nodes are kept as they are (Lit splits "row ${r}, col ${c}" into several); elements are separated.
      if (node.nodeType === Node.TEXT_NODE) {
        parts.push(node.textContent ?? '');
        continue;
      }
      if (node instanceof Element && (node.tagName === 'SCRIPT' || node.tagName === 'STYLE')) continue;
      if (node instanceof Element) parts.push(' ');
      const kids: Node[] = [];
      if (node instanceof Element && node.shadowRoot) kids.push(...Array.from(node.shadowRoot.childNodes));
      kids.push(...Array.from(node.childNodes));
      for (let i = kids.length - 1; i >= 0; i--) stack.push(kids[i]);
    }
    return parts.join('');
  });
  return text.replace(/\s+/g, ' ').trim();
}
