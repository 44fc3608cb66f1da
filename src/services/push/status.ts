import * as vscode from 'vscode';
import type { RunStore } from '../../core/engine/journal';
import type { HealthStatus } from '../../core/health/types';
import { envKey } from '../../core/model/environment-ref';
import { lastPush, type LastPush } from '../../core/push/service';
import { cloudOffer, type CloudOffer } from '../../core/push/cloudOffer';
import type { Environment, Project } from '../../core/model/types';
import { DEFAULT_CLOUD_URL } from '../../providers/helix-cloud/deployer';

/** A project as the status finds its runs: by folder (its name only labels them). */
type ProjectId = Pick<Project, 'name' | 'dir'>;

/** The last successful cloud deploy of an environment: where it answers and how healthy it was. */
export interface LastDeploy {
  url?: string;
  health?: HealthStatus;
  at: string;
}

/**
 * What the trees show for push and cloud environments: the last pushed tag and digest, and the last
 * deploy's URL and health, from the run journal (so it survives a reload). `onDidChange` fires after
 * each push or deploy ends, so a tree can refresh just that node.
 */
export class PushStatus implements vscode.Disposable {
  private readonly changed = new vscode.EventEmitter<{ project: string; environment: string }>();
  readonly onDidChange = this.changed.event;
  private journal: RunStore | undefined;
  /** Live health from the HealthService (newer than the journal's when the user re-checked). */
  healthOf: (key: string) => HealthStatus | undefined = () => undefined;

  attach(journal: RunStore): void {
    this.journal = journal;
  }

  lastPush(project: ProjectId, environment: string): LastPush | undefined {
    return this.journal ? lastPush(this.journal, project.name, environment, project.dir) : undefined;
  }

  lastDeploy(project: ProjectId, environment: string): LastDeploy | undefined {
    const r = this.journal
      ?.list({ projectDir: project.dir, environment, kind: 'deploy' })
      .find((x) => x.state === 'Succeeded');
    if (!r) return undefined;
    const url = typeof r.meta?.url === 'string' ? r.meta.url : undefined;
    const health = this.healthOf(envKey(project.dir, environment)) ?? (r.meta?.health as HealthStatus | undefined);
    return { url, health, at: r.endedAt ?? r.updatedAt };
  }

  /** One line for a tree item's description: `demo-staging-abc1234 @ sha256:0123abcd`, or `https://… · healthy`. */
  describe(project: ProjectId, environment: string): string | undefined {
    const p = this.lastPush(project, environment);
    const d = this.lastDeploy(project, environment);
    const pushed = p ? `${p.tag} @ ${p.digest.slice(0, 19)}` : undefined;
    const deployed = d ? [d.url ?? 'deployed', d.health].filter(Boolean).join(' · ') : undefined;
    return [pushed, deployed].filter(Boolean).join(' · ') || undefined;
  }

  /** What a Helix Cloud environment offers (deploy, or the control plane), for the tree and the commands. */
  offer(project: Project, env: Environment): CloudOffer | undefined {
    return cloudOffer(project, env, { cloudUrl: helixCloudUrl(), knownUrl: this.lastDeploy(project, env.name)?.url });
  }

  fire(project: string, environment: string): void {
    this.changed.fire({ project, environment });
  }

  dispose(): void {
    this.changed.dispose();
  }
}

/** Helix Cloud's address: CLOUD_AUTHORITY like the CLI, else the setting. */
export function helixCloudUrl(): string {
  return process.env.CLOUD_AUTHORITY
    ? authority(process.env.CLOUD_AUTHORITY)
    : vscode.workspace.getConfiguration('helixDeploy').get<string>('helixCloud.url') || DEFAULT_CLOUD_URL;
}

/** CLOUD_AUTHORITY is a host[:port] or URL, as the helix CLI reads it. */
function authority(a: string): string {
  if (/^https?:\/\//.test(a)) return a;
  return /^(localhost|127\.0\.0\.1)/.test(a) ? `http://${a}` : `https://${a}`;
}
