/**
 * `xrfmaps info <scan>`: format, shape, dtype and energy calibration of a scan (and, for HDF5, the
 * dataset opened and the other candidates). Reads only headers: instant however large the scan.
 */
import { parseArgs, opt } from '../args';
import { openCube, listCubeDatasets } from '../../core/cube/open';
import { resolveCalibration } from '../../core/cube/calibration';
import { calibrationFlags } from './scan-common';
import { Hdf5Cube } from '../../core/cube/hdf5';
import { describeStoredOrder } from '../../core/cube/hdf5-axes';

export const summary = "print a scan's format, shape, dtype and energy calibration";

const USAGE = `usage: xrfmaps info <scan> [--json] [--dataset /path/in/file] [--offset-kev X --gain-kev Y]

  <scan>         .rpl (+ .raw beside it), .npy, .npz, .h5/.hdf5/.nxs
  --json         print {"format", "shape": [H, W, C], "dtype", "calibration": {"offsetKeV", "gainKeV"}, "calibrationSource", …}
  --dataset      HDF5: the dataset to open instead of the default (NXdata signal, else largest 3-D)
  --offset-kev, --gain-kev
                 calibration to use when neither the file nor its <base>.json sidecar has one`;

export async function run(args: string[]): Promise<number> {
  const p = parseArgs(args, { options: ['dataset', 'offset-kev', 'gain-kev'], flags: ['json'] });
  if (p.flags.has('help')) {
    console.log(USAGE);
    return 0;
  }
  if (p.positionals.length !== 1) {
    console.error(USAGE);
    return 2;
  }
  const file = p.positionals[0];
  const fallback = calibrationFlags(p);
  const cube = await openCube(file, { dataset: opt(p, 'dataset') });
  try {
    const cal = await resolveCalibration(cube, fallback);
    const datasets = cube.format === 'hdf5' ? (await listCubeDatasets(file)).map((d) => d.path) : undefined;
    const info = {
      format: cube.format,
      shape: [cube.height, cube.width, cube.channels],
      dtype: cube.dtype,
      calibration: { offsetKeV: cal.offsetKeV, gainKeV: cal.gainKeV },
      calibrationSource: cal.source,
      ...(cube.datasetPath ? { dataset: cube.datasetPath, datasets } : {}),
      // HDF5 may store the channels on any axis: say which, and what decided it.
      ...(cube instanceof Hdf5Cube ? { storedOrder: describeStoredOrder(cube.channelAxis), storedOrderFrom: cube.axesFrom } : {}),
    };
    if (p.flags.has('json')) {
      console.log(JSON.stringify(info));
    } else {
      console.log(`${file}`);
      console.log(`  format       ${cube.format}${cube.datasetPath ? ` (dataset ${cube.datasetPath})` : ''}`);
      console.log(`  shape        ${cube.height} × ${cube.width} pixels × ${cube.channels} channels`);
      console.log(`  dtype        ${cube.dtype}`);
      if (cube instanceof Hdf5Cube) console.log(`  stored as    ${describeStoredOrder(cube.channelAxis)} (from ${cube.axesFrom})`);
      const top = cal.offsetKeV + cal.gainKeV * (cube.channels - 1);
      console.log(`  calibration  ${cal.offsetKeV} keV + ${cal.gainKeV} keV/channel (${cal.offsetKeV.toFixed(3)}–${top.toFixed(3)} keV; from ${cal.source})`);
      if (datasets && datasets.length > 1) console.log(`  other cubes  ${datasets.filter((d) => d !== cube.datasetPath).join(', ')}`);
    }
    return 0;
  } finally {
    await cube.close();
  }
}
