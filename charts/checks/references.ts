import {
  isEmptySelector,
  mapSelectorMatches,
  selectorMatches,
  type PodTemplate,
  describeObject,
  groupOf,
  namespaceOf,
  type ManifestObject,
} from '../manifest';
import { ObjectIndex } from './object-index';
import { type Finding } from './types';

/**
 * Names that point at other objects must resolve within the same object set: a
 * dangling name is accepted by the API server and fails only at run time (a Service
 * with no endpoints, a Rollout stuck waiting for an AnalysisTemplate, a pod in
 * CreateContainerConfigError for a missing secret key).
 */
export function checkReferences(objects: readonly ManifestObject[]): Finding[] {
  const index = new ObjectIndex(objects);
  return [
    ...objects.flatMap((m) => serviceReferences(m, index)),
    ...objects.flatMap((m) => rolloutReferences(m, index)),
    ...objects.flatMap((m) => hpaReferences(m, index)),
    ...objects.flatMap((m) => pdbReferences(m, index)),
    ...objects.flatMap((m) => routeReferences(m, index)),
    ...objects.flatMap((m) => serviceMonitorReferences(m, index)),
    ...index.pods.flatMap((pod) => podReferences(pod, index)),
  ];
}

const finding = (rule: string, file: string, message: string): Finding => ({ check: 'reference', rule, file, message });

function serviceReferences({ file, object }: ManifestObject, index: ObjectIndex): Finding[] {
  if (object?.kind !== 'Service' || groupOf(object.apiVersion) !== '' || object.spec?.type === 'ExternalName') return [];
  const selector: Record<string, string> = object.spec?.selector ?? {};
  if (Object.keys(selector).length === 0) {
    return [finding('service-selector', file, `${describeObject(object)}: has no selector, so it selects no pods`)];
  }
  const pods = index.podsIn(namespaceOf(object)).filter((pod) => mapSelectorMatches(selector, pod.labels));
  if (pods.length === 0) {
    return [
      finding(
        'service-selector',
        file,
        `${describeObject(object)}: selector ${formatLabels(selector)} matches no Rollout/Deployment pod template in its namespace`,
      ),
    ];
  }
  const findings: Finding[] = [];
  for (const port of object.spec?.ports ?? []) {
    if (typeof port?.targetPort !== 'string') continue;
    const named = pods.some((pod) =>
      [...(pod.spec.containers ?? []), ...(pod.spec.initContainers ?? [])].some((c: any) =>
        (c?.ports ?? []).some((p: any) => p?.name === port.targetPort),
      ),
    );
    if (!named)
      findings.push(
        finding(
          'service-port',
          file,
          `${describeObject(object)}: targetPort "${port.targetPort}" is not a container port name of the pods it selects`,
        ),
      );
  }
  return findings;
}

function rolloutReferences({ file, object }: ManifestObject, index: ObjectIndex): Finding[] {
  if (object?.kind !== 'Rollout' || groupOf(object.apiVersion) !== 'argoproj.io') return [];
  const namespace = namespaceOf(object);
  const findings: Finding[] = [];
  const fail = (rule: string, message: string) => findings.push(finding(rule, file, `${describeObject(object)}: ${message}`));
  const labels = object.spec?.template?.metadata?.labels ?? {};
  if (!selectorMatches(object.spec?.selector, labels) || isEmptySelector(object.spec?.selector)) {
    fail('rollout-selector', 'spec.selector does not select its own pod template labels');
  }
  const strategy = object.spec?.strategy ?? {};
  const services: [string, unknown][] = [
    ['strategy.canary.stableService', strategy.canary?.stableService],
    ['strategy.canary.canaryService', strategy.canary?.canaryService],
    ['strategy.blueGreen.activeService', strategy.blueGreen?.activeService],
    ['strategy.blueGreen.previewService', strategy.blueGreen?.previewService],
  ];
  for (const [path, name] of services) {
    if (typeof name === 'string' && index.find('', 'Service', namespace, name) === undefined) {
      fail('rollout-service', `${path} names Service "${name}", which does not exist in its namespace`);
    }
  }
  for (const { path, analysis } of analysesOf(strategy)) {
    for (const [i, ref] of (analysis.templates ?? []).entries()) {
      const template = ref?.clusterScope
        ? index.find('argoproj.io', 'ClusterAnalysisTemplate', undefined, ref?.templateName)
        : index.find('argoproj.io', 'AnalysisTemplate', namespace, ref?.templateName);
      if (template === undefined) {
        fail(
          'rollout-analysis',
          `${path}.templates[${i}] names ${ref?.clusterScope ? 'ClusterAnalysisTemplate' : 'AnalysisTemplate'} "${ref?.templateName}", which does not exist`,
        );
        continue;
      }
      const given = new Set((analysis.args ?? []).map((a: { name?: string }) => a?.name));
      for (const arg of template.object.spec?.args ?? []) {
        if (arg?.value === undefined && arg?.valueFrom === undefined && !given.has(arg?.name)) {
          fail('rollout-analysis', `${path} does not pass argument "${arg?.name}" that ${describeObject(template.object)} requires`);
        }
      }
    }
  }
  const gatewayPlugin = strategy.canary?.trafficRouting?.plugins?.['argoproj-labs/gatewayAPI'];
  if (gatewayPlugin !== undefined) {
    const routes: string[] = [gatewayPlugin.httpRoute, ...(gatewayPlugin.httpRoutes ?? []).map((r: { name?: string }) => r?.name)].filter(
      (r): r is string => typeof r === 'string',
    );
    for (const route of routes) {
      if (index.find('gateway.networking.k8s.io', 'HTTPRoute', gatewayPlugin.namespace ?? namespace, route) === undefined) {
        fail('rollout-traffic-route', `traffic router names HTTPRoute "${route}", which does not exist`);
      }
    }
  }
  return findings;
}

