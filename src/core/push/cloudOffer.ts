import { GENERATION_TABLE, generationLabel } from '../config/generation';
import type { Environment, Project } from '../model/types';

// What a Helix Cloud / enterprise environment offers, by what its CLI generation does: v2 `[cloud.<n>.helix]`
// and CLI 3.0-3.1 `[enterprise.<n>] cluster_id` deploy (`helix push`); after the Cloud move `[enterprise.<n>] database`
// has no deploy in the CLI ("Cloud database lifecycle is managed through the Helix control plane"), so the
// environment offers the control plane, the docs, and the health of the instance when its URL is known.

export const CONTROL_PLANE_QUOTE = 'Cloud database lifecycle is managed through the Helix control plane';
export const HELIX_CLOUD_DOCS = 'https://docs.helix-db.com';

export type CloudOffer =
  | { kind: 'deploy'; via: 'helix-cloud' | 'enterprise-cluster' }
  | { kind: 'control-plane'; message: string; controlPlaneUrl: string; docsUrl: string; healthUrl?: string };

/** A `database = ...` environment, or any enterprise environment of a generation without a cloud deploy. */
export function managedByControlPlane(project: Pick<Project, 'generation'>, env: Environment): boolean {
  if (env.kind !== 'enterprise') return false;
  return typeof env.settings.database === 'string' || !GENERATION_TABLE[project.generation].cloudDeploy;
}

export interface CloudOfferOptions {
  /** Helix Cloud address (the helixCloud.url setting or CLOUD_AUTHORITY). */
  cloudUrl: string;
  /** Where the instance answers, when known (an earlier deploy's URL). */
  knownUrl?: string;
}

export function cloudOffer(project: Project, env: Environment, o: CloudOfferOptions): CloudOffer | undefined {
  if (env.kind === 'helix-cloud') return { kind: 'deploy', via: 'helix-cloud' };
  if (env.kind !== 'enterprise') return undefined;
  if (!managedByControlPlane(project, env)) return { kind: 'deploy', via: 'enterprise-cluster' };
  const db = typeof env.settings.database === 'string' ? ` (${env.settings.database})` : '';
  const gateway =
    typeof env.settings.gateway_url === 'string' && /^https?:\/\//.test(env.settings.gateway_url)
      ? env.settings.gateway_url
      : undefined;
  const healthUrl = o.knownUrl ?? gateway;
  return {
    kind: 'control-plane',
    message: `"${env.name}" is a Helix Cloud database${db}. The helix CLI (${generationLabel(project.generation)}) has no deploy for it: "${CONTROL_PLANE_QUOTE}". Deploy and manage it there.`,
    controlPlaneUrl: o.cloudUrl.replace(/\/+$/, ''),
    docsUrl: HELIX_CLOUD_DOCS,
    ...(healthUrl ? { healthUrl } : {}),
  };
}
