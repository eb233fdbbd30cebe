import { FILE_SPECS } from '../spec/index.js';
import { Table, type Column } from './table.js';

/** A table as plain data that a worker thread can post: typed columns move without a copy. */
export interface TableParts {
  spec: string;
  length: number;
  line: Int32Array;
  columns: [string, Column][];
}

export function toParts(t: Table): { parts: TableParts; transfer: ArrayBuffer[] } {
  const transfer = new Set<ArrayBuffer>();
  for (const data of [t.line, ...[...t.columns.values()].map((c) => c.data)]) {
    if (ArrayBuffer.isView(data)) transfer.add(data.buffer as ArrayBuffer);
  }
  return { parts: { spec: t.spec.name, length: t.length, line: t.line, columns: [...t.columns] }, transfer: [...transfer] };
}

export function fromParts(p: TableParts): Table {
  const spec = FILE_SPECS.find((s) => s.name === p.spec);
  if (!spec) throw new Error(`no file spec named ${p.spec}`);
  return new Table(spec, p.length, p.line, new Map(p.columns));
}