function analysesOf(strategy: any): { path: string; analysis: any }[] {
  const found: { path: string; analysis: any }[] = [];
  if (strategy.canary?.analysis) found.push({ path: 'strategy.canary.analysis', analysis: strategy.canary.analysis });
  (strategy.canary?.steps ?? []).forEach((step: any, i: number) => {
    if (step?.analysis) found.push({ path: `strategy.canary.steps[${i}].analysis`, analysis: step.analysis });
  });
  for (const key of ['prePromotionAnalysis', 'postPromotionAnalysis']) {
    if (strategy.blueGreen?.[key]) found.push({ path: `strategy.blueGreen.${key}`, analysis: strategy.blueGreen[key] });
  }
  return found;
}

function hpaReferences({ file, object }: ManifestObject, index: ObjectIndex): Finding[] {
  if (object?.kind !== 'HorizontalPodAutoscaler') return [];
  const target = object.spec?.scaleTargetRef ?? {};
  return index.find(groupOf(target.apiVersion), target.kind, namespaceOf(object), target.name) === undefined
    ? [
        finding(
          'hpa-target',
          file,
          `${describeObject(object)}: scaleTargetRef ${target.apiVersion}/${target.kind} "${target.name}" does not exist in its namespace`,
        ),
      ]
    : [];
}

function pdbReferences({ file, object }: ManifestObject, index: ObjectIndex): Finding[] {
  if (object?.kind !== 'PodDisruptionBudget') return [];
  const selector = object.spec?.selector;
  const matches = !isEmptySelector(selector) && index.podsIn(namespaceOf(object)).some((pod) => selectorMatches(selector, pod.labels));
  return matches
    ? []
    : [finding('pdb-selector', file, `${describeObject(object)}: selector matches no Rollout/Deployment pod template in its namespace`)];
}

function routeReferences({ file, object }: ManifestObject, index: ObjectIndex): Finding[] {
  if (object?.kind !== 'HTTPRoute' || groupOf(object.apiVersion) !== 'gateway.networking.k8s.io') return [];
  const findings: Finding[] = [];
  (object.spec?.rules ?? []).forEach((rule: any, r: number) => {
    (rule?.backendRefs ?? []).forEach((ref: any, b: number) => {
      const where = `${describeObject(object)}: spec.rules[${r}].backendRefs[${b}]`;
      if ((ref?.group ?? '') !== '' || (ref?.kind ?? 'Service') !== 'Service') return;
      const service = index.find('', 'Service', ref.namespace ?? namespaceOf(object), ref.name);
      if (service === undefined)
        findings.push(finding('httproute-backend', file, `${where} names Service "${ref.name}", which does not exist`));
      else if (!(service.object.spec?.ports ?? []).some((p: any) => p?.port === ref.port)) {
        findings.push(finding('httproute-backend', file, `${where}: Service "${ref.name}" has no port ${ref.port}`));
      }
    });
  });
  return findings;
}

