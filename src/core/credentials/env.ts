import type { CredentialSource } from './types';
import type { RegistryCredential } from '../push/types';

// Registry credentials from the process environment, for CI: HELIX_REGISTRY_USERNAME and
// HELIX_REGISTRY_PASSWORD (the password is a secret: callers register it for redaction via onCredential).

export class EnvCredentials implements CredentialSource {
  readonly name = 'environment (HELIX_REGISTRY_USERNAME / HELIX_REGISTRY_PASSWORD)';

  constructor(private readonly env: NodeJS.ProcessEnv = process.env) {}

  async get(): Promise<RegistryCredential | undefined> {
    const username = this.env.HELIX_REGISTRY_USERNAME;
    const secret = this.env.HELIX_REGISTRY_PASSWORD;
    return username && secret ? { username, secret, source: 'environment' } : undefined;
  }
}
