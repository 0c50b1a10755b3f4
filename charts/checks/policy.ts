import {
  containersOf,
  describeObject,
  groupOf,
  isEmptySelector,
  nameOf,
  namespaceOf,
  podTemplatesOf,
  securityViolations,
  selectorMatches,
  type Container,
  type ManifestObject,
  type PodTemplate,
  type SecurityViolation,
} from '../manifest';
import { checkSecretConsumers } from './secret-consumers';
import type { Finding } from './types';

/**
 * Security and operability rules every object set must keep (issue 2, DESIGN.md):
 * hardened containers, pinned images, disruption budgets and autoscalers for Rollouts,
 * no node-exposed Services, no Secret material in git, PSA-restricted namespaces with a
 * default-deny NetworkPolicy.
 */
export function checkPolicy(objects: readonly ManifestObject[]): Finding[] {
  const pods = objects.flatMap(podTemplatesOf);
  return [
    ...objects.flatMap(securityViolations).map(securityFinding),
    ...pods.flatMap(containersOf).flatMap(containerFindings),
    ...objects.flatMap((m) => rolloutFindings(m, objects)),
    ...objects.flatMap(serviceFindings),
    ...objects.flatMap(secretFindings),
    ...objects.flatMap(namespaceFindings),
    ...defaultDenyFindings(objects, pods),
    ...checkSecretConsumers(objects),
  ];
}

const finding = (rule: string, file: string, message: string): Finding => ({ check: 'policy', rule, file, message });

const IMAGE_BY_DIGEST = /^[^@\s]+@sha256:[0-9a-f]{64}$/;

/** A violation of the shared pod security rules (charts/manifest/security.ts). */
function securityFinding(v: SecurityViolation): Finding {
  return finding(v.rule, v.pod.manifest.file, `${(v.container ?? v.pod).where}: ${v.message}`);
}

/** What a container needs besides the security rules: probes, resources, a pinned image. */
function containerFindings(c: Container): Finding[] {
  const { container, pod, where } = c;
  const file = pod.manifest.file;
  const findings: Finding[] = [];
  const fail = (rule: string, message: string) => findings.push(finding(rule, file, `${where}: ${message}`));

  if (!c.runsToCompletion) {
    if (container.livenessProbe === undefined) fail('probes', 'has no livenessProbe');
    if (container.readinessProbe === undefined) fail('probes', 'has no readinessProbe');
  }
  for (const kind of ['requests', 'limits'] as const) {
    for (const resource of ['cpu', 'memory']) {
      if (container.resources?.[kind]?.[resource] === undefined) fail('resources', `has no resources.${kind}.${resource}`);
    }
  }

  const image = container.image;
  if (typeof image !== 'string' || image === '') fail('image-digest', 'has no image');
  else {
    const reference = image.split('@')[0];
    if (/:latest$/.test(reference)) fail('image-latest', `image ${image} uses the :latest tag`);
    if (!IMAGE_BY_DIGEST.test(image)) fail('image-digest', `image ${image} is not pinned by digest (name@sha256:<64 hex>)`);
  }
  return findings;
}

function rolloutFindings({ file, object }: ManifestObject, objects: readonly ManifestObject[]): Finding[] {
  if (object?.kind !== 'Rollout' || groupOf(object.apiVersion) !== 'argoproj.io') return [];
  const namespace = namespaceOf(object);
  const sameNamespace = objects.filter((m) => namespaceOf(m.object) === namespace);
  const labels = object.spec?.template?.metadata?.labels ?? {};
  const findings: Finding[] = [];
  const pdb = sameNamespace.find(
    (m) =>
      m.object?.kind === 'PodDisruptionBudget' &&
      !isEmptySelector(m.object.spec?.selector) &&
      selectorMatches(m.object.spec?.selector, labels),
  );
  if (pdb === undefined) {
    findings.push(finding('rollout-pdb', file, `${describeObject(object)}: no PodDisruptionBudget selects its pods`));
  }
  const hpa = sameNamespace.find((m) => {
    const target = m.object?.spec?.scaleTargetRef;
    return (
      m.object?.kind === 'HorizontalPodAutoscaler' &&
      target?.kind === 'Rollout' &&
      groupOf(target.apiVersion) === 'argoproj.io' &&
      target.name === nameOf(object)
    );
  });
  if (hpa === undefined) {
    findings.push(finding('rollout-hpa', file, `${describeObject(object)}: no HorizontalPodAutoscaler targets it`));
  } else if (object.spec?.replicas !== undefined) {
    // DESIGN.md: with an HPA the Rollout carries no replicas, so Argo CD (syncing git)
    // and the HPA (scaling live) never fight over the field.
    findings.push(
      finding('rollout-replicas', file, `${describeObject(object)}: sets spec.replicas although ${describeObject(hpa.object)} scales it`),
    );
  }
  return findings;
}

