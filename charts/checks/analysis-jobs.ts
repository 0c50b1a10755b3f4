/**
 * Analysis Jobs that call a role over HTTP (the smoke test, staging's load check) must
 * reach what they are meant to test. Neither the API server nor Argo Rollouts notices a
 * broken wiring before a release: a Job calling a Service that does not exist, or one
 * the NetworkPolicies block, just fails, and the release is aborted for nothing.
 *
 * - `analysis-job-target`: a URL argument of a Rollout's analysis names a Service of
 *   the namespace on one of its ports, and the right one: a blue-green pre-promotion
 *   analysis the previewService (until promotion the only Service on the new pods:
 *   argo-rollouts rollout/service.go, reconcilePreviewService switches it to the new
 *   ReplicaSet while reconcileActiveService keeps the active one on the stable ReplicaSet),
 *   a post-promotion analysis the activeService, a canary step's analysis the canaryService.
 * - `analysis-job-network`: the NetworkPolicies let the Job's pods open a connection to
 *   the Service's pods on its target port (network-reach.ts).
 */
import {
  describeObject,
  groupOf,
  nameOf,
  namespaceOf,
  podTemplatesOf,
  SERVING_WORKLOAD_KINDS,
  selectorMatches,
  type ManifestObject,
  type PodTemplate,
} from '../manifest';
import { clusterName } from './delivery-canary';
import { blockedConnection, type PodEnd } from './network-reach';
import { type Finding } from './types';

const finding = (rule: string, file: string, message: string): Finding => ({ check: 'delivery', rule, file, message });

/** One analysis of a Rollout, with the Service its URL arguments should name. */
interface RolloutAnalysis {
  readonly rollout: ManifestObject;
  readonly path: string;
  readonly analysis: any;
  readonly expectedService?: string;
}

export function checkAnalysisJobs(objects: readonly ManifestObject[]): Finding[] {
  return objects.flatMap(analysesOf).flatMap((a) => analysisFindings(a, objects));
}

function analysesOf(rollout: ManifestObject): RolloutAnalysis[] {
  const o = rollout.object;
  if (o?.kind !== 'Rollout' || groupOf(o.apiVersion) !== 'argoproj.io') return [];
  const blueGreen = o.spec?.strategy?.blueGreen;
  const canary = o.spec?.strategy?.canary;
  const found: RolloutAnalysis[] = [];
  const add = (path: string, analysis: unknown, expectedService: unknown) => {
    if (analysis !== undefined && analysis !== null) {
      found.push({ rollout, path, analysis, expectedService: typeof expectedService === 'string' ? expectedService : undefined });
    }
  };
  add('spec.strategy.blueGreen.prePromotionAnalysis', blueGreen?.prePromotionAnalysis, blueGreen?.previewService);
  add('spec.strategy.blueGreen.postPromotionAnalysis', blueGreen?.postPromotionAnalysis, blueGreen?.activeService);
  add('spec.strategy.canary.analysis', canary?.analysis, undefined);
  (Array.isArray(canary?.steps) ? canary.steps : []).forEach((step: any, i: number) =>
    add(`spec.strategy.canary.steps[${i}].analysis`, step?.analysis, canary?.canaryService),
  );
  return found;
}

