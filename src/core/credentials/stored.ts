import type { RegistryCredential } from '../push/types';
import { secretKeys, type CredentialPrompt, type CredentialSource, type SecretStore } from './types';

/**
 * Credentials the user typed: kept in the SecretStore (never settings or files), asked for once.
 * `get` prompts only when nothing is stored; after a rejection `invalidate` deletes the value so the
 * next attempt prompts again (the re-login flow).
 */
export class StoredCredentials implements CredentialSource {
  readonly name = 'secret storage';
  /** Registries whose stored credential was refused: the next prompt says so. */
  private readonly rejected = new Set<string>();

  constructor(
    private readonly store: SecretStore,
    private readonly prompt?: CredentialPrompt,
  ) {}

  async get(registry: string): Promise<RegistryCredential | undefined> {
    const raw = await this.store.get(secretKeys.registry(registry));
    if (raw) {
      try {
        const v = JSON.parse(raw) as { username: string; secret: string };
        return { username: v.username, secret: v.secret, source: this.name };
      } catch {
        await this.store.delete(secretKeys.registry(registry));
      }
    }
    const reason = this.rejected.delete(registry) ? 'rejected' : 'missing';
    return this.ask(registry, reason);
  }

  /** Prompts (again) and stores the answer; used for the re-login after a 401/403. */
  async ask(registry: string, reason: 'missing' | 'rejected'): Promise<RegistryCredential | undefined> {
    const answer = await this.prompt?.(registry, reason);
    if (!answer) return undefined;
    await this.save(registry, answer.username, answer.secret);
    return { ...answer, source: this.name };
  }

  save(registry: string, username: string, secret: string): Promise<void> {
    return this.store.store(secretKeys.registry(registry), JSON.stringify({ username, secret }));
  }

  async invalidate(registry: string): Promise<void> {
    this.rejected.add(registry);
    await this.store.delete(secretKeys.registry(registry));
  }
}

/** Tries sources in order; the first that has a credential wins. */
export class CredentialChain implements CredentialSource {
  readonly name = 'credential chain';
  private readonly used = new Map<string, CredentialSource>();

  constructor(private readonly sources: CredentialSource[]) {}

  async get(registry: string, signal?: AbortSignal): Promise<RegistryCredential | undefined> {
    for (const s of this.sources) {
      const c = await s.get(registry, signal);
      if (c) {
        this.used.set(registry, s);
        return c;
      }
    }
    return undefined;
  }

  /** Invalidates only the source that supplied the refused credential. */
  async invalidate(registry: string): Promise<void> {
    await this.used.get(registry)?.invalidate?.(registry);
    this.used.delete(registry);
  }
}
