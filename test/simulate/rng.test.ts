import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Rng, logFactorial } from '../../src/core/simulate/rng';
import { AliasTable } from '../../src/core/simulate/alias';

test('same key gives the same stream; different keys differ', () => {
  const a = new Rng(1, 2, 3);
  const b = new Rng(1, 2, 3);
  const c = new Rng(1, 2, 4);
  const xa = Array.from({ length: 50 }, () => a.nextU32());
  const xb = Array.from({ length: 50 }, () => b.nextU32());
  const xc = Array.from({ length: 50 }, () => c.nextU32());
  assert.deepEqual(xa, xb);
  assert.notDeepEqual(xa, xc);
  for (const x of xa) assert.ok(Number.isInteger(x) && x >= 0 && x < 2 ** 32);
});

test('uniform() has mean 1/2 and variance 1/12', () => {
  const r = new Rng(7);
  const n = 200_000;
  let s = 0;
  let s2 = 0;
  for (let i = 0; i < n; i++) {
    const u = r.uniform();
    assert.ok(u >= 0 && u < 1);
    s += u;
    s2 += u * u;
  }
  const mean = s / n;
  const variance = s2 / n - mean * mean;
  assert.ok(Math.abs(mean - 0.5) < 5 * Math.sqrt(1 / 12 / n), `mean ${mean}`);
  assert.ok(Math.abs(variance - 1 / 12) < 0.002, `variance ${variance}`);
});

test('aliasInto draws the same numbers as uniform()', () => {
  const table = new AliasTable([1, 0, 3, 2]);
  const a = new Rng(5);
  const b = new Rng(5);
  const out = new Uint16Array(4);
  table.scatterInto(a, 1000, out, 0);
  assert.equal(out[1], 0, 'a zero-weight entry is never drawn');
  assert.equal(out.reduce((x, y) => x + y, 0), 1000);
  // After the same number of draws both generators are in the same state.
  for (let i = 0; i < 1000; i++) b.uniform();
  assert.equal(a.nextU32(), b.nextU32());
});

test('alias table frequencies follow the weights (chi-square)', () => {
  const w = [5, 1, 0.5, 3, 0.25, 8, 2];
  const table = new AliasTable(w);
  const out = new Array<number>(w.length).fill(0);
  const n = 200_000;
  const rng = new Rng(11);
  const part = new Uint16Array(w.length);
  for (let done = 0; done < n; done += 50_000) {
    part.fill(0);
    table.scatterInto(rng, 50_000, part, 0);
    part.forEach((v, i) => (out[i] += v));
  }
  const tot = w.reduce((a, b) => a + b, 0);
  let chi2 = 0;
  w.forEach((wi, i) => {
    const e = (n * wi) / tot;
    chi2 += (out[i] - e) ** 2 / e;
  });
  // 6 degrees of freedom: P(chi2 > 22.5) ≈ 0.001.
  assert.ok(chi2 < 22.5, `chi2 ${chi2}`);
});

for (const lambda of [0.3, 4, 9.99, 10, 37, 800]) {
  test(`poisson(${lambda}) has mean and variance λ and the Poisson pmf`, () => {
    const r = new Rng(3, Math.round(lambda * 100));
    const n = 100_000;
    const counts = new Map<number, number>();
    let s = 0;
    let s2 = 0;
    for (let i = 0; i < n; i++) {
      const k = r.poisson(lambda);
      assert.ok(Number.isInteger(k) && k >= 0);
      s += k;
      s2 += k * k;
      counts.set(k, (counts.get(k) ?? 0) + 1);
    }
    const mean = s / n;
    const variance = s2 / n - mean * mean;
    assert.ok(Math.abs(mean - lambda) < 5 * Math.sqrt(lambda / n), `mean ${mean}`);
    // Var of the sample variance ≈ (2λ² + λ)/n for a Poisson.
    assert.ok(Math.abs(variance - lambda) < 5 * Math.sqrt((2 * lambda * lambda + lambda) / n), `variance ${variance}`);
    // Chi-square against the exact pmf over bins with expected count ≥ 20 (pooled tails excluded).
    let chi2 = 0;
    let dof = -1;
    for (const [k, c] of counts) {
      const e = n * Math.exp(-lambda + k * Math.log(lambda) - logFactorial(k));
      if (e < 20) continue;
      chi2 += (c - e) ** 2 / e;
      dof++;
    }
    // Generous bound: mean dof + 6 standard deviations.
    assert.ok(chi2 < dof + 6 * Math.sqrt(2 * Math.max(dof, 1)) + 10, `chi2 ${chi2} over ${dof} dof`);
  });
}

test('logFactorial matches the exact sum across the table/Stirling switch', () => {
  let exact = 0;
  for (let k = 1; k <= 400; k++) {
    exact += Math.log(k);
    assert.ok(Math.abs(logFactorial(k) - exact) < 1e-9 * Math.max(1, exact), `k=${k}`);
  }
  assert.equal(logFactorial(0), 0);
});
