import type { CloudDeployer, DeployContext, DeployResult } from '../../core/push/cloud';
import { flyAppName } from '../../core/push/target';
import { flyctlDeploy } from './flyctl';
import { guestFor, MachinesApi, type Machine } from './machines';
import { flyEnvironmentCostLine } from '../../core/cost/fly';

// Fly.io as the helix CLI v2 deploys it: push the image to Fly's registry, then run it - with
// `flyctl deploy --image` when flyctl is installed, else through the Machines API (create the first
// machine, or roll every machine to the new image). The app keeps the CLI's name
// `helix-<project>-<instance>` and its port 6969.

export interface FlyOptions {
  machinesUrl: string;
  token: () => Promise<string | undefined>;
  /** Pushes the environment's image to Fly's registry; returns the pushed reference (`registry.fly.io/app:tag`). */
  pushImage: (ctx: DeployContext, app: string) => Promise<string>;
  /** Fly organization for a new app (default "personal"). */
  org?: string;
  /** flyctl program to deploy with (see findFlyctl); undefined: the Machines API. */
  flyctl?: string;
  /**
   * Where an app answers (default `https://<app>.fly.dev`, Fly's public hostname). Tests point it at a
   * server on 127.0.0.1, since *.fly.dev cannot be reached from here.
   */
  appUrl?: (app: string) => string;
}

const INTERNAL_PORT = 6969;

export class FlyDeployer implements CloudDeployer {
  readonly kinds = ['fly'] as const;

  constructor(private readonly options: FlyOptions) {}

  async deploy(ctx: DeployContext): Promise<DeployResult> {
    const s = ctx.environment.settings;
    const app = flyAppName(ctx.project.name, ctx.environment.name, s);
    const token = await this.options.token();
    if (!token)
      throw new Error(
        'No Fly.io API token: set FLY_API_TOKEN or sign in (Helix Deploy: Deploy to Fly.io asks for one).',
      );
    const api = new MachinesApi(this.options.machinesUrl, token, ctx.signal);
    const guest = guestFor(s.vm_size);
    ctx.log(flyEnvironmentCostLine(s));
    if (!(await api.getApp(app))) {
      ctx.log(`Creating Fly app ${app}`);
      await api.createApp(app, this.options.org ?? 'personal');
    }
    const image = await this.options.pushImage(ctx, app);
    ctx.log(`Deploying ${image} to Fly app ${app}${this.options.flyctl ? ' with flyctl' : ''}`);
    if (this.options.flyctl) {
      await flyctlDeploy(this.options.flyctl, ctx, app, image, token);
      return { url: s.private === true ? undefined : this.url(app), meta: { app, image, via: 'flyctl' } };
    }
    const region = typeof s.region === 'string' ? s.region : undefined;
    const machines = await api.listMachines(app);
    const updated: Machine[] = [];
    if (!machines.length) {
      const mounts = await this.mounts(api, app, ctx, region);
      const config = {
        image,
        guest,
        env: {
          HELIX_PORT: String(INTERNAL_PORT),
          HELIX_DATA_DIR: mounts[0]?.path ?? '/data',
          HELIX_PROJECT: ctx.project.name,
          HELIX_INSTANCE: ctx.environment.name,
        },
        services:
          s.private === true
            ? []
            : [
                {
                  protocol: 'tcp',
                  internal_port: INTERNAL_PORT,
                  ports: [
                    { port: 443, handlers: ['tls', 'http'] },
                    { port: 80, handlers: ['http'] },
                  ],
                },
              ],
        mounts,
        metadata: { 'helix-deploy': 'true' },
      };
      const m = await api.createMachine(app, { config, region });
      ctx.log(`Created machine ${m.id}${m.region ? ` in ${m.region}` : ''}`);
      updated.push(m);
    } else {
      for (const m of machines) {
        const config = { ...m.config, image, guest };
        const u = await api.updateMachine(app, m.id, { config });
        ctx.log(`Updated machine ${m.id} to the new image`);
        updated.push(u);
      }
    }
    for (const m of updated) {
      await api.waitStarted(app, m.id);
      ctx.log(`Machine ${m.id} started`);
    }
    return {
      url: s.private === true ? undefined : this.url(app),
      meta: { app, image, machines: updated.map((m) => m.id) },
    };
  }

  private url(app: string): string {
    return this.options.appUrl?.(app) ?? `https://${app}.fly.dev`;
  }

  /** `volume = "name:/path"` from helix.toml: reuse the volume by name or create it with volume_initial_size. */
  private async mounts(
    api: MachinesApi,
    app: string,
    ctx: DeployContext,
    region?: string,
  ): Promise<{ volume: string; path: string }[]> {
    const spec = ctx.environment.settings.volume;
    if (typeof spec !== 'string' || !spec.includes(':')) return [];
    const [name, mountPath] = spec.split(':');
    const existing = (await api.listVolumes(app)).find((v) => v.name === name);
    const volume =
      existing ??
      (await api.createVolume(app, {
        name,
        size_gb: Number(ctx.environment.settings.volume_initial_size ?? 20),
        region,
      }));
    if (!existing) ctx.log(`Created volume ${name} (${volume.id})`);
    return [{ volume: volume.id, path: mountPath }];
  }
}
