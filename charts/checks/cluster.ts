/**
 * Cross-group rules between an environment (dist/<env>/) and the cluster pieces it
 * relies on (dist/cluster/): run them over both sets together. Each rule simulates
 * what a controller does with the objects; an API server would accept every one of
 * the broken cases.
 */
import { parse } from 'yaml';
import { containersOf, podTemplatesOf, describeObject, groupOf, nameOf, namespaceOf, type ManifestObject } from '../manifest';
import { secretStoreFindings } from './secret-stores';
import { type Finding } from './types';

/** Mirrors charts/constructs/cluster/image-policy.ts POLICY_CONTROLLER_OPT_IN. */
const OPT_IN_LABEL = 'policy.sigstore.dev/include';

export function checkCluster(objects: readonly ManifestObject[]): Finding[] {
  return [...secretStoreFindings(objects), ...rolloutsPluginFindings(objects), ...imagePolicyFindings(objects)];
}

const finding = (rule: string, file: string, message: string): Finding => ({ check: 'cluster', rule, file, message });
const ofKind = (objects: readonly ManifestObject[], group: string, kind: string) =>
  objects.filter(({ object }) => object?.kind === kind && groupOf(object.apiVersion) === group);

// --- Argo Rollouts and its Gateway API plugin -----------------------------------------

interface PluginItem {
  name?: string;
  location?: string;
  sha256?: string;
}

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
      if (
        (groups.includes('gateway.networking.k8s.io') || groups.includes('*')) &&
        (resources.includes('httproutes') || resources.includes('*'))
      ) {
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
        findings.push(
          finding(
            'rollouts-plugin',
            file,
            `${describeObject(object)}: trafficRouting.plugins names "${name}", which no generated argo-rollouts-config ConfigMap registers`,
          ),
        );
        continue;
      }
      const entry = config.plugins.find((p) => p.name === name) as PluginItem;
      if (!/^https:\/\/\S+\/releases\/download\/v[0-9]+\.[0-9]+\.[0-9]+\//.test(entry.location ?? '')) {
        findings.push(
          finding(
            'rollouts-plugin',
            file,
            `${describeObject(object)}: plugin "${name}" is not pinned to a release (location ${JSON.stringify(entry.location)})`,
          ),
        );
      }
      if (name === 'argoproj-labs/gatewayAPI' && !grantsHttpRoutes(objects, config.namespace, PLUGIN_VERBS)) {
        findings.push(
          finding(
            'rollouts-plugin-rbac',
            file,
            `${describeObject(object)}: no ClusterRoleBinding lets a ServiceAccount in "${config.namespace}" ${PLUGIN_VERBS.join(' and ')} HTTPRoutes, so the plugin cannot move weights`,
          ),
        );
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
  const policies = ofKind(objects, 'policy.sigstore.dev', 'ClusterImagePolicy').filter(
    ({ object }) =>
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
      findings.push(
        finding(
          'image-signature',
          namespace.file,
          `${describeObject(namespace.object)}: lacks the label ${OPT_IN_LABEL}: "true", so no signature is checked for its pods`,
        ),
      );
    }
    const image: string = container.container.image ?? '';
    if (!policies.some(({ object }) => (object.spec?.images ?? []).some((i: any) => imageGlobMatches(i.glob ?? '', image)))) {
      findings.push(
        finding(
          'image-signature',
          pod.manifest.file,
          `${where}: image ${image} is matched by no enforcing ClusterImagePolicy with a keyless signer`,
        ),
      );
    }
  }
  return findings;
}
