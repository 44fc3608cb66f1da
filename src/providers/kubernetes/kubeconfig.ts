import { messageOf } from '../../core/errors';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { KubeConfig } from '@kubernetes/client-node';

// Finds and loads kubeconfig the way kubectl does: an explicit path, else every file in KUBECONFIG (merged,
// first wins), else ~/.kube/config. A missing or broken kubeconfig is a state with a message, never a throw.

export interface KubeContextInfo {
  name: string;
  cluster: string;
  server?: string;
  user: string;
  namespace?: string;
  current: boolean;
}

export type KubeAccess =
  | { state: 'ok'; config: KubeConfig; files: string[]; contexts: KubeContextInfo[]; current: string }
  | { state: 'missing' | 'invalid'; files: string[]; message: string };

export interface KubeconfigOptions {
  /** Explicit kubeconfig (environment's `kubeconfig` or the `helix.kubernetes.kubeconfig` setting). */
  file?: string;
  env?: NodeJS.ProcessEnv;
  home?: string;
}

export function kubeconfigFiles(o: KubeconfigOptions = {}): string[] {
  if (o.file) return [o.file];
  const env = o.env ?? process.env;
  if (env.KUBECONFIG) return env.KUBECONFIG.split(path.delimiter).filter(Boolean);
  return [path.join(o.home ?? os.homedir(), '.kube', 'config')];
}

export function loadKubeconfig(o: KubeconfigOptions = {}): KubeAccess {
  const files = kubeconfigFiles(o);
  const existing = files.filter((f) => fs.existsSync(f));
  if (!existing.length) {
    return {
      state: 'missing',
      files,
      message: `No kubeconfig found (looked in ${files.join(', ')}). Set KUBECONFIG, create ~/.kube/config, or set "kubeconfig" on the environment.`,
    };
  }
  const config = new KubeConfig();
  try {
    // Merge like kubectl: the first file that defines a name wins; current-context from the first that sets one.
    const [firstFile, ...rest] = existing;
    config.loadFromFile(firstFile);
    for (const f of rest) {
      const more = new KubeConfig();
      more.loadFromFile(f);
      config.mergeConfig(more, true);
      if (!config.getCurrentContext() && more.getCurrentContext()) config.setCurrentContext(more.getCurrentContext());
    }
  } catch (err) {
    return {
      state: 'invalid',
      files: existing,
      message: `Cannot read kubeconfig ${existing.join(', ')}: ${messageOf(err)}`,
    };
  }
  const current = config.getCurrentContext();
  const contexts = config.getContexts().map((c) => ({
    name: c.name,
    cluster: c.cluster,
    server: config.getCluster(c.cluster)?.server,
    user: c.user,
    namespace: c.namespace,
    current: c.name === current,
  }));
  if (!contexts.length)
    return { state: 'invalid', files: existing, message: `kubeconfig ${existing.join(', ')} defines no contexts` };
  return { state: 'ok', config, files: existing, contexts, current };
}

/** A KubeConfig switched to `context` (the loaded one is left alone: several environments share it). */
export function forContext(access: Extract<KubeAccess, { state: 'ok' }>, context: string | undefined): KubeConfig {
  const name = context ?? access.current;
  if (!access.contexts.some((c) => c.name === name)) {
    throw new Error(
      `kubeconfig has no context "${name}" (known: ${access.contexts.map((c) => c.name).join(', ') || 'none'})`,
    );
  }
  const kc = new KubeConfig();
  kc.loadFromString(access.config.exportConfig());
  kc.setCurrentContext(name);
  return kc;
}
