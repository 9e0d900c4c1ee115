/** Experiments as config files (`*.xrfmaps.json`): load and check, plan folds, run, summarize. */
export * from './config';
export { parseExperimentConfig, checkExperimentFiles, resolveExperiment, loadExperiment, formatProblems, defaultInspector } from './validate';
export type { ConfigProblem, ProblemKind, ParsedConfig, FileInspector, LoadedExperiment } from './validate';
export { planFolds, type Fold } from './folds';
export * from './run-folder';
export * from './record';
export { summaryMarkdown, summaryJson, zShareTable } from './summary';
export { lineFiguresOf, formatLineFigures, flagLines, pickModel, type LineFigures, type RunLineFigures, type FlaggedLine } from './line-figures';
export { parseJsonTree, findNode, findProperty, lineColumnOf, type JsonNode, type JsonTree } from './json-tree';
