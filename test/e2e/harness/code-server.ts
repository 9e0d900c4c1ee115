/**
 * A private code-server (a full VS Code served to the browser) for one test run: its own user-data and extensions
 * folders under a temporary folder, bound to loopback on a free port, with our .vsix installed.
 */
import { createServer } from 'node:net';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Toolchain } from './env';
import { runToEnd, startProcess, stopProcess, type Started } from './procs';

export interface CodeServer {
  port: number;
  url(folder: string): string;
  userDataDir: string;
  extensionsDir: string;
  process: Started;
  stop(): Promise<void>;
}

export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = createServer();
    srv.unref();
    srv.on('error', reject);
    srv.listen(0, '127.0.0.1', () => {
      const addr = srv.address();
      const port = typeof addr === 'object' && addr ? addr.port : 0;
      srv.close(() => resolve(port));
    });
  });
}

function entry(t: Toolchain): string[] {
  // Run code-server's entry point with Node 24 explicitly: its shebang would pick the machine's Node 20.
  return [join(t.codeServer, 'out', 'node', 'entry.js')];
}

function env(t: Toolchain): NodeJS.ProcessEnv {
  const nodeBin = join(t.node24, '..');
  return { ...process.env, PATH: `${nodeBin}:${process.env.PATH ?? ''}`, NODE_OPTIONS: '' };
}

export interface ServerOptions {
  /** Where the user-data and extensions folders go (a fresh temporary folder). */
  root: string;
  /** User settings (settings.json) written before start. */
  settings: Record<string, unknown>;
  vsix: string;
}

/** Installs the .vsix into fresh folders, then starts code-server and waits until it answers. */
export async function startCodeServer(t: Toolchain, opts: ServerOptions): Promise<CodeServer> {
  const userDataDir = join(opts.root, 'user-data');
  const extensionsDir = join(opts.root, 'extensions');
  mkdirSync(join(userDataDir, 'User'), { recursive: true });
  mkdirSync(extensionsDir, { recursive: true });
  writeFileSync(join(userDataDir, 'User', 'settings.json'), JSON.stringify(opts.settings, null, 2));
  // An own (empty) config file: otherwise code-server reads, and on first start writes, ~/.config/code-server/config.yaml.
  const config = join(opts.root, 'code-server.yaml');
  writeFileSync(config, 'auth: none\n');
  const dirs = ['--config', config, '--user-data-dir', userDataDir, '--extensions-dir', extensionsDir];

  const install = await runToEnd('code-server --install-extension', t.node24, [...entry(t), ...dirs, '--install-extension', opts.vsix], {
    env: env(t),
    timeoutMs: 120_000,
  });
  if (install.code !== 0 || !/was successfully installed/i.test(install.output)) {
    throw new Error(`installing ${opts.vsix} into code-server failed (exit ${install.code}):\n${install.output.slice(-3000)}`);
  }

  const port = await freePort();
  const proc = startProcess('code-server', t.node24, [
    ...entry(t),
    '--auth', 'none',
    '--bind-addr', `127.0.0.1:${port}`,
    '--disable-telemetry',
    '--disable-update-check',
    '--disable-getting-started-override',
    ...dirs,
  ], { env: env(t), cwd: opts.root });

  const deadline = Date.now() + 60_000;
  for (;;) {
    const exit = await Promise.race([proc.exited, new Promise((r) => setTimeout(() => r(undefined), 300))]);
    if (exit !== undefined) throw new Error(`code-server exited (${exit}) before it answered:\n${proc.output().slice(-3000)}`);
    try {
      const res = await fetch(`http://127.0.0.1:${port}/healthz`);
      if (res.ok) break;
    } catch {
      // not listening yet
    }
    if (Date.now() > deadline) {
      await stopProcess(proc);
      throw new Error(`code-server did not answer on port ${port} within 60 s:\n${proc.output().slice(-3000)}`);
    }
  }
  return {
    port,
    url: (folder) => `http://127.0.0.1:${port}/?folder=${encodeURIComponent(folder)}`,
    userDataDir,
    extensionsDir,
    process: proc,
    stop: () => stopProcess(proc),
  };
}
