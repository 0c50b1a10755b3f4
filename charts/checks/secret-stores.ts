/**
 * External Secrets: which ClusterSecretStore each ExternalSecret reads, which namespaces
 * a store serves, which keys it may read, and with which identity (part of checkCluster).
 */
import { describeObject, groupOf, nameOf, namespaceOf, type ManifestObject } from '../manifest';
import { type Finding } from './types';

/** Mirrors charts/constructs/cluster/secret-store.ts KEY_PREFIX_ANNOTATION. */
export const KEY_PREFIX_ANNOTATION = 'course-companion.dev/key-prefix';

const finding = (rule: string, file: string, message: string): Finding => ({ check: 'cluster', rule, file, message });
const ofKind = (objects: readonly ManifestObject[], group: string, kind: string) =>
  objects.filter(({ object }) => object?.kind === kind && groupOf(object.apiVersion) === group);

/**
 * The namespaces a ClusterSecretStore serves, as External Secrets decides it
 * (external-secrets pkg/controllers/secretstore/client_manager.go shouldProcessSecret,
 * commit cc5bfbc2): no conditions serves every namespace; a namespaceSelector or a
 * regex serves namespaces nobody can list in advance ('any').
 */
function servedNamespaces(store: any): Set<string> | 'any' {
  const conditions: any[] = store.spec?.conditions ?? [];
  if (conditions.length === 0) return 'any';
  const names = new Set<string>();
  for (const condition of conditions) {
    if (condition.namespaceSelector !== undefined || (condition.namespaceRegexes ?? []).length > 0) return 'any';
    for (const name of condition.namespaces ?? []) names.add(name);
  }
  return names;
}

/** Every key an ExternalSecret asks the store for, with where it is asked. */
function remoteKeysOf(spec: any): { where: string; key: string | undefined }[] {
  const keys = (spec.data ?? []).map((d: any, i: number) => ({ where: `spec.data[${i}].remoteRef.key`, key: d.remoteRef?.key }));
  (spec.dataFrom ?? []).forEach((d: any, i: number) => {
    if (d.extract !== undefined) keys.push({ where: `spec.dataFrom[${i}].extract.key`, key: d.extract.key });
    // `find` searches the whole store: a path outside the prefix, or none at all, reads everything the role may.
    if (d.find !== undefined) keys.push({ where: `spec.dataFrom[${i}].find.path`, key: d.find.path });
  });
  return keys;
}

export function secretStoreFindings(objects: readonly ManifestObject[]): Finding[] {
  const stores = new Map(ofKind(objects, 'external-secrets.io', 'ClusterSecretStore').map((m) => [nameOf(m.object), m]));
  const findings: Finding[] = [];
  const consumers = new Map<string, Set<string>>();
  for (const { file, object } of ofKind(objects, 'external-secrets.io', 'ExternalSecret')) {
    const ref = object.spec?.secretStoreRef ?? {};
    const where = describeObject(object);
    if (ref.kind !== 'ClusterSecretStore') {
      findings.push(
        finding(
          'secret-store',
          file,
          `${where}: reads from a ${ref.kind ?? 'SecretStore'} "${ref.name}"; use the environment's generated ClusterSecretStore`,
        ),
      );
      continue;
    }
    const store = stores.get(ref.name);
    if (store === undefined) {
      findings.push(
        finding(
          'secret-store',
          file,
          `${where}: secretStoreRef names ClusterSecretStore "${ref.name}", which is not generated (dist/cluster/)`,
        ),
      );
      continue;
    }
    const namespace = namespaceOf(object);
    (consumers.get(ref.name) ?? consumers.set(ref.name, new Set()).get(ref.name)!).add(namespace);
    const served = servedNamespaces(store.object);
    if (served !== 'any' && !served.has(namespace)) {
      findings.push(
        finding(
          'secret-store',
          file,
          `${where}: ClusterSecretStore "${ref.name}" does not serve namespace "${namespace}" (its conditions list ${[...served].join(', ') || 'none'})`,
        ),
      );
    }
    findings.push(...keyPrefixFindings(file, object, store));
  }
  findings.push(...storeIdentityFindings([...stores.values()]), ...storeNamespaceFindings(stores, consumers));
  return findings;
}

