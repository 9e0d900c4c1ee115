/**
 * The one interface every scan reader implements. A cube is H×W×C (rows, columns, channels) and stays
 * on disk: readers serve row blocks and single pixels, never the whole file.
 */
export type DType = 'u1' | 'u2' | 'u4' | 'u8' | 'i1' | 'i2' | 'i4' | 'i8' | 'f4' | 'f8';

export type CubeFormat = 'rpl' | 'npy' | 'npz' | 'hdf5';

/** Linear energy calibration: E(channel i) = offsetKeV + gainKeV · i. */
export interface Calibration {
  offsetKeV: number;
  gainKeV: number;
}

/** Where a calibration came from, so the viewer can say so. */
export type CalibrationSource = 'file' | 'sidecar' | 'settings' | 'default';

export interface ResolvedCalibration extends Calibration {
  source: CalibrationSource;
}

export interface Cube {
  readonly path: string;
  readonly format: CubeFormat;
  readonly height: number;
  readonly width: number;
  readonly channels: number;
  readonly dtype: DType;
  /** The calibration stored in the scan file itself, if it has one. */
  readonly fileCalibration: Calibration | undefined;
  /** For HDF5: the dataset path that was opened. */
  readonly datasetPath?: string;
  /**
   * Rows [row0, row0 + nRows) as float32, pixel-major: index ((r − row0)·W + c)·C + ch.
   * `out`, when given, must hold at least nRows·W·C values and is returned filled.
   */
  readRows(row0: number, nRows: number, out?: Float32Array): Promise<Float32Array>;
  /**
   * Set when rows can be handed over unconverted: the file stores them pixel-major in this machine's
   * byte order, as `rawRowDType` samples. The aggregation pass then sums them where they land.
   */
  readonly rawRowDType?: DType;
  /**
   * Rows [row0, row0 + nRows) as raw samples into `into` (nRows·W·C samples of rawRowDType); NaN/Inf
   * checked unless `checkFinite` is false (the aggregation pass finds them from its sums instead).
   */
  readRawRows?(row0: number, nRows: number, into: Uint8Array, checkFinite?: boolean): Promise<void>;
  /**
   * Rows the reader reads from the file together in any case (HDF5: rows per chunk, each chunk read
   * and inflated whole), when more than 1. The aggregation pass makes its default blocks a multiple
   * of it, so that no block straddles two such bands and no band is read twice.
   */
  readonly rowChunk?: number;
  /**
   * Set when the reader reads the scan best tile by tile: rows × columns × every channel, aligned to
   * multiples of this shape from (0, 0), edge tiles cut short (HDF5: whole chunks, where a band of
   * whole chunk rows is too large to read at once and row blocks would inflate each chunk again and
   * again). The aggregation pass then reads tiles through readRawTile or readTile.
   */
  readonly tileShape?: { rows: number; cols: number };
  /**
   * The tile rows [row0, row0 + nRows) × columns [col0, col0 + nCols) × every channel as raw samples
   * of rawRowDType, pixel-major within the tile: index ((r − row0)·nCols + (c − col0))·C + ch.
   * NaN/Inf checked unless `checkFinite` is false. Offered with tileShape where rawRowDType is set.
   */
  readRawTile?(row0: number, nRows: number, col0: number, nCols: number, into: Uint8Array, checkFinite?: boolean): Promise<void>;
  /** The same tile as float32 into `out` (at least nRows·nCols·C values). Offered with tileShape. */
  readTile?(row0: number, nRows: number, col0: number, nCols: number, out: Float32Array): Promise<void>;
  /** The spectrum of one pixel (length C). */
  readPixel(row: number, col: number): Promise<Float32Array>;
  close(): Promise<void>;
}

export const DTYPE_BYTES: Record<DType, number> = {
  u1: 1, u2: 2, u4: 4, u8: 8, i1: 1, i2: 2, i4: 4, i8: 8, f4: 4, f8: 8,
};

export function energyOfChannel(cal: Calibration, channel: number): number {
  return cal.offsetKeV + cal.gainKeV * channel;
}

export function channelOfEnergy(cal: Calibration, energyKeV: number): number {
  return (energyKeV - cal.offsetKeV) / cal.gainKeV;
}

/** Bruker M6 default when nothing else is known: 0 keV offset, 10 eV per channel. */
export const DEFAULT_CALIBRATION: Calibration = { offsetKeV: 0, gainKeV: 0.01 };
