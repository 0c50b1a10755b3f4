/**
 * Cross-group rules between an environment (dist/<env>/) and the cluster pieces it
 * relies on (dist/cluster/): run them over both sets together. Each rule simulates
 * what a controller does with the objects; an API server would accept every one of
 * the broken cases.
 */
import { parse } from 'yaml';
import { containersOf, podTemplatesOf, describeObject, groupOf, nameOf, namespaceOf, type ManifestObject } from '../manifest';
import { type Finding } from './types';

/** Mirrors charts/constructs/cluster/secret-store.ts KEY_PREFIX_ANNOTATION. */
export const KEY_PREFIX_ANNOTATION = 'course-companion.dev/key-prefix';
/** Mirrors charts/constructs/cluster/image-policy.ts POLICY_CONTROLLER_OPT_IN. */
const OPT_IN_LABEL = 'policy.sigstore.dev/include';

export function checkCluster(objects: readonly ManifestObject[]): Finding[] {
  return [...secretStoreFindings(objects), ...rolloutsPluginFindings(objects), ...imagePolicyFindings(objects)];
}

const finding = (rule: string, file: string, message: string): Finding => ({ check: 'cluster', rule, file, message });
const ofKind = (objects: readonly ManifestObject[], group: string, kind: string) =>
  objects.filter(({ object }) => object?.kind === kind && groupOf(object.apiVersion) === group);

// --- External Secrets -------------------------------------------------------------

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

function secretStoreFindings(objects: readonly ManifestObject[]): Finding[] {
  const stores = new Map(ofKind(objects, 'external-secrets.io', 'ClusterSecretStore').map((m) => [nameOf(m.object), m]));
  const findings: Finding[] = [];
  const consumers = new Map<string, Set<string>>();
  for (const { file, object } of ofKind(objects, 'external-secrets.io', 'ExternalSecret')) {
    const ref = object.spec?.secretStoreRef ?? {};
    const where = describeObject(object);
    if (ref.kind !== 'ClusterSecretStore') {
      findings.push(finding('secret-store', file, `${where}: reads from a ${ref.kind ?? 'SecretStore'} "${ref.name}"; use the environment's generated ClusterSecretStore`));
      continue;
    }
    const store = stores.get(ref.name);
    if (store === undefined) {
      findings.push(finding('secret-store', file, `${where}: secretStoreRef names ClusterSecretStore "${ref.name}", which is not generated (dist/cluster/)`));
      continue;
    }
    const namespace = namespaceOf(object);
    (consumers.get(ref.name) ?? consumers.set(ref.name, new Set()).get(ref.name)!).add(namespace);
    const served = servedNamespaces(store.object);
    if (served !== 'any' && !served.has(namespace)) {
      findings.push(finding('secret-store', file, `${where}: ClusterSecretStore "${ref.name}" does not serve namespace "${namespace}" (its conditions list ${[...served].join(', ') || 'none'})`));
    }
    const prefix: unknown = store.object.metadata?.annotations?.[KEY_PREFIX_ANNOTATION];
    if (typeof prefix !== 'string' || !prefix.endsWith('/')) {
      findings.push(finding('secret-key-prefix', store.file, `${describeObject(store.object)}: has no "${KEY_PREFIX_ANNOTATION}" annotation ending in "/"; the keys it may read cannot be checked`));
      continue;
    }
    for (const { where: field, key } of remoteKeysOf(object.spec ?? {})) {
      if (typeof key !== 'string' || !key.startsWith(prefix) || key.split('/').includes('..')) {
        findings.push(finding('secret-key-prefix', file, `${where}: ${field}: expected a key under "${prefix}", got ${JSON.stringify(key)}`));
      }
    }
  }
  findings.push(...storeIdentityFindings([...stores.values()]));
  for (const [name, store] of stores) {
    const served = servedNamespaces(store.object);
    const used = consumers.get(name) ?? new Set<string>();
    if (served === 'any') {
      findings.push(finding('secret-store-namespaces', store.file, `${describeObject(store.object)}: spec.conditions must list namespaces by name; without them (or with a selector or regex) it serves every namespace`));
    } else if (served.size !== 1 || used.size > 1 || [...used].some((ns) => !served.has(ns))) {
      findings.push(finding('secret-store-namespaces', store.file, `${describeObject(store.object)}: must serve exactly the one namespace that uses it; serves ${[...served].join(', ') || 'none'}, used by ${[...used].join(', ') || 'none'}`));
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
      findings.push(finding('secret-store-identity', file, `${describeObject(object)}: Vault Kubernetes auth needs serviceAccountRef with name and namespace; without them the store logs in as the operator itself, an identity every store shares`));
      continue;
    }
    for (const identity of [`role ${JSON.stringify(kubernetes.role)}`, `ServiceAccount ${account.namespace}/${account.name}`]) {
      const other = seen.get(identity);
      if (other !== undefined) findings.push(finding('secret-store-identity', file, `${describeObject(object)}: shares the Vault ${identity} with ClusterSecretStore ${other}, so it can read that store's keys`));
      else seen.set(identity, nameOf(object));
    }
  }
  return findings;
}

// --- Argo Rollouts and its Gateway API plugin -----------------------------------------

interface PluginItem { name?: string; location?: string; sha256?: string }

function registeredPlugins(objects: readonly ManifestObject[]): { namespace: string; plugins: PluginItem[] }[] {
  return ofKind(objects, '', 'ConfigMap')
    .filter(({ object }) => nameOf(object) === 'argo-rollouts-config')
    .map(({ object }) => {
      // argo-rollouts utils/config: `trafficRouterPlugins` is a YAML list of PluginItem.
      let plugins: unknown;
      try {
        plugins = parse(object.data?.trafficRouterPlugins ?? '[]');
      } catch {
        plugins = [];
      }
      return { namespace: namespaceOf(object), plugins: Array.isArray(plugins) ? (plugins as PluginItem[]) : [] };
    });
}

