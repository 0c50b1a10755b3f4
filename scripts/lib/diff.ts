import { isDeepStrictEqual } from 'node:util';
import {
  containersOf,
  describeObject,
  isPlainObject,
  podTemplatesOf,
  securityViolations,
  type K8sObject,
  type LoadedObject,
  type ObjectSet,
} from '../../charts/manifest';
import { diffFields, getIn, type FieldChange } from './fields';

/** What deserves a reviewer's eye (DESIGN.md, "Promotion and review"). */
export const FLAG_KINDS = {
  image: 'Image changes',
  replicas: 'Replica and autoscaling bounds',
  resources: 'Resource requests and limits',
  'rollout-steps': 'Rollout strategy and canary steps',
  analysis: 'Analysis and its thresholds',
  'security-context': 'Weakened security settings',
  'network-policy': 'NetworkPolicy changes',
  deleted: 'Deleted objects',
  'argo-cd': 'Argo CD delivery settings',
} as const;

export type FlagKind = keyof typeof FLAG_KINDS;

export interface Flag {
  readonly kind: FlagKind;
  /** The object's key (see `objectKey`). */
  readonly key: string;
  /** `Rollout course-companion-production/api`. */
  readonly object: string;
  readonly detail: string;
}

export interface ObjectChange {
  readonly key: string;
  readonly object: string;
  readonly file: string;
  readonly change: 'added' | 'removed' | 'changed';
  /** Leaf changes; for added and removed objects this is empty. */
  readonly fields: readonly FieldChange[];
}

export interface DiffReport {
  readonly added: readonly ObjectChange[];
  readonly removed: readonly ObjectChange[];
  readonly changed: readonly ObjectChange[];
  readonly unchanged: number;
  readonly flags: readonly Flag[];
}

type Pair = { readonly before?: K8sObject; readonly after?: K8sObject };

const show = (value: unknown): string => (value === undefined ? '(absent)' : JSON.stringify(value));
/** Every container of every pod in an object (charts/manifest/pods.ts finds them). */
const containersIn = (object?: K8sObject) => (object ? podTemplatesOf({ file: '', object }).flatMap(containersOf) : []);

/**
 * The shared security rules' violations in an object, each named by its path inside the
 * object, which stays the same across revisions (the object's name is in the flag).
 */
const securityFindings = (object?: K8sObject): string[] =>
  object ? securityViolations({ file: '', object }).map((v) => `${v.container?.id ?? v.pod.specPath}: ${v.message}`) : [];

const describeChanges = (changes: readonly FieldChange[], prefix = ''): string =>
  changes.map((change) => `${prefix}${change.path}: ${show(change.before)} → ${show(change.after)}`).join('; ');

function imageFlags({ before, after }: Pair): string[] {
  const images = (object?: K8sObject) => new Map(containersIn(object).map(({ id, container }) => [id, container.image as unknown]));
  const was = images(before);
  const now = images(after);
  return [...new Set([...was.keys(), ...now.keys()])]
    .filter((id) => was.get(id) !== now.get(id))
    .map((id) => `${id}: ${show(was.get(id))} → ${show(now.get(id))}`);
}

/** A VPA's mode and bounds decide whether it resizes pods (charts/checks/right-sizing.ts). */
const VPA_FIELDS: readonly (readonly string[])[] = [
  ['spec', 'updatePolicy'],
  ['spec', 'resourcePolicy'],
];

function resourceFlags({ before, after }: Pair): string[] {
  const resources = (object?: K8sObject) => new Map(containersIn(object).map(({ id, container }) => [id, container.resources as unknown]));
  const was = resources(before);
  const now = resources(after);
  const containers = [...new Set([...was.keys(), ...now.keys()])]
    .filter((id) => !isDeepStrictEqual(was.get(id), now.get(id)))
    .map((id) => `${id}: ${describeChanges(diffFields(was.get(id), now.get(id)), '')}`);
  const isVpa = (object?: K8sObject) => object?.kind === 'VerticalPodAutoscaler';
  const vpa =
    isVpa(before) || isVpa(after)
      ? VPA_FIELDS.flatMap((path) => diffFields(getIn(before, path), getIn(after, path), path.join('.'))).map((c) => describeChanges([c]))
      : [];
  return [...containers, ...vpa];
}

/** Replica counts and scaling bounds, wherever a kind keeps them. */
const SCALING_FIELDS: readonly (readonly string[])[] = [
  ['spec', 'replicas'],
  ['spec', 'minReplicas'],
  ['spec', 'maxReplicas'],
  ['spec', 'metrics'],
  ['spec', 'behavior'],
  ['spec', 'minAvailable'],
  ['spec', 'maxUnavailable'],
];

function replicaFlags({ before, after }: Pair): string[] {
  const scales = (object?: K8sObject) =>
    object !== undefined &&
    (object.kind === 'HorizontalPodAutoscaler' ||
      object.kind === 'PodDisruptionBudget' ||
      getIn(object, ['spec', 'template']) !== undefined);
  if (!scales(before) && !scales(after)) return [];
  return SCALING_FIELDS.flatMap((path) => diffFields(getIn(before, path), getIn(after, path), path.join('.'))).map((change) =>
    describeChanges([change]),
  );
}

const ANALYSIS_KINDS = new Set(['AnalysisTemplate', 'ClusterAnalysisTemplate']);

