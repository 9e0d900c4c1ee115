/**
 * Run-time choice of the tfjs backend that trains and runs the models.
 *
 * Order for 'auto': the native `tensorflow` backend from @tensorflow/tfjs-node-gpu, then from
 * @tensorflow/tfjs-node (both optional dependencies that only install where libtensorflow can be
 * downloaded), else `wasm` (XNNPACK, SIMD), else the pure-JS `cpu` backend. On wasm we register the
 * kernels it lacks for training (see ./wasm-kernels) before the first model is built.
 *
 * Idempotent and safe in worker threads: each thread has its own tfjs engine, and within a thread
 * repeated calls reuse the first result for the same preference. Use the returned `tf` everywhere:
 * with tfjs-node in a bundled build it is tfjs-node's copy of tfjs, not the bundled one.
 */
import * as tf from '@tensorflow/tfjs';
import { existsSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { registerWasmTrainingKernels } from './wasm-kernels/register';

export type TF = typeof tf;
export type BackendPref = 'auto' | 'tensorflow' | 'wasm' | 'cpu';
export const BACKEND_PREFS: readonly BackendPref[] = ['auto', 'tensorflow', 'wasm', 'cpu'];

export interface ActiveBackend {
  tf: TF;
  /** tfjs backend name: 'tensorflow', 'wasm' or 'cpu'. */
  name: string;
  /** A human sentence saying why this backend was chosen. */
  reason: string;
}

export function parseBackendPref(s: string): BackendPref {
  const v = s.trim().toLowerCase();
  if ((BACKEND_PREFS as readonly string[]).includes(v)) return v as BackendPref;
  throw new Error(`unknown backend "${s}": expected one of ${BACKEND_PREFS.join(', ')}`);
}

const WASM_BINARY = 'tfjs-backend-wasm.wasm';

/**
 * Folder holding the tfjs wasm binaries: `<bundle dir>/wasm` (esbuild.mjs copies them to dist/wasm;
 * workers are bundled one level deeper, in dist/workers), else the package's own dist folder in
 * development and tests.
 */
export function findWasmDir(): string | undefined {
  const candidates = [join(__dirname, 'wasm'), join(__dirname, '..', 'wasm')];
  try {
    candidates.push(dirname(require.resolve('@tensorflow/tfjs-backend-wasm/package.json')) + '/dist');
  } catch {
    // not resolvable from a bundle that was copied elsewhere; the bundle folders above remain
  }
  return candidates.find((d) => existsSync(join(d, WASM_BINARY)));
}

type Attempt = { ok: true; detail: string; tf: TF } | { ok: false; why: string };

function errorText(e: unknown): string {
  const msg = e instanceof Error ? e.message : String(e);
  return msg.split('\n')[0];
}

function isModuleMissing(e: unknown, pkg: string): boolean {
  return (
    e instanceof Error &&
    (e as NodeJS.ErrnoException).code === 'MODULE_NOT_FOUND' &&
    e.message.includes(`'${pkg}'`)
  );
}

// Optional dependencies, external to the bundle: required at run time (literal names, so bundlers
// see them), never imported statically.
const NATIVE: Record<string, () => unknown> = {
  '@tensorflow/tfjs-node-gpu': () => require('@tensorflow/tfjs-node-gpu'),
  '@tensorflow/tfjs-node': () => require('@tensorflow/tfjs-node'),
};

async function tryNative(pkg: '@tensorflow/tfjs-node-gpu' | '@tensorflow/tfjs-node'): Promise<Attempt> {
  const short = pkg.replace('@tensorflow/', '');
  let nodeTf: TF;
  try {
    nodeTf = NATIVE[pkg]() as TF;
  } catch (e) {
    return { ok: false, why: isModuleMissing(e, pkg) ? `${short} not installed` : `${short} failed to load (${errorText(e)})` };
  }
  // tfjs-node registers its backend with the tfjs copy it depends on. In a bundle that copy is not
  // ours, so the whole session (models, layers, kernels) must use the namespace it exports.
  const ns = nodeTf && typeof nodeTf.setBackend === 'function' ? nodeTf : tf;
  try {
    if (!(await ns.setBackend('tensorflow'))) return { ok: false, why: `${short} loaded but its backend did not initialise` };
    await ns.ready();
    return { ok: true, tf: ns, detail: `using ${short} (native TensorFlow${pkg.endsWith('gpu') ? ', CUDA' : ''})` };
  } catch (e) {
    return { ok: false, why: `${short} loaded but its backend failed (${errorText(e)})` };
  }
}

let wasmPathsSet = false;

async function tryWasm(): Promise<Attempt> {
  let wasm: typeof import('@tensorflow/tfjs-backend-wasm');
  try {
    wasm = require('@tensorflow/tfjs-backend-wasm');
  } catch (e) {
    return { ok: false, why: `tfjs-backend-wasm failed to load (${errorText(e)})` };
  }
  if (!wasmPathsSet) {
    const dir = findWasmDir();
    if (!dir) return { ok: false, why: `wasm binaries (${WASM_BINARY}) not found next to the bundle or in node_modules` };
    try {
      wasm.setWasmPaths(dir.endsWith('/') ? dir : dir + '/');
    } catch (e) {
      // someone initialised the wasm backend before us, with its own paths: use it as it is
      if (!/already initialized/.test(errorText(e))) return { ok: false, why: `wasm paths rejected (${errorText(e)})` };
    }
    wasmPathsSet = true;
  }
  try {
    registerWasmTrainingKernels(tf);
    if (!(await tf.setBackend('wasm'))) return { ok: false, why: 'the wasm backend did not initialise' };
    await tf.ready();
  } catch (e) {
    return { ok: false, why: `the wasm backend failed (${errorText(e)})` };
  }
  const simd = (await tf.env().getAsync('WASM_HAS_SIMD_SUPPORT')) ? 'SIMD' : 'no SIMD';
  const threads = wasm.getThreadsCount();
  return { ok: true, tf, detail: `using wasm (${simd}, ${threads} thread${threads === 1 ? '' : 's'})` };
}

async function tryCpu(): Promise<Attempt> {
  try {
    if (!(await tf.setBackend('cpu'))) return { ok: false, why: 'the cpu backend did not initialise' };
    await tf.ready();
    return { ok: true, tf, detail: 'using cpu (pure JavaScript, slow)' };
  } catch (e) {
    return { ok: false, why: `the cpu backend failed (${errorText(e)})` };
  }
}

const ATTEMPTS: Record<Exclude<BackendPref, 'auto'>, Array<() => Promise<Attempt>>> = {
  tensorflow: [() => tryNative('@tensorflow/tfjs-node-gpu'), () => tryNative('@tensorflow/tfjs-node')],
  wasm: [tryWasm],
  cpu: [tryCpu],
};

async function select(pref: BackendPref): Promise<ActiveBackend> {
  const chain = pref === 'auto' ? [...ATTEMPTS.tensorflow, ...ATTEMPTS.wasm, ...ATTEMPTS.cpu] : ATTEMPTS[pref];
  const failures: string[] = [];
  for (const attempt of chain) {
    const r = await attempt();
    if (r.ok) {
      const forced = pref === 'auto' ? '' : ` (forced by the "${pref}" setting)`;
      return { tf: r.tf, name: r.tf.getBackend(), reason: [...failures, r.detail + forced].join('; ') };
    }
    failures.push(r.why);
  }
  throw new Error(`backend "${pref}" is not available: ${failures.join('; ')}`);
}

const chosen = new Map<BackendPref, Promise<ActiveBackend>>();

/**
 * Selects (once per preference and thread) and activates the backend. Calling it again with the
 * same preference re-activates the same backend; a failed selection is not cached, so a later call
 * may retry.
 */
export async function initBackend(pref: BackendPref = 'auto'): Promise<ActiveBackend> {
  let p = chosen.get(pref);
  if (!p) {
    p = select(pref);
    chosen.set(pref, p);
    p.catch(() => chosen.delete(pref));
  }
  const active = await p;
  if (active.tf.getBackend() !== active.name) await active.tf.setBackend(active.name);
  return active;
}
