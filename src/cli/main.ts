/**
 * The `xrfmaps` command: a thin shell over src/core. Each subcommand lives in ./commands/NAME.ts and
 * exports `run(args: string[]): Promise<number>` (the exit code) and `summary` (one line for --help).
 * Errors about inputs print as "xrfmaps NAME: <file>: <problem>" and exit non-zero.
 */
import { COMMANDS } from './commands/index';

function usage(): string {
  const lines = Object.entries(COMMANDS).map(([name, c]) => `  ${name.padEnd(10)} ${c.summary}`);
  return `usage: xrfmaps <command> [options]\n\ncommands:\n${lines.join('\n')}\n\nxrfmaps <command> --help for a command's options`;
}

async function main(argv: string[]): Promise<number> {
  const [name, ...rest] = argv;
  if (!name || name === '--help' || name === '-h') {
    console.log(usage());
    return name ? 0 : 2;
  }
  const cmd = COMMANDS[name];
  if (!cmd) {
    console.error(`xrfmaps: unknown command "${name}"\n\n${usage()}`);
    return 2;
  }
  try {
    return await cmd.run(rest);
  } catch (e) {
    const msg = e instanceof Error ? e.message : String(e);
    console.error(`xrfmaps ${name}: ${msg}`);
    if (process.env.XRFMAPS_DEBUG && e instanceof Error) console.error(e.stack);
    return 1;
  }
}

main(process.argv.slice(2)).then((code) => process.exit(code));
