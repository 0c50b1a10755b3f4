/**
 * What a Rollout uses, as the keys of objects in the same set: rule
 * `rollout-dependency-wave` of argocd.ts wants each of them synced in an earlier wave.
 */
import { podTemplatesOf, groupOf, nameOf, namespaceOf, type ManifestObject } from '../manifest';

export interface Dependency {
  readonly key: string;
  readonly why: string;
}

/** Records one dependency by group, kind, name and namespace (the Rollout's by default). */
type Add = (group: string, kind: string, name: unknown, why: string, ns?: string) => void;

const MONITORING_KINDS = ['ServiceMonitor', 'PodMonitor', 'PrometheusRule'];
const isMonitoring = (object: any): boolean =>
  MONITORING_KINDS.includes(object?.kind) && groupOf(object?.apiVersion) === 'monitoring.coreos.com';

export function keyOf(object: any): string {
  return `${groupOf(object?.apiVersion)}/${object?.kind}/${namespaceOf(object)}/${nameOf(object)}`;
}

/** What a Rollout uses, by the keys of the objects in this set, with the reason. */
export function dependenciesOf(rollout: any, objects: readonly ManifestObject[]): Dependency[] {
  const namespace = namespaceOf(rollout);
  const deps: Dependency[] = [];
  const add: Add = (group, kind, name, why, ns = namespace) => {
    if (typeof name === 'string' && name !== '') deps.push({ key: `${group}/${kind}/${ns}/${name}`, why });
  };
  const strategy = rollout.spec?.strategy ?? {};
  strategyDependencies(strategy, add);
  const plugin = strategy.canary?.trafficRouting?.plugins?.['argoproj-labs/gatewayAPI'];
  if (plugin !== undefined) routeDependencies(plugin, objects, namespace, add);
  podDependencies(rollout, objects, namespace, add);

  // Monitoring: the canary's metrics must be scraped, and its alerts loaded, from the first step.
  for (const { object } of objects) if (isMonitoring(object)) deps.push({ key: keyOf(object), why: 'monitoring' });
  return deps;
}

/** The Services the strategy names and the templates of its analyses. */
function strategyDependencies(strategy: any, add: Add): void {
  add('', 'Service', strategy.canary?.stableService, 'stable Service');
  add('', 'Service', strategy.canary?.canaryService, 'canary Service');
  add('', 'Service', strategy.blueGreen?.activeService, 'active Service');
  add('', 'Service', strategy.blueGreen?.previewService, 'preview Service');

  const analyses = [
    strategy.canary?.analysis,
    ...(strategy.canary?.steps ?? []).map((step: any) => step?.analysis),
    strategy.blueGreen?.prePromotionAnalysis,
    strategy.blueGreen?.postPromotionAnalysis,
  ].filter((a) => a !== undefined && a !== null);
  for (const analysis of analyses) {
    for (const ref of analysis.templates ?? []) {
      if (ref?.clusterScope) add('argoproj.io', 'ClusterAnalysisTemplate', ref?.templateName, 'analysis template', '');
      else add('argoproj.io', 'AnalysisTemplate', ref?.templateName, 'analysis template');
    }
  }
}

/** The HTTPRoutes the Gateway API plugin moves weights on, and their Gateways. */
function routeDependencies(plugin: any, objects: readonly ManifestObject[], namespace: string, add: Add): void {
  const routeNamespace = plugin.namespace ?? namespace;
  const routes = [plugin.httpRoute, ...(plugin.httpRoutes ?? []).map((r: any) => r?.name)].filter((r) => typeof r === 'string');
  for (const routeName of routes) {
    add('gateway.networking.k8s.io', 'HTTPRoute', routeName, 'traffic-routed HTTPRoute', routeNamespace);
    const route = objects.find(
      (m) => m.object?.kind === 'HTTPRoute' && nameOf(m.object) === routeName && namespaceOf(m.object) === routeNamespace,
    );
    for (const parent of route?.object.spec?.parentRefs ?? []) {
      if ((parent?.kind ?? 'Gateway') === 'Gateway')
        add('gateway.networking.k8s.io', 'Gateway', parent?.name, `Gateway of HTTPRoute ${routeName}`, parent?.namespace ?? routeNamespace);
    }
  }
}

/** The pod template's ServiceAccount, ConfigMaps, Secrets and the ExternalSecrets behind them. */
function podDependencies(rollout: any, objects: readonly ManifestObject[], namespace: string, add: Add): void {
  const producers = new Map<string, string>();
  for (const { object } of objects) {
    if (object?.kind === 'ExternalSecret' && groupOf(object.apiVersion) === 'external-secrets.io') {
      producers.set(`${namespaceOf(object)}/${object.spec?.target?.name ?? nameOf(object)}`, nameOf(object));
    }
  }
  const secret = (name: unknown) => {
    add('', 'Secret', name, 'Secret');
    const producer = producers.get(`${namespace}/${String(name)}`);
    if (producer !== undefined) add('external-secrets.io', 'ExternalSecret', producer, `ExternalSecret producing Secret ${String(name)}`);
  };
  for (const pod of podTemplatesOf({ file: '', object: rollout })) {
    add('', 'ServiceAccount', pod.spec.serviceAccountName ?? pod.spec.serviceAccount, 'ServiceAccount');
    for (const container of [...(pod.spec.initContainers ?? []), ...(pod.spec.containers ?? [])]) {
      for (const env of container?.env ?? []) {
        if (env?.valueFrom?.secretKeyRef) secret(env.valueFrom.secretKeyRef.name);
        if (env?.valueFrom?.configMapKeyRef) add('', 'ConfigMap', env.valueFrom.configMapKeyRef.name, 'ConfigMap');
      }
      for (const source of container?.envFrom ?? []) {
        if (source?.secretRef) secret(source.secretRef.name);
        if (source?.configMapRef) add('', 'ConfigMap', source.configMapRef.name, 'ConfigMap');
      }
    }
    for (const volume of pod.spec.volumes ?? []) {
      if (volume?.secret) secret(volume.secret.secretName);
      if (volume?.configMap) add('', 'ConfigMap', volume.configMap.name, 'ConfigMap');
      for (const source of volume?.projected?.sources ?? []) {
        if (source?.secret) secret(source.secret.name);
        if (source?.configMap) add('', 'ConfigMap', source.configMap.name, 'ConfigMap');
      }
    }
  }
}
