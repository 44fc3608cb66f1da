/** fetch() hides the socket error in `cause` (sometimes an AggregateError): surface ECONNREFUSED etc. */
export function networkReason(err: unknown): string {
  const cause = (err as any)?.cause;
  return cause?.code ?? cause?.errors?.[0]?.code ?? cause?.message ?? (err as Error)?.message ?? String(err);
}
