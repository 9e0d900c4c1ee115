/**
 * Optional: recomputes values live with xraylib (/usr/bin/python3, Debian python3-xraylib) and compares
 * them with the committed tables. Skips, saying why, where xraylib is not installed.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { lineFamilyLines, lineFamilyReferenceKeV, atomicNumber } from '../../src/core/physics';
import { massAttenuation, photoCrossSection, familyProductionCrossSection } from '../../src/core/physics/xs';

const PY = '/usr/bin/python3';

function xraylibAvailable(): string | undefined {
  const r = spawnSync(PY, ['-c', 'import xraylib'], { encoding: 'utf8' });
  if (r.error) return `${PY} not found`;
  if (r.status !== 0) return `xraylib not importable by ${PY} (apt package python3-xraylib)`;
  return undefined;
}

const skip = xraylibAvailable();

function python(script: string, input: unknown): any {
  const r = spawnSync(PY, ['-c', script], { input: JSON.stringify(input), encoding: 'utf8', maxBuffer: 16 << 20 });
  assert.equal(r.status, 0, r.stderr);
  return JSON.parse(r.stdout);
}

test('line energies and rates of Fe K, Pb L, Ca K, S K agree with live xraylib', { skip }, () => {
  const families = ['Fe K', 'Pb L', 'Ca K', 'S K'];
  const request = families.map((f) => ({
    z: atomicNumber(f.split(' ')[0]),
    ref: lineFamilyReferenceKeV(f),
    lines: lineFamilyLines(f).map((l) => l.iupac),
  }));
  const got = python(
    `import json, sys, xraylib as x
req = json.load(sys.stdin)
out = []
for f in req:
    out.append([[x.LineEnergy(f['z'], getattr(x, n + '_LINE')), x.CS_FluorLine_Kissel_Cascade(f['z'], getattr(x, n + '_LINE'), f['ref'])] for n in f['lines']])
print(json.dumps(out))`,
    request,
  ) as [number, number][][];
  families.forEach((f, i) => {
    const lines = lineFamilyLines(f);
    const csSum = got[i].reduce((s, [, cs]) => s + cs, 0);
    lines.forEach((l, j) => {
      const [e, cs] = got[i][j];
      assert.ok(Math.abs(l.energyKeV - e) < 1e-4, `${f} ${l.label}: ${l.energyKeV} vs ${e}`);
      assert.ok(Math.abs(l.rate - cs / csSum) < 1e-4 + 1e-3 * l.rate, `${f} ${l.label}: rate ${l.rate} vs ${cs / csSum}`);
    });
  });
});

test('attenuation and production interpolated at random off-grid energies are within 2 % of xraylib', { skip }, () => {
  // A fixed pseudo-random set, so a failure can be reproduced.
  let seed = 12345;
  const rand = () => ((seed = (seed * 1103515245 + 12345) % 2 ** 31) / 2 ** 31);
  const points: { z: number; e: number }[] = [];
  for (let i = 0; i < 400; i++) points.push({ z: 1 + Math.floor(rand() * 92), e: Math.exp(Math.log(1.05) + rand() * (Math.log(59) - Math.log(1.05))) });
  const got = python(
    `import json, sys, xraylib as x
pts = json.load(sys.stdin)
print(json.dumps([[x.CS_Total(p['z'], p['e']), x.CS_Photo(p['z'], p['e'])] for p in pts]))`,
    points,
  ) as [number, number][];
  let worst = 0;
  points.forEach(({ z, e }, i) => {
    const [tot, photo] = got[i];
    const rt = Math.abs(massAttenuation(z, e) / tot - 1);
    const rp = Math.abs(photoCrossSection(z, e) / photo - 1);
    worst = Math.max(worst, rt, rp);
    assert.ok(rt < 0.02 && rp < 0.02, `Z=${z} E=${e.toFixed(4)} keV: μ ${massAttenuation(z, e)} vs ${tot}, τ ${photoCrossSection(z, e)} vs ${photo}`);
  });
  const prod = python(
    `import json, sys, xraylib as x
lines = {'K': [n for n in dir(x) if n.startswith('K') and n[1] in 'LMNOP' and len(n) == 8 and n.endswith('_LINE')],
         'L': [n for n in dir(x) if n[:2] in ('L1', 'L2', 'L3') and len(n) == 9 and n.endswith('_LINE')]}
def cs(z, fam, e):
    s = 0.0
    for n in lines[fam]:
        try: s += x.CS_FluorLine_Kissel_Cascade(z, getattr(x, n), e)
        except ValueError: pass
    return s
print(json.dumps([cs(26, 'K', e) for e in (7.5, 9.9, 21.3, 44.4)] + [cs(82, 'L', e) for e in (15.5, 16.2, 27.7, 44.4)]))`,
    null,
  ) as number[];
  const mine = [7.5, 9.9, 21.3, 44.4].map((e) => familyProductionCrossSection(26, 'K', e))
    .concat([15.5, 16.2, 27.7, 44.4].map((e) => familyProductionCrossSection(82, 'L', e)));
  mine.forEach((m, i) => assert.ok(Math.abs(m / prod[i] - 1) < 0.02, `production #${i}: ${m} vs ${prod[i]}`));
  assert.ok(worst < 0.02);
});
