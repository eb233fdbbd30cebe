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
  const transfer = new Set<ArrayBuffer>([t.line.buffer as ArrayBuffer]);
  for (const c of t.columns.values()) if (ArrayBuffer.isView(c.data)) transfer.add(c.data.buffer as ArrayBuffer);
  return { parts: { spec: t.spec.name, length: t.length, line: t.line, columns: [...t.columns] }, transfer: [...transfer] };
}

export function fromParts(p: TableParts): Table {
  const spec = FILE_SPECS.find((s) => s.name === p.spec);
  if (!spec) throw new Error(`no file spec named ${p.spec}`);
  return new Table(spec, p.length, p.line, new Map(p.columns));
}
