/**
 * One role of the app (web or api) as it runs in a cluster: the Argo Rollout and its
 * Services, HPA, PodDisruptionBudget, ServiceAccount, ConfigMap, NetworkPolicy, HTTPRoute
 * and ServiceMonitor. Everything that differs between environments arrives as props.
 */
import { createHash } from 'node:crypto';
import { Construct } from 'constructs';
import * as kplus from 'cdk8s-plus-28';
import {
  IntOrString,
  KubeHorizontalPodAutoscalerV2,
  KubePodDisruptionBudget,
  KubeService,
} from 'cdk8s-plus-28/lib/imports/k8s';
import {
  Rollout,
  RolloutSpecStrategy,
  RolloutSpecStrategyCanarySteps,
  RolloutSpecStrategyCanaryStepsPauseDuration,
  RolloutSpecTemplateSpecContainersLivenessProbeHttpGetPort,
  RolloutSpecTemplateSpecContainersReadinessProbeHttpGetPort,
  RolloutSpecTemplateSpecContainersStartupProbeHttpGetPort,
} from '../imports/rollouts-argoproj.io';
import { ANALYSIS_ARGS, CourseAnalysisTemplates } from './analysis';
import { CourseExternalSecret } from './external-secret';
import {
  HTTP_PORT_NAME,
  METRICS_PORT,
  METRICS_PORT_NAME,
  ROLE_PORTS,
  SYNC_WAVE,
  componentLabels,
  syncWave,
} from './labels';
import { NetworkPeer, NetworkRule, WorkloadNetworkPolicy } from './network-policy';
import {
  imageReference,
  restrictedContainerSecurityContext,
  restrictedPodSecurityContext,
  tmpVolume,
  tmpVolumeMount,
} from './pod-security';
import { RouteBackend, RouteParent, ServiceRoute } from './routing';
import { CourseServiceMonitor } from './service-monitor';

/** Canary: traffic moves to the new version in weighted steps, under analysis. */
export interface CanaryDelivery {
  readonly kind: 'canary';
  /** Each step sets the new version's share of requests, then pauses. */
  readonly steps: readonly { readonly weight: number; readonly pause: string }[];
}

/** Blue-green: the new version starts beside the old one and takes over at once. */
export interface BlueGreenDelivery {
  readonly kind: 'blueGreen';
  /** Seconds between a passing pre-promotion analysis and promotion. @default 0 */
  readonly autoPromotionSeconds?: number;
  /** Seconds the old version keeps running after promotion. @default 30 */
  readonly scaleDownDelaySeconds?: number;
}

export interface CourseServiceProps {
  /** Which role of the image runs here. */
  readonly role: 'web' | 'api';
  /** Namespace, used in the in-cluster URLs the smoke test calls. */
  readonly namespace: string;
  /** Image pinned by digest; promotion changes only this. */
  readonly image: { readonly repository: string; readonly digest: string };
  readonly scaling: { readonly min: number; readonly max: number; readonly targetCPUUtilization: number };
  readonly resources: {
    readonly requests: { readonly cpu: string; readonly memory: string };
    readonly limits: { readonly cpu: string; readonly memory: string };
  };
  /** Non-secret settings for the ConfigMap (already rendered as strings). */
  readonly config: Readonly<Record<string, string>>;
  /** Secret values, one environment variable per key of this ExternalSecret. */
  readonly secrets: CourseExternalSecret;
  /** How new versions reach users. */
  readonly delivery: CanaryDelivery | BlueGreenDelivery;
  readonly analysis: CourseAnalysisTemplates;
  /** Public route: the HTTPS listener of the role's host, and headers to add. */
  readonly route: {
    readonly parent: RouteParent;
    readonly responseHeaders?: Readonly<Record<string, string>>;
  };
  /**
   * In-cluster route (`<role>-internal`) on an InternalGateway listener, for callers
   * inside the cluster. With a canary its weights move with the public route's, since
   * both are in the Rollout's traffic routing. @default none (no in-cluster callers)
   */
  readonly internalRoute?: { readonly parent: RouteParent };
  /** Who may call the role's HTTP port (the gateway, other roles, smoke tests). */
  readonly allowHttpFrom: readonly NetworkPeer[];
  /** Who may scrape the metrics port (Prometheus). */
  readonly allowMetricsFrom: readonly NetworkPeer[];
  /** Where the pods may connect besides DNS. @default DNS only */
  readonly egress?: readonly NetworkRule[];
  /** Labels for the ServiceMonitor so the right Prometheus picks it up. @default none */
  readonly serviceMonitorLabels?: Readonly<Record<string, string>>;
  /** @default '30s' */
  readonly scrapeInterval?: string;
  /** Pods the PodDisruptionBudget lets a node drain evict at once. @default 1 */
  readonly maxUnavailable?: number;
}

