export { writeSchoolLists, recipientsFrom, triageOrder, safeName, type Recipients, type WrittenList, type ListOptions } from './write-lists.js';
export { TEXT, type Lang } from './i18n.js';
export { detectAcute, type AcuteOptions } from './acute.js';
export * from './delivery/index.js';