function serviceMonitorReferences({ file, object }: ManifestObject, index: ObjectIndex): Finding[] {
  if (object?.kind !== 'ServiceMonitor' || groupOf(object.apiVersion) !== 'monitoring.coreos.com') return [];
  const namespaces: string[] = object.spec?.namespaceSelector?.matchNames ?? [namespaceOf(object)];
  const services = index.objects.filter(
    (m) =>
      m.object?.kind === 'Service' &&
      namespaces.includes(namespaceOf(m.object)) &&
      selectorMatches(object.spec?.selector, m.object.metadata?.labels ?? {}),
  );
  if (isEmptySelector(object.spec?.selector) || services.length === 0) {
    return [
      finding(
        'servicemonitor-target',
        file,
        `${describeObject(object)}: selector matches no Service (by metadata.labels) in ${namespaces.join(', ')}`,
      ),
    ];
  }
  return (object.spec?.endpoints ?? [])
    .filter(
      (e: any) => typeof e?.port === 'string' && !services.some((s) => (s.object.spec?.ports ?? []).some((p: any) => p?.name === e.port)),
    )
    .map((e: any) =>
      finding(
        'servicemonitor-target',
        file,
        `${describeObject(object)}: endpoint port "${e.port}" is not a port name of the Services it selects`,
      ),
    );
}

function podReferences(pod: PodTemplate, index: ObjectIndex): Finding[] {
  const findings: Finding[] = [];
  const fail = (rule: string, message: string) => findings.push(finding(rule, pod.manifest.file, `${pod.where}: ${message}`));
  const secret = (name: string, key: string | undefined, via: string) => {
    const keys = index.producedSecrets.get(`${pod.namespace}/${name}`);
    if (keys === undefined) fail('secret-ref', `${via} reads Secret "${name}", which no ExternalSecret produces`);
    else if (key !== undefined && keys !== 'any' && !keys.has(key)) {
      fail(
        'secret-ref',
        `${via} reads key "${key}" of Secret "${name}", which its ExternalSecret does not produce (it produces ${[...keys].join(', ') || 'nothing'})`,
      );
    }
  };
  const configMap = (name: string, key: string | undefined, via: string) => {
    const found = index.find('', 'ConfigMap', pod.namespace, name);
    if (found === undefined) fail('configmap-ref', `${via} reads ConfigMap "${name}", which does not exist`);
    else if (key !== undefined && !(key in (found.object.data ?? {})) && !(key in (found.object.binaryData ?? {}))) {
      fail('configmap-ref', `${via} reads key "${key}" of ConfigMap "${name}", which it does not have`);
    }
  };

  const containers = [...(pod.spec.initContainers ?? []), ...(pod.spec.containers ?? [])];
  for (const container of containers) {
    const where = `container "${container?.name}"`;
    for (const env of container?.env ?? []) {
      const from = env?.valueFrom ?? {};
      if (from.secretKeyRef) secret(from.secretKeyRef.name, from.secretKeyRef.key, `${where} env ${env.name}`);
      if (from.configMapKeyRef) configMap(from.configMapKeyRef.name, from.configMapKeyRef.key, `${where} env ${env.name}`);
    }
    for (const source of container?.envFrom ?? []) {
      if (source?.secretRef) secret(source.secretRef.name, undefined, `${where} envFrom`);
      if (source?.configMapRef) configMap(source.configMapRef.name, undefined, `${where} envFrom`);
    }
  }
  for (const volume of pod.spec.volumes ?? []) {
    const where = `volume "${volume?.name}"`;
    const items = (v: any): (string | undefined)[] => (v.items?.length ? v.items.map((i: any) => i?.key) : [undefined]);
    if (volume?.secret) items(volume.secret).forEach((key) => secret(volume.secret.secretName, key, where));
    if (volume?.configMap) items(volume.configMap).forEach((key) => configMap(volume.configMap.name, key, where));
    for (const source of volume?.projected?.sources ?? []) {
      if (source?.secret) items(source.secret).forEach((key) => secret(source.secret.name, key, where));
      if (source?.configMap) items(source.configMap).forEach((key) => configMap(source.configMap.name, key, where));
    }
  }
  const account = pod.spec.serviceAccountName ?? pod.spec.serviceAccount;
  if (typeof account === 'string' && account !== 'default' && index.find('', 'ServiceAccount', pod.namespace, account) === undefined) {
    fail('service-account', `uses ServiceAccount "${account}", which does not exist in its namespace`);
  }
  return findings;
}

function formatLabels(labels: Record<string, string>): string {
  return `{${Object.entries(labels)
    .map(([k, v]) => `${k}=${v}`)
    .join(', ')}}`;
}
