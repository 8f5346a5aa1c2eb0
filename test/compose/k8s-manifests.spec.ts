import { execFileSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { parseAllDocuments } from 'yaml';
import { describe, expect, it } from 'vitest';
import { trustProxySchema } from '#config';
import { ROOT } from './compose-stack.js';

/**
 * Every k8s/ overlay rendered by `kubectl kustomize` and checked offline: each object
 * against the Kubernetes OpenAPI schemas (kubernetes-models, installed by
 * scripts/k8s-validator.sh), then against what the issue asks of a deployable layout.
 * Skipped, with the reason in the name, without kubectl or the validator.
 */
const OVERLAYS = ['dev', 'production'] as const;
const APPS = ['gateway', 'identity', 'mfa', 'policy', 'notifications'] as const;
const STORE_CLIENTS = ['identity', 'mfa', 'policy', 'notifications'];
const VALIDATOR_DIRS = [
  join(ROOT, 'node_modules', 'kubernetes-models'),
  join(ROOT, '.cache', 'k8s-validator', 'node_modules', 'kubernetes-models'),
];

type Manifest = { apiVersion: string; kind: string; metadata: { name: string; namespace?: string } } & Record<
  string,
  any // eslint-disable-line @typescript-eslint/no-explicit-any -- rendered YAML, navigated by the assertions
>;

const kubectlVersion = (() => {
  try {
    return execFileSync('kubectl', ['version', '--client', '-o', 'json'], { encoding: 'utf8', timeout: 20_000 });
  } catch {
    return undefined;
  }
})();
const validatorDir = VALIDATOR_DIRS.find((dir) => existsSync(join(dir, 'package.json')));
const unavailable = !kubectlVersion
  ? 'kubectl is not installed'
  : !validatorDir
    ? 'kubernetes-models is not installed (scripts/k8s-validator.sh)'
    : undefined;
if (unavailable) console.warn(`compose: the k8s manifest checks are skipped: ${unavailable}`);

function render(overlay: string): Manifest[] {
  const yaml = execFileSync('kubectl', ['kustomize', join(ROOT, 'k8s', 'overlays', overlay)], {
    encoding: 'utf8',
    timeout: 60_000,
  });
  return parseAllDocuments(yaml).map((document) => document.toJSON() as Manifest);
}

/** kubernetes-models' class for the object's apiVersion and kind: `<group>/<version>/<Kind>.js`. */
async function validatorOf(manifest: Manifest): Promise<{ validate(): void }> {
  const file = join(validatorDir!, ...manifest.apiVersion.split('/'), `${manifest.kind}.js`);
  if (!existsSync(file)) throw new Error(`no schema for ${manifest.apiVersion} ${manifest.kind}`);
  const module = (await import(pathToFileURL(file).href)) as Record<
    string,
    new (data: unknown) => { validate(): void }
  >;
  return new module[manifest.kind]!(manifest);
}

describe.skipIf(unavailable !== undefined)(`the k8s overlays${unavailable ? ` (skipped: ${unavailable})` : ''}`, () => {
  describe.each(OVERLAYS)('%s', (overlay) => {
    const manifests = unavailable ? [] : render(overlay);
    const ofKind = (kind: string) => manifests.filter((manifest) => manifest.kind === kind);
    const deployment = (app: string) => ofKind('Deployment').find((manifest) => manifest.metadata.name === app)!;

    it('renders, and every object is valid against the Kubernetes schemas', async () => {
      expect(manifests.length).toBeGreaterThan(25);
      for (const manifest of manifests) {
        const validator = await validatorOf(manifest);
        expect(() => validator.validate(), `${manifest.kind} ${manifest.metadata.name}`).not.toThrow();
      }
      // The validator refuses what the schemas forbid (a guard against a validator that accepts anything).
      const broken = structuredClone(deployment('mfa'));
      broken['spec'].replicas = 'three';
      await expect(validatorOf(broken).then((validator) => validator.validate())).rejects.toThrow(/replicas/);
    });

    it('runs every app non-root, read-only, unprivileged, probed on the management port, with requests and limits', () => {
      expect(
        ofKind('Deployment')
          .map((manifest) => manifest.metadata.name)
          .sort(),
      ).toEqual([...APPS].sort());
      for (const app of APPS) {
        const pod = deployment(app)['spec'].template.spec;
        expect(pod.securityContext).toMatchObject({ runAsNonRoot: true, seccompProfile: { type: 'RuntimeDefault' } });
        expect(pod.automountServiceAccountToken).toBe(false);
        const [container, ...others] = pod.containers;
        expect(others).toEqual([]);
        expect(container.securityContext).toMatchObject({
          allowPrivilegeEscalation: false,
          readOnlyRootFilesystem: true,
          capabilities: { drop: ['ALL'] },
        });
        expect(container.ports).toContainEqual({ name: 'management', containerPort: 9464 });
        expect(container.livenessProbe.httpGet).toEqual({ path: '/health/live', port: 'management' });
        expect(container.readinessProbe.httpGet).toEqual({ path: '/health/ready', port: 'management' });
        expect(container.startupProbe.httpGet).toEqual({ path: '/health/live', port: 'management' });
        for (const resource of ['cpu', 'memory']) {
          expect(container.resources.requests[resource], `${app} ${resource} request`).toBeDefined();
          expect(container.resources.limits[resource], `${app} ${resource} limit`).toBeDefined();
        }
        // The image's entrypoint (tini) stays: the app is its args.
        expect(container.command).toBeUndefined();
        expect(container.args).toEqual(['node', `dist/apps/${app}/src/main.js`]);
      }
    });

    it('names the image in one place, and gives each app only its own Secret', () => {
      const images = new Set(
        ofKind('Deployment').map((manifest) => manifest['spec'].template.spec.containers[0].image),
      );
      expect(images.size).toBe(1);
      expect([...images][0]).toBe(overlay === 'dev' ? 'totp-mfa:local' : 'registry.example.com/totp-mfa:0.1.0');
      for (const app of APPS) {
        const pod = deployment(app)['spec'].template.spec;
        const secrets = new Set<string>([
          ...pod.containers[0].env.flatMap((variable: any) => variable.valueFrom?.secretKeyRef?.name ?? []), // eslint-disable-line @typescript-eslint/no-explicit-any
          ...pod.volumes.flatMap((volume: any) => volume.secret?.secretName ?? []), // eslint-disable-line @typescript-eslint/no-explicit-any
        ]);
        expect([...secrets], app).toEqual([`totp-mfa-${app}`]);
        expect(pod.containers[0].envFrom.map((source: any) => source.secretRef).filter(Boolean)).toEqual([]); // eslint-disable-line @typescript-eslint/no-explicit-any
      }
    });

    it('keeps a PodDisruptionBudget per app and denies all traffic but what it allows', () => {
      const budgets = ofKind('PodDisruptionBudget');
      for (const app of APPS) {
        const budget = budgets.find((manifest) => manifest.metadata.name === app);
        expect(budget?.['spec'].selector.matchLabels).toEqual(deployment(app)['spec'].selector.matchLabels);
        expect(budget?.['spec'].maxUnavailable).toBe(1);
      }
      const policies = ofKind('NetworkPolicy');
      const denyAll = policies.find((manifest) => manifest.metadata.name === 'totp-mfa-default-deny');
      expect(denyAll?.['spec']).toEqual({ podSelector: {}, policyTypes: ['Ingress', 'Egress'] });
      // Only the gateway takes traffic from the Ingress controller; only store clients reach the store.
      const ingressRules = policies.filter((manifest) => manifest['spec'].ingress);
      const fromIngress = ingressRules.filter((manifest) =>
        JSON.stringify(manifest['spec'].ingress).includes('ingress-nginx'),
      );
      expect(fromIngress.map((manifest) => manifest['spec'].podSelector)).toEqual([
        { matchLabels: { 'app.kubernetes.io/name': 'gateway' } },
      ]);
      const toStore = policies.find((manifest) => manifest.metadata.name === 'totp-mfa-to-event-store');
      const storeLabel = toStore?.['spec'].podSelector.matchLabels;
      for (const app of APPS) {
        const labels = deployment(app)['spec'].template.metadata.labels;
        const matches = Object.entries(storeLabel).every(([key, value]) => labels[key] === value);
        expect(matches, app).toBe(STORE_CLIENTS.includes(app));
      }
    });

    it('shares the rate limit of several gateways in a Redis the gateway may reach', () => {
      const gatewayConfig = ofKind('ConfigMap').find((manifest) => manifest.metadata.name === 'totp-mfa-gateway');
      const redisUrl = String(gatewayConfig?.['data'].REDIS_URL ?? '');
      const replicas = deployment('gateway')['spec'].replicas as number;
      // More than one gateway counting in memory would multiply the login rate limit.
      if (replicas > 1 && overlay === 'production') expect(redisUrl).toMatch(/^rediss?:\/\//);
      if (redisUrl) {
        const namespace = new URL(redisUrl).hostname.split('.')[1];
        const toRedis = ofKind('NetworkPolicy').find(
          (manifest) => manifest.metadata.name === 'totp-mfa-gateway-to-redis',
        );
        expect(toRedis?.['spec'].podSelector).toEqual({ matchLabels: { 'app.kubernetes.io/name': 'gateway' } });
        expect(toRedis?.['spec'].egress[0].to[0].namespaceSelector.matchLabels['kubernetes.io/metadata.name']).toBe(
          namespace,
        );
        expect(toRedis?.['spec'].egress[0].ports).toContainEqual({
          protocol: 'TCP',
          port: Number(new URL(redisUrl).port || 6379),
        });
      }
    });

    it('puts the gateway behind the Ingress, trusting X-Forwarded-For only from a range of addresses', () => {
      const [ingress, ...others] = ofKind('Ingress');
      expect(others).toEqual([]);
      expect(ingress!['spec'].rules[0].http.paths[0].backend.service.name).toBe('gateway');
      const gatewayConfig = ofKind('ConfigMap').find((manifest) => manifest.metadata.name === 'totp-mfa-gateway');
      const trustProxy = trustProxySchema.parse(gatewayConfig?.['data'].TRUST_PROXY);
      expect(Array.isArray(trustProxy) && trustProxy.length > 0, `TRUST_PROXY ${String(trustProxy)}`).toBe(true);
      if (overlay === 'production') expect(ingress!['spec'].tls).toHaveLength(1);
      const namespaces = new Set(
        manifests.filter((manifest) => manifest.kind !== 'Namespace').map((manifest) => manifest.metadata.namespace),
      );
      expect([...namespaces]).toEqual([overlay === 'dev' ? 'totp-mfa-dev' : 'totp-mfa']);
    });
  });
});
