import { log } from '../observability/index.js';
import { ThreadLost } from './threads.js';

export interface LaneOutcome<R> {
  /** Per item, in item order: its result, or the error it failed with. */
  results: (R | Error)[];
  /** Per item: the lane that did it (0 is this thread). */
  lane: Int32Array;
}

/**
 * Work items shared among lanes (lane 0 runs in this thread, the others hand work to worker
 * threads), each lane taking the next item as soon as it is free. An item whose thread died is
 * done again in this thread; an item that fails does not stop the others.
 */
export async function inLanes<T, R>(items: readonly T[], lanes: readonly ((item: T) => Promise<R>)[]): Promise<LaneOutcome<R>> {
  const results: (R | Error)[] = new Array(items.length);
  const lane = new Int32Array(items.length).fill(-1);
  const queue = items.map((_, i) => i);
  const run = async (k: number) => {
    for (let i = queue.shift(); i !== undefined; i = queue.shift()) {
      try {
        results[i] = await lanes[k](items[i]);
        lane[i] = k;
      } catch (e) {
        if (e instanceof ThreadLost && k > 0) {
          log.warn({ lane: k, err: e.message }, 'worker thread lost; its work is done in the main thread');
          queue.unshift(i);
          return;
        }
        results[i] = e instanceof Error ? e : new Error(String(e));
        lane[i] = k;
      }
    }
  };
  await Promise.all(lanes.map((_, k) => run(k)));
  while (queue.length > 0) await run(0);
  return { results, lane };
}