function analysisFindings(a: RolloutAnalysis, objects: readonly ManifestObject[]): Finding[] {
  const namespace = namespaceOf(a.rollout.object);
  const where = `${describeObject(a.rollout.object)} ${a.path}`;
  const fail = (rule: string, message: string) => finding(rule, a.rollout.file, `${where}: ${message}`);
  const findings: Finding[] = [];
  for (const arg of a.analysis.args ?? []) {
    if (typeof arg?.value !== 'string' || !/^https?:\/\//.test(arg.value) || !URL.canParse(arg.value)) continue;
    const url = new URL(arg.value);
    const target = clusterName(url.hostname, namespace);
    if (target === undefined) continue;
    const service = objects.find(
      (m) =>
        m.object?.kind === 'Service' &&
        groupOf(m.object.apiVersion) === '' &&
        nameOf(m.object) === target.name &&
        namespaceOf(m.object) === target.namespace,
    );
    if (service === undefined) {
      findings.push(
        fail(
          'analysis-job-target',
          `argument ${arg.name} = ${arg.value} names Service ${target.namespace}/${target.name}, which does not exist`,
        ),
      );
      continue;
    }
    if (a.expectedService !== undefined && (target.name !== a.expectedService || target.namespace !== namespace)) {
      findings.push(
        fail(
          'analysis-job-target',
          `argument ${arg.name} = ${arg.value} calls Service ${target.name}, but this analysis must test the new version through Service ${a.expectedService}`,
        ),
      );
    }
    const port = url.port !== '' ? Number(url.port) : url.protocol === 'https:' ? 443 : 80;
    const servicePort = (service.object.spec?.ports ?? []).find((p: any) => p?.port === port);
    if (servicePort === undefined) {
      findings.push(
        fail('analysis-job-target', `argument ${arg.name} = ${arg.value} uses port ${port}, which Service ${target.name} does not expose`),
      );
      continue;
    }
    findings.push(...networkFindings(a, service.object, servicePort, objects).map((message) => fail('analysis-job-network', message)));
  }
  return findings;
}

/** Whether each Job of the analysis' templates may reach each pod behind the Service. */
function networkFindings(a: RolloutAnalysis, service: any, servicePort: any, objects: readonly ManifestObject[]): string[] {
  const namespace = namespaceOf(service);
  const targets = objects
    .flatMap(podTemplatesOf)
    .filter((pod) => SERVING_WORKLOAD_KINDS.includes(pod.manifest.object.kind) && pod.namespace === namespace)
    .filter(
      (pod) =>
        selectorMatches({ matchLabels: service.spec?.selector ?? {} }, pod.labels) && Object.keys(service.spec?.selector ?? {}).length > 0,
    );
  const messages: string[] = [];
  for (const job of analysisJobs(a, objects)) {
    for (const target of targets) {
      const destination: PodEnd = { namespace, labels: target.labels, namedPorts: namedPorts(target) };
      const targetPort = servicePort.targetPort ?? servicePort.port;
      const port = typeof targetPort === 'string' ? destination.namedPorts?.[targetPort] : targetPort;
      if (port === undefined) {
        messages.push(`Service ${nameOf(service)} targets port "${String(targetPort)}", which no container of ${target.where} names`);
        continue;
      }
      for (const block of blockedConnection(objects, { namespace: job.namespace, labels: job.labels }, destination, port)) {
        messages.push(`the Job of ${job.where} cannot reach ${target.where} behind Service ${nameOf(service)}: ${block}`);
      }
    }
  }
  return messages;
}

function analysisJobs(a: RolloutAnalysis, objects: readonly ManifestObject[]): PodTemplate[] {
  const namespace = namespaceOf(a.rollout.object);
  return (a.analysis.templates ?? []).flatMap((ref: any) => {
    const kind = ref?.clusterScope ? 'ClusterAnalysisTemplate' : 'AnalysisTemplate';
    const template = objects.find(
      (m) =>
        m.object?.kind === kind && nameOf(m.object) === ref?.templateName && (ref?.clusterScope || namespaceOf(m.object) === namespace),
    );
    // A Job of a ClusterAnalysisTemplate runs in the Rollout's namespace too.
    return template === undefined ? [] : podTemplatesOf(template).map((pod) => ({ ...pod, namespace }));
  });
}

function namedPorts(pod: PodTemplate): Record<string, number> {
  const ports: Record<string, number> = {};
  for (const container of [...(pod.spec.initContainers ?? []), ...(pod.spec.containers ?? [])]) {
    for (const p of container?.ports ?? [])
      if (typeof p?.name === 'string' && typeof p?.containerPort === 'number') ports[p.name] = p.containerPort;
  }
  return ports;
}
