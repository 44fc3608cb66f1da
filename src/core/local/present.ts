import type { RunRecord } from '../engine/journal';
import { approvalLine, approvalOf } from '../engine/runSummary';
import type { HealthStatus } from '../health/types';
import type { ContainerInfo } from './engine';
import { LABEL_DIR, LABEL_ENVIRONMENT, LABEL_PROJECT, LABEL_ROLE, STORAGE_ROLE } from './naming';

// How a container and a run read in the Deployments tree (and the CLI's status): plain data, no vscode,
// so the tree stays a thin mapping and the 500-container refresh can be measured without a window.

export interface Presented {
  id: string;
  label: string;
  description: string;
  tooltip: string;
  /** Codicon id and theme color id. */
  icon: string;
  color?: string;
  contextValue: string;
}

/** Is this an instance of ours (labels) or one the helix CLI started (`helix-<project>-<instance>`)? */
export function isHelixContainer(c: ContainerInfo): boolean {
  return !isStorageSidecar(c) && (LABEL_PROJECT in c.labels || /^helix-[^/]+-[^/]+$/.test(c.name));
}

/**
 * A storage sidecar belongs to its instance and is not one itself: ours carry the role label, the CLI's are
 * `helix-<p>-<i>-minio|seaweedfs` running a MinIO/SeaweedFS image. The tree lists instances only.
 */
export function isStorageSidecar(c: ContainerInfo): boolean {
  if (LABEL_ROLE in c.labels) return c.labels[LABEL_ROLE] === STORAGE_ROLE;
  return /^helix-.+-(minio|seaweedfs)$/.test(c.name) && /minio|seaweedfs/i.test(c.image);
}

export function healthOfContainer(c: ContainerInfo, probed?: HealthStatus): HealthStatus {
  if (c.state !== 'running') return 'none';
  return c.health !== 'none' ? c.health : (probed ?? 'none');
}

const HEALTH_ICON: Record<HealthStatus, [string, string | undefined]> = {
  healthy: ['pass-filled', 'testing.iconPassed'],
  starting: ['loading~spin', 'testing.iconQueued'],
  unhealthy: ['error', 'testing.iconFailed'],
  none: ['circle-filled', undefined],
};

export function presentContainer(c: ContainerInfo, probed?: HealthStatus): Presented {
  const running = c.state === 'running';
  const health = healthOfContainer(c, probed);
  const [icon, color] = running ? HEALTH_ICON[health] : ['circle-outline', 'disabledForeground'];
  const ports = c.ports
    .map((p) => `${p.hostIp && p.hostIp !== '0.0.0.0' ? p.hostIp + ':' : ''}${p.host}→${p.container}`)
    .join(', ');
  const uptime = c.status?.replace(/\s*\((healthy|unhealthy|health: starting)\)/, '') ?? c.state;
  const parts = [running ? (health === 'none' ? 'running' : health) : c.state, uptime, ports, c.image].filter(Boolean);
  const env = c.labels[LABEL_ENVIRONMENT];
  const project = c.labels[LABEL_PROJECT];
  return {
    id: `container:${c.id}`,
    label: c.name,
    description: parts.join(' · '),
    tooltip: [
      `${c.name} (${c.id.slice(0, 12)})`,
      project ? `Project: ${project}${c.labels[LABEL_DIR] ? ` (${c.labels[LABEL_DIR]})` : ''}` : undefined,
      env ? `Environment: ${env}` : undefined,
      `State: ${c.state}${c.status ? ` - ${c.status}` : ''}`,
      `Health: ${health}`,
      ports ? `Ports: ${ports}` : undefined,
      `Image: ${c.image}`,
    ]
      .filter(Boolean)
      .join('\n'),
    icon,
    color,
    // Menus key off state: running -> stop/restart/logs/open; stopped -> start/remove.
    contextValue: `container:${running ? 'running' : 'stopped'}${c.ports.length ? ':ports' : ''}`,
  };
}

