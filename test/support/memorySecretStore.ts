import type { SecretStore } from '../../src/core/credentials/types';

/** A SecretStore in memory, standing in for VS Code's SecretStorage; `values` shows what was stored. */
export class MemorySecretStore implements SecretStore {
  readonly values = new Map<string, string>();
  async get(key: string) {
    return this.values.get(key);
  }
  async store(key: string, value: string) {
    this.values.set(key, value);
  }
  async delete(key: string) {
    this.values.delete(key);
  }
}
