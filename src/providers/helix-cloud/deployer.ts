import { CancelledError } from '../../core/errors';
import * as fs from 'node:fs/promises';
import * as path from 'node:path';
import { CloudAuthError, type CloudDeployer, type DeployContext, type DeployResult } from '../../core/push/cloud';
import { CONTROL_PLANE_QUOTE } from '../../core/push/cloudOffer';
import { networkReason } from '../../core/push/network';
import { run, ToolNotFoundError } from '../../core/process/spawn';
import { parseDeployEvent } from './events';
import { cloudDeployPayload, enterpriseDeployPayload, queriesDirOf } from './payload';
import { readSse } from './sse';

// Helix Cloud as the helix CLI drives it: v2 `[cloud.<n>.helix]` deploys through an SSE stream
// (POST {cloud}/api/cli/clusters/{id}/deploy), v3.0-3.1 `[enterprise.<n>]` through one JSON POST
// (POST {cloud}/api/cli/enterprise-clusters/{id}/deploy). Both authenticate with `x-api-key`.

export const DEFAULT_CLOUD_URL = 'https://cloud.helix-db.com';

export interface HelixCloudOptions {
  /** https://cloud.helix-db.com unless overridden (setting, or CLOUD_AUTHORITY like the CLI). */
  baseUrl: string;
  apiKey: () => Promise<string | undefined>;
  /** Builds queries.json for an Enterprise deploy (default: `cargo run` in the query project). */
  buildQueries?: (queriesDir: string, ctx: DeployContext) => Promise<Buffer>;
}

export class HelixCloudDeployer implements CloudDeployer {
  readonly kinds = ['helix-cloud', 'enterprise'] as const;

  constructor(private readonly options: HelixCloudOptions) {}

  async deploy(ctx: DeployContext): Promise<DeployResult> {
    const env = ctx.environment;
    const key = await this.options.apiKey();
    if (!key)
      throw new CloudAuthError('Helix Cloud', 'no API key: set HELIX_API_KEY, run `helix auth login`, or sign in');
    if (env.kind === 'enterprise') {
      if (typeof env.settings.database === 'string') {
        // The Deploy command offers the control plane instead (cloudOffer); this guards other callers.
        throw new Error(
          `"${env.name}" uses \`database = ...\` (helix CLI 3.x after #1025 and 3.4): that CLI has no push ("${CONTROL_PLANE_QUOTE}"); deploy it from the Helix control plane.`,
        );
      }
      return this.enterprise(ctx, key);
    }
    return this.cloudV2(ctx, key);
  }

  private clusterId(ctx: DeployContext): string {
    const id = ctx.environment.settings.cluster_id;
    if (typeof id !== 'string' || !id.trim() || id === 'YOUR_CLUSTER_ID') {
      throw new Error(
        `"${ctx.environment.name}" has no cluster_id in helix.toml (the CLI writes YOUR_CLUSTER_ID as a placeholder). Set it to your cluster's id.`,
      );
    }
    return encodeURIComponent(id);
  }

  private async post(ctx: DeployContext, url: string, key: string, body: unknown, accept: string): Promise<Response> {
    let res: Response;
    try {
      res = await fetch(url, {
        method: 'POST',
        headers: { 'x-api-key': key, 'content-type': 'application/json', accept },
        body: JSON.stringify(body),
        signal: ctx.signal,
      });
    } catch (err) {
      if (ctx.signal.aborted) throw err;
      throw new Error(`Could not reach Helix Cloud at ${new URL(url).origin}: ${networkReason(err)}`);
    }
    if (res.status === 401 || res.status === 403) {
      await res.body?.cancel();
      throw new CloudAuthError('Helix Cloud', `HTTP ${res.status}`);
    }
    return res;
  }

