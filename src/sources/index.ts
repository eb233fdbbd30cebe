export { loadDistrict, locateFiles, type District, type LoadOptions, type LoadReport } from './load-district.js';
export { buildRoster, type Roster } from './roster.js';
export { writeRejects, REJECT_COLUMNS } from './write-rejects.js';
export { Table, TableBuilder, NO_DAY, NO_CODE, type Column } from './read/table.js';
export type { Reject } from './read/reject.js';
export type { FileReport } from './read/load-file.js';
export { ENCODING_ALIASES, detectEncoding, type Encoding } from './read/encoding.js';
export { CsvParser, type RecordSink } from './read/csv-parser.js';
export type { RecordReader, RecordStreamOptions, SourceFormat } from './read/records.js';
export * from './spec/index.js';
export { writeDistrictCache, readDistrictCache, districtOf, writeTable, readTable, readTableKept } from './cache.js';
export { staffMembers, type StaffMember, type StaffRole } from './staff-members.js';
export {
  pullFolder,
  sumCounts,
  isHistory,
  readManifest,
  type PullOptions,
  type PullReport,
  type Manifest,
  type PullRecord,
  type SourceCounts,
} from './history/index.js';
export { pullFrom, readSqlConfig } from './connectors/index.js';
export { recordPullFailure, pullFailures, type PullFailure } from './history/failures.js';
