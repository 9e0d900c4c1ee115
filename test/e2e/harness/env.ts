/** Where things are: the repository, the output folder, and the machine-level cache that scripts/e2e-setup.sh fills. */
import { existsSync, readFileSync } from 'node:fs';
import { homedir } from 'node:os';
import { join, resolve } from 'node:path';
import { createRequire } from 'node:module';

export const REPO = resolve(__dirname, '..', '..', '..');
export const OUTPUT_DIR = join(REPO, 'test-output', 'e2e');
export const CACHE_DIR = process.env.XRFMAPS_E2E_CACHE ?? join(homedir(), '.cache', 'xrfmaps-e2e');

export interface Toolchain {
  chromium: string;
  node24: string;
  /** code-server's package folder (holds out/node/entry.js). */
  codeServer: string;
  playwrightCore: string;
}

/** Reads the manifest written by scripts/e2e-setup.sh; explains what to run when it is missing. */
export function toolchain(): Toolchain {
  const manifest = join(CACHE_DIR, 'manifest.json');
  if (!existsSync(manifest)) {
    throw new Error(`no e2e toolchain at ${CACHE_DIR}: run "bash scripts/e2e-setup.sh" (npm run test:e2e does)`);
  }
  const t = JSON.parse(readFileSync(manifest, 'utf8')) as Toolchain;
  for (const [key, path] of Object.entries(t)) {
    if (!existsSync(path)) throw new Error(`e2e toolchain incomplete: ${key} missing at ${path}; rerun scripts/e2e-setup.sh`);
  }
  return t;
}

/**
 * playwright-core lives in the cache, not in the project's node_modules (it is no project dependency).
 * Its types are therefore not available to the type checker; ./pw.ts declares the small part we use.
 */
export function loadPlaywright<T>(t: Toolchain): T {
  const req = createRequire(join(t.playwrightCore, 'package.json'));
  return req(t.playwrightCore) as T;
}
