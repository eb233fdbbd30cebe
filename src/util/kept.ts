import { stat } from 'node:fs/promises';

/**
 * What a worker reuses across the jobs of a run — the prepared tables, the roll, the model — each
 * under a key and a stamp of the files it came from: loaded again when the stamp changes, never
 * kept when loading failed, let go after a quiet spell, at most `max` at a time.
 */
export class Kept<T> {
  private readonly entries = new Map<string, { stamp: string; value: Promise<T>; timer: ReturnType<typeof setTimeout> | undefined }>();

  constructor(private readonly o: { max: number; idleMs: number }) {}

  /** `stamp` null (a file is missing): loaded, not kept, so the loader's own error is seen. */
  get(key: string, stamp: string | null, load: () => Promise<T>): Promise<T> {
    if (stamp === null) return load();
    let entry = this.entries.get(key);
    if (!entry || entry.stamp !== stamp) {
      this.forget(key);
      const mine = { stamp, value: load(), timer: undefined };
      entry = mine;
      this.entries.set(key, entry);
      if (this.entries.size > this.o.max) this.forget(this.entries.keys().next().value!);
      mine.value.catch(() => this.entries.get(key) === mine && this.forget(key));
    }
    clearTimeout(entry.timer);
    entry.timer = setTimeout(() => this.forget(key), this.o.idleMs).unref();
    return entry.value;
  }

  private forget(key: string): void {
    clearTimeout(this.entries.get(key)?.timer);
    this.entries.delete(key);
  }
}

/** Sizes and change times of files, or null if one is missing. */
export async function filesStamp(paths: readonly string[]): Promise<string | null> {
  try {
    const stats = await Promise.all(paths.map((p) => stat(p)));
    return stats.map((s) => `${s.size}:${s.mtimeMs}`).join('/');
  } catch {
    return null;
  }
}
