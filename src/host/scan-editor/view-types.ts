/**
 * The scan editor's view types, kept apart from the provider (which imports `vscode`) so tests can
 * check them against package.json. A custom editor has one priority, hence two view types.
 */
export const SCAN_VIEW_TYPE = 'xrfmaps.scanViewer';
export const SCAN_VIEW_TYPE_OPTION = 'xrfmaps.scanViewerOption';

/** Only we open these: the scan editor is their default editor. */
export const DEFAULT_SCAN_EXTENSIONS = ['rpl', 'npz'] as const;
/** Other tools (and our ground-truth editor) open these too: the scan editor is an option. */
export const OPTION_SCAN_EXTENSIONS = ['npy', 'h5', 'hdf5', 'nxs'] as const;

/** The view type whose selector claims this file (vscode.openWith is given the one that matches). */
export function scanViewTypeFor(fileName: string): string {
  const ext = /\.([^./\\]+)$/.exec(fileName)?.[1]?.toLowerCase() ?? '';
  return (DEFAULT_SCAN_EXTENSIONS as readonly string[]).includes(ext) ? SCAN_VIEW_TYPE : SCAN_VIEW_TYPE_OPTION;
}
