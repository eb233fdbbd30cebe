import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parseDay, type Day } from '../../dates/index.js';
import { EwsError } from '../../errors/index.js';
import { pullsKnownOn, readManifest, seqName } from './manifest.js';

/** One source as a history holds it at a point in time: the pulls' files and which of their rows later pulls replaced. */
export interface SourceView {
  /** Files in pull order, each with its pull's number and the day its rows count as first seen. */
  parts: { seq: number; path: string; seenOn: Day }[];
  /** Per pull that kept rows, the places (ord) of its rows a later pull (known by then) replaced. */
  replaced: Map<number, Set<number>>;
}

/** A history's sources as known on `knownOn` (as known now without it); a source never pulled is absent. */
export function historyView(dir: string, knownOn?: Day, throughPull?: number): Map<string, SourceView> {
  const manifest = readManifest(dir);
  const view = new Map<string, SourceView>();
  for (const pull of pullsKnownOn(manifest, knownOn, throughPull)) {
    for (const [source, counts] of Object.entries(pull.sources)) {
      let v = view.get(source);
      if (!v) view.set(source, (v = { parts: [], replaced: new Map() }));
      if (counts.new + counts.changed > 0) v.parts.push({ seq: pull.seq, path: join(dir, source, `${seqName(pull.seq)}.tbl`), seenOn: parseDay(pull.seen_on) });
      if (counts.changed + (counts.withdrawn ?? 0) > 0) {
        const pairs = readPairs(join(dir, '.superseded', source, `${seqName(pull.seq)}.u32`));
        for (let k = 0; k < pairs.length; k += 2) {
          let set = v.replaced.get(pairs[k]);
          if (!set) v.replaced.set(pairs[k], (set = new Set()));
          set.add(pairs[k + 1]);
        }
      }
    }
  }
  for (const v of view.values()) {
    for (const p of v.parts) {
      if (!existsSync(p.path)) throw new EwsError('EWS_HISTORY_DAMAGED', `history ${dir}: ${p.path} is listed in its manifest but missing`);
    }
  }
  return view;
}

function readPairs(path: string): Uint32Array {
  if (!existsSync(path)) throw new EwsError('EWS_HISTORY_DAMAGED', `${path} is listed in its history's manifest but missing`);
  const b = readFileSync(path);
  return new Uint32Array(b.buffer.slice(b.byteOffset, b.byteOffset + b.byteLength));
}
