// Every line a push writes to a log goes through one Redactor that knows the secrets in play,
// so a token echoed back by a registry or a tool never reaches the log channel or the run journal.

export class CredentialRedactor {
  private readonly secrets = new Set<string>();

  add(secret: string | undefined): void {
    // Very short values would blank out ordinary words; no real credential is that short.
    if (secret && secret.length >= 4) {
      this.secrets.add(secret);
      // Base64 forms appear in auth headers and docker config echoes.
      this.secrets.add(Buffer.from(secret).toString('base64'));
    }
  }

  redact(text: string): string {
    let out = text;
    for (const s of this.secrets) out = out.split(s).join('***');
    // Belt and braces for values we were never told about.
    return out
      .replace(/(authorization:\s*(?:basic|bearer)\s+)\S+/gi, '$1***')
      .replace(/("?(?:password|secret|token|x-api-key|identitytoken)"?\s*[:=]\s*"?)[^"\s,}]+/gi, '$1***');
  }
}
