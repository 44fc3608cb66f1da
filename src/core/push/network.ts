import { at } from '../json';

/** fetch() hides the socket error in `cause` (sometimes an AggregateError): surface ECONNREFUSED etc. */
export function networkReason(err: unknown): string {
  const cause = at(err, 'cause');
  return String(
    at(cause, 'code') ?? at(cause, 'errors', 0, 'code') ?? at(cause, 'message') ?? at(err, 'message') ?? err,
  );
}
