/**
 * Map rendering for the scan viewer and PNG export, on a map the size of a large real scan
 * (1692×1592, as in the issue): percentile contrast and map → RGBA, each beside a reference measured in
 * the same run (a full sort of the map; a plain copy of the map into an RGBA buffer). Also the prior
 * matrix of the 12 default lines at 4096 channels, beside one pass over that matrix.
 */
import { contrastRange, renderMapRGBA } from '../src/core/render';
import { encodePng } from '../src/core/io/png';
import { priorMatrix } from '../src/core/physics';
import { DEFAULT_LINES } from '../src/core/lines';

function timeMs(fn: () => void, repeats = 3): number {
  let best = Infinity;
  for (let i = 0; i < repeats; i++) {
    const t0 = performance.now();
    fn();
    best = Math.min(best, performance.now() - t0);
  }
  return best;
}

export async function bench(report: (line: string) => void): Promise<void> {
  const w = 1692;
  const h = 1592;
  const map = new Float32Array(w * h);
  let seed = 1;
  for (let i = 0; i < map.length; i++) {
    seed = (seed * 1103515245 + 12345) % 2 ** 31;
    map[i] = ((seed / 2 ** 31) ** 2) * 1000;
  }

  const sortMs = timeMs(() => Float32Array.from(map).sort());
  let range = { lo: 0, hi: 1 };
  const pctMs = timeMs(() => (range = contrastRange(map, 1, 99.5)));
  report(`contrastRange 1–99.5 % of ${w}×${h}: ${pctMs.toFixed(1)} ms = ${(pctMs / sortMs).toFixed(2)}× a full sort (${sortMs.toFixed(1)} ms)`);

  const copyMs = timeMs(() => {
    const out = new Uint8ClampedArray(map.length * 4);
    for (let i = 0; i < map.length; i++) out[4 * i] = map[i];
  });
  for (const scale of ['linear', 'sqrt', 'log'] as const) {
    const ms = timeMs(() => renderMapRGBA(map, w, h, { colormap: 'viridis', scale, ...range }));
    report(`renderMapRGBA ${scale}: ${ms.toFixed(1)} ms = ${(ms / copyMs).toFixed(2)}× a plain copy into RGBA (${copyMs.toFixed(1)} ms)`);
  }
  const rgba = renderMapRGBA(map, w, h, { colormap: 'viridis', scale: 'linear', ...range });
  const pngMs = timeMs(() => encodePng(rgba, w, h), 1);
  report(`encodePng ${w}×${h}: ${pngMs.toFixed(0)} ms = ${(pngMs / copyMs).toFixed(1)}× the plain copy`);

  const cal = { offsetKeV: 0, gainKeV: 0.01 };
  let m: Float32Array = new Float32Array(0);
  const priorMs = timeMs(() => (m = priorMatrix(DEFAULT_LINES, cal, 4096)));
  const passMs = timeMs(() => {
    let s = 0;
    for (let i = 0; i < m.length; i++) s += m[i];
    if (s < 0) throw new Error('impossible');
  });
  report(`priorMatrix 12×4096: ${priorMs.toFixed(1)} ms (${(priorMs / Math.max(passMs, 1e-3)).toFixed(0)}× one pass over it)`);
}
