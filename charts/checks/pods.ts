import { describeObject, namespaceOf, type ManifestObject } from './types';

/** A pod template found inside a workload, with where it sits for messages. */
export interface PodTemplate {
  readonly manifest: ManifestObject;
  /** e.g. `Rollout ns/web spec.template`. */
  readonly where: string;
  readonly namespace: string;
  readonly labels: Record<string, string>;
  readonly spec: any;
  /**
   * Long-running pods serve traffic and need probes; run-to-completion pods (Jobs,
   * CronJobs, analysis Jobs) do not, but get every other rule.
   */
  readonly longRunning: boolean;
}

export interface Container {
  readonly pod: PodTemplate;
  /** e.g. `Rollout ns/web container "app"`. */
  readonly where: string;
  readonly container: any;
  /** Init containers that are not sidecars run to completion: no probes (the API rejects them). */
  readonly runsToCompletion: boolean;
}

const LONG_RUNNING_TEMPLATES: Record<string, string> = {
  'argoproj.io/Rollout': 'spec.template',
  'apps/Deployment': 'spec.template',
  'apps/StatefulSet': 'spec.template',
  'apps/DaemonSet': 'spec.template',
  'apps/ReplicaSet': 'spec.template',
};

/** The kinds whose pods a Service, PDB or HPA can select: they keep running. */
export const SERVING_WORKLOAD_KINDS = Object.keys(LONG_RUNNING_TEMPLATES).map((key) => key.split('/')[1]);

export function podTemplatesOf(manifest: ManifestObject): PodTemplate[] {
  const { object } = manifest;
  if (object === null || typeof object !== 'object') return [];
  const group = typeof object.apiVersion === 'string' && object.apiVersion.includes('/') ? object.apiVersion.split('/')[0] : '';
  const kind = `${group}/${object.kind}`;
  const found: { path: string; template: unknown; longRunning: boolean }[] = [];
  if (kind in LONG_RUNNING_TEMPLATES) {
    found.push({ path: 'spec.template', template: object.spec?.template, longRunning: true });
  } else if (kind === '/Pod') {
    found.push({ path: '(the pod)', template: object, longRunning: true });
  } else if (kind === 'batch/Job') {
    found.push({ path: 'spec.template', template: object.spec?.template, longRunning: false });
  } else if (kind === 'batch/CronJob') {
    found.push({ path: 'spec.jobTemplate.spec.template', template: object.spec?.jobTemplate?.spec?.template, longRunning: false });
  } else if (kind === 'argoproj.io/AnalysisTemplate' || kind === 'argoproj.io/ClusterAnalysisTemplate') {
    const metrics: unknown[] = Array.isArray(object.spec?.metrics) ? object.spec.metrics : [];
    metrics.forEach((metric, index) => {
      const job = (metric as { provider?: { job?: { spec?: { template?: unknown } } } })?.provider?.job;
      if (job !== undefined) {
        found.push({ path: `spec.metrics[${index}].provider.job.spec.template`, template: job.spec?.template, longRunning: false });
      }
    });
  }
  return found
    .filter(({ template }) => template !== null && typeof template === 'object')
    .map(({ path, template, longRunning }) => {
      const t = template as { metadata?: { labels?: Record<string, string> }; spec?: unknown };
      return {
        manifest,
        where: `${describeObject(object)} ${path}`,
        namespace: namespaceOf(object),
        labels: t.metadata?.labels ?? {},
        spec: t.spec ?? {},
        longRunning,
      };
    });
}

export function containersOf(pod: PodTemplate): Container[] {
  const list = (value: unknown): unknown[] => (Array.isArray(value) ? value : []);
  const name = (c: unknown) => JSON.stringify((c as { name?: unknown })?.name ?? '<no name>');
  const prefix = describeObject(pod.manifest.object);
  return [
    ...list(pod.spec.initContainers).map((container) => ({
      pod,
      where: `${prefix} init container ${name(container)}`,
      container: container ?? {},
      runsToCompletion: (container as { restartPolicy?: unknown })?.restartPolicy !== 'Always',
    })),
    ...list(pod.spec.containers).map((container) => ({
      pod,
      where: `${prefix} container ${name(container)}`,
      container: container ?? {},
      runsToCompletion: !pod.longRunning,
    })),
  ];
}

/** Does a label selector (`matchLabels` + `matchExpressions`) select these labels? */
export function selectorMatches(selector: unknown, labels: Record<string, string>): boolean {
  if (selector === null || typeof selector !== 'object') return false;
  const { matchLabels = {}, matchExpressions = [] } = selector as {
    matchLabels?: Record<string, string>;
    matchExpressions?: { key: string; operator: string; values?: string[] }[];
  };
  const labelsMatch = Object.entries(matchLabels).every(([key, value]) => labels[key] === value);
  const expressionsMatch = matchExpressions.every(({ key, operator, values = [] }) => {
    switch (operator) {
      case 'In':
        return key in labels && values.includes(labels[key]);
      case 'NotIn':
        return !(key in labels) || !values.includes(labels[key]);
      case 'Exists':
        return key in labels;
      case 'DoesNotExist':
        return !(key in labels);
      default:
        return false;
    }
  });
  return labelsMatch && expressionsMatch;
}

/** A selector with no terms selects every pod: never what a PDB or Service means. */
export function isEmptySelector(selector: unknown): boolean {
  const s = (selector ?? {}) as { matchLabels?: object; matchExpressions?: unknown[] };
  return Object.keys(s.matchLabels ?? {}).length === 0 && (s.matchExpressions ?? []).length === 0;
}

/** Service selectors are a plain map: every pair must be among the pod's labels. */
export function mapSelectorMatches(selector: Record<string, string>, labels: Record<string, string>): boolean {
  return Object.entries(selector).every(([key, value]) => labels[key] === value);
}
