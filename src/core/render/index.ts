/** Rendering shared by the webview and PNG export: colormaps, contrast, map → RGBA, z-score palette. */
export { colormaps, colormapLut, colormapColor, lutIndex, COLORMAP_NAMES, type ColormapName } from './colormaps';
export { percentile, percentiles, contrastRange, EXACT_LIMIT } from './percentile';
export { renderMapRGBA, colorbarRGBA, makeScaler, LOG_DECADES_WHEN_LO_NONPOSITIVE, type MapScale, type RenderOptions } from './render-map';
export { zScoreBin, zScoreColor, renderZScoreRGBA, Z_SCORE_BINS, Z_SCORE_RGB, type ZScoreBin } from './zscore-colors';
