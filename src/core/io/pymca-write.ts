/**
 * Elemental maps in PyMca's batch-fit output layout, so ground-truth readers meet the real format:
 *
 *   <dir>/IMAGES/<entry>.csv            "row";"column";"Fe_K";…;"s(Fe_K)";…  one line per pixel, row-major
 *   <dir>/IMAGES/<entry>_Fe_K.edf       one float32 EDF image per line family
 *   <dir>/IMAGES/<entry>_sFe_K.edf      its uncertainty map (when given)
 *
 * Names follow PyMca5 OutputBuffer._labelsToPathStrings: "Fe K" → title/column "Fe_K", uncertainty
 * title "s(Fe_K)", uncertainty file label "sFe_K". Numbers are printed with C's %g, as PyMca's
 * ArraySave.save2DArrayListAsASCII does, and the file ends with an empty line as PyMca's does.
 */
import * as path from 'node:path';
import { AtomicStreamWriter } from './atomic';
import { writeEdfFloat32 } from './edf-write';

export interface PymcaMaps {
  height: number;
  width: number;
  /** Normalized line names ("Fe K"). */
  lines: readonly string[];
  /** One H·W row-major map per line. */
  maps: readonly Float32Array[];
  /** Optional 1σ uncertainty maps, one per line. */
  uncertainties?: readonly Float32Array[];
}

/** "Fe K" → "Fe_K" (PyMca's title and file label for a fitted group). */
export function pymcaLabel(line: string): string {
  return line.trim().replace(/\s+/g, '_');
}

/** C printf "%g" (precision 6), as Python's '%g' % x prints it. */
export function formatG(x: number): string {
  if (Number.isNaN(x)) return 'nan';
  if (!Number.isFinite(x)) return x > 0 ? 'inf' : '-inf';
  if (x === 0) return Object.is(x, -0) ? '-0' : '0';
  const [mant, expStr] = x.toExponential(5).split('e');
  const exp = Number(expStr);
  if (exp < -4 || exp >= 6) {
    const m = mant.includes('.') ? mant.replace(/0+$/, '').replace(/\.$/, '') : mant;
    const sign = exp < 0 ? '-' : '+';
    return `${m}e${sign}${String(Math.abs(exp)).padStart(2, '0')}`;
  }
  const f = x.toFixed(Math.max(0, 5 - exp));
  return f.includes('.') ? f.replace(/0+$/, '').replace(/\.$/, '') : f;
}

export interface PymcaFiles {
  csv: string;
  edf: string[];
}

/** Write the CSV and the EDF images of `entry` under `<dir>/IMAGES`. Returns the paths written. */
export async function writePymcaImages(dir: string, entry: string, m: PymcaMaps): Promise<PymcaFiles> {
  const { height: H, width: W, lines, maps } = m;
  if (maps.length !== lines.length) throw new RangeError(`PyMca output: ${lines.length} lines but ${maps.length} maps`);
  if (m.uncertainties && m.uncertainties.length !== lines.length) throw new RangeError('PyMca output: one uncertainty map per line');
  for (const a of [...maps, ...(m.uncertainties ?? [])]) {
    if (a.length !== H * W) throw new RangeError(`PyMca output: maps must hold ${H}×${W} = ${H * W} values, got ${a.length}`);
  }
  const imagesDir = path.join(dir, 'IMAGES');
  const labels = lines.map(pymcaLabel);
  const columns = [...maps, ...(m.uncertainties ?? [])];
  const titles = [...labels, ...(m.uncertainties ? labels.map((l) => `s(${l})`) : [])];

  const csvPath = path.join(imagesDir, `${entry}.csv`);
  const w = await AtomicStreamWriter.open(csvPath);
  try {
    const enc = new TextEncoder();
    await w.write(enc.encode(['"row"', '"column"', ...titles.map((t) => `"${t}"`)].join(';') + '\n'));
    let buf = '';
    for (let r = 0; r < H; r++) {
      for (let c = 0; c < W; c++) {
        const i = r * W + c;
        buf += `${r};${c}`;
        for (const col of columns) buf += ';' + formatG(col[i]);
        buf += '\n';
      }
      if (buf.length > 1 << 20) {
        await w.write(enc.encode(buf));
        buf = '';
      }
    }
    await w.write(enc.encode(buf + '\n'));
    await w.commit();
  } catch (e) {
    await w.abort();
    throw e;
  }

  const edf: string[] = [];
  for (let k = 0; k < lines.length; k++) {
    const p = path.join(imagesDir, `${entry}_${labels[k]}.edf`);
    await writeEdfFloat32(p, { data: maps[k], width: W, height: H, header: { Title: labels[k] } });
    edf.push(p);
    const u = m.uncertainties?.[k];
    if (u) {
      const pu = path.join(imagesDir, `${entry}_s${labels[k]}.edf`);
      await writeEdfFloat32(pu, { data: u, width: W, height: H, header: { Title: `s(${labels[k]})` } });
      edf.push(pu);
    }
  }
  return { csv: csvPath, edf };
}