function serviceFindings({ file, object }: ManifestObject): Finding[] {
  if (object?.kind !== 'Service' || groupOf(object.apiVersion) !== '') return [];
  const type = object.spec?.type;
  return type === 'NodePort' || type === 'LoadBalancer'
    ? [finding('service-type', file, `${describeObject(object)}: type ${type} exposes it outside the Gateway; use ClusterIP`)]
    : [];
}

function secretFindings({ file, object }: ManifestObject): Finding[] {
  if (object?.kind !== 'Secret' || groupOf(object.apiVersion) !== '') return [];
  const carried = ['data', 'stringData'].filter((key) => object[key] !== undefined && object[key] !== null);
  return carried.length > 0
    ? [
        finding(
          'secret-data',
          file,
          `${describeObject(object)}: carries ${carried.join(' and ')}; secret values come from ExternalSecrets, never from git`,
        ),
      ]
    : [];
}

const PSA_MODES = ['enforce', 'audit', 'warn'];

function namespaceFindings({ file, object }: ManifestObject): Finding[] {
  if (object?.kind !== 'Namespace' || groupOf(object.apiVersion) !== '') return [];
  const labels = object.metadata?.labels ?? {};
  return PSA_MODES.filter((mode) => labels[`pod-security.kubernetes.io/${mode}`] !== 'restricted').map((mode) =>
    finding('namespace-psa', file, `${describeObject(object)}: label pod-security.kubernetes.io/${mode} must be "restricted"`),
  );
}

/**
 * Every namespace declared here or running pods from here must deny all traffic by
 * default, so each allowance is a visible, reviewable NetworkPolicy.
 */
function defaultDenyFindings(objects: readonly ManifestObject[], pods: PodTemplate[]): Finding[] {
  const needing = new Map<string, string>(); // namespace → file that needs it
  for (const { file, object } of objects) {
    if (object?.kind === 'Namespace' && groupOf(object.apiVersion) === '') needing.set(nameOf(object), file);
  }
  for (const pod of pods) if (!needing.has(pod.namespace)) needing.set(pod.namespace, pod.manifest.file);
  const denied = new Set(objects.filter((m) => isDefaultDeny(m.object)).map((m) => namespaceOf(m.object)));
  return [...needing]
    .filter(([namespace]) => !denied.has(namespace))
    .map(([namespace, file]) =>
      finding(
        'default-deny',
        file,
        `namespace ${namespace || '(unset)'} has no default-deny NetworkPolicy (empty podSelector, policyTypes Ingress and Egress, no rules)`,
      ),
    );
}

function isDefaultDeny(object: any): boolean {
  if (object?.kind !== 'NetworkPolicy' || groupOf(object.apiVersion) !== 'networking.k8s.io') return false;
  const spec = object.spec ?? {};
  const types: unknown[] = spec.policyTypes ?? [];
  const noRules = (rules: unknown) => rules === undefined || (Array.isArray(rules) && rules.length === 0);
  return (
    isEmptySelector(spec.podSelector) &&
    types.includes('Ingress') &&
    types.includes('Egress') &&
    noRules(spec.ingress) &&
    noRules(spec.egress)
  );
}
