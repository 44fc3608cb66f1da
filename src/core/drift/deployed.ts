import * as path from 'node:path';
import type { RunStore } from '../engine/records';
import { imageOf, type DeployImage } from '../engine/image';

// What drift is measured against needs the image that is deployed now, not the one pushed last: a push
// that was never applied is a pending change, not drift.

/** The image of the environment's latest apply or rollback that reached the system (Applied or Unhealthy). */
export function lastDeployedImage(journal: Pick<RunStore, 'list'>, project: string, environment: string, projectDir?: string): DeployImage | undefined {
  for (const run of journal.list({ project, projectDir: projectDir === undefined ? undefined : path.resolve(projectDir), environment, kind: ['apply', 'rollback'] })) {
    if (run.state !== 'Applied' && run.state !== 'Unhealthy') continue;
    return imageOf(run);
  }
  return undefined;
}
