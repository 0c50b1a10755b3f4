import { isPlainObject } from '../../charts/manifest';
import { getIn } from '../lib/fields';
import type { K8sObject } from '../../charts/manifest';
import type { DeliveryPlan } from './plan';
import type { Pod } from './processes';
import { parseDuration, promDuration } from './time';

/**
 * A real Prometheus (Debian's `prometheus` package, the binary beside promtool) scraping
 * the rehearsal's pods the way the Prometheus Operator configures it from the generated
 * ServiceMonitors. The operator's scrape config is reproduced, not summarised:
 * prometheus-operator@6adcebc5 pkg/prometheus/promcfg.go `generateServiceMonitorConfig`
 * (job name, service selector keep rules, port keep rule, namespace/service/pod/container,
 * the Running filter, targetLabels, podTargetLabels, job/jobLabel, endpoint, then the
 * endpoint's own relabelings and metricRelabelings). Kubernetes service discovery is
 * replaced by static targets carrying the same `__meta_kubernetes_*` labels its
 * endpoints role gives a pod behind a Service, so Prometheus itself applies the
 * relabeling: a label renamed in the ServiceMonitor is renamed here too.
 */

/** prometheus-operator's sanitizeLabelName. */
const sanitize = (name: string) => name.replace(/[^a-zA-Z0-9_]/g, '_');

/** camelCase RelabelConfig fields of the CRD → Prometheus' snake_case (generateRelabelConfig). */
function relabelConfig(rule: unknown): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  if (!isPlainObject(rule)) return out;
  for (const [key, value] of Object.entries(rule))
    out[key.replace(/[A-Z]/g, (c) => `_${c.toLowerCase()}`)] = key === 'action' ? String(value).toLowerCase() : value;
  return out;
}

const matches = (selector: Record<string, string>, labels: Record<string, string>) =>
  Object.entries(selector).every(([k, v]) => labels[k] === v);

/**
 * The Service's endpoints: every pod its selector matches. Argo Rollouts adds
 * `rollouts-pod-template-hash` to the stable and canary Services' selectors.
 */
export function serviceSelector(plan: DeliveryPlan, service: K8sObject, pods: readonly Pod[]): Record<string, string> | undefined {
  const selector = getIn(service, ['spec', 'selector']) as Record<string, string> | undefined;
  if (!selector) return undefined;
  const name = service.metadata.name;
  const hashOf = (track: Pod['track']) => pods.find((p) => p.track === track)?.hash;
  if (name === plan.canary.canaryService) return { ...selector, 'rollouts-pod-template-hash': hashOf('canary') ?? '' };
  if (name === plan.canary.stableService) return { ...selector, 'rollouts-pod-template-hash': hashOf('stable') ?? '' };
  return selector;
}

