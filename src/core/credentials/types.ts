import type { RegistryCredential } from '../push/types';

// Interfaces only: where registry credentials and API keys come from. Implementations live with the
// system they talk to (docker config / helpers and ECR in providers/registry, SecretStorage in commands/push).

/** A key/value store for secrets (VS Code SecretStorage in the extension). */
export interface SecretStore {
  get(key: string): Promise<string | undefined>;
  store(key: string, value: string): Promise<void>;
  delete(key: string): Promise<void>;
}

/** One place credentials for a registry may come from. */
export interface CredentialSource {
  /** Shown in messages: "docker config", "credential helper pass", "secret storage"... */
  readonly name: string;
  /** The credential for `registry` (host[:port]), or undefined when this source has none. */
  get(registry: string, signal?: AbortSignal): Promise<RegistryCredential | undefined>;
  /** Drops a cached value after the registry refused it; the next get() fetches a fresh one. */
  invalidate?(registry: string): Promise<void>;
}

/** Asks the user once (input box in VS Code); undefined when they dismiss. */
export type CredentialPrompt = (
  registry: string,
  reason: 'missing' | 'rejected',
) => Promise<{ username: string; secret: string } | undefined>;

/** Secret storage keys. One place so sign-out deletes exactly what sign-in stored. */
export const secretKeys = {
  registry: (host: string) => `helix-deploy.registry/${host.toLowerCase()}`,
  helixApiKey: 'helix-deploy.helix-cloud/api-key',
  flyApiToken: 'helix-deploy.fly/api-token',
};
