import { ApiException } from '@kubernetes/client-node';
import { KubeError, type KubeErrorKind } from '../../core/kubernetes/cluster';
import { at, obj } from '../../core/json';

// One translation from client-node / fetch failures to the KubeError kinds the UI explains.

const BY_CODE: Record<number, KubeErrorKind> = {
  401: 'unauthorized',
  403: 'forbidden',
  404: 'not-found',
  409: 'conflict',
  410: 'gone',
  422: 'invalid',
  400: 'invalid',
};

function statusMessage(body: unknown): string | undefined {
  let b: unknown = body;
  if (typeof body === 'string') {
    try {
      b = JSON.parse(body);
    } catch {
      return body || undefined;
    }
  }
  const message = b && typeof b === 'object' ? at(b, 'message') : undefined;
  return typeof message === 'string' ? message : undefined;
}

export function toKubeError(err: unknown, context: string, server: string | undefined, timeoutMs: number): KubeError {
  if (err instanceof KubeError) return err;
  const e = obj(err);
  // Discovery found no such kind on this cluster (client-node throws a plain Error for it).
  if (/Unrecognized API version and kind/.test(String(e.message ?? '')))
    return new KubeError('not-found', String(e.message));
  if (err instanceof ApiException || typeof e.code === 'number' || typeof e.statusCode === 'number') {
    const code = (typeof e.code === 'number' ? e.code : e.statusCode) as number;
    const kind = BY_CODE[code] ?? 'other';
    const msg = (statusMessage(e.body) ?? e.message) as string;
    if (kind === 'unauthorized')
      return new KubeError(
        kind,
        `The cluster rejected the credentials of context "${context}" (401 Unauthorized): the token or certificate may have expired. Log in again (refresh your kubeconfig) and retry.`,
        code,
      );
    if (kind === 'forbidden') return new KubeError(kind, `Forbidden in context "${context}": ${msg}`, code);
    return new KubeError(kind, msg, code);
  }
  if (e.name === 'AbortError' || e.type === 'aborted' || e.name === 'TimeoutError') {
    return new KubeError(
      'timeout',
      `The cluster of context "${context}" (${server ?? '?'}) did not answer within ${Math.round(timeoutMs / 1000)} s.`,
    );
  }
  const sys = e.code ?? e.errno ?? at(e.cause, 'code');
  if (
    ['ECONNREFUSED', 'ENOTFOUND', 'EHOSTUNREACH', 'ECONNRESET', 'ENETUNREACH', 'EAI_AGAIN', 'ETIMEDOUT'].includes(
      sys as string,
    )
  ) {
    return new KubeError(
      'unreachable',
      `Cannot reach the cluster of context "${context}" at ${server ?? '?'} (${sys}). Check the cluster is running and the network/VPN, then retry.`,
    );
  }
  return new KubeError('other', `${e.message ?? String(err)}`);
}
