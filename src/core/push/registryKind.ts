import type { RegistryKind } from './types';

// Detection by host name only: a registry's kind decides where credentials come from
// (ECR token API, Fly's token, docker config...), never how the bytes are pushed.

const rules: [RegExp, RegistryKind][] = [
  [/^(docker\.io|index\.docker\.io|registry-1\.docker\.io|registry\.hub\.docker\.com)$/, 'dockerhub'],
  [/^ghcr\.io$/, 'ghcr'],
  [/^\d{12}\.dkr\.ecr(-fips)?\.[a-z0-9-]+\.amazonaws\.com(\.cn)?$/, 'ecr'],
  [/^([a-z0-9-]+-docker\.pkg\.dev|(?:[a-z]+\.)?gcr\.io)$/, 'gar'],
  [/^[a-z0-9]+\.azurecr\.(io|cn|us)$/, 'acr'],
  [/^registry\.fly\.io$/, 'fly'],
];

export function registryKind(host: string): RegistryKind {
  const h = host.toLowerCase().replace(/:\d+$/, '');
  for (const [re, kind] of rules) if (re.test(h)) return kind;
  return 'oci';
}

/** Region of an ECR host (`123456789012.dkr.ecr.eu-west-1.amazonaws.com` -> `eu-west-1`). */
export function ecrRegion(host: string): string | undefined {
  return /\.dkr\.ecr(?:-fips)?\.([a-z0-9-]+)\.amazonaws\.com/.exec(host.toLowerCase())?.[1];
}

/** The key Docker's config.json uses for a registry (Docker Hub keeps its historic URL). */
export function dockerConfigKey(host: string): string {
  return registryKind(host) === 'dockerhub' ? 'https://index.docker.io/v1/' : host;
}
