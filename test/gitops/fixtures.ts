import { objectKey, type K8sObject, type ObjectSet } from '../../charts/manifest';

/** Small, hand-written manifests shaped like the generator's output. */
export const NAMESPACE = 'course-companion-production';
export const DIGEST_A = `sha256:${'a'.repeat(64)}`;
export const DIGEST_B = `sha256:${'b'.repeat(64)}`;

type Mutable<T> = { -readonly [K in keyof T]: T[K] };
type Json = Record<string, unknown>;

export function secureContainer(overrides: Json = {}): Json {
  return {
    name: 'api',
    image: `ghcr.io/course-companion/course-companion@${DIGEST_A}`,
    resources: { requests: { cpu: '500m', memory: '512Mi' }, limits: { cpu: '1', memory: '1Gi' } },
    securityContext: {
      allowPrivilegeEscalation: false,
      readOnlyRootFilesystem: true,
      capabilities: { drop: ['ALL'] },
    },
    ...overrides,
  };
}

export function podSpec(overrides: Json = {}): Json {
  return {
    automountServiceAccountToken: false,
    securityContext: { runAsNonRoot: true, runAsUser: 10001, seccompProfile: { type: 'RuntimeDefault' } },
    containers: [secureContainer()],
    ...overrides,
  };
}

export function rollout(overrides: { podSpec?: Json; strategy?: Json; name?: string } = {}): K8sObject {
  return {
    apiVersion: 'argoproj.io/v1alpha1',
    kind: 'Rollout',
    metadata: { name: overrides.name ?? 'api', namespace: NAMESPACE },
    spec: {
      selector: { matchLabels: { 'app.kubernetes.io/component': 'api' } },
      template: { metadata: { labels: { 'app.kubernetes.io/component': 'api' } }, spec: overrides.podSpec ?? podSpec() },
      strategy: overrides.strategy ?? {
        canary: {
          steps: [{ setWeight: 10 }, { pause: { duration: '10m' } }, { setWeight: 50 }, { pause: { duration: '10m' } }],
          analysis: { templates: [{ templateName: 'api-success-rate' }], startingStep: 0 },
        },
      },
    },
  };
}

export function hpa(min = 2, max = 8): K8sObject {
  return {
    apiVersion: 'autoscaling/v2',
    kind: 'HorizontalPodAutoscaler',
    metadata: { name: 'api', namespace: NAMESPACE },
    spec: {
      scaleTargetRef: { apiVersion: 'argoproj.io/v1alpha1', kind: 'Rollout', name: 'api' },
      minReplicas: min,
      maxReplicas: max,
    },
  };
}

export function analysisTemplate(successCondition = 'result[0] >= 0.999'): K8sObject {
  return {
    apiVersion: 'argoproj.io/v1alpha1',
    kind: 'AnalysisTemplate',
    metadata: { name: 'api-success-rate', namespace: NAMESPACE },
    spec: { metrics: [{ name: 'success-rate', interval: '1m', failureLimit: 1, successCondition }] },
  };
}

export function networkPolicy(ports: number[] = [8000]): K8sObject {
  return {
    apiVersion: 'networking.k8s.io/v1',
    kind: 'NetworkPolicy',
    metadata: { name: 'api', namespace: NAMESPACE },
    spec: {
      podSelector: { matchLabels: { 'app.kubernetes.io/component': 'api' } },
      ingress: [{ ports: ports.map((port) => ({ port, protocol: 'TCP' })) }],
    },
  };
}

export function configMap(data: Record<string, string> = { LOG_LEVEL: 'info' }): K8sObject {
  return { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'api-config', namespace: NAMESPACE }, data };
}

/** File name the generator would give the object. */
export function fileFor(object: K8sObject, dir = 'dist/production'): string {
  return `${dir}/${object.kind.toLowerCase()}-${object.metadata.name}.yaml`;
}

export function setOf(...objects: K8sObject[]): ObjectSet {
  return new Map(objects.map((object) => [objectKey(object), { key: objectKey(object), file: fileFor(object), object }]));
}

/** A deep copy to mutate in a test without touching the original. */
export function clone<T>(value: T): Mutable<T> {
  return structuredClone(value);
}
