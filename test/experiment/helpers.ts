/** Small generated paintings (NPY scans + NPY ground truth) for the experiment tests. */
import { promises as fs } from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { writeNpy } from '../../src/core/io/npy-write';

export async function tempDir(prefix = 'xrf-exp-'): Promise<string> {
  return fs.mkdtemp(path.join(os.tmpdir(), prefix));
}

export interface FakePainting {
  name: string;
  height: number;
  width: number;
}

/** A deterministic smooth map with structure (so SSIM and r are meaningful). */
export function smoothMap(h: number, w: number, seed: number): Float32Array {
  const m = new Float32Array(h * w);
  for (let r = 0; r < h; r++) for (let c = 0; c < w; c++) m[r * w + c] = 50 + 40 * Math.sin((r + seed) / 3) * Math.cos((c * (seed + 1)) / 5) + 10 * seed;
  return m;
}

/**
 * Writes `<name>.npy` (u2 H×W×channels with a calibration sidecar) and `<name>_truth.npy` (+ lines
 * sidecar) per painting into `dir`. Ground truth: smooth maps per line.
 */
export async function writePaintings(dir: string, paintings: FakePainting[], lines: string[], channels = 8): Promise<void> {
  for (const [i, p] of paintings.entries()) {
    const scan = new Uint16Array(p.height * p.width * channels);
    for (let k = 0; k < scan.length; k++) scan[k] = (k * 7 + i) % 50;
    await writeNpy(path.join(dir, `${p.name}.npy`), scan, [p.height, p.width, channels]);
    await fs.writeFile(path.join(dir, `${p.name}.json`), JSON.stringify({ calibration: { offsetKeV: 0, gainKeV: 0.04 } }));
    const gt = new Float32Array(p.height * p.width * lines.length);
    lines.forEach((_, j) => {
      const m = smoothMap(p.height, p.width, i * 3 + j);
      for (let q = 0; q < m.length; q++) gt[q * lines.length + j] = m[q];
    });
    await writeNpy(path.join(dir, `${p.name}_truth.npy`), gt, [p.height, p.width, lines.length]);
    await fs.writeFile(path.join(dir, `${p.name}_truth.json`), JSON.stringify({ lines }));
  }
}

export function configText(paintings: string[], extra: Record<string, unknown> = {}): string {
  return (
    JSON.stringify(
      {
        paintings: paintings.map((n) => ({ name: n, scan: `${n}.npy`, groundTruth: `${n}_truth.npy` })),
        lines: ['Ca K', 'Fe K', 'Pb L'],
        models: ['FCN', 'FCN+'],
        training: { epochs: 2, patience: 1, stride: 2 },
        protocol: { leaveOneOut: true },
        outputDir: 'runs',
        ...extra,
      },
      null,
      2,
    ) + '\n'
  );
}
