/**
 * `npm run bench`: runs every bench/*.bench.ts (or those whose name contains an argument:
 * `npm run bench -- cube metrics`) one after another, so they do not compete for the two cores.
 * Each module exports `bench(report)`; figures are printed as ratios to a reference measured in the
 * same run, because this machine is shared and absolute timings drift.
 */
import { readdirSync } from 'node:fs';
import * as path from 'node:path';

type BenchModule = { bench(report: (line: string) => void): Promise<void> };

async function main(): Promise<void> {
  const filters = process.argv.slice(2);
  const files = readdirSync(__dirname)
    .filter((f) => f.endsWith('.bench.ts'))
    .filter((f) => filters.length === 0 || filters.some((x) => f.includes(x)))
    .sort();
  if (files.length === 0) {
    console.error(`no benchmarks match ${filters.join(' ')}`);
    process.exit(2);
  }
  let failed = 0;
  for (const f of files) {
    const name = f.replace(/\.bench\.ts$/, '');
    console.log(`\n== ${name} ==`);
    const t0 = performance.now();
    try {
      const mod = (await import(path.join(__dirname, f))) as BenchModule;
      await mod.bench((line) => console.log(`[${name}] ${line}`));
      console.log(`[${name}] (${((performance.now() - t0) / 1000).toFixed(1)} s)`);
    } catch (e) {
      failed++;
      console.error(`[${name}] FAILED: ${e instanceof Error ? e.stack : String(e)}`);
    }
  }
  process.exit(failed ? 1 : 0);
}

void main();
