import * as http from 'node:http';
import type * as net from 'node:net';
import { randomBytes } from 'node:crypto';

// A stand-in for the ECR API's GetAuthorizationToken (AWS JSON 1.1: POST / with
// X-Amz-Target: AmazonEC2ContainerRegistry_V20150921.GetAuthorizationToken), plus a gate that checks
// registry requests' Basic auth against the tokens it issued - as ECR's registry front does.

export interface EcrStandIn {
  endpoint: string;
  /** Tokens issued so far (password part), newest last. */
  issued: { password: string; expiresAt: number; revoked: boolean }[];
  /** Requests the API received (to check the SDK signed them). */
  calls: { target: string; authorization: string }[];
  /** Basic-auth check for a registry request: true when it carries a live token. */
  authorize(header: string | undefined): boolean;
  stop(): Promise<void>;
}

export async function startEcrStandIn(opts: { ttlSeconds?: number; proxyEndpoint: string }): Promise<EcrStandIn> {
  const state: EcrStandIn = {
    endpoint: '',
    issued: [],
    calls: [],
    authorize(header) {
      const m = /^Basic (.+)$/.exec(header ?? '');
      if (!m) return false;
      const [user, pass] = Buffer.from(m[1], 'base64').toString('utf8').split(':');
      const t = state.issued.find((x) => x.password === pass);
      return user === 'AWS' && !!t && !t.revoked && t.expiresAt > Date.now();
    },
    stop: async () => {},
  };
  const server = http.createServer((req, res) => {
    let body = '';
    req.on('data', (d) => (body += d));
    req.on('end', () => {
      const target = String(req.headers['x-amz-target'] ?? '');
      state.calls.push({ target, authorization: String(req.headers.authorization ?? '') });
      if (req.method !== 'POST' || target !== 'AmazonEC2ContainerRegistry_V20150921.GetAuthorizationToken') {
        res.writeHead(400, { 'content-type': 'application/x-amz-json-1.1' });
        res.end(JSON.stringify({ __type: 'InvalidParameterException', message: `unsupported ${target}` }));
        return;
      }
      if (!/^AWS4-HMAC-SHA256 Credential=/.test(String(req.headers.authorization))) {
        res.writeHead(400, { 'content-type': 'application/x-amz-json-1.1' });
        res.end(
          JSON.stringify({
            __type: 'UnrecognizedClientException',
            message: 'The security token included in the request is invalid.',
          }),
        );
        return;
      }
      const password = randomBytes(24).toString('base64url');
      const expiresAt = Date.now() + (opts.ttlSeconds ?? 43200) * 1000;
      state.issued.push({ password, expiresAt, revoked: false });
      res.writeHead(200, { 'content-type': 'application/x-amz-json-1.1' });
      res.end(
        JSON.stringify({
          authorizationData: [
            {
              authorizationToken: Buffer.from(`AWS:${password}`).toString('base64'),
              expiresAt: expiresAt / 1000,
              proxyEndpoint: opts.proxyEndpoint,
            },
          ],
        }),
      );
    });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  state.endpoint = `http://127.0.0.1:${(server.address() as net.AddressInfo).port}`;
  state.stop = () => new Promise((r) => server.close(() => r()));
  return state;
}