/** One icon per run state, for local runs and plan-first runs alike (codicon, theme colour). */
const RUN_ICON: Record<string, [string, string | undefined]> = {
  Running: ['sync~spin', undefined],
  Draft: ['sync~spin', undefined],
  Planning: ['sync~spin', undefined],
  Applying: ['sync~spin', undefined],
  Planned: ['eye', 'list.warningForeground'],
  Approved: ['check', undefined],
  Succeeded: ['pass', 'testing.iconPassed'],
  Applied: ['pass', 'testing.iconPassed'],
  // Applied, but the health check failed: not a failure of the tool, a deployment to roll back.
  Unhealthy: ['heart', 'list.errorForeground'],
  Failed: ['error', 'testing.iconFailed'],
  PlanFailed: ['error', 'testing.iconFailed'],
  ApplyFailed: ['error', 'testing.iconFailed'],
  Expired: ['watch', 'disabledForeground'],
  Cancelled: ['circle-slash', 'disabledForeground'],
  Interrupted: ['debug-disconnect', 'list.warningForeground'],
  Saved: ['save', 'testing.iconPassed'],
};

export function formatDuration(ms: number): string {
  if (ms < 1000) return `${ms} ms`;
  if (ms < 60_000) return `${(ms / 1000).toFixed(1)} s`;
  const m = Math.floor(ms / 60_000);
  return `${m} min ${Math.round((ms % 60_000) / 1000)} s`;
}

export function formatAgo(iso: string, now = Date.now()): string {
  const s = Math.max(0, Math.round((now - Date.parse(iso)) / 1000));
  if (s < 60) return `${s}s ago`;
  if (s < 3600) return `${Math.floor(s / 60)}m ago`;
  if (s < 86400) return `${Math.floor(s / 3600)}h ago`;
  return `${Math.floor(s / 86400)}d ago`;
}

export function presentRun(r: RunRecord, now = Date.now()): Presented {
  const [icon, color] = RUN_ICON[r.state] ?? ['circle-large-outline', undefined];
  const end = r.endedAt ? Date.parse(r.endedAt) : now;
  const duration = formatDuration(end - Date.parse(r.startedAt));
  // Who approved which plan: what a reviewer of the history asks first.
  const approval = approvalOf(r);
  return {
    id: `run:${r.id}`,
    label: `${r.kind} ${r.project}/${r.environment}`,
    description: `${r.state === 'Saved' ? 'Saved for a later apply' : r.state === 'Unhealthy' ? 'Unhealthy (applied, health check failed)' : r.state} · ${duration} · ${formatAgo(r.startedAt, now)}${approval ? ` · approved by ${approval.by.replace(/\s*<[^>]*>$/, '')}` : ''}`,
    tooltip: [
      `${r.kind} of ${r.project}/${r.environment}`,
      `State: ${r.state}`,
      `By: ${r.who}`,
      approval ? `Approval: ${approvalLine(approval)}` : undefined,
      `Started: ${r.startedAt}`,
      r.endedAt ? `Ended: ${r.endedAt}` : 'Still running',
      typeof r.meta?.health === 'string'
        ? `Health: ${r.meta.health}${r.meta.healthReason ? ` (${String(r.meta.healthReason)})` : ''}`
        : undefined,
      r.error ? `Error: ${r.error}` : undefined,
    ]
      .filter(Boolean)
      .join('\n'),
    icon,
    color,
    // A failed build whose failing Dockerfile step is known offers "Show Failing Step".
    // An Unhealthy deployment offers "Roll Back".
    contextValue: `run:${r.state === 'Running' ? 'active' : 'done'}${r.kind === 'build' && r.state === 'Failed' && r.meta?.failedStep ? ':failed-step' : ''}${r.state === 'Unhealthy' ? ':unhealthy' : ''}`,
  };
}
