// Used when the extension runs without the deployment engine (e.g. it failed to start): the panel still opens,
// shows the environment and says clearly why nothing can be planned - a missing engine is a state, not a crash.

import type { Project } from '../../core/model/types';
import type { EnvView } from '../protocol';
import type { PanelBackend } from './backend';
import { envKey as keyOf } from '../../core/model/environment-ref';

export const ENGINE_UNAVAILABLE = 'The Helix Deploy engine is not available in this window, so nothing can be planned or applied. Check the "Helix Deploy" output for the reason, then reload the window.';

export function unavailableBackend(projects: () => readonly Project[]): PanelBackend {
  const fail = async (): Promise<never> => {
    throw new Error(ENGINE_UNAVAILABLE);
  };
  return {
    env(envKey): EnvView | undefined {
      for (const p of projects())
        for (const e of p.environments)
          if (keyOf(p.dir, e.name) === envKey)
            return { key: envKey, project: p.name, name: e.name, kind: e.kind, protected: !!e.protected, canRollback: false, hasContainerLogs: false };
      return undefined;
    },
    current: () => undefined,
    health: () => undefined,
    subscribe: () => ({ dispose() {} }),
    plan: fail,
    approve: fail,
    cancel: fail,
    discard: fail,
  };
}
