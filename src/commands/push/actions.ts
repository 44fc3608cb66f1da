import { isCancelled } from '../../core/errors';
import type Docker from 'dockerode';
import * as vscode from 'vscode';
import type { Container } from '../../container';
import { CredentialChain, StoredCredentials } from '../../core/credentials/stored';
import { CredentialRedactor } from '../../core/credentials/redact';
import { secretKeys, type CredentialPrompt, type CredentialSource } from '../../core/credentials/types';
import { whoAmI } from '../../core/engine/journal';
import { messageOf } from '../../core/errors';
import { CloudAuthError, type CloudDeployer } from '../../core/push/cloud';
import { checkDeployment, describeHealth } from '../../core/push/deployHealth';
import { managedByControlPlane } from '../../core/push/cloudOffer';
import { runDeploy } from '../../core/push/deployRun';
import { gitState } from '../../core/push/git';
import { formatReference, pushTag } from '../../core/push/reference';
import { ecrRegion, registryKind } from '../../core/push/registryKind';
import { runPush } from '../../core/push/service';
import { lastBuildRun } from '../../core/engine/image';
import { pushRepository, sourceImage } from '../../core/push/target';
import { PushError, RegistryAuthError, type ImageRef } from '../../core/push/types';
import { resolveEndpoint } from '../../providers/docker/connect';
import { dockerClient } from '../../providers/docker/client';
import { FlyRegistryCredentials } from '../../providers/fly/credentials';
import { FlyDeployer } from '../../providers/fly/deployer';
import { findFlyctl } from '../../providers/fly/flyctl';
import { DEFAULT_MACHINES_URL } from '../../providers/fly/machines';
import { helixCliApiKey } from '../../providers/helix-cloud/apiKey';
import { HelixCloudDeployer } from '../../providers/helix-cloud/deployer';
import { DockerConfigCredentials } from '../../providers/registry/dockerConfig';
import { EcrCredentials } from '../../providers/registry/ecr';
import { EnginePusher } from '../../providers/registry/enginePusher';
import type { Notices } from '../../services/push/notices';
import { PushSecrets } from '../../services/push/secrets';
import { helixCloudUrl, type PushStatus } from '../../services/push/status';
import { withProgress, type ProgressRun } from '../../ui/progress';
import { fly, helixCloud, pickTarget, pushable, type Target } from './targets';

// Command handlers: pick the environment, gather credentials, run the core push/deploy inside a
// cancellable progress notification, and turn expected failures into messages with a next step.

export class PushActions {
  private readonly secrets: PushSecrets;
  private readonly status: PushStatus;
  private readonly notices: Notices;

  constructor(private readonly c: Container) {
    this.secrets = c.pushSecrets;
    this.status = c.pushStatus;
    this.notices = c.pushNotices;
  }

  private docker(): Docker {
    const cfg = vscode.workspace.getConfiguration('helixDeploy.docker');
    const ep = resolveEndpoint({ host: cfg.get<string>('host') || undefined });
    return dockerClient(ep);
  }

  private helixCloudKey = async (): Promise<string | undefined> =>
    (await helixCliApiKey()) ??
    this.secrets.token(
      secretKeys.helixApiKey,
      'Helix Cloud API key',
      'Your Helix Cloud API key (kept in VS Code secret storage)',
    );

  private flyToken = async (): Promise<string | undefined> =>
    process.env.FLY_API_TOKEN ||
    this.secrets.token(
      secretKeys.flyApiToken,
      'Fly.io API token',
      'A Fly.io API token (`fly tokens create deploy`), kept in VS Code secret storage',
    );

  private credentialsFor(ref: ImageRef, t: Target): CredentialSource {
    const kind = registryKind(ref.registry);
    if (kind === 'ecr' || t.environment.kind === 'ecr') return this.ecr(t, ref.registry);
    if (kind === 'fly') return new FlyRegistryCredentials(this.flyToken);
    // Per push, so "first attempt without asking" starts afresh each time.
    return new CredentialChain([
      new DockerConfigCredentials(),
      new StoredCredentials(this.secrets.store, askAfterRefusal(this.secrets.prompt)),
    ]);
  }

  private ecr(t: Target, host?: string): EcrCredentials {
    const region = String(t.environment.settings.region ?? (host && ecrRegion(host)) ?? '');
    if (!region) throw new Error(`ECR environment "${t.environment.name}" needs a region (set region in its table).`);
    const profile = vscode.workspace.getConfiguration('helixDeploy.aws').get<string>('profile') || undefined;
    return new EcrCredentials({ region, profile });
  }

