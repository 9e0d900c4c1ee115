/**
 * Physics for xrfmaps: emission lines, detector response, pure spectra, ROI windows, X-ray interaction
 * data and the tube spectrum. Pure TypeScript with no node imports, so the webview can bundle it.
 * (xs.ts and tube.ts carry the ~600 kB cross-section table; the webview needs only the lines above them.)
 */
export { atomicNumber, elementSymbol, ELEMENT_SYMBOLS } from './elements';
export { lineFamilyLines, hasLineFamily, alphaGroup, lineFamilyReferenceKeV, type EmissionLine } from './line-table';
export {
  DEFAULT_DETECTOR,
  fwhmKeV,
  electronicNoiseKeV,
  siEscapeFraction,
  addLineResponse,
  addGaussian,
  SI_ESCAPE_KEV,
  SI_K_EDGE_KEV,
  MN_KA_KEV,
  FWHM_PER_SIGMA,
  type DetectorParams,
} from './detector';
export { familyResponse, pureSpectrum, priorMatrix } from './spectra';
export { roiWindow, roiChannels } from './roi';
export { erf, erfc, normalCdf } from './erf';
export {
  massAttenuation,
  photoCrossSection,
  rayleigh,
  compton,
  familyProductionCrossSection,
  elementDensity,
  atomicWeight,
  edgeEnergy,
  fluorescenceYield,
  jumpRatio,
  compoundMassAttenuation,
  XS_MIN_KEV,
  XS_MAX_KEV,
  type ElementRef,
  type Shell,
} from './xs';
export { rhTubeSpectrum, type TubeOptions, type TubeSpectrum, type TubeLine } from './tube';
