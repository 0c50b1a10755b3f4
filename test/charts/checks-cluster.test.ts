/**
 * The cluster rules (charts/checks/cluster.ts): an environment's ExternalSecrets, Rollouts
 * and pods against the cluster pieces they rely on. A small valid set passes; each case
 * breaks one thing and must produce its finding. The first cases are the design the
 * repository had before issue 11, point 8: one shared store serving every namespace.
 */
import { checkManifests, formatFindings, type ManifestObject } from '../../charts/checks';
import { imageGlobMatches } from '../../charts/checks/cluster';
import { expectFinding, type BrokenCase } from './fixtures/expect-finding';

const NS = 'shop-staging';
const IMAGE = `ghcr.io/example/app@sha256:${'a'.repeat(64)}`;

function valid(): ManifestObject[] {
  return [
    {
      file: 'namespace.yaml',
      object: { apiVersion: 'v1', kind: 'Namespace', metadata: { name: NS, labels: { 'policy.sigstore.dev/include': 'true' } } },
    },
    {
      file: 'externalsecret.yaml',
      object: {
        apiVersion: 'external-secrets.io/v1',
        kind: 'ExternalSecret',
        metadata: { name: 'api-secrets', namespace: NS },
        spec: {
          secretStoreRef: { kind: 'ClusterSecretStore', name: 'shop-staging' },
          data: [{ secretKey: 'DATABASE_URL', remoteRef: { key: 'shop/staging/database-url' } }],
        },
      },
    },
    {
      file: 'store.yaml',
      object: {
        apiVersion: 'external-secrets.io/v1',
        kind: 'ClusterSecretStore',
        metadata: { name: 'shop-staging', annotations: { 'course-companion.dev/key-prefix': 'shop/staging/' } },
        spec: {
          conditions: [{ namespaces: [NS] }],
          provider: {
            vault: {
              server: 'https://vault:8200',
              auth: {
                kubernetes: {
                  mountPath: 'kubernetes',
                  role: 'shop-staging',
                  serviceAccountRef: { name: 'eso-shop-staging', namespace: 'external-secrets' },
                },
              },
            },
          },
        },
      },
    },
    {
      file: 'rollout.yaml',
      object: {
        apiVersion: 'argoproj.io/v1alpha1',
        kind: 'Rollout',
        metadata: { name: 'web', namespace: NS },
        spec: {
          template: { metadata: { labels: { app: 'web' } }, spec: { containers: [{ name: 'web', image: IMAGE }] } },
          strategy: { canary: { trafficRouting: { plugins: { 'argoproj-labs/gatewayAPI': { httpRoutes: [{ name: 'web' }] } } } } },
        },
      },
    },
    {
      file: 'configmap.yaml',
      object: {
        apiVersion: 'v1',
        kind: 'ConfigMap',
        metadata: { name: 'argo-rollouts-config', namespace: 'argo-rollouts' },
        data: {
          trafficRouterPlugins:
            '- name: argoproj-labs/gatewayAPI\n  location: https://github.com/argoproj-labs/rollouts-plugin-trafficrouter-gatewayapi/releases/download/v0.15.0/gatewayapi-plugin-linux-amd64\n',
        },
      },
    },
    {
      file: 'clusterrole.yaml',
      object: {
        apiVersion: 'rbac.authorization.k8s.io/v1',
        kind: 'ClusterRole',
        metadata: { name: 'plugin' },
        rules: [{ apiGroups: ['gateway.networking.k8s.io'], resources: ['httproutes'], verbs: ['get', 'update'] }],
      },
    },
    {
      file: 'clusterrolebinding.yaml',
      object: {
        apiVersion: 'rbac.authorization.k8s.io/v1',
        kind: 'ClusterRoleBinding',
        metadata: { name: 'plugin' },
        roleRef: { apiGroup: 'rbac.authorization.k8s.io', kind: 'ClusterRole', name: 'plugin' },
        subjects: [{ kind: 'ServiceAccount', name: 'argo-rollouts', namespace: 'argo-rollouts' }],
      },
    },
    {
      file: 'policy.yaml',
      object: {
        apiVersion: 'policy.sigstore.dev/v1beta1',
        kind: 'ClusterImagePolicy',
        metadata: { name: 'signed' },
        spec: {
          mode: 'enforce',
          images: [{ glob: 'ghcr.io/example/app@sha256:*' }],
          authorities: [
            {
              keyless: {
                url: 'https://fulcio.sigstore.dev',
                identities: [
                  {
                    issuer: 'https://token.actions.githubusercontent.com',
                    subject: 'https://github.com/example/app/.github/workflows/image.yml@refs/heads/main',
                  },
                ],
              },
            },
          ],
        },
      },
    },
  ];
}