/** Kubernetes SD (role endpoints) labels of every Service port × pod behind it. */
function discoveredTargets(plan: DeliveryPlan, pods: readonly Pod[]) {
  const groups: { targets: string[]; labels: Record<string, string> }[] = [];
  for (const service of plan.services) {
    const selector = serviceSelector(plan, service, pods);
    if (!selector) continue;
    const serviceLabels = (service.metadata.labels ?? {}) as Record<string, string>;
    for (const port of (getIn(service, ['spec', 'ports']) ?? []) as {
      name?: string;
      port: number;
      targetPort?: string | number;
      protocol?: string;
    }[]) {
      for (const pod of pods) {
        if (!matches(selector, pod.labels)) continue;
        const containerPort =
          typeof port.targetPort === 'string'
            ? pod.containerPorts?.find((p) => p.name === port.targetPort)?.containerPort
            : (port.targetPort ?? port.port);
        const local = containerPort === undefined ? undefined : pod.ports.get(containerPort);
        const labels: Record<string, string> = {
          __meta_kubernetes_namespace: plan.namespace,
          __meta_kubernetes_service_name: service.metadata.name,
          __meta_kubernetes_endpoint_port_name: port.name ?? '',
          __meta_kubernetes_endpoint_port_protocol: port.protocol ?? 'TCP',
          __meta_kubernetes_endpoint_ready: 'true',
          __meta_kubernetes_endpoint_address_target_kind: 'Pod',
          __meta_kubernetes_endpoint_address_target_name: pod.name,
          __meta_kubernetes_pod_name: pod.name,
          __meta_kubernetes_pod_container_name: pod.containerName,
          __meta_kubernetes_pod_phase: pod.alive() ? 'Running' : 'Failed',
          __meta_kubernetes_pod_ready: 'true',
        };
        if (containerPort !== undefined) labels.__meta_kubernetes_pod_container_port_number = String(containerPort);
        const portName = pod.containerPorts?.find((p) => p.containerPort === containerPort)?.name;
        if (portName) labels.__meta_kubernetes_pod_container_port_name = portName;
        for (const [k, v] of Object.entries(serviceLabels)) {
          labels[`__meta_kubernetes_service_label_${sanitize(k)}`] = v;
          labels[`__meta_kubernetes_service_labelpresent_${sanitize(k)}`] = 'true';
        }
        for (const [k, v] of Object.entries(pod.labels)) {
          labels[`__meta_kubernetes_pod_label_${sanitize(k)}`] = v;
          labels[`__meta_kubernetes_pod_labelpresent_${sanitize(k)}`] = 'true';
        }
        // A pod that never listened has no address to scrape: Prometheus sees it down.
        groups.push({ targets: [`127.0.0.1:${local ?? 9}`], labels });
      }
    }
  }
  return groups;
}

type Relabeling = Record<string, unknown>;
type LabelSelector = { matchLabels?: Record<string, string>; matchExpressions?: { key: string; operator: string; values?: string[] }[] };

/** One scrape job per ServiceMonitor endpoint, as the operator writes it; intervals ÷ speed. */
export function scrapeConfigs(plan: DeliveryPlan, pods: readonly Pod[], speed: number): Record<string, unknown>[] {
  const targets = discoveredTargets(plan, pods);
  return plan.serviceMonitors.flatMap((monitor) => {
    const spec = (monitor.spec ?? {}) as Record<string, unknown>;
    const endpoints = (spec.endpoints ?? []) as Record<string, unknown>[];
    return endpoints.map((ep, i) => {
      // Scaled like everything else; Prometheus refuses a timeout longer than the interval.
      const interval = parseDuration(String(ep.interval ?? '30s')) / speed;
      const timeout = Math.min(interval, parseDuration(String(ep.scrapeTimeout ?? '10s')) / speed);
      const job: Record<string, unknown> = {
        job_name: `serviceMonitor/${monitor.metadata.namespace}/${monitor.metadata.name}/${i}`,
        honor_labels: ep.honorLabels === true,
        scrape_interval: promDuration(interval),
        scrape_timeout: promDuration(timeout),
        metrics_path: String(ep.path ?? '/metrics'),
        scheme: String(ep.scheme ?? 'http'),
        static_configs: targets,
        relabel_configs: endpointRelabelings(spec, ep),
      };
      if (Array.isArray(ep.metricRelabelings) && ep.metricRelabelings.length > 0)
        job.metric_relabel_configs = ep.metricRelabelings.map(relabelConfig);
      return job;
    });
  });
}

/** The operator's relabelings for one endpoint, in its order: selection, port, target labels, the user's. */
function endpointRelabelings(spec: Record<string, unknown>, ep: Record<string, unknown>): Relabeling[] {
  return [
    { source_labels: ['job'], target_label: '__tmp_prometheus_job_name' },
    ...selectorRelabelings(spec.selector ?? {}),
    ...portRelabelings(ep),
    ...targetLabelRelabelings(spec, ep),
    ...((ep.relabelings ?? []) as unknown[]).map(relabelConfig),
  ];
}

