export { pullFolder, sumCounts, type PullOptions, type PullReport } from './pull.js';
export { isHistory, readManifest, type Manifest, type PullRecord, type SourceCounts } from './manifest.js';
