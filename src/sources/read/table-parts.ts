import { FILE_SPECS } from '../spec/index.js';
import { Table, type Column } from './table.js';

/**
 * A table as plain data that can be posted to another thread: columns in shared memory are
 * shared, other typed columns move (transferred, not copied), strings are copied.
 */
export interface TableParts {
  spec: string;
  length: number;
  line: Int32Array;
  columns: [string, Column][];
}

/** `move`: the caller gives its unshared columns up to the receiver (they are then unusable here). */
export function toParts(t: Table, move = true): { parts: TableParts; transfer: ArrayBuffer[] } {
  const transfer = new Set<ArrayBuffer>();
  for (const data of [t.line, ...[...t.columns.values()].map((c) => c.data)]) {
    if (move && ArrayBuffer.isView(data) && data.buffer instanceof ArrayBuffer) transfer.add(data.buffer);
  }
  return { parts: { spec: t.spec.name, length: t.length, line: t.line, columns: [...t.columns] }, transfer: [...transfer] };
}

export function fromParts(p: TableParts): Table {
  const spec = FILE_SPECS.find((s) => s.name === p.spec);
  if (!spec) throw new Error(`no file spec named ${p.spec}`);
  return new Table(spec, p.length, p.line, new Map(p.columns));
}
