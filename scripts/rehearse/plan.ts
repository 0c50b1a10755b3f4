import { join } from 'node:path';
import { isPlainObject, loadObjectTree, type K8sObject } from '../../charts/manifest';
import { getIn } from '../lib/fields';

/**
 * What the rehearsal plays, read back from the generated objects of one environment
 * (`dist/<env>/*.yaml`) and nothing else: the Rollout's steps and background analysis,
 * the AnalysisTemplates they name, the Services, the ServiceMonitors that scrape the
 * pods, the ConfigMaps the pods read and the migration Job. No step, threshold, query,
 * label or metric name is written down in the rehearsal itself.
 */
export interface DeliveryPlan {
  readonly namespace: string;
  readonly rollout: K8sObject;
  readonly canary: CanaryStrategy;
  /** The pod template's first container (the app). */
  readonly container: Container;
  readonly podLabels: Readonly<Record<string, string>>;
  readonly templates: ReadonlyMap<string, K8sObject>;
  readonly services: readonly K8sObject[];
  readonly serviceMonitors: readonly K8sObject[];
  readonly configMaps: ReadonlyMap<string, Readonly<Record<string, string>>>;
  /** The migration Job's container, when the environment has one. */
  readonly migrate?: Container;
  /** `spec.progressDeadlineSeconds` (Argo Rollouts' default 600) and whether it aborts. */
  readonly progressDeadlineSeconds: number;
  readonly progressDeadlineAbort: boolean;
}

export interface AnalysisRef {
  readonly templates: readonly { readonly templateName: string }[];
  readonly args?: readonly RolloutArg[];
  readonly startingStep?: number;
}

export interface RolloutArg {
  readonly name: string;
  readonly value?: string;
  readonly valueFrom?: { readonly podTemplateHashValue?: 'Stable' | 'Latest'; readonly fieldRef?: unknown };
}

export type CanaryStep =
  | { readonly setWeight: number }
  | { readonly setCanaryScale: { readonly replicas?: number; readonly weight?: number; readonly matchTrafficWeight?: boolean } }
  | { readonly pause: { readonly duration?: string | number } }
  | { readonly analysis: AnalysisRef }
  | Readonly<Record<string, unknown>>;

export interface CanaryStrategy {
  readonly stableService: string;
  readonly canaryService: string;
  readonly steps: readonly CanaryStep[];
  readonly analysis?: AnalysisRef;
}

export interface Container {
  readonly name: string;
  readonly command?: readonly string[];
  readonly args?: readonly string[];
  readonly env?: readonly { readonly name: string; readonly value?: string; readonly valueFrom?: unknown }[];
  readonly envFrom?: readonly { readonly configMapRef?: { readonly name: string }; readonly secretRef?: unknown }[];
  readonly ports?: readonly { readonly name?: string; readonly containerPort: number }[];
  readonly readinessProbe?: { readonly httpGet?: { readonly path?: string; readonly port?: string | number } };
}

function only<T>(items: T[], what: string): T {
  if (items.length !== 1) throw new Error(`expected exactly one ${what}, found ${items.length}`);
  return items[0];
}

/** Reads `dist/<env>` (or any directory of generated YAML) for the Rollout `rolloutName`. */
export function loadPlan(distDir: string, rolloutName: string): DeliveryPlan {
  const objects = [...loadObjectTree(distDir, ['.']).values()].map((entry) => entry.object);
  return planFrom(objects, rolloutName, distDir);
}

export function planFrom(objects: readonly K8sObject[], rolloutName: string, where = 'the generated output'): DeliveryPlan {
  const rollout = only(
    objects.filter((o) => o.kind === 'Rollout' && o.metadata.name === rolloutName),
    `Rollout "${rolloutName}" in ${where}`,
  );
  const namespace = String(rollout.metadata.namespace);
  const inNamespace = (kind: string) => objects.filter((o) => o.kind === kind && o.metadata.namespace === namespace);
  const canary = getIn(rollout, ['spec', 'strategy', 'canary']);
  if (!isPlainObject(canary))
    throw new Error(`Rollout ${namespace}/${rolloutName} has no canary strategy: only canary delivery can be rehearsed`);
  const container = getIn(rollout, ['spec', 'template', 'spec', 'containers', 0]) as Container;
  const migrateJob = objects.find((o) => o.kind === 'Job' && o.metadata.namespace === namespace && o.metadata.name === 'migrate');
  return {
    namespace,
    rollout,
    canary: canary as unknown as CanaryStrategy,
    container,
    podLabels: (getIn(rollout, ['spec', 'template', 'metadata', 'labels']) ?? {}) as Record<string, string>,
    templates: new Map(inNamespace('AnalysisTemplate').map((t) => [t.metadata.name, t])),
    services: inNamespace('Service'),
    serviceMonitors: inNamespace('ServiceMonitor'),
    configMaps: new Map(inNamespace('ConfigMap').map((c) => [c.metadata.name, (c.data ?? {}) as Record<string, string>])),
    migrate: migrateJob ? (getIn(migrateJob, ['spec', 'template', 'spec', 'containers', 0]) as Container) : undefined,
    progressDeadlineSeconds: Number(getIn(rollout, ['spec', 'progressDeadlineSeconds']) ?? 600),
    progressDeadlineAbort: getIn(rollout, ['spec', 'progressDeadlineAbort']) === true,
  };
}

/** `dist/<env>` of this checkout. */
export const distDirOf = (root: string, env: string) => join(root, 'dist', env);
