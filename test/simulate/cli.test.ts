import { test } from 'node:test';
import assert from 'node:assert/strict';
import { promises as fs } from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { run } from '../../src/cli/commands/simulate';

async function quiet<T>(f: () => Promise<T>): Promise<{ value: T; out: string; err: string }> {
  const log = console.log;
  const write = process.stderr.write.bind(process.stderr);
  let out = '';
  let err = '';
  console.log = (...a: unknown[]) => void (out += a.join(' ') + '\n');
  process.stderr.write = ((s: string) => ((err += s), true)) as typeof process.stderr.write;
  try {
    return { value: await f(), out, err };
  } finally {
    console.log = log;
    process.stderr.write = write;
  }
}

test('xrfmaps simulate writes the paintings and manifest, with progress on stderr', async () => {
  const dir = await fs.mkdtemp(path.join(os.tmpdir(), 'xrf-sim-cli-'));
  try {
    const out = path.join(dir, 'o');
    const r = await quiet(() => run(['--preset', 'tiny', '--out', out, '--only', 'tiny2', '--workers', '0', '--seed', '4', '--format', 'npy', '--lines', 'Fe K, Pb_L,Hg-L']));
    assert.equal(r.value, 0);
    assert.match(r.err, /simulate: 100%/);
    assert.match(r.out, /tiny2: 30×40×2048/);
    const m = JSON.parse(await fs.readFile(path.join(out, 'manifest.json'), 'utf8'));
    assert.equal(m.seed, 4);
    assert.equal(m.format, 'npy');
    assert.deepEqual(m.lines, ['Fe K', 'Pb L', 'Hg L']);
    assert.equal(m.paintings.length, 1);
    await fs.access(path.join(out, 'tiny2.npy'));
  } finally {
    await fs.rm(dir, { recursive: true, force: true });
  }
});

test('xrfmaps simulate: usage errors', async () => {
  assert.equal((await quiet(() => run(['--preset', 'tiny']))).value, 2, 'missing --out');
  assert.equal((await quiet(() => run(['--help']))).value, 0);
  await assert.rejects(run(['--preset', 'nope', '--out', os.tmpdir()]), /unknown preset "nope"/);
  await assert.rejects(run(['--preset', 'tiny', '--out', os.tmpdir(), '--format', 'tiff']), /--format must be one of/);
  await assert.rejects(run(['--preset', 'tiny', '--out', os.tmpdir(), '--bogus', '1']), /unknown option --bogus/);
});