  /** Helix: Push Image. */
  async push(node?: unknown): Promise<void> {
    const t = await pickTarget(this.c, node, pushable, 'push');
    if (!t) return;
    try {
      const ecrHost =
        t.environment.kind === 'ecr' && !t.environment.settings.registry_url
          ? await this.ecr(t).registryHost()
          : undefined;
      const repo = pushRepository(t.project, t.environment, ecrHost);
      await this.pushTo(t, repo);
    } catch (err) {
      await this.report(err, t, undefined, () => this.push(t));
    }
  }

  /** `inside`: the progress of a deploy that pushes first (Fly.io); else the push shows its own. */
  private async pushTo(t: Target, repo: ImageRef, inside?: ProgressRun): Promise<string> {
    const git = await gitState(t.project.dir);
    const ref: ImageRef = { ...repo, tag: pushTag(t.project.name, t.environment.name, git.commit, git.dirty) };
    const source = sourceImage(t.project, t.environment);
    const docker = this.docker();
    try {
      await docker.getImage(source).inspect();
    } catch {
      throw new PushError(
        `The image ${source} does not exist locally. Build it first (Helix: Build Image).`,
        'notFound',
      );
    }
    const run = async ({ signal, report }: ProgressRun) => {
      let shown = 0;
      const journal = await this.c.journal.catch(() => undefined);
      const result = await runPush(
        {
          pusher: new EnginePusher(docker),
          redactor: new CredentialRedactor(),
          journal,
          log: (l) => this.c.log.info(l),
        },
        {
          project: t.project.name,
          projectDir: t.project.dir,
          environment: t.environment.name,
          source,
          ref,
          commit: git.commit,
          buildRun: journal ? lastBuildRun(journal, t.project, source) : undefined,
          credentials: this.credentialsFor(ref, t),
          who: await whoAmI(t.project.dir),
          signal,
          onEvent: (e) => {
            if (e.type === 'layer' && e.layer.total) {
              report(
                `layer ${e.layer.id} ${e.layer.status} ${Math.round(((e.layer.current ?? 0) / e.layer.total) * 100)}%`,
              );
            } else if (e.type === 'layer' && (e.layer.status === 'pushed' || e.layer.status === 'exists')) {
              report(
                `layer ${e.layer.id} ${e.layer.status === 'exists' ? 'already there' : 'pushed'}`,
                shown < 90 ? 10 : 0,
              );
              shown += 10;
            } else if (e.type === 'attempt') report(`retrying (attempt ${e.attempt})`);
          },
        },
      );
      this.status.fire(t.project.name, t.environment.name);
      return result;
    };
    if (inside) return formatReference((await run(inside)).ref);
    const result = await withProgress({ title: `Pushing ${formatReference(ref)}` }, run);
    void this.notices
      .info(`Pushed ${formatReference(ref)} (${result.digest.slice(0, 19)})`, 'Copy Reference')
      .then((a) => (a ? vscode.env.clipboard.writeText(`${formatReference(ref, false)}@${result.digest}`) : undefined));
    return formatReference(ref);
  }

  /** A `database = ...` environment: say that the control plane deploys it, with the ways there. */
  private async explainControlPlane(t: Target): Promise<void> {
    const o = this.status.offer(t.project, t.environment);
    if (o?.kind !== 'control-plane') return;
    const open = 'Open Control Plane';
    const docs = 'Open Docs';
    const health = o.healthUrl ? 'Check Health' : undefined;
    // Not awaited: the command ends now; a button acts whenever it is clicked.
    void this.notices.info(o.message, ...[open, docs, health].filter((x): x is string => !!x)).then(async (a) => {
      if (a === open) await vscode.env.openExternal(vscode.Uri.parse(o.controlPlaneUrl));
      if (a === docs) await vscode.env.openExternal(vscode.Uri.parse(o.docsUrl));
      if (a === health) await this.checkHealth(t);
    });
  }

  /** Helix: Open Helix Control Plane (a `database = ...` environment's home). */
  async openControlPlane(node?: unknown): Promise<void> {
    const t = await pickTarget(this.c, node, (e, p) => managedByControlPlane(p, e), 'Helix Cloud database');
    if (!t) return;
    const o = this.status.offer(t.project, t.environment);
    if (o?.kind === 'control-plane') await vscode.env.openExternal(vscode.Uri.parse(o.controlPlaneUrl));
  }

  /** Helix: Check Health of a Helix Cloud environment whose URL is known. */
  async checkHealth(node?: unknown): Promise<void> {
    const t = await pickTarget(this.c, node, (e, p) => managedByControlPlane(p, e), 'Helix Cloud database');
    if (!t) return;
    const o = this.status.offer(t.project, t.environment);
    const url = o?.kind === 'control-plane' ? o.healthUrl : undefined;
    if (!url) {
      void this.notices
        .info(
          `No URL is known for "${t.environment.name}": helix.toml links the database by id only. Find its address in the Helix control plane.`,
          'Open Control Plane',
        )
        .then(async (a) => {
          if (a && o?.kind === 'control-plane') await vscode.env.openExternal(vscode.Uri.parse(o.controlPlaneUrl));
        });
      return;
    }
    const r = await checkDeployment(
      { service: this.c.health, deadlineMs: 15_000 },
      t.project,
      t.environment,
      url,
      (l) => this.c.log.info(l),
    );
    this.status.fire(t.project.name, t.environment.name);
    void (r.status === 'healthy'
      ? this.notices.info(`${t.environment.name} (${url}): ${describeHealth(r)}`)
      : this.notices
          .warn(`${t.environment.name} (${url}) is ${describeHealth(r)}`, 'Show Log')
          .then((a) => a && this.c.log.show()));
  }