/** Label telling the role's Services apart, so the ServiceMonitor picks one of them. */
const SERVICE_PURPOSE_LABEL = 'course-companion/service';

export class CourseService extends Construct {
  readonly role: 'web' | 'api';
  readonly port: number;
  /** Labels of the role's pods. */
  readonly podLabels: Readonly<Record<string, string>>;
  /** The Service other workloads call: `<role>-stable` (canary) or `<role>-active` (blue-green). */
  readonly stableServiceName: string;
  /** The Service holding only the new version: `<role>-canary` or `<role>-preview`. */
  readonly previewServiceName: string;
  /** Names of the role's HTTPRoutes: the public one first, then the in-cluster one. */
  readonly routeNames: readonly string[];
  readonly configMapName: string;

  /** The role's two traffic Services for a delivery kind: [stable or active, canary or preview]. */
  static serviceNames(role: 'web' | 'api', delivery: 'canary' | 'blueGreen'): [string, string] {
    return delivery === 'canary' ? [`${role}-stable`, `${role}-canary`] : [`${role}-active`, `${role}-preview`];
  }

  constructor(scope: Construct, id: string, props: CourseServiceProps) {
    super(scope, id);
    const { role } = props;
    const s = props.scaling;
    if (!Number.isInteger(s.min) || s.min < 1) throw new Error(`CourseService ${role}: 'scaling.min' must be an integer >= 1, got ${s.min}`);
    if (!Number.isInteger(s.max) || s.max < s.min) throw new Error(`CourseService ${role}: 'scaling.max' must be an integer >= scaling.min (${s.min}), got ${s.max}`);
    if (props.delivery.kind === 'canary' && props.delivery.steps.length === 0) {
      throw new Error(`CourseService ${role}: 'delivery.steps' must hold at least one step`);
    }

    this.role = role;
    this.port = ROLE_PORTS[role];
    this.podLabels = componentLabels(role);
    const canary = props.delivery.kind === 'canary';
    [this.stableServiceName, this.previewServiceName] = CourseService.serviceNames(role, props.delivery.kind);
    const configMapName = `${role}-config`;
    this.configMapName = configMapName;

    // --- identity and configuration ---------------------------------------------------
    // The app never calls the Kubernetes API, so it gets no token at all.
    new kplus.ServiceAccount(this, 'service-account', {
      metadata: { name: role, annotations: syncWave(SYNC_WAVE.config) },
      automountToken: false,
    });
    const configData = Object.fromEntries(Object.keys(props.config).sort().map((k) => [k, props.config[k]]));
    new kplus.ConfigMap(this, 'config', {
      metadata: { name: configMapName, annotations: syncWave(SYNC_WAVE.config) },
      data: configData,
    });

    // --- Services ----------------------------------------------------------------------
    const trafficService = (name: string, purpose: string) =>
      new KubeService(this, name, {
        metadata: { name, labels: { ...this.podLabels, [SERVICE_PURPOSE_LABEL]: purpose } },
        spec: {
          type: 'ClusterIP',
          // Argo Rollouts adds the rollouts-pod-template-hash to these selectors so
          // each Service holds exactly one version.
          selector: { ...this.podLabels },
          ports: [{ name: HTTP_PORT_NAME, port: this.port, targetPort: IntOrString.fromString(HTTP_PORT_NAME), protocol: 'TCP' }],
        },
      });
    trafficService(this.stableServiceName, canary ? 'stable' : 'active');
    trafficService(this.previewServiceName, canary ? 'canary' : 'preview');
    const metricsServiceLabels = { ...this.podLabels, [SERVICE_PURPOSE_LABEL]: 'metrics' };
    new KubeService(this, `${role}-metrics`, {
      metadata: { name: `${role}-metrics`, labels: metricsServiceLabels },
      spec: {
        type: 'ClusterIP',
        selector: { ...this.podLabels },
        ports: [{ name: METRICS_PORT_NAME, port: METRICS_PORT, targetPort: IntOrString.fromString(METRICS_PORT_NAME), protocol: 'TCP' }],
      },
    });

    // --- routes -----------------------------------------------------------------------
    // Canary: both Services stay in every route; the Argo Rollouts Gateway API plugin
    // moves the weights of all the routes listed in the Rollout during a rollout, so 10%
    // means 10% of requests, whether they come from the internet or from the other role.
    const backends: RouteBackend[] = canary
      ? [
          { serviceName: this.stableServiceName, port: this.port, weight: 100 },
          { serviceName: this.previewServiceName, port: this.port, weight: 0 },
        ]
      : [{ serviceName: this.stableServiceName, port: this.port }];
    const routes = [
      new ServiceRoute(this, 'route', { name: role, parent: props.route.parent, backends, responseHeaders: props.route.responseHeaders }),
      ...(props.internalRoute
        ? [new ServiceRoute(this, 'internal-route', { name: `${role}-internal`, parent: props.internalRoute.parent, backends })]
        : []),
    ];
    this.routeNames = routes.map((r) => r.name);

    // --- the Rollout ------------------------------------------------------------------
    const secretEnv = props.secrets.keys.map((key) => ({
      name: key,
      valueFrom: { secretKeyRef: { name: props.secrets.secretName, key } },
    }));
    // A changed ConfigMap alone would not restart pods; hashing it into the pod
    // template makes a config change roll out (and be analysed) like an image change.
    const configHash = createHash('sha256').update(JSON.stringify(configData)).digest('hex').slice(0, 16);

    new Rollout(this, 'rollout', {
      metadata: {
        name: role,
        labels: { ...this.podLabels },
        annotations: { ...syncWave(SYNC_WAVE.rollout), ...reloadAnnotations([props.secrets.secretName]) },
      },
      spec: {
        // No `replicas`, on purpose, from the first commit on. The HPA below is the only
        // writer of the replica count: with `replicas` in git, every Argo CD sync would
        // reset what the HPA chose (argo-cd#5105: pods flap between the two numbers).
        // Removing the field from an object that already had it makes Argo Rollouts
        // fall back to 1 replica (argo-rollouts#3689), which is why it is never
        // committed here. Every Rollout therefore has an HPA, even at min = max = 1,
        // and since the output never sets the field, Argo CD neither reports the HPA's
        // count as drift nor resets it.
        revisionHistoryLimit: 3,
        progressDeadlineSeconds: 600,
        progressDeadlineAbort: true,
        selector: { matchLabels: { ...this.podLabels } },
        template: {
          metadata: { labels: { ...this.podLabels }, annotations: { 'course-companion/config-hash': configHash } },
          spec: {
            serviceAccountName: role,
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
              labelSelector: { matchLabels: { ...this.podLabels } },
              matchLabelKeys: ['rollouts-pod-template-hash'],
            })),
            volumes: [tmpVolume()],
            containers: [
              {
                name: role,
                image: imageReference(props.image),
                imagePullPolicy: 'IfNotPresent',
                command: ['node', 'app/build/server.js'],
                ports: [
                  { name: HTTP_PORT_NAME, containerPort: this.port, protocol: 'TCP' },
                  { name: METRICS_PORT_NAME, containerPort: METRICS_PORT, protocol: 'TCP' },
                ],
                envFrom: [{ configMapRef: { name: configMapName } }],
                env: secretEnv,
                resources: {
                  requests: { cpu: props.resources.requests.cpu, memory: props.resources.requests.memory },
                  limits: { cpu: props.resources.limits.cpu, memory: props.resources.limits.memory },
                },
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
                securityContext: restrictedContainerSecurityContext(),
                volumeMounts: [tmpVolumeMount()],
              },
            ],
          },
        },
        strategy: this.strategy(props, this.routeNames),
      },
    });

    // --- scaling and disruption --------------------------------------------------------
    new KubeHorizontalPodAutoscalerV2(this, 'hpa', {
      // With its Rollout: before it, the HPA is Degraded (FailedGetScale) on a first sync.
      metadata: { name: role, annotations: syncWave(SYNC_WAVE.rollout) },
      spec: {
        scaleTargetRef: { apiVersion: 'argoproj.io/v1alpha1', kind: 'Rollout', name: role },
        minReplicas: s.min,
        maxReplicas: s.max,
        metrics: [
          {
            type: 'Resource',
            resource: { name: 'cpu', target: { type: 'Utilization', averageUtilization: s.targetCPUUtilization } },
          },
        ],
        // Scale down slowly: a canary step that briefly drops load should not shrink
        // the stable version just before traffic returns to it.
        behavior: { scaleDown: { stabilizationWindowSeconds: 300 } },
      },
    });
    new KubePodDisruptionBudget(this, 'pdb', {
      metadata: { name: role },
      spec: {
        // maxUnavailable rather than minAvailable: with a single replica (staging) a
        // node drain can still proceed instead of blocking forever.
        maxUnavailable: IntOrString.fromNumber(props.maxUnavailable ?? 1),
        selector: { matchLabels: { ...this.podLabels } },
      },
    });

    // --- network and monitoring --------------------------------------------------------
    new WorkloadNetworkPolicy(this, 'network-policy', {
      name: role,
      podLabels: this.podLabels,
      ingress: [
        ...props.allowHttpFrom.map((peer) => ({ peer, ports: [{ port: this.port }] })),
        ...props.allowMetricsFrom.map((peer) => ({ peer, ports: [{ port: METRICS_PORT }] })),
      ],
      egress: props.egress ?? [],
    });
    new CourseServiceMonitor(this, 'service-monitor', {
      name: role,
      serviceLabels: metricsServiceLabels,
      labels: props.serviceMonitorLabels,
      interval: props.scrapeInterval,
    });
  }

  private strategy(props: CourseServiceProps, routeNames: readonly string[]): RolloutSpecStrategy {
    const templates = props.analysis;
    const roleArg = { name: ANALYSIS_ARGS.role, value: props.role };
    const inClusterUrl = (service: string) => `http://${service}.${props.namespace}.svc.cluster.local:${this.port}`;
    const smoke = (service: string) => ({
      templates: [{ templateName: templates.smokeTemplateName }],
      args: [{ name: ANALYSIS_ARGS.url, value: inClusterUrl(service) }, roleArg],
    });

    if (props.delivery.kind === 'blueGreen') {
      const d = props.delivery;
      return {
        blueGreen: {
          activeService: this.stableServiceName,
          previewService: this.previewServiceName,
          // The preview Service answers only after the smoke test passes; then the
          // switch is automatic.
          prePromotionAnalysis: smoke(this.previewServiceName),
          autoPromotionEnabled: true,
          ...(d.autoPromotionSeconds ? { autoPromotionSeconds: d.autoPromotionSeconds } : {}),
          scaleDownDelaySeconds: d.scaleDownDelaySeconds ?? 30,
        },
      };
    }

    const [first, ...later] = props.delivery.steps;
    const pause = (duration: string): RolloutSpecStrategyCanarySteps => ({
      pause: { duration: RolloutSpecStrategyCanaryStepsPauseDuration.fromString(duration) },
    });
    // Before any user request reaches the new version, its pods are started and smoke
    // tested through the canary Service, whose selector Argo Rollouts points at the new
    // ReplicaSet only (rollout/service.go, reconcileStableAndCanaryService), so the test
    // sees the new version alone. With traffic routing the canary has no pods at weight
    // 0, hence setCanaryScale first; it scales to the share of the first weight
    // (a percentage of spec.replicas, rounded up: utils/replicaset/canary.go,
    // trafficWeightToReplicas), exactly what that weight needs, so the pods that passed
    // the smoke test are the ones that then take the traffic.
    const smokeFirst: RolloutSpecStrategyCanarySteps[] = [
      { setCanaryScale: { weight: first.weight } },
      { analysis: smoke(this.previewServiceName) },
    ];
    const trafficSteps: RolloutSpecStrategyCanarySteps[] = [
      { setWeight: first.weight },
      // Back to "canary pods follow the weight" before any larger weight
      // (docs/features/canary/index.md: otherwise 50% of traffic could land on the
      // pods sized for the first step). Same size at this weight: no pod churn.
      { setCanaryScale: { matchTrafficWeight: true } },
      pause(first.pause),
      ...later.flatMap((step) => [{ setWeight: step.weight }, pause(step.pause)]),
    ];
    const firstTrafficStep = smokeFirst.length;
    return {
      canary: {
        stableService: this.stableServiceName,
        canaryService: this.previewServiceName,
        trafficRouting: {
          // Every route to the role, public and in-cluster: the plugin sets the same
          // weights on each (rollouts-plugin-trafficrouter-gatewayapi pkg/plugin/plugin.go,
          // SetWeight loops over `httpRoutes`; pkg/plugin/types.go, HTTPRoute{name,
          // useHeaderRoutes}). No setHeaderRoute step is used, so useHeaderRoutes stays unset.
          plugins: { 'argoproj-labs/gatewayAPI': { httpRoutes: routeNames.map((name) => ({ name })), namespace: props.namespace } },
        },
        // Background analysis from the first step with user traffic to the end: before
        // it the canary gets no requests and every query would be inconclusive
        // (rollout/analysis.go, reconcileBackgroundAnalysisRun: nothing runs before
        // startingStep). A failed measurement aborts the rollout and the plugin sends all
        // traffic back to stable. The stable ReplicaSet keeps its full size throughout
        // (no dynamicStableScale), so that return is instant.
        analysis: {
          startingStep: firstTrafficStep,
          templates: [{ templateName: templates.successRateTemplateName }, { templateName: templates.latencyTemplateName }],
          args: [roleArg, { name: ANALYSIS_ARGS.canaryHash, valueFrom: { podTemplateHashValue: 'Latest' } }],
        },
        steps: [
          ...smokeFirst,
          ...trafficSteps,
          // All requests on the new version, then the smoke test again as the
          // post-deployment validation the specification asks for; a failure here still
          // aborts back to the old version.
          { setWeight: 100 },
          { analysis: smoke(this.previewServiceName) },
        ],
      },
    };
  }
}

/**
 * Secrets reach the pods as env vars, which never change after a container starts, so a
 * rotated Secret must restart the pods. Stakater Reloader (run with
 * `--is-Argo-Rollouts=true`, v1.3.0 or later) watches the Secrets named here (comma-separated,
 * each an anchored regex: pkg/common/common.go) and, with the `restart` strategy, patches
 * the Rollout's `spec.restartAt` (internal/pkg/callbacks/rolling_upgrade.go `UpdateRollout`,
 * stakater/Reloader@655a2b38) instead of changing the pod template: no new ReplicaSet, no
 * canary, no drift against git. Argo Rollouts then evicts the old pods (Eviction API, so PDBs
 * hold) a few at a time (rollout/restart.go, argo-rollouts@9f8d111d).
 */
export function reloadAnnotations(secretNames: readonly string[]): Record<string, string> {
  return {
    'secret.reloader.stakater.com/reload': [...secretNames].sort().join(','),
    'reloader.stakater.com/rollout-strategy': 'restart',
  };
}
