/**
 * The maps editor's view types and file patterns, apart from the provider so tests check them
 * against package.json. One view type per priority (see ./provider.ts).
 */
export const MAPS_VIEW_TYPE = 'xrfmaps.groundTruth';
export const MAPS_VIEW_TYPE_DEFAULT = 'xrfmaps.groundTruthDefault';

/** Other editors (the scan editor, text, hex) open these too: ours is an option. */
export const OPTION_MAPS_EXTENSIONS = ['npy', 'csv', 'h5', 'hdf5'] as const;
/** PyMca's EDF images and TIFF maps: ours is the default. */
export const DEFAULT_MAPS_EXTENSIONS = ['edf', 'tif', 'tiff'] as const;

export const MAPS_EDITOR_NAME = 'XRF Elemental Maps';
