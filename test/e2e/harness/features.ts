/**
 * What the build under test offers, read from what it declares (package.json `contributes`, the CLI's command list),
 * so that a scenario whose feature has not landed is reported as skipped with that reason, never passed silently.
 */
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { execFileSync } from 'node:child_process';

interface CustomEditor {
  viewType: string;
  displayName?: string;
  selector?: { filenamePattern?: string }[];
  priority?: string;
}
interface Command {
  command: string;
  title: string;
  category?: string;
}

export interface Manifest {
  contributes?: {
    customEditors?: CustomEditor[];
    commands?: Command[];
    jsonValidation?: { fileMatch: string | string[]; url: string }[];
  };
  capabilities?: { untrustedWorkspaces?: { supported: boolean | 'limited'; description?: string; restrictedConfigurations?: string[] } };
}

export class Features {
  readonly manifest: Manifest;
  readonly cliCommands: string[];
  constructor(readonly repo: string) {
    this.manifest = JSON.parse(readFileSync(join(repo, 'package.json'), 'utf8')) as Manifest;
    this.cliCommands = listCliCommands(repo);
  }

  get hasExtensionSource(): boolean {
    return existsSync(join(this.repo, 'src', 'extension.ts'));
  }

  /** The custom editor whose selector claims files ending in `ext` (".rpl"), optionally a given viewType. */
  editorFor(ext: string, viewType?: string): CustomEditor | undefined {
    return (this.manifest.contributes?.customEditors ?? []).find(
      (e) => (!viewType || e.viewType === viewType) && (e.selector ?? []).some((s) => (s.filenamePattern ?? '').toLowerCase().endsWith(ext)),
    );
  }

  editorByType(viewType: string): CustomEditor | undefined {
    return (this.manifest.contributes?.customEditors ?? []).find((e) => e.viewType === viewType);
  }

  /** The contributed command whose title contains `title` literally. */
  command(title: string): Command | undefined {
    return (this.manifest.contributes?.commands ?? []).find((c) => c.title === title || c.title.endsWith(title) || c.title.includes(title));
  }

  /** Exact-title match first ("Train 1DCNN" must not match "Train 1DCNN+"). */
  commandExact(title: string): Command | undefined {
    const cmds = this.manifest.contributes?.commands ?? [];
    return cmds.find((c) => c.title === title) ?? cmds.find((c) => c.title.replace(/…$|\.\.\.$/, '') === title);
  }

  get experimentConfigs(): boolean {
    return (this.manifest.contributes?.jsonValidation ?? []).some((v) =>
      (Array.isArray(v.fileMatch) ? v.fileMatch : [v.fileMatch]).some((m) => m.includes('xrfmaps.json')),
    );
  }

  cli(name: string): boolean {
    return this.cliCommands.includes(name);
  }

  /** A reason to skip when `what` is missing, for the test report. */
  static missing(what: string): string {
    return `not in this build yet: ${what}`;
  }
}

/** Names of the CLI's subcommands, from `node dist/cli.js --help` (empty when the CLI is not built). */
function listCliCommands(repo: string): string[] {
  const cli = join(repo, 'dist', 'cli.js');
  if (!existsSync(cli)) return [];
  let text = '';
  try {
    text = execFileSync(process.execPath, [cli, '--help'], { encoding: 'utf8', timeout: 30_000 });
  } catch (e) {
    text = String((e as { stdout?: string }).stdout ?? '');
  }
  const after = text.split(/commands:\s*\n/)[1] ?? '';
  return after
    .split('\n')
    .map((l) => /^\s{2}(\S+)\s/.exec(l)?.[1])
    .filter((n): n is string => !!n);
}
