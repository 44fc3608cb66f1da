import type { CredentialSource } from '../../core/credentials/types';
import type { RegistryCredential } from '../../core/push/types';

/** Fly's registry takes any user name with the API token as password (what `flyctl auth docker` stores). */
export class FlyRegistryCredentials implements CredentialSource {
  readonly name = 'Fly.io API token';
  constructor(private readonly token: () => Promise<string | undefined>) {}
  async get(): Promise<RegistryCredential | undefined> {
    const t = await this.token();
    return t ? { username: 'x', secret: t, source: this.name } : undefined;
  }
}