  private async cloudV2(ctx: DeployContext, key: string): Promise<DeployResult> {
    const url = `${this.options.baseUrl.replace(/\/+$/, '')}/api/cli/clusters/${this.clusterId(ctx)}/deploy`;
    const payload = await cloudDeployPayload(ctx.project, ctx.environment);
    ctx.log(
      `Deploying ${Object.keys(payload.queries as object).length} query file(s) to Helix Cloud cluster ${ctx.environment.settings.cluster_id}`,
    );
    const res = await this.post(ctx, url, key, payload, 'text/event-stream');
    if (!res.ok || !res.body)
      throw new Error(`Helix Cloud deploy failed (${res.status}): ${(await res.text()).slice(0, 500)}`);
    let result: DeployResult | undefined;
    for await (const msg of readSse(res.body)) {
      const e = parseDeployEvent(msg.data, msg.event);
      if (!e) continue;
      switch (e.type) {
        case 'progress':
          ctx.progress?.(e.percentage / 100, e.message);
          if (e.message) ctx.log(e.message);
          break;
        case 'log':
          ctx.log(e.message);
          break;
        case 'status_transition':
          ctx.log(e.message ?? `Status: ${e.to}`);
          break;
        case 'validating_queries':
          ctx.log('Validating queries...');
          break;
        case 'building':
          ctx.progress?.(e.estimated_percentage / 100, 'Building...');
          ctx.log(`Building... (${e.estimated_percentage}%)`);
          break;
        case 'deploying':
          ctx.log('Deploying to infrastructure...');
          break;
        case 'deployed':
          ctx.log(`Deployed to: ${e.url}`);
          result = { url: e.url, secret: { name: 'HELIX_API_KEY', value: e.auth_key } };
          break;
        case 'success':
          ctx.log('Deployment completed successfully!');
          result ??= {};
          break;
        case 'error':
          throw new Error(`Deployment failed: ${e.error}`);
      }
      if (result && (e.type === 'deployed' || e.type === 'success')) break;
    }
    if (!result)
      throw new Error(
        'The Helix Cloud deploy stream ended without a result (connection lost?). Check the cluster in the Helix dashboard before retrying.',
      );
    return result;
  }

  private async enterprise(ctx: DeployContext, key: string): Promise<DeployResult> {
    const url = `${this.options.baseUrl.replace(/\/+$/, '')}/api/cli/enterprise-clusters/${this.clusterId(ctx)}/deploy`;
    const queriesDir = await queriesDirOf(ctx.project);
    const queriesJson = await (this.options.buildQueries ?? cargoQueries)(queriesDir, ctx);
    if (!queriesJson.length)
      throw new Error(`${path.join(queriesDir, 'queries.json')} is empty: the query project produced no queries.`);
    const payload = await enterpriseDeployPayload(ctx.project, ctx.environment, queriesJson);
    ctx.log(
      `Pushing ${Object.keys(payload.source_files as object).length} source file(s) and queries.json (${queriesJson.length} bytes) to Enterprise cluster ${ctx.environment.settings.cluster_id}`,
    );
    const res = await this.post(ctx, url, key, payload, 'application/json');
    const text = await res.text();
    if (!res.ok) throw new Error(`Enterprise deployment failed (${res.status}): ${text.slice(0, 500)}`);
    ctx.log('Enterprise deploy accepted');
    const gateway = ctx.environment.settings.gateway_url;
    return { url: typeof gateway === 'string' ? gateway : undefined };
  }
}

/** What `helix push` does first: run the Rust query project, which writes queries.json. */
async function cargoQueries(queriesDir: string, ctx: DeployContext): Promise<Buffer> {
  try {
    const r = await run('cargo', ['run', '--manifest-path', path.join(queriesDir, 'Cargo.toml')], {
      cwd: queriesDir,
      signal: ctx.signal,
      onStdout: ctx.log,
      onStderr: ctx.log,
      collect: false,
      killAfterMs: 10_000,
    });
    if (r.cancelled) throw new CancelledError('Deploy cancelled');
    if (r.code !== 0) throw new Error(`cargo run failed with exit code ${r.code} (see the log above)`);
  } catch (err) {
    if (err instanceof ToolNotFoundError)
      throw new Error(
        'cargo is not installed: an Enterprise deploy compiles the query project (Rust) first. Install Rust from https://rustup.rs.',
      );
    throw err;
  }
  return fs.readFile(path.join(queriesDir, 'queries.json'));
}
