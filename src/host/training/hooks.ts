/**
 * A seam for other features: before "Train FCN" & co. ask the user for scans, each registered hook
 * may claim the command (e.g. the experiments feature runs the active `*.xrfmaps.json` config
 * instead) by resolving true. No `vscode` here.
 *
 *   context.subscriptions.push(addTrainCommandHook(async (arch) => isConfigActive() && (await runConfig(arch), true)));
 */
import type { ModelArch } from '../../core/ml/models';

export type TrainCommandHook = (arch: ModelArch) => boolean | Promise<boolean>;

const hooks: TrainCommandHook[] = [];

export function addTrainCommandHook(hook: TrainCommandHook): { dispose(): void } {
  hooks.push(hook);
  return {
    dispose() {
      const i = hooks.indexOf(hook);
      if (i >= 0) hooks.splice(i, 1);
    },
  };
}

/** True when a hook handled the command (the first that claims it wins). */
export async function trainCommandClaimed(arch: ModelArch): Promise<boolean> {
  for (const h of [...hooks]) if (await h(arch)) return true;
  return false;
}
