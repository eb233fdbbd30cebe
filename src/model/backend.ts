import * as tf from '@tensorflow/tfjs';
import { log } from '../observability/index.js';

let ready: Promise<string> | undefined;

/**
 * Picks the fastest TensorFlow.js backend this machine has: native libtensorflow where the
 * optional `tfjs-node-native` package installed, else WebAssembly, else plain JavaScript.
 * `EWS_TF_BACKEND` forces one. Logs which one runs.
 */
export function initTf(): Promise<string> {
  ready ??= choose();
  return ready;
}

async function choose(): Promise<string> {
  const forced = process.env.EWS_TF_BACKEND;
  const tries: [string, () => Promise<unknown>][] = [
    ['tensorflow', () => import(/* optional */ 'tfjs-node-native' as string)],
    ['wasm', () => import('@tensorflow/tfjs-backend-wasm')],
    ['cpu', async () => undefined],
  ];
  for (const [name, load] of tries) {
    if (forced && forced !== name) continue;
    try {
      await load();
      if (await tf.setBackend(name)) {
        await tf.ready();
        log.info({ backend: name }, 'tensorflow backend');
        return name;
      }
    } catch (e) {
      log.debug({ backend: name, err: (e as Error).message }, 'tensorflow backend unavailable');
    }
  }
  throw new Error(`no TensorFlow.js backend could start${forced ? ` (EWS_TF_BACKEND=${forced})` : ''}`);
}

export { tf };
