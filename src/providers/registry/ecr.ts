import { ECRClient, GetAuthorizationTokenCommand } from '@aws-sdk/client-ecr';
import type { CredentialSource } from '../../core/credentials/types';
import type { RegistryCredential } from '../../core/push/types';

// ECR logins are 12-hour tokens from the ECR API (`aws ecr get-login-password` does the same call).
// The AWS SDK finds the user's credentials itself: env, ~/.aws profiles, SSO, instance roles.

export interface EcrOptions {
  region: string;
  /** An AWS profile from ~/.aws/config (SSO profiles included); default: the SDK's default chain. */
  profile?: string;
  /** The ECR API endpoint when not the region's public one (a VPC or FIPS endpoint, a local stand-in). */
  endpoint?: string;
  credentials?: { accessKeyId: string; secretAccessKey: string; sessionToken?: string };
  /** Fetch a new token this long before the current one expires (default 5 minutes). */
  refreshMarginMs?: number;
  now?: () => number;
}

export class EcrCredentials implements CredentialSource {
  readonly name = 'ECR authorization token';
  private readonly client: ECRClient;
  private cached: (RegistryCredential & { proxyEndpoint?: string }) | undefined;

  constructor(private readonly options: EcrOptions) {
    this.client = new ECRClient({
      region: options.region,
      profile: options.profile,
      endpoint: options.endpoint,
      credentials: options.credentials,
      maxAttempts: 3,
    });
  }

  async get(_registry: string, signal?: AbortSignal): Promise<RegistryCredential | undefined> {
    const now = this.options.now?.() ?? Date.now();
    const margin = this.options.refreshMarginMs ?? 5 * 60_000;
    if (this.cached?.expiresAt && this.cached.expiresAt.getTime() - margin > now) return this.cached;
    this.cached = await this.fetch(signal);
    return this.cached;
  }

  /** The account's registry host (`<account>.dkr.ecr.<region>.amazonaws.com`), for v2 ECR instances without registry_url. */
  async registryHost(signal?: AbortSignal): Promise<string | undefined> {
    await this.get('', signal);
    return this.cached?.proxyEndpoint?.replace(/^https?:\/\//, '').replace(/\/+$/, '');
  }

  async invalidate(): Promise<void> {
    this.cached = undefined;
  }

  dispose(): void {
    this.client.destroy();
  }

  private async fetch(signal?: AbortSignal) {
    let out;
    try {
      out = await this.client.send(new GetAuthorizationTokenCommand({}), { abortSignal: signal });
    } catch (err) {
      const e = err as { name?: string; message?: string };
      // SDK errors carry no secrets; keep the name, which is what users search for.
      throw new Error(
        `Could not get an ECR login token in ${this.options.region}${this.options.profile ? ` (profile ${this.options.profile})` : ''}: ${e.name ?? 'Error'}: ${e.message ?? ''}. Check your AWS credentials (aws sso login / aws configure).`,
      );
    }
    const data = out.authorizationData?.[0];
    if (!data?.authorizationToken) throw new Error('The ECR API returned no authorization token');
    const decoded = Buffer.from(data.authorizationToken, 'base64').toString('utf8');
    const colon = decoded.indexOf(':');
    return {
      username: decoded.slice(0, colon),
      secret: decoded.slice(colon + 1),
      source: this.name,
      expiresAt: data.expiresAt,
      proxyEndpoint: data.proxyEndpoint,
    };
  }
}
