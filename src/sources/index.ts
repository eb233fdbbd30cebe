export { loadDistrict, locateFiles, type District, type LoadOptions, type LoadReport } from './load-district.js';
export { buildRoster, type Roster } from './roster.js';
export { writeRejects, REJECT_COLUMNS } from './write-rejects.js';
export { Table, NO_DAY, NO_CODE, type Column } from './read/table.js';
export type { Reject } from './read/reject.js';
export type { FileReport } from './read/load-file.js';
export { ENCODING_ALIASES, detectEncoding, type Encoding } from './read/encoding.js';
export { CsvParser } from './read/csv-parser.js';
export * from './spec/index.js';