function change(file: string, edit: (object: any) => void, objects = valid()): ManifestObject[] {
  const target = objects.find((m) => m.file === file);
  if (target === undefined) throw new Error(`no ${file}`);
  edit(target.object);
  return objects;
}
const without = (file: string) => valid().filter((m) => m.file !== file);

const cases: BrokenCase[] = [
  {
    name: 'the old design: ExternalSecrets name a store that this repository does not generate',
    objects: () => change('externalsecret.yaml', (o) => (o.spec.secretStoreRef.name = 'course-companion-vault')),
    check: 'cluster',
    rule: 'secret-store',
    file: 'externalsecret.yaml',
    message: 'secretStoreRef names ClusterSecretStore "course-companion-vault", which is not generated',
  },
  {
    name: 'the old design: one store without conditions, serving every namespace',
    objects: () => change('store.yaml', (o) => delete o.spec.conditions),
    check: 'cluster',
    rule: 'secret-store-namespaces',
    file: 'store.yaml',
    message: 'without them (or with a selector or regex) it serves every namespace',
  },
  {
    name: 'a store shared by staging and production',
    objects: () => {
      const objects = change('store.yaml', (o) => (o.spec.conditions[0].namespaces = [NS, 'shop-production']));
      const production = structuredClone(objects.find((m) => m.file === 'externalsecret.yaml')!);
      production.object.metadata.namespace = 'shop-production';
      return [...objects, { file: 'externalsecret-production.yaml', object: production.object }];
    },
    check: 'cluster',
    rule: 'secret-store-namespaces',
    file: 'store.yaml',
    message: 'must serve exactly the one namespace that uses it; serves shop-staging, shop-production',
  },
  {
    name: 'a store selecting namespaces by label (anyone who can label a namespace gets in)',
    objects: () => change('store.yaml', (o) => (o.spec.conditions = [{ namespaceSelector: { matchLabels: { team: 'shop' } } }])),
    check: 'cluster',
    rule: 'secret-store-namespaces',
    file: 'store.yaml',
    message: 'serves every namespace',
  },
  {
    name: "an ExternalSecret in a namespace its store's conditions do not admit",
    objects: () => change('store.yaml', (o) => (o.spec.conditions[0].namespaces = ['shop-production'])),
    check: 'cluster',
    rule: 'secret-store',
    file: 'externalsecret.yaml',
    message: 'does not serve namespace "shop-staging"',
  },
  {
    name: "staging reading production's database URL",
    objects: () => change('externalsecret.yaml', (o) => (o.spec.data[0].remoteRef.key = 'shop/production/database-url')),
    check: 'cluster',
    rule: 'secret-key-prefix',
    file: 'externalsecret.yaml',
    message: 'spec.data[0].remoteRef.key: expected a key under "shop/staging/", got "shop/production/database-url"',
  },
  {
    name: 'a dataFrom find over the whole store',
    objects: () => change('externalsecret.yaml', (o) => (o.spec.dataFrom = [{ find: { name: { regexp: '.*' } } }])),
    check: 'cluster',
    rule: 'secret-key-prefix',
    file: 'externalsecret.yaml',
    message: 'spec.dataFrom[0].find.path: expected a key under "shop/staging/", got undefined',
  },
  {
    name: 'a store that does not say which keys it may read',
    objects: () => change('store.yaml', (o) => delete o.metadata.annotations),
    check: 'cluster',
    rule: 'secret-key-prefix',
    file: 'store.yaml',
    message: 'has no "course-companion.dev/key-prefix" annotation',
  },
  {
    name: 'a store logging in to Vault as the operator itself',
    objects: () => change('store.yaml', (o) => delete o.spec.provider.vault.auth.kubernetes.serviceAccountRef),
    check: 'cluster',
    rule: 'secret-store-identity',
    file: 'store.yaml',
    message: 'logs in as the operator itself',
  },
  {
    name: 'two stores sharing one Vault role',
    objects: () => {
      const objects = valid();
      const other = structuredClone(objects.find((m) => m.file === 'store.yaml')!.object);
      other.metadata.name = 'shop-production';
      other.spec.conditions = [{ namespaces: ['shop-production'] }];
      other.spec.provider.vault.auth.kubernetes.serviceAccountRef.name = 'eso-shop-production';
      return [...objects, { file: 'store-production.yaml', object: other }];
    },
    check: 'cluster',
    rule: 'secret-store-identity',
    file: 'store-production.yaml',
    message: 'shares the Vault role "shop-staging" with ClusterSecretStore shop-staging',
  },
  {
    name: 'a Rollout naming a plugin the controller does not load',
    objects: () => without('configmap.yaml'),
    check: 'cluster',
    rule: 'rollouts-plugin',
    file: 'rollout.yaml',
    message: 'names "argoproj-labs/gatewayAPI", which no generated argo-rollouts-config ConfigMap registers',
  },
  {
    name: 'a plugin registered under another name (the pre-v0.4 "gateway-api" spelling)',
    objects: () =>
      change('configmap.yaml', (o) => (o.data.trafficRouterPlugins = o.data.trafficRouterPlugins.replace('gatewayAPI', 'gateway-api'))),
    check: 'cluster',
    rule: 'rollouts-plugin',
    file: 'rollout.yaml',
    message: 'which no generated argo-rollouts-config ConfigMap registers',
  },
  {
    name: 'a plugin from "latest" instead of a pinned release',
    objects: () =>
      change(
        'configmap.yaml',
        (o) => (o.data.trafficRouterPlugins = o.data.trafficRouterPlugins.replace('download/v0.15.0', 'latest/download')),
      ),
    check: 'cluster',
    rule: 'rollouts-plugin',
    file: 'rollout.yaml',
    message: 'is not pinned to a release',
  },
  {
    name: 'no RBAC for the plugin to update HTTPRoutes',
    objects: () => change('clusterrole.yaml', (o) => (o.rules[0].verbs = ['get', 'list', 'watch'])),
    check: 'cluster',
    rule: 'rollouts-plugin-rbac',
    file: 'rollout.yaml',
    message: 'get and update HTTPRoutes',
  },
  {
    name: 'RBAC bound to a ServiceAccount outside the controller namespace',
    objects: () => change('clusterrolebinding.yaml', (o) => (o.subjects[0].namespace = 'default')),
    check: 'cluster',
    rule: 'rollouts-plugin-rbac',
    file: 'rollout.yaml',
    message: 'in "argo-rollouts"',
  },
  {
    name: 'a namespace not opted in to policy-controller',
    objects: () => change('namespace.yaml', (o) => delete o.metadata.labels),
    check: 'cluster',
    rule: 'image-signature',
    file: 'namespace.yaml',
    message: 'lacks the label policy.sigstore.dev/include: "true"',
  },
  {
    name: 'an image no signature policy covers',
    objects: () => change('policy.yaml', (o) => (o.spec.images = [{ glob: 'ghcr.io/example/other@sha256:*' }])),
    check: 'cluster',
    rule: 'image-signature',
    file: 'rollout.yaml',
    message: `image ${IMAGE} is matched by no enforcing ClusterImagePolicy`,
  },
  {
    name: 'a policy in warn mode (logs, admits anyway)',
    objects: () => change('policy.yaml', (o) => (o.spec.mode = 'warn')),
    check: 'cluster',
    rule: 'image-signature',
    file: 'rollout.yaml',
    message: 'is matched by no enforcing ClusterImagePolicy',
  },
];

describe('cluster checks', () => {
  it('pass on the valid set', () => {
    expect(formatFindings(checkManifests(valid(), { only: ['cluster'] }))).toBe('');
  });

  it.each(cases)('find $name', (c) => {
    expectFinding(c);
  });

  it("match images the way policy-controller's glob does", () => {
    expect(imageGlobMatches('ghcr.io/example/app@sha256:*', IMAGE)).toBe(true);
    expect(imageGlobMatches('ghcr.io/example/*', IMAGE)).toBe(true);
    expect(imageGlobMatches('ghcr.io/*', IMAGE)).toBe(false); // `*` does not cross "/"
    expect(imageGlobMatches('ghcr.io/**', IMAGE)).toBe(true);
    expect(imageGlobMatches('ghcr.io/example/app@sha256:*', IMAGE.replace('/app@', '/app-backup@'))).toBe(false);
  });
});
