import { paintingSetup } from './src/core/simulate/render';
import { STATE } from './src/core/simulate/scene';
import { DEFAULT_LINES } from './src/core/lines';
import { Rng } from './src/core/simulate/rng';
const s = paintingSetup('icons', 3, 1, 0.25, DEFAULT_LINES);
console.log('components', s.model.components.length, (s.model as any).nBins);
const W = s.width; const row = new Float64Array(W * STATE.length); const st = new Float64Array(STATE.length);
const amp = new Float64Array(s.model.components.length), cnt = new Float64Array(amp.length);
const out = new Uint32Array(W * 4096);
let tA = 0, tS = 0, tR = 0, n = 0;
for (let r = 0; r < s.height; r += 3) {
  let t0 = performance.now(); s.sampler.row(r, row); tR += performance.now() - t0;
  const rng = new Rng(1, r);
  for (let c = 0; c < W; c++) {
    st.set(row.subarray(c * STATE.length, (c + 1) * STATE.length));
    t0 = performance.now(); s.model.amplitudes(st, amp); s.model.expectedCounts(amp, s.dwellS, cnt); tA += performance.now() - t0;
    t0 = performance.now(); s.model.sample(cnt, rng, out, c * 4096); tS += performance.now() - t0; n++;
  }
}
console.log(`per pixel µs: scene ${(tR / n * 1000).toFixed(1)} amplitudes ${(tA / n * 1000).toFixed(1)} sample ${(tS / n * 1000).toFixed(1)}`);
