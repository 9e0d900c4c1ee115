/** Debian's Chromium, driven by playwright-core from the cache, with the flags seen working on these machines. */
import type { Toolchain } from './env';
import { loadPlaywright } from './env';
import type { Browser, Page, PlaywrightModule } from './pw';

export const CHROMIUM_ARGS = [
  '--no-sandbox',
  '--disable-gpu',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
  '--no-first-run',
  '--disable-dev-shm-usage',
];

export async function launchBrowser(t: Toolchain): Promise<Browser> {
  const pw = loadPlaywright<PlaywrightModule>(t);
  return pw.chromium.launch({ executablePath: t.chromium, args: CHROMIUM_ARGS, headless: true, timeout: 60_000 });
}

/** A page sized like a laptop screen; console errors from the page are collected so a failure can show them. */
export async function newPage(browser: Browser): Promise<{ page: Page; errors: string[] }> {
  const context = await browser.newContext({ viewport: { width: 1600, height: 1000 }, deviceScaleFactor: 1 });
  const page = await context.newPage();
  const errors: string[] = [];
  page.on('pageerror', (e) => errors.push(`pageerror: ${e.message}`));
  page.on('console', (m) => {
    if (m.type() === 'error') errors.push(`console: ${m.text()}`);
  });
  page.setDefaultTimeout(30_000);
  return { page, errors };
}
