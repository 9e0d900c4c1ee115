/** Shared by `xrfmaps experiment` and `xrfmaps demo`: re-exports and the terminal progress lines. */
export { loadExperiment } from '../../core/experiment/validate';
export { parseModelName, EXPERIMENT_MODELS } from '../../core/experiment/config';
export { SUMMARY_MD } from '../../core/experiment/run-folder';
export type { ModelArch as ModelArchName } from '../../core/ml/models';

/** Progress on the terminal: each line stamped with the minutes and seconds since the start. */
export function progressPrinter(stream: NodeJS.WriteStream = process.stderr): { line(s: string): void; elapsed(): number } {
  const t0 = Date.now();
  const stamp = () => {
    const s = Math.floor((Date.now() - t0) / 1000);
    return `${String(Math.floor(s / 60)).padStart(2, '0')}:${String(s % 60).padStart(2, '0')}`;
  };
  return {
    line: (s) => stream.write(`[${stamp()}] ${s}\n`),
    elapsed: () => (Date.now() - t0) / 1000,
  };
}
