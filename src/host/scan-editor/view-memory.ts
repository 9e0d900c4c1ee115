/**
 * The scan view's display choices (colormap, scaling, contrast percentiles, the enlarged map)
 * remembered per scan file, so closing and reopening a scan shows it as the user left it. Kept in
 * one key of a small key-value store (the extension's workspaceState in VS Code, a Map in tests),
 * most recently used last, capped so the store does not grow with every scan ever opened.
 */
import type { DisplaySettings, ScanViewState } from '../../protocol';

/** The part of vscode.Memento this needs. */
export interface KeyValueStore {
  get<T>(key: string): T | undefined;
  update(key: string, value: unknown): PromiseLike<void>;
}

export const VIEW_MEMORY_KEY = 'xrfmaps.scanViewState';
export const VIEW_MEMORY_CAPACITY = 200;

interface Stored {
  version: 1;
  /** [scan path, state], least recently used first. */
  entries: [string, ScanViewState][];
}

export class ScanViewMemory {
  constructor(
    private readonly store: KeyValueStore,
    private readonly capacity = VIEW_MEMORY_CAPACITY,
  ) {}

  /** What was remembered for this file; undefined for a file never changed (or a damaged entry). */
  get(file: string): ScanViewState | undefined {
    const hit = this.entries().find(([f]) => f === file);
    return hit ? cleanViewState(hit[1]) : undefined;
  }

  /** Remember `state` for `file` as the most recent entry, dropping the oldest beyond the cap. */
  async remember(file: string, state: ScanViewState): Promise<void> {
    const clean = cleanViewState(state);
    if (!clean) return;
    const entries = this.entries().filter(([f]) => f !== file);
    entries.push([file, clean]);
    const kept = entries.slice(Math.max(0, entries.length - this.capacity));
    await this.store.update(VIEW_MEMORY_KEY, { version: 1, entries: kept } satisfies Stored);
  }

  /** The remembered files, least recently used first (for tests and diagnostics). */
  files(): string[] {
    return this.entries().map(([f]) => f);
  }

  private entries(): [string, ScanViewState][] {
    const raw = this.store.get<Stored>(VIEW_MEMORY_KEY);
    // workspaceState outlives versions of the extension: anything unexpected counts as empty.
    if (!raw || raw.version !== 1 || !Array.isArray(raw.entries)) return [];
    return raw.entries.filter((e): e is [string, ScanViewState] => Array.isArray(e) && typeof e[0] === 'string');
  }
}

const COLORMAPS = ['viridis', 'inferno', 'gray'];
const SCALINGS = ['linear', 'sqrt', 'log'];

/** A valid copy of a view state (only the known fields), or undefined when it is not one. */
export function cleanViewState(s: unknown): ScanViewState | undefined {
  if (!s || typeof s !== 'object') return undefined;
  const display = cleanDisplay((s as ScanViewState).display);
  if (!display) return undefined;
  const selected = (s as ScanViewState).selectedMap;
  return typeof selected === 'string' && selected.length > 0 && selected.length < 500 ? { display, selectedMap: selected } : { display };
}

function cleanDisplay(d: unknown): DisplaySettings | undefined {
  if (!d || typeof d !== 'object') return undefined;
  const x = d as DisplaySettings;
  const pct = (v: unknown) => typeof v === 'number' && Number.isFinite(v) && v >= 0 && v <= 100;
  if (!COLORMAPS.includes(x.colormap) || !SCALINGS.includes(x.scaling)) return undefined;
  if (!pct(x.lowPercentile) || !pct(x.highPercentile) || !(x.lowPercentile < x.highPercentile)) return undefined;
  return { colormap: x.colormap, scaling: x.scaling, lowPercentile: x.lowPercentile, highPercentile: x.highPercentile };
}
