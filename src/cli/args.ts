/**
 * A small argument parser: `--key value`, `--key=value`, repeatable keys, boolean flags, positionals.
 * Unknown options are an error naming the option, so typos do not pass silently.
 */
export interface ParsedArgs {
  positionals: string[];
  options: Map<string, string[]>;
  flags: Set<string>;
}

export function parseArgs(args: string[], spec: { options?: string[]; flags?: string[] }): ParsedArgs {
  const opts = new Set(spec.options ?? []);
  const flags = new Set([...(spec.flags ?? []), 'help']);
  const out: ParsedArgs = { positionals: [], options: new Map(), flags: new Set() };
  for (let i = 0; i < args.length; i++) {
    const a = args[i];
    if (!a.startsWith('--')) {
      out.positionals.push(a);
      continue;
    }
    const eq = a.indexOf('=');
    const key = a.slice(2, eq < 0 ? undefined : eq);
    if (flags.has(key) && eq < 0) {
      out.flags.add(key);
      continue;
    }
    if (!opts.has(key)) throw new Error(`unknown option --${key}`);
    const value = eq >= 0 ? a.slice(eq + 1) : args[++i];
    if (value === undefined) throw new Error(`option --${key} needs a value`);
    out.options.set(key, [...(out.options.get(key) ?? []), value]);
  }
  return out;
}

export function opt(p: ParsedArgs, key: string): string | undefined {
  const v = p.options.get(key);
  return v?.[v.length - 1];
}

export function numOpt(p: ParsedArgs, key: string, fallback: number): number {
  const v = opt(p, key);
  if (v === undefined) return fallback;
  const n = Number(v);
  if (!Number.isFinite(n)) throw new Error(`--${key} must be a number, got "${v}"`);
  return n;
}
