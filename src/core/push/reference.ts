import type { ImageRef } from './types';

// Image references and the tags we give pushed images: project, environment and git commit,
// so a tag in any registry says where it came from.

/** Parses `host[:port]/repo[:tag]`; a bare `acme/app` is Docker Hub, as the docker CLI treats it. */
export function parseReference(text: string, defaultTag = 'latest'): ImageRef {
  const s = text.trim();
  if (!s || /\s/.test(s) || s.includes('://'))
    throw new Error(`"${text}" is not an image reference (expected host/repository[:tag])`);
  const slash = s.indexOf('/');
  const first = slash < 0 ? '' : s.slice(0, slash);
  const hasHost = slash >= 0 && (first.includes('.') || first.includes(':') || first === 'localhost');
  const registry = hasHost ? first : 'docker.io';
  let rest = hasHost ? s.slice(slash + 1) : s;
  let tag = defaultTag;
  const colon = rest.lastIndexOf(':');
  if (colon > rest.lastIndexOf('/')) {
    tag = rest.slice(colon + 1);
    rest = rest.slice(0, colon);
  }
  if (registry === 'docker.io' && !rest.includes('/')) rest = `library/${rest}`;
  if (!/^[a-z0-9]+(?:(?:[._]|__|-+)[a-z0-9]+)*(?:\/[a-z0-9]+(?:(?:[._]|__|-+)[a-z0-9]+)*)*$/.test(rest)) {
    throw new Error(`"${rest}" is not a valid repository name (lowercase letters, digits, . _ - and /)`);
  }
  if (!isValidTag(tag)) throw new Error(`"${tag}" is not a valid tag`);
  return { registry, repository: rest, tag };
}

export function formatReference(ref: ImageRef, withTag = true): string {
  const name = `${ref.registry}/${ref.repository}`;
  return withTag ? `${name}:${ref.tag}` : name;
}

export function isValidTag(tag: string): boolean {
  return /^[A-Za-z0-9_][A-Za-z0-9_.-]{0,127}$/.test(tag);
}

/**
 * The tag for a push: `<project>-<environment>-<commit7>` (plus `-dirty` for uncommitted changes),
 * squeezed into Docker's tag alphabet and 128 characters.
 */
export function pushTag(project: string, environment: string, commit?: string, dirty = false): string {
  const clean = (s: string) =>
    s
      .toLowerCase()
      .replace(/[^a-z0-9_.-]+/g, '-')
      .replace(/^[.-]+/, '')
      .replace(/-+$/, '');
  const parts = [clean(project), clean(environment)];
  if (commit) parts.push(commit.slice(0, 7));
  let tag = parts.filter(Boolean).join('-') + (commit && dirty ? '-dirty' : '');
  tag = tag.slice(0, 128);
  return isValidTag(tag) ? tag : 'latest';
}

// The OCI distribution reference grammar (name[:tag][@digest]; name = [host[:port]/]path, path lowercase).
const HOST = String.raw`(?:[A-Za-z0-9](?:[A-Za-z0-9-]*[A-Za-z0-9])?(?:\.[A-Za-z0-9](?:[A-Za-z0-9-]*[A-Za-z0-9])?)*|\[[0-9A-Fa-f:]+\])(?::[0-9]+)?`;
const PATH = String.raw`[a-z0-9]+(?:(?:[._]|__|-+)[a-z0-9]+)*(?:/[a-z0-9]+(?:(?:[._]|__|-+)[a-z0-9]+)*)*`;
const REFERENCE = new RegExp(
  String.raw`^(?:${HOST}/)?${PATH}(?::[A-Za-z0-9_][A-Za-z0-9_.-]{0,127})?(?:@[A-Za-z][A-Za-z0-9]*(?:[-_+.][A-Za-z][A-Za-z0-9]*)*:[0-9A-Fa-f]{32,})?$`,
);

/**
 * Why `text` is not an OCI image reference (`host[:port]/path[:tag][@digest]`), or undefined when it is one.
 * Image names reach deploy tools as variables (and from there, in user code, possibly a shell): only the
 * reference alphabet is let through.
 */
export function imageReferenceProblem(text: string): string | undefined {
  if (REFERENCE.test(text) && text.split(/[:@]/)[0]!.length <= 255) return undefined;
  return `${JSON.stringify(text)} is not an image reference: expected [host[:port]/]repository[:tag][@digest] with a lowercase repository (letters, digits, . _ - /)`;
}
