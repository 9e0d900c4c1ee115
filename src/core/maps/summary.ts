/** What one streaming pass over a scan produces; cached per file and sent to the scan editor. */
export interface RoiWindow {
  /** Normalized line-family name ("Fe K") or a user label ("6.20–6.60 keV"). */
  label: string;
  /** Channel range [loChannel, hiChannel), clamped to the cube. */
  loChannel: number;
  hiChannel: number;
}

export interface ScanSummary {
  height: number;
  width: number;
  channels: number;
  windows: RoiWindow[];
  /** Sum of all channels per pixel, H·W row-major. */
  totalCounts: Float32Array;
  /** One H·W map per window: counts summed over the window's channels. */
  roiMaps: Float32Array[];
  /** Sum over all pixels, per channel (float64: sums of millions of spectra). */
  sumSpectrum: Float64Array;
  /** Maximum over all pixels, per channel (PyMca's "max pixel spectrum"). */
  maxSpectrum: Float32Array;
}
