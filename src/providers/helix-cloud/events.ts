// The deploy stream's events, as the helix CLI v2 (helix-cli/src/commands/integrations/helix.rs)
// handles them: Progress{percentage,message}, Log{message}, StatusTransition{to,message},
// ValidatingQueries, Building{estimated_percentage}, Deploying, Deployed{url,auth_key}, Success, Error{error}.
// The JSON tagging is taken as serde's internally tagged snake_case (`{"type":"deployed",...}`); we
// also accept PascalCase and an `event` tag, and ignore what we do not know, as the CLI does.

export type DeployEvent =
  | { type: 'progress'; percentage: number; message?: string }
  | { type: 'log'; message: string }
  | { type: 'status_transition'; to: string; message?: string }
  | { type: 'validating_queries' }
  | { type: 'building'; estimated_percentage: number }
  | { type: 'deploying' }
  | { type: 'deployed'; url: string; auth_key: string }
  | { type: 'success' }
  | { type: 'error'; error: string };

const snake = (s: string) => s.replace(/([a-z0-9])([A-Z])/g, '$1_$2').toLowerCase();

export function parseDeployEvent(data: string, sseEvent = 'message'): DeployEvent | undefined {
  let parsed: unknown;
  try {
    parsed = JSON.parse(data);
  } catch {
    return undefined;
  }
  if (!parsed || typeof parsed !== 'object') return undefined;
  const v = parsed as Record<string, unknown>;
  const tag = v.type ?? v.event ?? (sseEvent !== 'message' ? sseEvent : undefined);
  if (typeof tag !== 'string') return undefined;
  const type = snake(tag);
  const known = [
    'progress',
    'log',
    'status_transition',
    'validating_queries',
    'building',
    'deploying',
    'deployed',
    'success',
    'error',
  ];
  if (!known.includes(type)) return undefined;
  if (type === 'deployed' && (typeof v.url !== 'string' || typeof v.auth_key !== 'string')) return undefined;
  if (type === 'error' && typeof v.error !== 'string') v.error = String(v.message ?? 'unknown error');
  return { ...v, type } as DeployEvent;
}