/** Each store serves exactly the one namespace that reads from it. */
function storeNamespaceFindings(stores: ReadonlyMap<string, ManifestObject>, consumers: ReadonlyMap<string, Set<string>>): Finding[] {
  const findings: Finding[] = [];
  for (const [name, store] of stores) {
    const served = servedNamespaces(store.object);
    const used = consumers.get(name) ?? new Set<string>();
    if (served === 'any') {
      findings.push(
        finding(
          'secret-store-namespaces',
          store.file,
          `${describeObject(store.object)}: spec.conditions must list namespaces by name; without them (or with a selector or regex) it serves every namespace`,
        ),
      );
    } else if (served.size !== 1 || used.size > 1 || [...used].some((ns) => !served.has(ns))) {
      findings.push(
        finding(
          'secret-store-namespaces',
          store.file,
          `${describeObject(store.object)}: must serve exactly the one namespace that uses it; serves ${[...served].join(', ') || 'none'}, used by ${[...used].join(', ') || 'none'}`,
        ),
      );
    }
  }
  return findings;
}

/**
 * A store is only as narrow as the identity it logs in with. Vault Kubernetes auth
 * without `serviceAccountRef` (and without `secretRef`) presents the operator's own
 * token (external-secrets apis/externalsecrets/v1/secretstore_vault_types.go
 * VaultKubernetesAuth), which every store shares; two stores with the same role or
 * ServiceAccount read the same keys.
 */
function storeIdentityFindings(stores: readonly ManifestObject[]): Finding[] {
  const findings: Finding[] = [];
  const seen = new Map<string, string>();
  for (const { file, object } of stores) {
    const kubernetes = object.spec?.provider?.vault?.auth?.kubernetes;
    if (kubernetes === undefined) continue;
    const account = kubernetes.serviceAccountRef;
    if (account?.name === undefined || account.namespace === undefined) {
      findings.push(
        finding(
          'secret-store-identity',
          file,
          `${describeObject(object)}: Vault Kubernetes auth needs serviceAccountRef with name and namespace; without them the store logs in as the operator itself, an identity every store shares`,
        ),
      );
      continue;
    }
    for (const identity of [`role ${JSON.stringify(kubernetes.role)}`, `ServiceAccount ${account.namespace}/${account.name}`]) {
      const other = seen.get(identity);
      if (other !== undefined)
        findings.push(
          finding(
            'secret-store-identity',
            file,
            `${describeObject(object)}: shares the Vault ${identity} with ClusterSecretStore ${other}, so it can read that store's keys`,
          ),
        );
      else seen.set(identity, nameOf(object));
    }
  }
  return findings;
}

/** Every key an ExternalSecret reads lies under its store's prefix (the store's Vault role may read only those). */
function keyPrefixFindings(file: string, object: any, store: ManifestObject): Finding[] {
  const where = describeObject(object);
  const prefix: unknown = store.object.metadata?.annotations?.[KEY_PREFIX_ANNOTATION];
  if (typeof prefix !== 'string' || !prefix.endsWith('/')) {
    return [
      finding(
        'secret-key-prefix',
        store.file,
        `${describeObject(store.object)}: has no "${KEY_PREFIX_ANNOTATION}" annotation ending in "/"; the keys it may read cannot be checked`,
      ),
    ];
  }
  return remoteKeysOf(object.spec ?? {})
    .filter(({ key }) => typeof key !== 'string' || !key.startsWith(prefix) || key.split('/').includes('..'))
    .map(({ where: field, key }) =>
      finding('secret-key-prefix', file, `${where}: ${field}: expected a key under "${prefix}", got ${JSON.stringify(key)}`),
    );
}
