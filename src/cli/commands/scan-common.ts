/** Options shared by the scan commands (info, maps). */
import { numOpt, opt, type ParsedArgs } from '../args';
import type { Calibration } from '../../core/cube/cube';

/**
 * --offset-kev / --gain-kev: the calibration used when the scan file and its sidecar have none (the
 * CLI's equivalent of the extension's settings). Either may be given alone (offset 0 keV, gain
 * 0.01 keV/channel by default).
 */
export function calibrationFlags(p: ParsedArgs): Calibration | undefined {
  if (opt(p, 'offset-kev') === undefined && opt(p, 'gain-kev') === undefined) return undefined;
  const cal = { offsetKeV: numOpt(p, 'offset-kev', 0), gainKeV: numOpt(p, 'gain-kev', 0.01) };
  if (!(cal.gainKeV > 0)) throw new Error(`--gain-kev must be > 0 keV per channel, got ${cal.gainKeV}`);
  return cal;
}
