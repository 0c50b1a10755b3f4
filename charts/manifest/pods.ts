/**
 * Where the pods are in a manifest: pod templates by kind (a Rollout's template, a
 * CronJob's job template, an AnalysisTemplate's smoke Job), and by shape in a kind this
 * table does not know, so a new workload kind cannot slip past the image and security
 * rules. Each template carries two locations: `where` for a finding (names the object)
 * and `specPath`, the pod spec's path in the field diff's notation (named list items by
 * name), stable across revisions so `npm run diff` can compare them.
 */
import { describeObject, isPlainObject, namespaceOf, type ManifestObject } from './object';

/** A pod template found inside a workload, with where it sits for messages. */
export interface PodTemplate {
  readonly manifest: ManifestObject;
  /** e.g. `Rollout ns/web spec.template`. */
  readonly where: string;
  /** e.g. `spec.template.spec`: the pod spec's path inside the object. */
  readonly specPath: string;
  /** The pod spec as a JSON pointer (RFC 6901, list items by index), for a JSON patch. */
  readonly specPointer: string;
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
  /** e.g. `spec.template.spec.containers[name=app]`, stable across revisions. */
  readonly id: string;

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

interface Found {
  /** Path of the template (the object holding `metadata` and `spec`). */
  readonly path: string;
  /** Path of the pod spec, for `specPath`. */
  readonly specPath: string;
  /** JSON pointer of the pod spec. */
  readonly specPointer: string;
  readonly template: unknown;
  readonly longRunning: boolean;
}

/** A list item's segment in the field diff's notation: `[name=x]`, else `[index]`. */
const itemSegment = (item: unknown, index: number) =>
  `[${isPlainObject(item) && typeof item.name === 'string' ? `name=${item.name}` : index}]`;

function templatesByKind(kind: string, object: any): Found[] | undefined {
  if (kind in LONG_RUNNING_TEMPLATES) {
    return [
      {
        path: 'spec.template',
        specPath: 'spec.template.spec',
        specPointer: '/spec/template/spec',
        template: object.spec?.template,
        longRunning: true,
      },
    ];
  }
  switch (kind) {
    case '/Pod':
      return [{ path: '(the pod)', specPath: 'spec', specPointer: '/spec', template: object, longRunning: true }];
    case 'batch/Job':
      return [
        {
          path: 'spec.template',
          specPath: 'spec.template.spec',
          specPointer: '/spec/template/spec',
          template: object.spec?.template,
          longRunning: false,
        },
      ];
    case 'batch/CronJob': {
      const path = 'spec.jobTemplate.spec.template';
      const specPointer = '/spec/jobTemplate/spec/template/spec';
      return [{ path, specPath: `${path}.spec`, specPointer, template: object.spec?.jobTemplate?.spec?.template, longRunning: false }];
    }
    case 'argoproj.io/AnalysisTemplate':
    case 'argoproj.io/ClusterAnalysisTemplate': {
      const metrics: unknown[] = Array.isArray(object.spec?.metrics) ? object.spec.metrics : [];
      return metrics.flatMap((metric, index) => {
        const job = (metric as { provider?: { job?: { spec?: { template?: unknown } } } })?.provider?.job;
        if (job === undefined) return [];
        const path = `spec.metrics${itemSegment(metric, index)}.provider.job.spec.template`;
        const specPointer = `/spec/metrics/${index}/provider/job/spec/template/spec`;
        return [{ path, specPath: `${path}.spec`, specPointer, template: job.spec?.template, longRunning: false }];
      });
    }
    default:
      return undefined;
  }
}

/** Pod specs (objects with a `containers` list) anywhere in a value of an unknown kind. */
function templatesByShape(value: unknown, path: string, pointer: string): Found[] {
  if (Array.isArray(value)) {
    return value.flatMap((item, index) => templatesByShape(item, `${path}${itemSegment(item, index)}`, `${pointer}/${index}`));
  }
  if (!isPlainObject(value)) return [];
  if (Array.isArray(value.containers)) {
    // Unknown kinds are assumed to keep running: the stricter reading (probes too).
    return [{ path: path || '(root)', specPath: path || '(root)', specPointer: pointer, template: { spec: value }, longRunning: true }];
  }
  const escape = (key: string) => key.replace(/~/g, '~0').replace(/\//g, '~1');
  return Object.entries(value).flatMap(([key, child]) =>
    templatesByShape(child, path ? `${path}.${key}` : key, `${pointer}/${escape(key)}`),
  );
}

export function podTemplatesOf(manifest: ManifestObject): PodTemplate[] {
  const { object } = manifest;
  if (object === null || typeof object !== 'object') return [];
  const group = typeof object.apiVersion === 'string' && object.apiVersion.includes('/') ? object.apiVersion.split('/')[0] : '';
  const found = templatesByKind(`${group}/${object.kind}`, object) ?? templatesByShape(object, '', '');
  return found
    .filter(({ template }) => template !== null && typeof template === 'object')
    .map(({ path, specPath, specPointer, template, longRunning }) => {
      const t = template as { metadata?: { labels?: Record<string, string> }; spec?: unknown };
      return {
        manifest,
        where: `${describeObject(object)} ${path}`,
        specPath,
        specPointer,
        namespace: namespaceOf(object),
        labels: t.metadata?.labels ?? {},
        spec: t.spec ?? {},
        longRunning,
      };
    });
}

/**
 * Init containers and containers. Ephemeral containers are left out: the API refuses
 * them when a pod is created (they are only added later through a subresource), so a
 * manifest cannot carry them.
 */
export function containersOf(pod: PodTemplate): Container[] {
  const list = (value: unknown): unknown[] => (Array.isArray(value) ? value : []);
  const name = (c: unknown) => JSON.stringify((c as { name?: unknown })?.name ?? '<no name>');
  const prefix = describeObject(pod.manifest.object);
  return [
    ...list(pod.spec.initContainers).map((container, index) => ({
      pod,
      where: `${prefix} init container ${name(container)}`,
      id: `${pod.specPath}.initContainers${itemSegment(container, index)}`,
      container: container ?? {},
      runsToCompletion: (container as { restartPolicy?: unknown })?.restartPolicy !== 'Always',
    })),
    ...list(pod.spec.containers).map((container, index) => ({
      pod,
      where: `${prefix} container ${name(container)}`,
      id: `${pod.specPath}.containers${itemSegment(container, index)}`,
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
