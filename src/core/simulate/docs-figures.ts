/**
 * Regenerates the figures of docs/simulator.md from a simulated folder:
 *
 *   node --import tsx src/core/simulate/docs-figures.ts <simDir> <painting> <outDir>
 *
 * writes <outDir>/<painting>-maps.png (its ground-truth maps) and <outDir>/<painting>-spectrum.png
 * (its sum spectrum with the target families' α peaks and the Rh tube's scatter peaks labelled).
 */
import { promises as fs } from 'node:fs';
import * as path from 'node:path';
import { mapsFigure, spectrumFigure } from './figures';
import { comptonEnergy } from './model';
import { readNpy } from '../io/npy-read';
import { writePng } from '../io/png';
import { openCube } from '../cube/open';
import { alphaGroup } from '../physics/index';
import type { SimulationManifest } from './simulate';

export async function writeDocFigures(simDir: string, painting: string, outDir: string): Promise<string[]> {
  const manifest = JSON.parse(await fs.readFile(path.join(simDir, 'manifest.json'), 'utf8')) as SimulationManifest;
  const p = manifest.paintings.find((x) => x.name === painting);
  if (!p) throw new Error(`${simDir}: no painting "${painting}" (has ${manifest.paintings.map((x) => x.name).join(', ')})`);
  const H = p.height;
  const W = p.width;
  const k = p.lines.length;
  const truth = await readNpy(path.join(simDir, p.groundTruth.npy));
  const t = truth.data as Float32Array;
  const maps = p.lines.map((label, j) => ({ label, data: Float32Array.from({ length: H * W }, (_, i) => t[i * k + j]) }));
  const zoom = Math.max(1, Math.floor(220 / Math.max(H, W)));
  const mapsPng = path.join(outDir, `${painting}-maps.png`);
  const mf = mapsFigure(maps, W, H, 4, zoom);
  await writePng(mapsPng, mf.rgba, mf.width, mf.height);

  // Sum spectrum, streamed row block by row block through the project's own reader.
  const cube = await openCube(path.join(simDir, p.scan.path));
  const sum = new Float64Array(cube.channels);
  try {
    for (let r = 0; r < H; r += 8) {
      const n = Math.min(8, H - r);
      const rows = await cube.readRows(r, n);
      for (let i = 0; i < rows.length; i++) sum[i % cube.channels] += rows[i];
    }
  } finally {
    await cube.close();
  }
  const present = p.lines.filter((_, j) => maps[j].data.reduce((a, b) => a + b, 0) / (H * W) > 2);
  const peaks = [
    ...present.map((l) => ({ label: l, energyKeV: alphaGroup(l).energyKeV })),
    { label: 'Ar K', energyKeV: alphaGroup('Ar K').energyKeV },
    { label: 'Rh Ka', energyKeV: 20.216 },
    { label: 'Compton', energyKeV: comptonEnergy(20.216) },
  ];
  const spectrumPng = path.join(outDir, `${painting}-spectrum.png`);
  const sf = spectrumFigure(sum, p.calibration, peaks, { title: `${painting}: sum spectrum of ${H}x${W} pixels, ${p.dwellMs} ms each (counts per channel)` });
  await writePng(spectrumPng, sf.rgba, sf.width, sf.height);
  return [mapsPng, spectrumPng];
}

if (require.main === module) {
  const [simDir, painting, outDir] = process.argv.slice(2);
  if (!simDir || !painting || !outDir) {
    console.error('usage: node --import tsx src/core/simulate/docs-figures.ts <simDir> <painting> <outDir>');
    process.exit(2);
  }
  writeDocFigures(simDir, painting, outDir).then(
    (files) => console.log(files.join('\n')),
    (e) => {
      console.error(e instanceof Error ? e.message : e);
      process.exit(1);
    },
  );
}
