/**
 * Encoders for "Export map": PNG as displayed (colormap, scaling, contrast), float32 TIFF, float32 NPY
 * and CSV. Pure (bytes in memory); the host writes them with writeFileAtomic to a path picked in a
 * save dialog. Maps are small (H·W float32, ~1 MB for a 564×428 painting), so whole-buffer encoding is fine.
 */
import { renderMapRGBA } from '../../core/render';
import { encodePng } from '../../core/io/png';
import { tiffParts } from '../../core/io/tiff-write';
import { encodeNpy } from '../../core/io/npy-write';
import type { DisplaySettings, ExportFormat } from '../../protocol';

export const EXPORT_FORMATS: Record<ExportFormat, { label: string; extension: string; filter: string }> = {
  png: { label: 'PNG image (as displayed)', extension: 'png', filter: 'PNG image' },
  tiff: { label: 'TIFF, float32 values', extension: 'tif', filter: 'TIFF image' },
  npy: { label: 'NumPy .npy, float32 values (H×W)', extension: 'npy', filter: 'NumPy array' },
  csv: { label: 'CSV, one row of values per map row', extension: 'csv', filter: 'CSV table' },
};

export interface ExportRequest {
  format: ExportFormat;
  map: Float32Array;
  /** The map's name ("Fe K"), stored in the TIFF page name. */
  label?: string;
  width: number;
  height: number;
  /** For PNG: how the map is displayed, with the contrast limits (in map units) the view used. */
  display: DisplaySettings;
  lo: number;
  hi: number;
}

/** The shortest decimal that reads back as the same float32 (9 significant digits always suffice). */
export function formatFloat32(v: number): string {
  if (Number.isNaN(v)) return 'nan';
  if (!Number.isFinite(v)) return v > 0 ? 'inf' : '-inf';
  for (let p = 6; p < 9; p++) {
    const s = Number(v.toPrecision(p));
    if (Math.fround(s) === v) return String(s);
  }
  return String(Number(v.toPrecision(9)));
}

export function encodeCsv(map: Float32Array, width: number, height: number): string {
  const rows: string[] = [];
  for (let r = 0; r < height; r++) {
    const cells = new Array<string>(width);
    for (let c = 0; c < width; c++) cells[c] = formatFloat32(map[r * width + c]);
    rows.push(cells.join(','));
  }
  return rows.join('\n') + '\n';
}

export function encodeExport(req: ExportRequest): Uint8Array[] {
  const { map, width, height } = req;
  if (map.length !== width * height) throw new Error(`export: the map holds ${map.length} values, not ${height}×${width}`);
  switch (req.format) {
    case 'png': {
      const rgba = renderMapRGBA(map, width, height, { colormap: req.display.colormap, scale: req.display.scaling, lo: req.lo, hi: req.hi });
      return [encodePng(rgba, width, height)];
    }
    case 'tiff':
      return tiffParts([{ data: map, width, height, name: req.label }]);
    case 'npy':
      return encodeNpy(map, [height, width]);
    case 'csv':
      return [new TextEncoder().encode(encodeCsv(map, width, height))];
  }
}

/** "painting_Fe K.png" → a file name without characters file systems refuse. */
export function exportFileName(scanBaseName: string, mapLabel: string, format: ExportFormat): string {
  const safe = (s: string) => s.replace(/[\\/:*?"<>|]+/g, '_').replace(/\s+/g, '_').replace(/–/g, '-');
  return `${safe(scanBaseName)}_${safe(mapLabel)}.${EXPORT_FORMATS[format].extension}`;
}
