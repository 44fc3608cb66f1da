import * as vscode from 'vscode';
import { StoredCredentials } from '../../core/credentials/stored';
import { secretKeys, type CredentialPrompt, type SecretStore } from '../../core/credentials/types';

// VS Code's SecretStorage behind the core SecretStore interface, plus the prompts that fill it.
// Secrets live only there (OS keychain); the list of registry hosts signed in (not secret) is kept in
// globalState so Sign Out can offer them.

const HOSTS_KEY = 'helixDeploy.push.signedInRegistries';

export class VsSecretStore implements SecretStore {
  constructor(private readonly secrets: vscode.SecretStorage) {}
  get(key: string) {
    return Promise.resolve(this.secrets.get(key));
  }
  store(key: string, value: string) {
    return Promise.resolve(this.secrets.store(key, value));
  }
  delete(key: string) {
    return Promise.resolve(this.secrets.delete(key));
  }
}

export class PushSecrets {
  readonly store: VsSecretStore;
  readonly registries: StoredCredentials;

  constructor(private readonly context: vscode.ExtensionContext) {
    this.store = new VsSecretStore(context.secrets);
    this.registries = new StoredCredentials(this.store, this.prompt);
  }

  /** Asks for user name and password/token of a registry (re-login says why). */
  readonly prompt: CredentialPrompt = async (registry, reason) => {
    const username = await vscode.window.showInputBox({
      title: `Sign in to ${registry}`,
      prompt: reason === 'rejected' ? `${registry} refused the saved credentials. User name:` : 'User name',
      ignoreFocusOut: true,
    });
    if (!username) return undefined;
    const secret = await vscode.window.showInputBox({
      title: `Sign in to ${registry}`,
      prompt: 'Password or access token (kept in VS Code secret storage)',
      password: true,
      ignoreFocusOut: true,
    });
    if (!secret) return undefined;
    await this.rememberHost(registry);
    return { username, secret };
  };

  signedInHosts(): string[] {
    return this.context.globalState.get<string[]>(HOSTS_KEY, []);
  }

  async rememberHost(host: string): Promise<void> {
    const hosts = new Set(this.signedInHosts());
    hosts.add(host);
    await this.context.globalState.update(HOSTS_KEY, [...hosts].sort());
  }

  async signOut(host: string): Promise<void> {
    await this.registries.invalidate(host);
    await this.context.globalState.update(
      HOSTS_KEY,
      this.signedInHosts().filter((h) => h !== host),
    );
  }

  /** A token kept under `key`, else asked once (password box) and stored. */
  async token(key: string, title: string, prompt: string): Promise<string | undefined> {
    const saved = await this.store.get(key);
    if (saved) return saved;
    const value = await vscode.window.showInputBox({ title, prompt, password: true, ignoreFocusOut: true });
    if (value) await this.store.store(key, value);
    return value || undefined;
  }

  hasToken(key: string): Promise<boolean> {
    return this.store.get(key).then((v) => !!v);
  }

  deleteToken(key: string): Promise<void> {
    return this.store.delete(key);
  }

  /** What Deploy to Helix Cloud hands back (the deployment's auth key), per project and environment. */
  static authKeyKey(project: string, env: string): string {
    return `${secretKeys.helixApiKey}/deployment/${project}/${env}`;
  }
}
