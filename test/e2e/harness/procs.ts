/**
 * Every process the end-to-end run starts goes through here, so that every one of them is stopped when the run ends,
 * also when it fails, times out or is interrupted. Each child gets its own process group (detached), so stopping it
 * also stops what it started (code-server's extension host, file watcher, ptys...). Only processes started here are
 * ever signalled, and only by their id.
 */
import { spawn, type ChildProcess, type SpawnOptions } from 'node:child_process';
import { readdirSync, readFileSync } from 'node:fs';

export interface Started {
  name: string;
  child: ChildProcess;
  /** Resolves with the exit code (or the signal name) when the process ends. */
  exited: Promise<number | string>;
  /** Everything the process printed, for error messages (the tail is what matters). */
  output(): string;
}

const running = new Set<Started>();

/** Starts `cmd` in its own process group; stdout and stderr are captured (and echoed when XRFMAPS_E2E_VERBOSE is set). */
export function startProcess(name: string, cmd: string, args: string[], opts: SpawnOptions = {}): Started {
  const child = spawn(cmd, args, { ...opts, detached: true, stdio: ['ignore', 'pipe', 'pipe'] });
  let out = '';
  const keep = (chunk: Buffer) => {
    out += chunk.toString();
    if (out.length > 200_000) out = out.slice(-100_000);
    if (process.env.XRFMAPS_E2E_VERBOSE) process.stderr.write(`[${name}] ${chunk}`);
  };
  child.stdout?.on('data', keep);
  child.stderr?.on('data', keep);
  const exited = new Promise<number | string>((resolve) => {
    child.on('error', (e) => {
      out += `\n(spawn error: ${e.message})`;
      resolve('spawn-error');
    });
    child.on('exit', (code, signal) => resolve(code ?? signal ?? 'unknown'));
  });
  const started: Started = { name, child, exited, output: () => out };
  running.add(started);
  void exited.then(() => running.delete(started));
  return started;
}

/** Runs a command to completion (in its own group, stopped on timeout) and returns its exit code and output. */
export async function runToEnd(
  name: string,
  cmd: string,
  args: string[],
  opts: SpawnOptions & { timeoutMs?: number } = {},
): Promise<{ code: number | string; output: string }> {
  const p = startProcess(name, cmd, args, opts);
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<string>((resolve) => {
    timer = setTimeout(() => resolve('timeout'), opts.timeoutMs ?? 300_000);
  });
  const code = await Promise.race([p.exited, timeout]);
  clearTimeout(timer);
  if (code === 'timeout') await stopProcess(p);
  return { code, output: p.output() };
}

function signalGroup(pid: number, signal: NodeJS.Signals): void {
  try {
    process.kill(-pid, signal);
  } catch {
    // the group is already gone
  }
}

/** Stops a started process and its group: SIGTERM, then SIGKILL after `graceMs`. */
export async function stopProcess(p: Started, graceMs = 3000): Promise<void> {
  const pid = p.child.pid;
  if (pid === undefined) return;
  if (p.child.exitCode === null && p.child.signalCode === null) {
    signalGroup(pid, 'SIGTERM');
    const ended = await Promise.race([p.exited.then(() => true), new Promise((r) => setTimeout(() => r(false), graceMs))]);
    if (!ended) signalGroup(pid, 'SIGKILL');
  }
  // The leader may be gone while members of its group live on (e.g. code-server's extension host).
  signalGroup(pid, 'SIGKILL');
  running.delete(p);
}

export async function stopAll(): Promise<void> {
  await Promise.all([...running].map((p) => stopProcess(p)));
}

/** Synchronous last resort for process exit: SIGKILL every group still running. */
function killAllNow(): void {
  for (const p of running) if (p.child.pid !== undefined) signalGroup(p.child.pid, 'SIGKILL');
}

/**
 * Ids of the processes whose parent is `pid`, read from /proc. Used at the end to find anything a library started on
 * our behalf (playwright's Chromium) that is still alive; these are our own children, nothing else.
 */
export function childPids(pid: number): number[] {
  const out: number[] = [];
  let entries: string[] = [];
  try {
    entries = readdirSync('/proc');
  } catch {
    return out;
  }
  for (const e of entries) {
    if (!/^\d+$/.test(e)) continue;
    try {
      const stat = readFileSync(`/proc/${e}/stat`, 'utf8');
      // Fields 3 and 4 are the state and the parent id; the command name (field 2) may contain spaces, so split
      // after its ')'. Zombies (state Z) have ended already and only wait to be reaped.
      const [state, ppid] = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
      if (Number(ppid) === pid && state !== 'Z') out.push(Number(e));
    } catch {
      // the process ended while we looked
    }
  }
  return out;
}

/** Kills every remaining child process of this process, and its group when it leads one; returns "pid (name)" of each. */
export function killOwnChildren(): string[] {
  // tsx's esbuild service is a child of this process too; it is tsx's own and ends with us.
  const pids = childPids(process.pid).filter((pid) => {
    try {
      return readFileSync(`/proc/${pid}/comm`, 'utf8').trim() !== 'esbuild';
    } catch {
      return false;
    }
  });
  const named = pids.map((pid) => {
    try {
      return `${pid} (${readFileSync(`/proc/${pid}/comm`, 'utf8').trim()})`;
    } catch {
      return String(pid);
    }
  });
  for (const pid of pids) {
    signalGroup(pid, 'SIGKILL');
    try {
      process.kill(pid, 'SIGKILL');
    } catch {
      // already gone
    }
  }
  return named;
}

let hooked = false;
/** Makes sure the processes die with us: on normal exit, on Ctrl-C / SIGTERM, and on uncaught errors. */
export function installExitHooks(): void {
  if (hooked) return;
  hooked = true;
  process.on('exit', killAllNow);
  for (const sig of ['SIGINT', 'SIGTERM', 'SIGHUP'] as const) {
    process.once(sig, () => {
      killAllNow();
      killOwnChildren();
      process.exit(130);
    });
  }
}
