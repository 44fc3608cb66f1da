import * as http from 'node:http';
import type * as net from 'node:net';

// A stand-in for Helix Cloud's CLI API (docs/helix-cli-compat.md): the v2 SSE deploy stream
// POST /api/cli/clusters/{id}/deploy and the v3.0-3.1 POST /api/cli/enterprise-clusters/{id}/deploy,
// both authenticated with `x-api-key`. Event JSON shapes follow the CLI's SseEvent variants.

export type Scenario = 'success' | 'error' | 'drop';

export interface HelixCloudStandIn {
  url: string;
  apiKey: string;
  scenario: Scenario;
  requests: { path: string; apiKey: string; body: any }[];
  /** The auth key the "deployed" event hands back. */
  authKey: string;
  /** The URL the "deployed" event hands back (default an unreachable https://<cluster>.helix-cloud.invalid). */
  deployedUrl?: string;
  stop(): Promise<void>;
}

export async function startHelixCloud(apiKey: string): Promise<HelixCloudStandIn> {
  const state: HelixCloudStandIn = {
    url: '',
    apiKey,
    scenario: 'success',
    requests: [],
    authKey: 'hx-auth-key-0123456789',
    stop: async () => {},
  };
  const server = http.createServer((req, res) => {
    let raw = '';
    req.on('data', (d) => (raw += d));
    req.on('end', () => {
      const key = String(req.headers['x-api-key'] ?? '');
      let body: any;
      try {
        body = JSON.parse(raw);
      } catch {
        body = undefined;
      }
      state.requests.push({ path: req.url ?? '', apiKey: key, body });
      if (key !== state.apiKey) {
        res.writeHead(401, { 'content-type': 'application/json' }).end('{"error":"invalid api key"}');
        return;
      }
      const v2 = /^\/api\/cli\/clusters\/([^/]+)\/deploy$/.exec(req.url ?? '');
      const ent = /^\/api\/cli\/enterprise-clusters\/([^/]+)\/deploy$/.exec(req.url ?? '');
      if (req.method === 'POST' && ent) {
        if (!body?.queries_json_b64 || typeof body.instance_name !== 'string') {
          res.writeHead(400).end('missing queries_json_b64');
          return;
        }
        res.writeHead(200, { 'content-type': 'application/json' }).end('{"status":"accepted"}');
        return;
      }
      if (req.method !== 'POST' || !v2) {
        res.writeHead(404).end('not found');
        return;
      }
      if (
        typeof body?.schema !== 'string' ||
        typeof body.queries !== 'object' ||
        typeof body.instance_name !== 'string' ||
        typeof body.helix_toml !== 'string'
      ) {
        res.writeHead(400).end('bad deploy payload');
        return;
      }
      res.writeHead(200, { 'content-type': 'text/event-stream', 'cache-control': 'no-cache' });
      const events: object[] = [
        { type: 'validating_queries' },
        { type: 'progress', percentage: 10, message: `Received ${Object.keys(body.queries).length} query files` },
        { type: 'building', estimated_percentage: 40 },
        { type: 'log', message: 'Compiling helix-container' },
        { type: 'status_transition', to: 'Deploying', message: 'Rolling out' },
        { type: 'deploying' },
      ];
      if (state.scenario === 'error')
        events.push({ type: 'error', error: 'query compilation failed: unknown type User' });
      if (state.scenario === 'success')
        events.push({
          type: 'deployed',
          url: state.deployedUrl ?? `https://${v2[1]}.helix-cloud.invalid`,
          auth_key: state.authKey,
        });
      let i = 0;
      const tick = () => {
        if (i < events.length) {
          res.write(`data: ${JSON.stringify(events[i++])}\n\n`);
          setTimeout(tick, 5);
        } else if (state.scenario === 'drop') res.destroy();
        else res.end();
      };
      res.write(': stream open\n\n');
      tick();
    });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  state.url = `http://127.0.0.1:${(server.address() as net.AddressInfo).port}`;
  state.stop = () => new Promise((r) => server.close(() => r()));
  return state;
}
