import * as path from 'node:path';
import type { Environment } from '../model/types';
import { HelixError, type HelixErrorOptions } from '../errors';

// A `kubernetes` environment from helix.deploy.toml:
//   kubernetes = { context = "prod", namespace = "helix", manifests = "deploy/k8s", image = "ghcr.io/acme/helixdb:1.2" }

export interface KubernetesSettings {
  environment: string;
  /** kubeconfig context; undefined = the current context. */
  context?: string;
  namespace: string;
  /** Absolute path of a folder of YAML manifests or a kustomization. */
  manifests: string;
  /** Image rolled out (replaces `${image}` in the manifests); may come from the environment's build. */
  image?: string;
  /** Optional explicit kubeconfig path (else KUBECONFIG / ~/.kube/config, as kubectl does). */
  kubeconfig?: string;
}

export class KubernetesSettingsError extends HelixError {
  constructor(message: string, options?: HelixErrorOptions) {
    super('config', message, options);
  }
}

/** Reads the environment's `kubernetes` table; errors name the key to fix. */
export function kubernetesSettings(env: Environment, projectDir: string): KubernetesSettings {
  const raw = (env.settings.kubernetes ?? env.settings) as Record<string, unknown>;
  const where = `[environments.${env.name}].kubernetes`;
  const str = (k: string) =>
    typeof raw[k] === 'string' && (raw[k] as string).trim() ? (raw[k] as string).trim() : undefined;
  const manifests = str('manifests');
  if (!manifests)
    throw new KubernetesSettingsError(
      `${where}: "manifests" is required (a folder of Kubernetes YAML, e.g. manifests = "deploy/k8s")`,
    );
  const image = str('image') ?? (env.image ? (env.tag ? `${env.image}:${env.tag}` : env.image) : undefined);
  return {
    environment: env.name,
    context: str('context'),
    namespace: str('namespace') ?? 'default',
    manifests: path.resolve(projectDir, manifests),
    image,
    kubeconfig: str('kubeconfig') ? path.resolve(projectDir, str('kubeconfig')!) : undefined,
  };
}

/**
 * What the engine passes to the provider for this environment (PlanRequest.dir / .vars / .workspace):
 * dir = the manifests folder, vars = KubernetesVars of src/providers/kubernetes/provider.ts.
 */
export function kubernetesRequest(
  t: KubernetesSettings,
  extra: { rollback?: string } = {},
): { dir: string; vars: Record<string, unknown>; workspace?: string } {
  return {
    dir: t.manifests,
    vars: {
      context: t.context,
      namespace: t.namespace,
      environment: t.environment,
      image: t.image,
      kubeconfig: t.kubeconfig,
      ...(extra.rollback ? { rollback: extra.rollback } : {}),
    },
    workspace: t.context,
  };
}
