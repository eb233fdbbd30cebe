export { missing, type Handoff, type IngestSummary, type SourceCheck } from './handoff.js';
export { MemoryHandoff } from './memory.js';
export { FolderHandoff, runFolder } from './folder.js';
