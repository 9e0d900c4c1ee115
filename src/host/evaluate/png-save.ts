/**
 * "Export as PNG" of a figure: the webview encodes its canvas, the host checks the bytes are a PNG,
 * asks where (save dialog) and writes atomically. Shared by the results view and the loss chart.
 * No `vscode` here (the dialog and the writer are passed in).
 */
import type { SavePngParams } from '../../protocol-ml';

const SIGNATURE = [0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a];

export function isPng(bytes: Uint8Array): boolean {
  return bytes.length > SIGNATURE.length && SIGNATURE.every((b, i) => bytes[i] === b);
}

/** "Fe K / FCN+" → "Fe_K_FCN+": a name file systems accept. */
export function safeFileName(name: string): string {
  const s = name.replace(/[\\/:*?"<>|]+/g, '_').replace(/\s+/g, '_').replace(/_+/g, '_').replace(/^[_.]+|_+$/g, '');
  return s || 'figure';
}

export interface SavePngDeps {
  pickSavePath(defaultName: string): Promise<string | undefined>;
  writeFile(target: string, parts: Uint8Array[]): Promise<void>;
}

export async function savePng(p: SavePngParams, deps: SavePngDeps): Promise<{ path?: string }> {
  const bytes = p.png instanceof Uint8Array ? p.png : new Uint8Array(p.png as ArrayLike<number>);
  if (!isPng(bytes)) throw new Error('the figure could not be encoded as PNG');
  const name = safeFileName(p.defaultName.replace(/\.png$/i, '')) + '.png';
  const target = await deps.pickSavePath(name);
  if (!target) return {};
  await deps.writeFile(target, [bytes]);
  return { path: target };
}
