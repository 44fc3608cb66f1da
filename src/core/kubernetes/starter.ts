import { stringify } from 'yaml';

// Starter manifests for a helix v3 instance (docs/helix-cli-compat.md): HTTP on 8080, GET /healthz (liveness,
// always 200 once up) and GET /readyz (readiness, 503 until indexes are ready), distroless image running as
// uid 65532 - so runAsNonRoot and a read-only root filesystem work, with the data dir on a PersistentVolumeClaim
// so that a pod replacement (rollout, eviction, node loss) keeps the database.

export interface StarterInput {
  /** Workload name, e.g. `helix-<project>`. */
  name: string;
  namespace?: string;
  /** Image to run; `${image}` keeps it substituted per environment at plan time. */
  image?: string;
  replicas?: number;
  /** Size of the data claim (default 10Gi); the cluster's default StorageClass provides it. */
  storage?: string;
}

export interface StarterFile {
  name: string;
  text: string;
}

export function starterManifests(input: StarterInput): StarterFile[] {
  const labels = { 'app.kubernetes.io/name': input.name, 'app.kubernetes.io/component': 'helixdb' };
  const meta = { name: input.name, ...(input.namespace ? { namespace: input.namespace } : {}), labels };
  const claim = `${input.name}-data`;
  const probe = (path: string, failureThreshold: number) => ({
    httpGet: { path, port: 'http' },
    periodSeconds: 10,
    timeoutSeconds: 5,
    failureThreshold,
  });
  const deployment = {
    apiVersion: 'apps/v1',
    kind: 'Deployment',
    metadata: meta,
    spec: {
      replicas: input.replicas ?? 1,
      // One writer per data volume (a ReadWriteOnce claim): replace the pod instead of running two against the same data.
      strategy: { type: 'Recreate' },
      progressDeadlineSeconds: 600,
      selector: { matchLabels: { 'app.kubernetes.io/name': input.name } },
      template: {
        metadata: { labels },
        spec: {
          securityContext: {
            runAsNonRoot: true,
            runAsUser: 65532,
            runAsGroup: 65532,
            fsGroup: 65532,
            seccompProfile: { type: 'RuntimeDefault' },
          },
          containers: [
            {
              name: 'helix',
              image: input.image ?? '${image}',
              ports: [{ name: 'http', containerPort: 8080, protocol: 'TCP' }],
              env: [
                { name: 'HELIX_HTTP_ADDR', value: '0.0.0.0:8080' },
                { name: 'HELIX_DATA_DIR', value: '/var/lib/helix' },
              ],
              startupProbe: {
                httpGet: { path: '/healthz', port: 'http' },
                periodSeconds: 5,
                timeoutSeconds: 5,
                failureThreshold: 30,
              },
              livenessProbe: probe('/healthz', 3),
              readinessProbe: probe('/readyz', 3),
              resources: { requests: { cpu: '250m', memory: '512Mi' }, limits: { cpu: '2', memory: '2Gi' } },
              securityContext: {
                allowPrivilegeEscalation: false,
                readOnlyRootFilesystem: true,
                capabilities: { drop: ['ALL'] },
              },
              volumeMounts: [
                { name: 'data', mountPath: '/var/lib/helix' },
                { name: 'tmp', mountPath: '/tmp' },
              ],
            },
          ],
          volumes: [
            { name: 'data', persistentVolumeClaim: { claimName: claim } },
            { name: 'tmp', emptyDir: {} },
          ],
        },
      },
    },
  };
  const pvc = {
    apiVersion: 'v1',
    kind: 'PersistentVolumeClaim',
    metadata: { ...meta, name: claim },
    spec: { accessModes: ['ReadWriteOnce'], resources: { requests: { storage: input.storage ?? '10Gi' } } },
  };
  const service = {
    apiVersion: 'v1',
    kind: 'Service',
    metadata: meta,
    spec: {
      type: 'ClusterIP',
      selector: { 'app.kubernetes.io/name': input.name },
      ports: [{ name: 'http', port: 8080, targetPort: 'http', protocol: 'TCP' }],
    },
  };
  const header = (what: string) =>
    `# ${what} for HelixDB (written by Helix Deploy). \${image} is replaced by the environment's image at plan time.\n`;
  return [
    { name: 'deployment.yaml', text: header('Deployment') + stringify(deployment, { lineWidth: 0 }) },
    { name: 'service.yaml', text: header('Service') + stringify(service, { lineWidth: 0 }) },
    { name: 'pvc.yaml', text: header('Data volume claim') + stringify(pvc, { lineWidth: 0 }) },
  ];
}
