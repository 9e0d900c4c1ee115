/**
 * The extension's settings (package.json `contributes.configuration`), parsed and validated in one
 * place. `readSettings` takes a getter so it runs under plain Node in tests; `vscodeSettings()` in
 * ./vscode-settings.ts feeds it from `workspace.getConfiguration('xrfmaps')`.
 */
import { DEFAULT_LINES, normalizeLineName } from '../core/lines';
import type { Calibration } from '../core/cube/cube';
import type { ColormapName, DisplaySettings, Scaling } from '../protocol';

export type BackendSetting = 'auto' | 'tensorflow' | 'wasm' | 'cpu';

export interface XrfSettings {
  /** Normalized, de-duplicated line families, in the user's order. */
  lines: string[];
  /** Entries of `xrfmaps.lines` that are not line families (reported once in the log). */
  invalidLines: string[];
  /** The fallback calibration, only when the user set one (else the reader's default applies). */
  calibration?: Calibration;
  display: DisplaySettings;
  backend: BackendSetting;
  /** Problems worth a log line ("xrfmaps.contrast.lowPercentile must be …"). */
  warnings: string[];
}

/** `get(key)` returns the user's value, or undefined where the user set none. */
export type SettingGetter = (key: string) => unknown;

const COLORMAPS: readonly ColormapName[] = ['viridis', 'inferno', 'gray'];
const SCALINGS: readonly Scaling[] = ['linear', 'sqrt', 'log'];
const BACKENDS: readonly BackendSetting[] = ['auto', 'tensorflow', 'wasm', 'cpu'];

export const DEFAULT_DISPLAY: DisplaySettings = { colormap: 'viridis', scaling: 'linear', lowPercentile: 0.5, highPercentile: 99.5 };

function oneOf<T extends string>(v: unknown, allowed: readonly T[], fallback: T, key: string, warnings: string[]): T {
  if (v === undefined) return fallback;
  if (typeof v === 'string' && (allowed as readonly string[]).includes(v)) return v as T;
  warnings.push(`xrfmaps.${key} must be one of ${allowed.join(', ')}; got ${JSON.stringify(v)}, using ${fallback}`);
  return fallback;
}

function finite(v: unknown): v is number {
  return typeof v === 'number' && Number.isFinite(v);
}

export function parseLines(raw: unknown): { lines: string[]; invalid: string[] } {
  if (!Array.isArray(raw) || raw.length === 0) return { lines: [...DEFAULT_LINES], invalid: [] };
  const lines: string[] = [];
  const invalid: string[] = [];
  for (const item of raw) {
    try {
      const n = normalizeLineName(String(item));
      if (!lines.includes(n)) lines.push(n);
    } catch {
      invalid.push(String(item));
    }
  }
  return { lines: lines.length ? lines : [...DEFAULT_LINES], invalid };
}

export function readSettings(get: SettingGetter): XrfSettings {
  const warnings: string[] = [];
  const { lines, invalid } = parseLines(get('lines'));
  if (invalid.length) warnings.push(`xrfmaps.lines: not line families, ignored: ${invalid.map((s) => JSON.stringify(s)).join(', ')}`);

  let calibration: Calibration | undefined;
  const offset = get('calibration.offsetKeV');
  const gain = get('calibration.gainKeV');
  if (offset !== undefined || gain !== undefined) {
    const offsetKeV = offset === undefined ? 0 : offset;
    const gainKeV = gain === undefined ? 0.01 : gain;
    if (finite(offsetKeV) && finite(gainKeV) && gainKeV > 0) calibration = { offsetKeV, gainKeV };
    else warnings.push(`xrfmaps.calibration: gain must be a positive number and offset a number; ignored`);
  }

  let lowPercentile = DEFAULT_DISPLAY.lowPercentile;
  let highPercentile = DEFAULT_DISPLAY.highPercentile;
  const lo = get('contrast.lowPercentile');
  const hi = get('contrast.highPercentile');
  if (lo !== undefined || hi !== undefined) {
    const l = lo === undefined ? lowPercentile : lo;
    const h = hi === undefined ? highPercentile : hi;
    if (finite(l) && finite(h) && l >= 0 && h <= 100 && l < h) {
      lowPercentile = l;
      highPercentile = h;
    } else warnings.push(`xrfmaps.contrast: need 0 ≤ low < high ≤ 100; got ${JSON.stringify(l)} and ${JSON.stringify(h)}, using 0.5 and 99.5`);
  }

  return {
    lines,
    invalidLines: invalid,
    calibration,
    display: {
      colormap: oneOf(get('colormap'), COLORMAPS, DEFAULT_DISPLAY.colormap, 'colormap', warnings),
      scaling: oneOf(get('scaling'), SCALINGS, DEFAULT_DISPLAY.scaling, 'scaling', warnings),
      lowPercentile,
      highPercentile,
    },
    backend: oneOf(get('backend'), BACKENDS, 'auto', 'backend', warnings),
    warnings,
  };
}
