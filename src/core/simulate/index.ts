/** Synthetic MA-XRF paintings with exact ground truth: the built-in sample data. */
export { simulatePreset, GROUND_TRUTH_DEFINITION, PILEUP_RESOLVING_TIME_S, SCAN_FORMATS, type ScanFormat, type SimulateOptions, type SimulationManifest, type PaintingManifest } from './simulate';
export { PRESETS, PRESET_NAMES, scaledSize, type PresetName, type Preset, type PaintingSpec } from './presets';
export { SpectrumModel, MODEL_ELEMENTS, PILEUP_FAMILIES, comptonEnergy, detectorEfficiency, type Component, type ModelOptions } from './model';
export { paintingSetup, renderRows } from './render';
export { Rng } from './rng';
