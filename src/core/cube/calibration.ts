/**
 * Which energy calibration a scan uses, and where it came from: the scan file's own, else the
 * sidecar JSON beside it (`painting.npy` → `painting.json`, key "calibration"), else the caller's
 * settings, else DEFAULT_CALIBRATION.
 *
 * One exception to that order: a calibration the user set in the viewer (written by
 * writeCalibrationSidecar, marked "calibrationSetByUser") wins over the file's, since editing the
 * calibration must change what the user sees, and the scan itself is never written.
 */
import { promises as fs } from 'node:fs';
import * as path from 'node:path';
import { DEFAULT_CALIBRATION, type Calibration, type Cube, type ResolvedCalibration } from './cube';
import { writeFileAtomic } from '../io/atomic';
import { XrfInputError } from '../errors';

/** `dir/painting.npy` → `dir/painting.json` (for RPL/RAW pairs, the .rpl's base name). */
export function sidecarPath(scanPath: string): string {
  return path.join(path.dirname(scanPath), `${path.basename(scanPath, path.extname(scanPath))}.json`);
}

export function isValidCalibration(c: unknown): c is Calibration {
  const o = c as Calibration;
  return !!o && typeof o === 'object' && Number.isFinite(o.offsetKeV) && Number.isFinite(o.gainKeV) && o.gainKeV > 0;
}

async function readSidecarJson(file: string): Promise<Record<string, unknown> | undefined> {
  let text: string;
  try {
    text = await fs.readFile(file, 'utf8');
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw new XrfInputError(file, `cannot read sidecar: ${(e as Error).message}`);
  }
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (e) {
    throw new XrfInputError(file, `sidecar is not valid JSON: ${(e as Error).message}`);
  }
  if (!json || typeof json !== 'object' || Array.isArray(json)) throw new XrfInputError(file, 'sidecar must hold a JSON object');
  return json as Record<string, unknown>;
}

/**
 * The sidecar's "channelAxis" (0, 1 or 2): for an HDF5 cube whose channel axis the file does not
 * make clear, the user says which stored axis holds the channels.
 */
export async function readSidecarChannelAxis(scanPath: string): Promise<0 | 1 | 2 | undefined> {
  const file = sidecarPath(scanPath);
  const json = await readSidecarJson(file);
  if (!json || json.channelAxis === undefined) return undefined;
  const a = json.channelAxis;
  if (a !== 0 && a !== 1 && a !== 2) throw new XrfInputError(file, `"channelAxis" must be 0, 1 or 2 (the stored axis that holds the channels), got ${JSON.stringify(a)}`);
  return a;
}

export interface SidecarCalibration {
  calibration: Calibration;
  setByUser: boolean;
}

/** The calibration in the scan's sidecar, if there is a sidecar and it has one. */
export async function readSidecarCalibration(scanPath: string): Promise<SidecarCalibration | undefined> {
  const file = sidecarPath(scanPath);
  const json = await readSidecarJson(file);
  if (!json || json.calibration === undefined) return undefined;
  const c = json.calibration as Calibration;
  if (!isValidCalibration(c)) {
    throw new XrfInputError(file, `"calibration" must be {"offsetKeV": number, "gainKeV": number > 0}, got ${JSON.stringify(json.calibration)}`);
  }
  return { calibration: { offsetKeV: c.offsetKeV, gainKeV: c.gainKeV }, setByUser: json.calibrationSetByUser === true };
}

export async function resolveCalibration(cube: Pick<Cube, 'path' | 'fileCalibration'>, fallback?: Calibration): Promise<ResolvedCalibration> {
  const side = await readSidecarCalibration(cube.path);
  if (side?.setByUser) return { ...side.calibration, source: 'sidecar' };
  if (cube.fileCalibration && isValidCalibration(cube.fileCalibration)) return { ...cube.fileCalibration, source: 'file' };
  if (side) return { ...side.calibration, source: 'sidecar' };
  if (fallback && isValidCalibration(fallback)) return { offsetKeV: fallback.offsetKeV, gainKeV: fallback.gainKeV, source: 'settings' };
  return { ...DEFAULT_CALIBRATION, source: 'default' };
}

/**
 * Write (or merge into) the scan's sidecar, atomically; other keys in it are kept. Never touches
 * the scan. Refuses to replace a sidecar that is not valid JSON, since that would lose its content.
 */
export async function writeCalibrationSidecar(scanPath: string, cal: Calibration): Promise<string> {
  if (!isValidCalibration(cal)) throw new RangeError(`invalid calibration ${JSON.stringify(cal)}: offset must be finite and gain > 0`);
  const file = sidecarPath(scanPath);
  const json = (await readSidecarJson(file)) ?? {};
  json.calibration = { offsetKeV: cal.offsetKeV, gainKeV: cal.gainKeV };
  json.calibrationSetByUser = true;
  await writeFileAtomic(file, JSON.stringify(json, null, 2) + '\n');
  return file;
}