function selectorRelabelings(selector: LabelSelector): Relabeling[] {
  const label = (k: string) => `__meta_kubernetes_service_label_${sanitize(k)}`;
  const present = (k: string) => `__meta_kubernetes_service_labelpresent_${sanitize(k)}`;
  const keep: Relabeling[] = Object.keys(selector.matchLabels ?? {})
    .sort()
    .map((k) => ({ action: 'keep', source_labels: [label(k), present(k)], regex: `(${selector.matchLabels![k]});true` }));
  for (const exp of selector.matchExpressions ?? []) {
    const both = [label(exp.key), present(exp.key)];
    const values = `(${(exp.values ?? []).join('|')});true`;
    if (exp.operator === 'In') keep.push({ action: 'keep', source_labels: both, regex: values });
    if (exp.operator === 'NotIn') keep.push({ action: 'drop', source_labels: both, regex: values });
    if (exp.operator === 'Exists') keep.push({ action: 'keep', source_labels: [present(exp.key)], regex: 'true' });
    if (exp.operator === 'DoesNotExist') keep.push({ action: 'drop', source_labels: [present(exp.key)], regex: 'true' });
  }
  return keep;
}

function portRelabelings(ep: Record<string, unknown>): Relabeling[] {
  if (ep.port) return [{ action: 'keep', source_labels: ['__meta_kubernetes_endpoint_port_name'], regex: String(ep.port) }];
  if (typeof ep.targetPort === 'string')
    return [{ action: 'keep', source_labels: ['__meta_kubernetes_pod_container_port_name'], regex: ep.targetPort }];
  if (typeof ep.targetPort === 'number')
    return [{ action: 'keep', source_labels: ['__meta_kubernetes_pod_container_port_number'], regex: String(ep.targetPort) }];
  return [];
}

function targetLabelRelabelings(spec: Record<string, unknown>, ep: Record<string, unknown>): Relabeling[] {
  const kind = ['__meta_kubernetes_endpoint_address_target_kind', '__meta_kubernetes_endpoint_address_target_name'];
  const copy = (prefix: string, l: string) => ({
    source_labels: [`${prefix}${sanitize(l)}`],
    target_label: sanitize(l),
    regex: '(.+)',
    replacement: '${1}',
  });
  const relabel: Relabeling[] = [
    { source_labels: kind, separator: ';', regex: 'Node;(.*)', replacement: '${1}', target_label: 'node' },
    { source_labels: kind, separator: ';', regex: 'Pod;(.*)', replacement: '${1}', target_label: 'pod' },
    { source_labels: ['__meta_kubernetes_namespace'], target_label: 'namespace' },
    { source_labels: ['__meta_kubernetes_service_name'], target_label: 'service' },
    { source_labels: ['__meta_kubernetes_pod_name'], target_label: 'pod' },
    { source_labels: ['__meta_kubernetes_pod_container_name'], target_label: 'container' },
  ];
  if (ep.filterRunning !== false)
    relabel.push({ action: 'drop', source_labels: ['__meta_kubernetes_pod_phase'], regex: '(Failed|Succeeded)' });
  relabel.push(...((spec.targetLabels ?? []) as string[]).map((l) => copy('__meta_kubernetes_service_label_', l)));
  relabel.push(...((spec.podTargetLabels ?? []) as string[]).map((l) => copy('__meta_kubernetes_pod_label_', l)));
  relabel.push({ source_labels: ['__meta_kubernetes_service_name'], target_label: 'job', replacement: '${1}' });
  if (spec.jobLabel) relabel.push({ ...copy('__meta_kubernetes_service_label_', String(spec.jobLabel)), target_label: 'job' });
  if (ep.port) relabel.push({ target_label: 'endpoint', replacement: String(ep.port) });
  else if (ep.targetPort !== undefined) relabel.push({ target_label: 'endpoint', replacement: String(ep.targetPort) });
  return relabel;
}

export { startPrometheus, untilScraped, type RunningPrometheus } from './prometheus-server';