  /** Helix: Deploy to Helix Cloud / Deploy to Fly.io. */
  async deploy(which: 'helix-cloud' | 'fly', node?: unknown): Promise<void> {
    const n = node as Partial<Target> | undefined;
    if (which === 'helix-cloud' && n?.project && n.environment && managedByControlPlane(n.project, n.environment)) {
      return this.explainControlPlane({ project: n.project, environment: n.environment });
    }
    if (which === 'helix-cloud' && !node) {
      // Only `database = ...` environments: nothing deploys them from here; say where it happens instead.
      await this.c.projects.ready();
      const all = this.c.projects.projects.flatMap((project) =>
        project.environments.map((environment) => ({ project, environment })),
      );
      const db = all.find((x) => managedByControlPlane(x.project, x.environment));
      if (db && !all.some((x) => helixCloud(x.environment, x.project))) return this.explainControlPlane(db);
    }
    const t = await pickTarget(
      this.c,
      node,
      which === 'fly' ? fly : helixCloud,
      which === 'fly' ? 'Fly.io' : 'Helix Cloud',
    );
    if (!t) return;
    const cfg = vscode.workspace.getConfiguration('helixDeploy');
    // The Fly deploy pushes inside the deploy's own progress notification.
    let progressSink!: ProgressRun;
    const deployer: CloudDeployer =
      which === 'fly'
        ? new FlyDeployer({
            machinesUrl: cfg.get<string>('fly.machinesUrl') || DEFAULT_MACHINES_URL,
            org: cfg.get<string>('fly.org') || undefined,
            flyctl: await findFlyctl(),
            token: this.flyToken,
            pushImage: (ctx, _app) =>
              this.pushTo(t, pushRepository(t.project, t.environment), { ...progressSink, signal: ctx.signal }),
          })
        : new HelixCloudDeployer({ baseUrl: helixCloudUrl(), apiKey: this.helixCloudKey });
    try {
      const journal = await this.c.journal.catch(() => undefined);
      const result = await withProgress(
        { title: `Deploying ${t.project.name} / ${t.environment.name}` },
        async (progress) => {
          progressSink = progress;
          let last = 0;
          return runDeploy(
            {
              redactor: new CredentialRedactor(),
              journal,
              log: (l) => (this.c.log.info(l), progress.report(l.slice(0, 80))),
              health: { service: this.c.health },
            },
            deployer,
            {
              project: t.project,
              environment: t.environment,
              signal: progress.signal,
              progress: (f, message) => {
                const inc = Math.max(0, Math.round(f * 100) - last);
                last += inc;
                progress.report(message, inc);
              },
            },
            await whoAmI(t.project.dir),
          );
        },
      );
      this.status.fire(t.project.name, t.environment.name);
      if (result.secret)
        await this.secrets.store.store(PushSecrets.authKeyKey(t.project.name, t.environment.name), result.secret.value);
      const actions = [result.url ? 'Open' : undefined, result.secret ? 'Copy Auth Key' : undefined].filter(
        (x): x is string => !!x,
      );
      const where = `Deployed ${t.environment.name}${result.url ? ` to ${result.url}` : ''}`;
      // The health of the new deployment decides the tone: a deploy that does not answer is a warning.
      const h = result.health;
      const shown =
        !h || h.status === 'healthy'
          ? this.notices.info(h ? `${where}: ${describeHealth(h)}` : where, ...actions)
          : this.notices.warn(`${where}, but it is ${describeHealth(h)}`, ...actions, 'Show Log');
      void shown.then(async (a) => {
        if (a === 'Open' && result.url) await vscode.env.openExternal(vscode.Uri.parse(result.url));
        if (a === 'Copy Auth Key' && result.secret) await vscode.env.clipboard.writeText(result.secret.value);
        if (a === 'Show Log') this.c.log.show();
      });
    } catch (err) {
      await this.report(err, t, which, () => this.deploy(which, t));
    }
  }

