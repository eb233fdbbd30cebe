/**
 * Each distinct string of an array → the first position it is at. Remembered per array: the
 * roll's million ids are hashed once, for the repeat check and then for the roster, not twice.
 */
const indexed = new WeakMap<readonly string[], ReadonlyMap<string, number>>();

/** `firstOf`, when given, receives each element's first position in the same pass. */
export function firstIndexOf(strings: readonly string[], firstOf?: Float64Array): ReadonlyMap<string, number> {
  let index = indexed.get(strings);
  if (index && firstOf) for (let i = 0; i < strings.length; i++) firstOf[i] = index.get(strings[i])!;
  if (!index) {
    const m = new Map<string, number>();
    for (let i = 0; i < strings.length; i++) {
      let first = m.get(strings[i]);
      if (first === undefined) m.set(strings[i], (first = i));
      if (firstOf) firstOf[i] = first;
    }
    indexed.set(strings, (index = m));
  }
  return index;
}
