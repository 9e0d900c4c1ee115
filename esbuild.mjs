// One build script for every target: extension host, worker threads, CLI and webview.
// `tsc --noEmit` (npm run typecheck) is the type gate; esbuild only transpiles and bundles.
import * as esbuild from 'esbuild';
import { readdirSync, mkdirSync, copyFileSync, existsSync } from 'node:fs';
import { join } from 'node:path';

const production = process.argv.includes('--production');
const watch = process.argv.includes('--watch');

const common = {
  bundle: true,
  sourcemap: !production,
  minify: production,
  logLevel: 'warning',
  target: 'node20',
};

// Native and optional engines stay outside the bundle: they are loaded at run time when present.
const nodeExternals = [
  'vscode',
  '@tensorflow/tfjs-node',
  '@tensorflow/tfjs-node-gpu',
];

// ESM-only packages bundled into CommonJS (h5wasm's Node build calls createRequire(import.meta.url))
// need import.meta.url; esbuild leaves it undefined in CJS output, so node bundles define it.
// The banner repeats "use strict" first, since a banner line would otherwise stop esbuild's own
// directive from being one and the bundle would run in sloppy mode.
const importMetaUrl = {
  define: { 'import.meta.url': '__importMetaUrl' },
  banner: { js: `"use strict";\nconst __importMetaUrl = require('url').pathToFileURL(__filename).href;` },
};

const workerEntries = existsSync('src/workers')
  ? readdirSync('src/workers')
      .filter((f) => f.endsWith('.worker.ts'))
      .map((f) => join('src/workers', f))
  : [];

const builds = [
  {
    ...common,
    ...importMetaUrl,
    entryPoints: { extension: 'src/extension.ts' },
    platform: 'node',
    format: 'cjs',
    outdir: 'dist',
    external: nodeExternals,
  },
  {
    ...common,
    entryPoints: { cli: 'src/cli/main.ts' },
    platform: 'node',
    format: 'cjs',
    outdir: 'dist',
    external: nodeExternals,
    ...importMetaUrl,
    banner: { js: '#!/usr/bin/env node\n' + importMetaUrl.banner.js },
  },
  {
    ...common,
    ...importMetaUrl,
    entryPoints: Object.fromEntries(workerEntries.map((f) => [f.replace(/^src\/workers\//, '').replace(/\.ts$/, ''), f])),
    platform: 'node',
    format: 'cjs',
    outdir: 'dist/workers',
    external: nodeExternals,
  },
  {
    ...common,
    entryPoints: { webview: 'webview/main.ts' },
    platform: 'browser',
    format: 'esm',
    target: 'es2022',
    outdir: 'dist',
  },
].filter((b) => Object.keys(b.entryPoints).length > 0 && Object.values(b.entryPoints).every((p) => existsSync(p)));

// The wasm backend loads its .wasm binaries from disk next to the bundle.
function copyWasmAssets() {
  const src = 'node_modules/@tensorflow/tfjs-backend-wasm/dist';
  const out = 'dist/wasm';
  mkdirSync(out, { recursive: true });
  for (const f of readdirSync(src).filter((n) => n.endsWith('.wasm'))) copyFileSync(join(src, f), join(out, f));
}

if (watch) {
  for (const b of builds) (await esbuild.context(b)).watch();
} else {
  await Promise.all(builds.map((b) => esbuild.build(b)));
  copyWasmAssets();
}
