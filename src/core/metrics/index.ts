/** Metrics of predicted maps against ground truth (thesis §4.5); definitions in docs/metrics.md. */
export { evaluate, evaluateDetailed } from './evaluate';
export type { EvaluationReport, LineMetrics, SummaryMetrics, EvaluateOptions } from './evaluate';
export { reportToMarkdown, reportToCsv } from './report';
export type { ReportInput } from './report';
export { ssim, ssimWindowFor, referenceRange, referenceRangeOf, SsimWorkspace, SSIM_K1, SSIM_K2, SSIM_DEFAULT_WINDOW } from './ssim';
export { pearson, slopeThroughOrigin, populationStd, pairStats, zScores, sharesOf } from './pointwise';
export type { ZShares, ZCounts, PairStats } from './pointwise';