/** Does some ClusterRoleBinding give a ServiceAccount in `namespace` these verbs on HTTPRoutes? */
function grantsHttpRoutes(objects: readonly ManifestObject[], namespace: string, verbs: readonly string[]): boolean {
  const roles = new Map(ofKind(objects, 'rbac.authorization.k8s.io', 'ClusterRole').map(({ object }) => [nameOf(object), object]));
  return ofKind(objects, 'rbac.authorization.k8s.io', 'ClusterRoleBinding').some(({ object: binding }) => {
    const bound = (binding.subjects ?? []).some((s: any) => s.kind === 'ServiceAccount' && s.namespace === namespace);
    const role = binding.roleRef?.kind === 'ClusterRole' ? roles.get(binding.roleRef.name) : undefined;
    if (!bound || role === undefined) return false;
    const granted = new Set<string>();
    for (const rule of role.rules ?? []) {
      const groups: string[] = rule.apiGroups ?? [];
      const resources: string[] = rule.resources ?? [];
      if ((groups.includes('gateway.networking.k8s.io') || groups.includes('*')) && (resources.includes('httproutes') || resources.includes('*'))) {
        for (const verb of rule.verbs ?? []) granted.add(verb);
      }
    }
    return verbs.every((verb) => granted.has(verb) || granted.has('*'));
  });
}

/** The Gateway API plugin gets and updates each HTTPRoute it steers (pkg/plugin/httproute.go, v0.15.0). */
const PLUGIN_VERBS = ['get', 'update'];

function rolloutsPluginFindings(objects: readonly ManifestObject[]): Finding[] {
  const configs = registeredPlugins(objects);
  const findings: Finding[] = [];
  for (const { file, object } of ofKind(objects, 'argoproj.io', 'Rollout')) {
    const plugins: Record<string, unknown> = object.spec?.strategy?.canary?.trafficRouting?.plugins ?? {};
    for (const name of Object.keys(plugins)) {
      // The controller resolves the name against its ConfigMap; an unknown name fails the
      // Rollout with "failed to get traffic router plugin" (argo-rollouts rollout/trafficrouting/plugin).
      const config = configs.find((c) => c.plugins.some((p) => p.name === name));
      if (config === undefined) {
        findings.push(finding('rollouts-plugin', file, `${describeObject(object)}: trafficRouting.plugins names "${name}", which no generated argo-rollouts-config ConfigMap registers`));
        continue;
      }
      const entry = config.plugins.find((p) => p.name === name) as PluginItem;
      if (!/^https:\/\/\S+\/releases\/download\/v[0-9]+\.[0-9]+\.[0-9]+\//.test(entry.location ?? '')) {
        findings.push(finding('rollouts-plugin', file, `${describeObject(object)}: plugin "${name}" is not pinned to a release (location ${JSON.stringify(entry.location)})`));
      }
      if (name === 'argoproj-labs/gatewayAPI' && !grantsHttpRoutes(objects, config.namespace, PLUGIN_VERBS)) {
        findings.push(finding('rollouts-plugin-rbac', file, `${describeObject(object)}: no ClusterRoleBinding lets a ServiceAccount in "${config.namespace}" ${PLUGIN_VERBS.join(' and ')} HTTPRoutes, so the plugin cannot move weights`));
      }
    }
  }
  return findings;
}

// --- Signed images --------------------------------------------------------------------

/** policy-controller's glob (pkg/apis/glob/glob.go Compile, v0.15.1): `*` stops at "/", `**` does not. */
export function imageGlobMatches(glob: string, image: string): boolean {
  const source = glob.replace(/\./g, '\\.').replace(/\*\*/g, '#').replace(/\*/g, '[^/]*').replace(/#/g, '.*');
  return new RegExp(`^${source}$`).test(image);
}

function imagePolicyFindings(objects: readonly ManifestObject[]): Finding[] {
  const policies = ofKind(objects, 'policy.sigstore.dev', 'ClusterImagePolicy').filter(({ object }) =>
    (object.spec?.authorities ?? []).some((a: any) => (a.keyless?.identities ?? []).some((id: any) => id.issuer && id.subject)) &&
    (object.spec?.mode ?? 'enforce') === 'enforce',
  );
  const namespaces = new Map(ofKind(objects, '', 'Namespace').map((m) => [nameOf(m.object), m]));
  const findings: Finding[] = [];
  const reported = new Set<string>();
  for (const container of objects.flatMap(podTemplatesOf).flatMap(containersOf)) {
    const { pod, where } = container;
    const namespace = namespaces.get(pod.namespace);
    if (namespace !== undefined && namespace.object.metadata?.labels?.[OPT_IN_LABEL] !== 'true' && !reported.has(pod.namespace)) {
      reported.add(pod.namespace);
      findings.push(finding('image-signature', namespace.file, `${describeObject(namespace.object)}: lacks the label ${OPT_IN_LABEL}: "true", so no signature is checked for its pods`));
    }
    const image: string = container.container.image ?? '';
    if (!policies.some(({ object }) => (object.spec?.images ?? []).some((i: any) => imageGlobMatches(i.glob ?? '', image)))) {
      findings.push(finding('image-signature', pod.manifest.file, `${where}: image ${image} is matched by no enforcing ClusterImagePolicy with a keyless signer`));
    }
  }
  return findings;
}
