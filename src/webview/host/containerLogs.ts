import { LogFollower } from '../../core/logs/follower';
import type { ContainerEngine } from '../../core/local/engine';
import type { Disposable } from '../../core/engine/emitter';
import type { LogLine } from '../protocol';

/**
 * Follows a local environment's container for the panel: lines arrive in batches of the protocol's shape,
 * across restarts and re-creations (the follower reattaches), until disposed.
 */
export function followContainerLogs(
  engine: ContainerEngine,
  container: string,
  onLines: (lines: LogLine[]) => void,
  onStopped: (err: unknown) => void,
): Disposable {
  const follower = new LogFollower(engine, container, { tail: 500 });
  const sub = follower.onLine((l) => onLines([{ t: l.at, text: l.text, err: l.stream === 'stderr' }]));
  void follower.start().catch(onStopped);
  return { dispose: () => (sub.dispose(), follower.dispose()) };
}
