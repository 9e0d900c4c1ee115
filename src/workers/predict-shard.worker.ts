/**
 * A prediction helper thread (see src/core/ml/predict.ts): loads the model folder once on the
 * coordinator's backend, then for every pixel range it is sent returns the maps (counts), computed by
 * the same predictSpectra as the coordinator's own range, with the result's buffer transferred.
 */
import { parentPort, workerData } from 'node:worker_threads';
import { initBackend, type BackendPref } from '../core/ml/backend';
import { loadModelDir } from '../core/ml/model-dir';
import { predictSpectra, type PredictShardInit, type PredictShardReply, type PredictShardRequest } from '../core/ml/predict';
import type { HelperMessage } from '../core/ml/helper-pool';

const port = parentPort!;
const init = workerData as PredictShardInit;
const message = (e: unknown) => (e instanceof Error ? e.message : String(e));

async function main(): Promise<void> {
  const { tf } = await initBackend(init.backend as BackendPref);
  const loaded = await loadModelDir(tf, init.modelDir);
  port.on('message', (req: PredictShardRequest) => {
    try {
      const y = predictSpectra(tf, loaded, req.x, req.n);
      port.postMessage({ type: 'reply', reply: { y } } satisfies HelperMessage<PredictShardReply>, [y.buffer as ArrayBuffer]);
    } catch (e) {
      port.postMessage({ type: 'error', message: message(e) } satisfies HelperMessage<PredictShardReply>);
    }
  });
  port.postMessage({ type: 'ready' } satisfies HelperMessage<PredictShardReply>);
}

main().catch((e: unknown) => port.postMessage({ type: 'error', message: message(e) } satisfies HelperMessage<PredictShardReply>));
