import * as path from 'node:path';
import type { RunRecord, RunStore } from '../engine/records';
import { imageOf, type DeployImage } from '../engine/image';
import { rollbackTarget } from '../engine/rollback';

// What drift is measured against needs the image that is deployed now, not the one pushed last: a push
// that was never applied is a pending change, not drift.

/** The environment's latest deployment that reached the system (Applied or Unhealthy; an editor's plan run applies itself). */
export function lastDeployment(
  journal: Pick<RunStore, 'list'>,
  project: string,
  environment: string,
  projectDir?: string,
): RunRecord | undefined {
  return rollbackTarget(journal, project, environment, projectDir === undefined ? undefined : path.resolve(projectDir))
    .current;
}

/** The image of that deployment (by digest), when it recorded one. */
export function lastDeployedImage(
  journal: Pick<RunStore, 'list'>,
  project: string,
  environment: string,
  projectDir?: string,
): DeployImage | undefined {
  return imageOf(lastDeployment(journal, project, environment, projectDir));
}
