/**
 * PyMca batch-fit CSV `IMAGES/<entry>.csv`, as PyMca5 ArraySave.save2DArrayListAsASCII writes it:
 * header `"row";"column";"Fe_K";…;"s(Fe_K)";…;"chisq"`, one line per pixel (`%d;%d;%g;…`), a blank
 * last line. Also read: `,` or tab separators, unquoted names, and PyMca's space-separated `.dat`.
 *
 * Columns: `Fe_K`-like names are families; `s(Fe_K)` their uncertainties; anything else (chisq,
 * `w(Fe_K)` mass fractions, `mM(Fe_K)`, `Scatter_Compton000`) is reported in `ignored`.
 * H and W are the largest row/column + 1; rows may come in any order. A pixel given twice is an
 * error, and so is a missing pixel: PyMca always writes every pixel, so a hole means a damaged file,
 * and inventing a value (0 or NaN) would bias every metric computed on it.
 */
import { promises as fs } from 'node:fs';
import { XrfInputError } from '../errors';
import type { MapStack } from './groundtruth';
import { buildStack } from './stack';

function splitterFor(header: string): (line: string) => string[] {
  for (const sep of [';', ',', '\t']) {
    if (header.includes(sep)) return (line) => line.split(sep).map(unquote);
  }
  return (line) => line.trim().split(/\s+/).map(unquote);
}

function unquote(field: string): string {
  const t = field.trim();
  if (t.length >= 2 && t.startsWith('"') && t.endsWith('"')) return t.slice(1, -1).replace(/""/g, '"');
  return t;
}

/** %g output: numbers, plus "nan"/"inf" as C printf writes them (Number() does not parse those). */
function parseValue(s: string): number {
  if (s === '') return Number.NaN;
  const n = Number(s);
  if (!Number.isNaN(n)) return n;
  if (/^[+-]?inf(inity)?$/i.test(s)) return s.startsWith('-') ? -Infinity : Infinity;
  if (/^[+-]?nan$/i.test(s)) return Number.NaN;
  return Number.NaN;
}

export async function readCsvStack(path: string): Promise<MapStack> {
  let text: string;
  try {
    text = await fs.readFile(path, 'utf8');
  } catch (e) {
    throw new XrfInputError(path, `cannot read: ${(e as NodeJS.ErrnoException).code ?? (e as Error).message}`);
  }
  return parseCsvStack(text, path);
}

export function parseCsvStack(text: string, path: string): MapStack {
  // A byte-order mark (spreadsheet exports) would otherwise glue itself to the first column name.
  const lines = text.replace(/^\uFEFF/, '').split(/\r?\n/);
  let h0 = 0;
  while (h0 < lines.length && lines[h0].trim() === '') h0++;
  if (h0 === lines.length) throw new XrfInputError(path, 'file is empty');
  const split = splitterFor(lines[h0]);
  const names = split(lines[h0]);
  const rowCol = names.findIndex((n) => n.toLowerCase() === 'row');
  const colCol = names.findIndex((n) => n.toLowerCase() === 'column' || n.toLowerCase() === 'col');
  if (rowCol < 0 || colCol < 0) {
    throw new XrfInputError(path, `header needs "row" and "column" columns (PyMca batch-fit CSV); found ${names.map((n) => `"${n}"`).join(', ')}`);
  }
  const dataCols = names.map((_, i) => i).filter((i) => i !== rowCol && i !== colCol);
  const rows: number[] = [];
  const cols: number[] = [];
  const values: number[][] = dataCols.map(() => []);
  let maxR = -1;
  let maxC = -1;
  for (let li = h0 + 1; li < lines.length; li++) {
    const line = lines[li];
    if (line.trim() === '') continue;
    const f = split(line);
    if (f.length !== names.length) {
      throw new XrfInputError(path, `line ${li + 1} has ${f.length} fields, the header has ${names.length}`);
    }
    const r = Number(f[rowCol]);
    const c = Number(f[colCol]);
    if (!Number.isInteger(r) || !Number.isInteger(c) || r < 0 || c < 0) {
      throw new XrfInputError(path, `line ${li + 1}: row/column must be non-negative integers, got "${f[rowCol]}", "${f[colCol]}"`);
    }
    rows.push(r);
    cols.push(c);
    if (r > maxR) maxR = r;
    if (c > maxC) maxC = c;
    for (let j = 0; j < dataCols.length; j++) {
      const s = f[dataCols[j]];
      const v = parseValue(s);
      if (Number.isNaN(v) && !/^[+-]?nan$/i.test(s)) {
        throw new XrfInputError(path, `line ${li + 1}, column "${names[dataCols[j]]}": not a number: "${s}"`);
      }
      values[j].push(v);
    }
  }
  if (rows.length === 0) throw new XrfInputError(path, 'has a header but no pixel lines');
  const height = maxR + 1;
  const width = maxC + 1;
  const n = height * width;
  // Where each file line goes; -1 marks a pixel no line has given yet.
  const lineOfPixel = new Int32Array(n).fill(-1);
  for (let i = 0; i < rows.length; i++) {
    const p = rows[i] * width + cols[i];
    if (lineOfPixel[p] >= 0) throw new XrfInputError(path, `pixel (row ${rows[i]}, column ${cols[i]}) appears twice`);
    lineOfPixel[p] = i;
  }
  if (rows.length < n) {
    const first = lineOfPixel.indexOf(-1);
    throw new XrfInputError(
      path,
      `${n - rows.length} of ${height}×${width} pixels are missing, the first at (row ${Math.floor(first / width)}, column ${first % width})`,
    );
  }
  const items = dataCols.map((ci, j) => {
    const m = new Float32Array(n);
    const src = values[j];
    for (let p = 0; p < n; p++) m[p] = src[lineOfPixel[p]];
    return { label: names[ci], data: m };
  });
  return buildStack(path, height, width, items);
}
