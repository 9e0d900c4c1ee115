/**
 * Lispix RPL headers for RAW cubes, with the keys HyperSpy and Lispix write plus the energy
 * calibration in both dialects (HyperSpy depth-origin/depth-scale/depth-units, Lispix ev-per-chan).
 */
import { writeFileAtomic } from './atomic';
import type { Calibration } from '../cube/cube';

export interface RplInfo {
  width: number;
  height: number;
  depth: number;
  /** Bytes per value. */
  dataLength: 1 | 2 | 4 | 8;
  dataType: 'unsigned' | 'signed' | 'float';
  calibration?: Calibration;
}

/** The header text. Values are tab-separated from their keys; ';' lines are comments. */
export function rplHeader(info: RplInfo): string {
  for (const k of ['width', 'height', 'depth'] as const) {
    if (!Number.isInteger(info[k]) || info[k] <= 0) throw new RangeError(`RPL ${k} must be a positive integer, got ${info[k]}`);
  }
  const rows: [string, string | number][] = [
    ['key', 'value'],
    ['width', info.width],
    ['height', info.height],
    ['depth', info.depth],
    ['offset', 0],
    ['data-length', info.dataLength],
    ['data-type', info.dataType],
    ['byte-order', 'little-endian'],
    ['record-by', 'vector'],
  ];
  if (info.calibration) {
    const { offsetKeV, gainKeV } = info.calibration;
    rows.push(
      ['ev-per-chan', fmt(gainKeV * 1000)],
      ['depth-origin', fmt(offsetKeV)],
      ['depth-scale', fmt(gainKeV)],
      ['depth-units', 'keV'],
      ['depth-name', 'Energy'],
      ['signal', 'EDS_SEM'],
    );
  }
  return ';RPL header written by xrfmaps\n' + rows.map(([k, v]) => `${k}\t${v}`).join('\n') + '\n';
}

/** Shortest decimal that round-trips, without exponent noise for ordinary values. */
function fmt(x: number): string {
  return String(Number(x.toPrecision(12)));
}

export async function writeRplHeader(path: string, info: RplInfo): Promise<void> {
  await writeFileAtomic(path, rplHeader(info));
}
