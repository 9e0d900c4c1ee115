/**
 * A training helper thread (see src/core/ml/parallel-train.ts): builds its own copy of the model
 * from the coordinator's spec on the coordinator's backend, then for every shard it is sent: loads
 * the coordinator's current weights from the shared buffer, computes the shard's gradients and
 * writes them into its own shared buffer, and replies with the shard's two losses; or, for a
 * validation shard, replies with its loss only.
 */
import { parentPort, workerData } from 'node:worker_threads';
import { initBackend, type BackendPref } from '../core/ml/backend';
import { buildModel } from '../core/ml/models';
import { flatLayout, shardGradients, shardLoss, trainableVariables } from '../core/ml/train-step';
import type { HelperMessage } from '../core/ml/helper-pool';
import type { TrainShardInit, TrainShardReply, TrainShardRequest } from '../core/ml/parallel-train';

const port = parentPort!;
const init = workerData as TrainShardInit;
const send = (m: HelperMessage<TrainShardReply>) => port.postMessage(m);
const message = (e: unknown) => (e instanceof Error ? e.message : String(e));

async function main(): Promise<void> {
  const { tf } = await initBackend(init.backend as BackendPref);
  const model = buildModel(tf, init.spec);
  const vars = trainableVariables(model);
  const { total, offsets, sizes } = flatLayout(vars);
  const weights = new Float32Array(init.weights);
  const grads = new Float32Array(init.grads);
  if (weights.length !== total || grads.length !== total) throw new Error(`the model has ${total} trainable weights, the shared buffers ${weights.length} and ${grads.length}`);
  const scale = tf.tensor1d(init.targetScale);
  let steps = 0;

  port.on('message', (req: TrainShardRequest) => {
    try {
      steps++;
      if (init.failAtStep === steps) throw new Error(`fault injected at step ${steps} (test)`);
      // slice(): the cpu backend keeps the array it is given, and the shared one changes every step.
      tf.tidy(() => vars.forEach((v, j) => v.assign(tf.tensor(weights.slice(offsets[j], offsets[j] + sizes[j]), v.shape))));
      if (req.kind === 'loss') {
        const loss = shardLoss(tf, model, req.x, req.y, req.n, scale);
        send({ type: 'reply', reply: { reported: loss, objective: loss } });
        return;
      }
      const r = shardGradients(tf, model, vars, req.x, req.y, req.n, scale, req.seed);
      try {
        r.grads.forEach((g, j) => grads.set(g.dataSync() as Float32Array, offsets[j]));
      } finally {
        tf.dispose(r.grads);
      }
      send({ type: 'reply', reply: { reported: r.reported, objective: r.objective } });
    } catch (e) {
      send({ type: 'error', message: message(e) });
    }
  });
  send({ type: 'ready' });
}

main().catch((e: unknown) => send({ type: 'error', message: message(e) }));
