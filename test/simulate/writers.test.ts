import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import { promises as fs, existsSync } from 'node:fs';
import { execFileSync } from 'node:child_process';
import * as os from 'node:os';
import * as path from 'node:path';
import { formatG, pymcaLabel, writePymcaImages } from '../../src/core/io/pymca-write';
import { encodeEdfFloat32 } from '../../src/core/io/edf-write';
import { rplHeader } from '../../src/core/io/rpl-write';

const roots: string[] = [];
after(async () => {
  for (const d of roots) await fs.rm(d, { recursive: true, force: true });
});

test('formatG prints numbers exactly as C/Python "%g" does', () => {
  // Golden strings from /usr/bin/python3: ['%g' % v for v in VALUES].
  const values = [0, 1, -1, 0.5, 123456, 1234567, 0.0001, 0.00001234, 1e-5, 99999.95, 999999.5, 12.3456789, 3.14159e10, -2.5e-7, 100000, 1e21, 0.000123456789, 5e-324, 65535.0, 1.0000005];
  const python = ['0', '1', '-1', '0.5', '123456', '1.23457e+06', '0.0001', '1.234e-05', '1e-05', '99999.9', '1e+06', '12.3457', '3.14159e+10', '-2.5e-07', '100000', '1e+21', '0.000123457', '4.94066e-324', '65535', '1'];
  assert.deepEqual(values.map(formatG), python);
});

test('PyMca labels: "Fe K" → "Fe_K"', () => {
  assert.equal(pymcaLabel('Fe K'), 'Fe_K');
  assert.equal(pymcaLabel('Pb L'), 'Pb_L');
});

test('EDF header: braces, 1024-byte blocks, PyMca keys', () => {
  const [head, body] = encodeEdfFloat32({ data: new Float32Array([1, 2, 3, 4, 5, 6]), width: 3, height: 2, header: { Title: 'Ca_K' } });
  const text = Buffer.from(head).toString('latin1');
  assert.equal(head.length % 1024, 0);
  assert.ok(text.startsWith('{\nHeaderID = EH:000001:000000:000000 ;\n'));
  assert.ok(text.endsWith('}\n'));
  for (const kv of ['ByteOrder = LowByteFirst ;', 'DataType = FloatValue ;', 'Dim_1 = 3 ;', 'Dim_2 = 2 ;', 'Size = 24 ;', 'Title = Ca_K ;']) assert.ok(text.includes(kv), kv);
  assert.deepEqual([...new Float32Array(body.buffer.slice(body.byteOffset, body.byteOffset + body.byteLength))], [1, 2, 3, 4, 5, 6]);
  assert.throws(() => encodeEdfFloat32({ data: new Float32Array(5), width: 3, height: 2 }), /needs 6 values/);
});

test('RPL header refuses bad sizes and writes calibration keys', () => {
  const h = rplHeader({ width: 3, height: 2, depth: 4096, dataLength: 2, dataType: 'unsigned', calibration: { offsetKeV: -0.02, gainKeV: 0.01 } });
  assert.match(h, /^ev-per-chan\t10$/m);
  assert.match(h, /^depth-origin\t-0.02$/m);
  assert.match(h, /^depth-scale\t0.01$/m);
  assert.throws(() => rplHeader({ width: 0, height: 2, depth: 1, dataLength: 2, dataType: 'unsigned' }), /width/);
});

const python = '/usr/bin/python3';
function pythonHas(mod: string): boolean {
  if (!existsSync(python)) return false;
  try {
    execFileSync(python, ['-c', `import ${mod}`], { stdio: 'ignore' });
    return true;
  } catch {
    return false;
  }
}

test('PyMca images open with fabio and with PyMca\'s own EdfFile reader', { skip: pythonHas('fabio') && pythonHas('PyMca5') ? false : 'needs /usr/bin/python3 with fabio and PyMca5 (Debian python3-fabio, python3-pymca5)' }, async () => {
  const dir = await fs.mkdtemp(path.join(os.tmpdir(), 'xrf-pymca-'));
  roots.push(dir);
  const H = 3;
  const W = 5;
  const fe = Float32Array.from({ length: H * W }, (_, i) => i * 1.5);
  const ca = Float32Array.from({ length: H * W }, (_, i) => 100 - i);
  await writePymcaImages(dir, 'p', { height: H, width: W, lines: ['Fe K', 'Ca K'], maps: [fe, ca], uncertainties: [fe.map(Math.sqrt), ca.map(Math.sqrt)] });
  const script = `
import fabio, json, numpy as np
from PyMca5.PyMcaIO import EdfFile
d = ${JSON.stringify(path.join(dir, 'IMAGES'))}
a = fabio.open(d + '/p_Fe_K.edf')
b = EdfFile.EdfFile(d + '/p_sCa_K.edf', 'rb')
print(json.dumps({'shape': list(a.data.shape), 'fe': a.data.ravel().tolist(), 'title': a.header.get('Title'),
  'sca': b.GetData(0).ravel().tolist(), 'dtype': str(a.data.dtype)}))`;
  const out = JSON.parse(execFileSync(python, ['-c', script], { encoding: 'utf8' }));
  assert.deepEqual(out.shape, [H, W]);
  assert.equal(out.dtype, 'float32');
  assert.equal(out.title, 'Fe_K');
  assert.deepEqual(out.fe, [...fe]);
  out.sca.forEach((v: number, i: number) => assert.ok(Math.abs(v - Math.sqrt(ca[i])) < 1e-5));
});
