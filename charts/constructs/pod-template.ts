/**
 * The pod template of a role's Rollout: one container of the app image under the
 * restricted Pod Security profile, its ports, probes, configuration and secrets.
 */
import { createHash } from 'node:crypto';
import {
  RolloutSpecTemplate,
  RolloutSpecTemplateSpecContainers,
  RolloutSpecTemplateSpecContainersLivenessProbeHttpGetPort,
  RolloutSpecTemplateSpecContainersReadinessProbeHttpGetPort,
  RolloutSpecTemplateSpecContainersStartupProbeHttpGetPort,
} from '../imports/rollouts-argoproj.io';
import { HTTP_PORT_NAME, METRICS_PORT, METRICS_PORT_NAME } from './labels';
import { nodeCommand } from './node-heap';
import {
  imageReference,
  restrictedContainerSecurityContext,
  restrictedPodSecurityContext,
  tmpVolume,
  tmpVolumeMount,
} from './pod-security';

export interface CoursePodTemplateProps {
  /** Which role of the image runs here; also the container and ServiceAccount name. */
  readonly role: 'web' | 'api';
  /** The role's HTTP port. */
  readonly port: number;
  readonly podLabels: Readonly<Record<string, string>>;
  /** Image pinned by digest. */
  readonly image: { readonly repository: string; readonly digest: string };
  readonly resources: {
    readonly requests: { readonly cpu: string; readonly memory: string };
    readonly limits: { readonly cpu: string; readonly memory: string };
  };
  /** The ConfigMap passed whole as environment variables, and its data. */
  readonly config: { readonly name: string; readonly data: Readonly<Record<string, string>> };
  /** The Secret holding the role's secret values, one environment variable per key. */
  readonly secret: { readonly name: string; readonly keys: readonly string[] };
}

/** The Rollout's `spec.template`. */
export function coursePodTemplate(props: CoursePodTemplateProps): RolloutSpecTemplate {
  // A changed ConfigMap alone would not restart pods; hashing it into the pod
  // template makes a config change roll out (and be analysed) like an image change.
  const configHash = createHash('sha256').update(JSON.stringify(props.config.data)).digest('hex').slice(0, 16);
  return {
    metadata: { labels: { ...props.podLabels }, annotations: { 'course-companion/config-hash': configHash } },
    spec: {
      serviceAccountName: props.role,
      automountServiceAccountToken: false,
      enableServiceLinks: false,
      // The app drains within SHUTDOWN_TIMEOUT_SECONDS (25 s by default).
      terminationGracePeriodSeconds: 30,
      securityContext: restrictedPodSecurityContext(),
      // Soft spread across nodes and zones; matchLabelKeys spreads each version
      // on its own, so a canary's pods are not piled onto one node.
      topologySpreadConstraints: ['kubernetes.io/hostname', 'topology.kubernetes.io/zone'].map((topologyKey) => ({
        topologyKey,
        maxSkew: 1,
        whenUnsatisfiable: 'ScheduleAnyway',
        labelSelector: { matchLabels: { ...props.podLabels } },
        matchLabelKeys: ['rollouts-pod-template-hash'],
      })),
      volumes: [tmpVolume()],
      containers: [appContainer(props)],
    },
  };
}

function appContainer(props: CoursePodTemplateProps): RolloutSpecTemplateSpecContainers {
  return {
    name: props.role,
    image: imageReference(props.image),
    imagePullPolicy: 'IfNotPresent',
    // The heap limit follows the container's memory limit, shared by WEB_CONCURRENCY processes (node-heap.ts).
    command: nodeCommand('app/build/server.js', props.resources.limits.memory, Number(props.config.data.WEB_CONCURRENCY ?? '1')),
    ports: [
      { name: HTTP_PORT_NAME, containerPort: props.port, protocol: 'TCP' },
      { name: METRICS_PORT_NAME, containerPort: METRICS_PORT, protocol: 'TCP' },
    ],
    envFrom: [{ configMapRef: { name: props.config.name } }],
    env: props.secret.keys.map((key) => ({ name: key, valueFrom: { secretKeyRef: { name: props.secret.name, key } } })),
    resources: {
      requests: { cpu: props.resources.requests.cpu, memory: props.resources.requests.memory },
      limits: { cpu: props.resources.limits.cpu, memory: props.resources.limits.memory },
    },
    ...healthProbes(),
    securityContext: restrictedContainerSecurityContext(),
    volumeMounts: [tmpVolumeMount()],
  };
}

/** Startup and liveness on /livez, readiness on /readyz, all on the HTTP port. */
function healthProbes(): Pick<RolloutSpecTemplateSpecContainers, 'startupProbe' | 'livenessProbe' | 'readinessProbe'> {
  return {
    startupProbe: {
      httpGet: { path: '/livez', port: RolloutSpecTemplateSpecContainersStartupProbeHttpGetPort.fromString(HTTP_PORT_NAME) },
      periodSeconds: 2,
      failureThreshold: 30,
      timeoutSeconds: 2,
    },
    livenessProbe: {
      httpGet: { path: '/livez', port: RolloutSpecTemplateSpecContainersLivenessProbeHttpGetPort.fromString(HTTP_PORT_NAME) },
      periodSeconds: 10,
      failureThreshold: 3,
      timeoutSeconds: 2,
    },
    readinessProbe: {
      httpGet: { path: '/readyz', port: RolloutSpecTemplateSpecContainersReadinessProbeHttpGetPort.fromString(HTTP_PORT_NAME) },
      periodSeconds: 5,
      failureThreshold: 2,
      timeoutSeconds: 2,
    },
  };
}