/** A Rollout's strategy minus its analysis parts, which get their own flag. */
function strategyWithoutAnalysis(object?: K8sObject): unknown {
  const strategy = getIn(object, ['spec', 'strategy']);
  if (!isPlainObject(strategy)) return strategy;
  const strip = (value: unknown, keys: string[]) =>
    isPlainObject(value) ? Object.fromEntries(Object.entries(value).filter(([key]) => !keys.includes(key))) : value;
  return {
    ...strategy,
    ...(strategy.canary !== undefined ? { canary: strip(strategy.canary, ['analysis']) } : {}),
    ...(strategy.blueGreen !== undefined
      ? { blueGreen: strip(strategy.blueGreen, ['prePromotionAnalysis', 'postPromotionAnalysis']) }
      : {}),
  };
}

function rolloutStepFlags({ before, after }: Pair): string[] {
  if (before?.kind !== 'Rollout' && after?.kind !== 'Rollout') return [];
  const changes = diffFields(strategyWithoutAnalysis(before), strategyWithoutAnalysis(after), 'spec.strategy');
  return changes.length > 0 ? [describeChanges(changes)] : [];
}

function analysisFlags({ before, after }: Pair): string[] {
  if (ANALYSIS_KINDS.has(before?.kind ?? '') || ANALYSIS_KINDS.has(after?.kind ?? '')) {
    // An image inside the smoke Job is the image flag's business, not a threshold change.
    const changes = diffFields(getIn(before, ['spec']), getIn(after, ['spec']), 'spec').filter((change) => !/\.image$/.test(change.path));
    if (changes.length === 0) return [];
    return [before && after ? describeChanges(changes) : after ? 'analysis template added' : 'analysis template removed'];
  }
  if (before?.kind !== 'Rollout' && after?.kind !== 'Rollout') return [];
  const parts = [
    ['spec', 'strategy', 'canary', 'analysis'],
    ['spec', 'strategy', 'blueGreen', 'prePromotionAnalysis'],
    ['spec', 'strategy', 'blueGreen', 'postPromotionAnalysis'],
  ];
  const changes = parts.flatMap((path) => diffFields(getIn(before, path), getIn(after, path), path.join('.')));
  return changes.length > 0 ? [describeChanges(changes)] : [];
}

function securityFlags({ before, after }: Pair): string[] {
  const was = new Set(securityFindings(before));
  return securityFindings(after).filter((finding) => !was.has(finding));
}

function networkPolicyFlags({ before, after }: Pair): string[] {
  if (before?.kind !== 'NetworkPolicy' && after?.kind !== 'NetworkPolicy') return [];
  if (!before) return ['NetworkPolicy added'];
  if (!after) return ['NetworkPolicy removed: the traffic it allowed or denied changes'];
  const changes = diffFields(before.spec, after.spec, 'spec');
  return changes.length > 0 ? [describeChanges(changes)] : [];
}

function argoCdFlags({ before, after }: Pair): string[] {
  const object = after ?? before;
  if (!object || !object.apiVersion.startsWith('argoproj.io/') || !['Application', 'AppProject'].includes(object.kind)) {
    return [];
  }
  if (!before) return [`${object.kind} added`];
  if (!after) return [];
  const changes = diffFields(before.spec, after.spec, 'spec');
  return changes.length > 0 ? [describeChanges(changes)] : [];
}

const FLAGGERS: readonly (readonly [FlagKind, (pair: Pair) => string[]])[] = [
  ['image', imageFlags],
  ['replicas', replicaFlags],
  ['resources', resourceFlags],
  ['rollout-steps', rolloutStepFlags],
  ['analysis', analysisFlags],
  ['security-context', securityFlags],
  ['network-policy', networkPolicyFlags],
  ['argo-cd', argoCdFlags],
  ['deleted', ({ before, after }) => (before && !after ? ['deleted'] : [])],
];

const FLAGS_FOR_DELETED: ReadonlySet<FlagKind> = new Set(['deleted', 'network-policy', 'argo-cd']);

function change(kind: ObjectChange['change'], entry: LoadedObject, fields: readonly FieldChange[] = []): ObjectChange {
  return { key: entry.key, object: describeObject(entry.object), file: entry.file, change: kind, fields };
}

/**
 * Compares two object sets object by object. Pure: no git, no file system, so every
 * flag can be tested with two literal objects.
 */
export function diffObjectSets(before: ObjectSet, after: ObjectSet): DiffReport {
  const added: ObjectChange[] = [];
  const removed: ObjectChange[] = [];
  const changed: ObjectChange[] = [];
  const flags: Flag[] = [];
  let unchanged = 0;
  const keys = [...new Set([...before.keys(), ...after.keys()])].sort();
  for (const key of keys) {
    const was = before.get(key);
    const now = after.get(key);
    if (was && now) {
      const fields = diffFields(was.object, now.object);
      if (fields.length === 0) {
        unchanged += 1;
        continue;
      }
      changed.push(change('changed', now, fields));
    } else if (now) {
      added.push(change('added', now));
    } else if (was) {
      removed.push(change('removed', was));
    }
    const pair: Pair = { before: was?.object, after: now?.object };
    const label = describeObject((now ?? was)!.object);
    for (const [kind, flagger] of FLAGGERS) {
      // A deleted object says all there is to say; its images or bounds going away is noise.
      if (!now && !FLAGS_FOR_DELETED.has(kind)) continue;
      for (const detail of flagger(pair)) flags.push({ kind, key, object: label, detail });
    }
  }
  return { added, removed, changed, unchanged, flags };
}

/** True when nothing was added, removed or changed. */
export function isEmptyReport(report: DiffReport): boolean {
  return report.added.length + report.removed.length + report.changed.length === 0;
}
