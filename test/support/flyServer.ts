import * as http from 'node:http';
import type * as net from 'node:net';
import { randomBytes } from 'node:crypto';

// A stand-in for the Fly Machines API (https://fly.io/docs/machines/api/): apps, machines (create,
// update, wait) and volumes, in memory, Bearer-token auth. The registry side is a real registry.

export interface FlyStandIn {
  url: string;
  apps: Map<string, { name: string; org: string; machines: Map<string, any>; volumes: any[] }>;
  calls: string[];
  stop(): Promise<void>;
}

export async function startFlyServer(token: string): Promise<FlyStandIn> {
  const state: FlyStandIn = { url: '', apps: new Map(), calls: [], stop: async () => {} };
  const server = http.createServer((req, res) => {
    let raw = '';
    req.on('data', (d) => (raw += d));
    req.on('end', () => {
      const send = (status: number, body?: unknown) => {
        res.writeHead(status, { 'content-type': 'application/json' });
        res.end(body === undefined ? '' : JSON.stringify(body));
      };
      const u = new URL(req.url ?? '/', 'http://x');
      state.calls.push(`${req.method} ${u.pathname}`);
      if (req.headers.authorization !== `Bearer ${token}`) return send(401, { error: 'unauthorized' });
      const body = raw ? JSON.parse(raw) : undefined;
      const p = u.pathname.split('/').filter(Boolean); // v1 apps {app} machines {id} wait
      if (p[0] !== 'v1' || p[1] !== 'apps') return send(404, { error: 'not found' });
      if (p.length === 2 && req.method === 'POST') {
        if (state.apps.has(body.app_name)) return send(422, { error: 'app already exists' });
        state.apps.set(body.app_name, { name: body.app_name, org: body.org_slug, machines: new Map(), volumes: [] });
        return send(201, {});
      }
      const app = state.apps.get(p[2]);
      if (!app) return send(404, { error: 'app not found' });
      if (p.length === 3 && req.method === 'GET') return send(200, { name: app.name, status: 'deployed' });
      if (p[3] === 'volumes') {
        if (req.method === 'GET') return send(200, app.volumes);
        const v = {
          id: `vol_${randomBytes(6).toString('hex')}`,
          name: body.name,
          size_gb: body.size_gb,
          region: body.region ?? 'iad',
        };
        app.volumes.push(v);
        return send(200, v);
      }
      if (p[3] !== 'machines') return send(404, { error: 'not found' });
      if (p.length === 4 && req.method === 'GET') return send(200, [...app.machines.values()]);
      if (p.length === 4 && req.method === 'POST') {
        if (typeof body?.config?.image !== 'string') return send(400, { error: 'config.image is required' });
        const m = {
          id: randomBytes(7).toString('hex'),
          state: 'started',
          region: body.region ?? 'iad',
          config: body.config,
        };
        app.machines.set(m.id, m);
        return send(200, m);
      }
      const m = app.machines.get(p[4]);
      if (!m) return send(404, { error: 'machine not found' });
      if (p.length === 5 && req.method === 'POST') {
        m.config = body.config;
        m.state = 'started';
        return send(200, m);
      }
      if (p[5] === 'wait' && req.method === 'GET') return send(200, { ok: true });
      return send(404, { error: 'not found' });
    });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  state.url = `http://127.0.0.1:${(server.address() as net.AddressInfo).port}`;
  state.stop = () => new Promise((r) => server.close(() => r()));
  return state;
}