  /**
   * Expected failures become a message with the next step; anything else is logged for a bug report.
   * The command does not wait for the user's answer: the button acts whenever it is clicked.
   */
  /** `retry` runs the same command again once the user signed in (or entered a new key) from the error. */
  private async report(
    err: unknown,
    t: Target,
    cloud?: 'helix-cloud' | 'fly',
    retry?: () => Promise<void>,
  ): Promise<void> {
    if (err instanceof PushError && err.kind === 'cancelled') return void this.notices.info('Push cancelled.');
    if (isCancelled(err)) return void this.notices.info('Deploy cancelled.');
    if (err instanceof RegistryAuthError) {
      void this.notices
        .error(err.message, 'Sign In')
        .then(async (a) => a && (await this.signIn(err.registry)) && retry?.());
      return;
    }
    if (err instanceof CloudAuthError) {
      const key = cloud === 'fly' ? secretKeys.flyApiToken : secretKeys.helixApiKey;
      void this.notices.error(err.message, 'Enter a New Key').then(async (a) => {
        if (!a) return;
        await this.secrets.deleteToken(key);
        if (await (cloud === 'fly' ? this.flyToken() : this.helixCloudKey())) await retry?.();
      });
      return;
    }
    const message = new CredentialRedactor().redact(messageOf(err));
    this.c.log.error(`${t.project.name}/${t.environment.name}: ${message}`);
    void this.notices.error(message, 'Show Log').then((a) => a && this.c.log.show());
  }

  /** Helix: Sign In to Registry. Checks the credential with the engine before keeping it; true once saved. */
  async signIn(host?: string): Promise<boolean> {
    if (!host) {
      const known = new Set<string>();
      for (const p of this.c.projects.projects)
        for (const e of p.environments.filter(pushable)) {
          try {
            known.add(pushRepository(p, e, 'ecr').registry);
          } catch {
            /* an ECR environment without registry_url: signs in through AWS, not here */
          }
        }
      const items = [...known].filter((h) => !['ecr', 'fly'].includes(registryKind(h))).map((label) => ({ label }));
      const other = { label: '$(add) Other registry…' };
      const picked = items.length
        ? await vscode.window.showQuickPick([...items, other], { title: 'Sign in to registry' })
        : other;
      if (!picked) return false;
      host =
        picked === other
          ? await vscode.window.showInputBox({
              title: 'Registry host',
              prompt: 'e.g. ghcr.io, docker.io, registry.example.com:5000',
              ignoreFocusOut: true,
            })
          : picked.label;
      if (!host) return false;
    }
    const answer = await this.secrets.prompt(host, 'missing');
    if (!answer) return false;
    try {
      await this.docker().checkAuth({ username: answer.username, password: answer.secret, serveraddress: host });
    } catch (err) {
      const msg = messageOf(err);
      if (/unauthorized|denied|401|403|incorrect/i.test(msg)) {
        void this.notices.error(`${host} refused these credentials. Nothing was saved.`);
        return false;
      }
      this.c.log.warn(
        `Could not check the credentials for ${host} with the engine (${new CredentialRedactor().redact(msg)}); saving them anyway.`,
      );
    }
    await this.secrets.registries.save(host, answer.username, answer.secret);
    void this.notices.info(`Signed in to ${host}.`);
    return true;
  }

  /**
   * Helix: Sign Out of Registry. Only what we stored; the user's own `docker login` is theirs.
   * `host` (a registry host[:port], e.g. from a menu or a test) signs out of that registry without asking.
   */
  async signOut(host?: string): Promise<void> {
    if (host) {
      await this.secrets.signOut(host);
      void this.notices.info(`Signed out: ${host}.`);
      return;
    }
    const items: { label: string; run: () => Promise<void> }[] = this.secrets
      .signedInHosts()
      .map((h) => ({ label: h, run: () => this.secrets.signOut(h) }));
    if (await this.secrets.hasToken(secretKeys.helixApiKey))
      items.push({ label: 'Helix Cloud API key', run: () => this.secrets.deleteToken(secretKeys.helixApiKey) });
    if (await this.secrets.hasToken(secretKeys.flyApiToken))
      items.push({ label: 'Fly.io API token', run: () => this.secrets.deleteToken(secretKeys.flyApiToken) });
    if (!items.length) return void this.notices.info('No saved registry credentials or API keys.');
    const picked = await vscode.window.showQuickPick(items, { title: 'Sign out (forget the saved secret)' });
    if (!picked) return;
    await picked.run();
    void this.notices.info(`Signed out: ${picked.label}.`);
  }
}

/**
 * Registries that need no login (a private one on the LAN, a local one) must not ask for a password:
 * with nothing stored, the first attempt goes without credentials, as `docker push` does. Only when the
 * registry refuses it does the user get the prompt (the push then retries once with the answer).
 */
function askAfterRefusal(prompt: CredentialPrompt): CredentialPrompt {
  let first = true;
  return (registry, reason) => {
    const skip = first && reason === 'missing';
    first = false;
    return skip ? Promise.resolve(undefined) : prompt(registry, reason);
  };
}
