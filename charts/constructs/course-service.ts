/**
 * One role of the app (web or api) as it runs in a cluster: the Argo Rollout and its
 * Services, HPA, VPA (recommendations only), PodDisruptionBudget, ServiceAccount, ConfigMap, NetworkPolicy, HTTPRoute
 * and ServiceMonitor. Everything that differs between environments arrives as props; each
 * piece is its own construct (course-rollout.ts, role-services.ts, scaling.ts), and how
 * new versions reach users is a Delivery (delivery.ts).
 */
import { Construct } from 'constructs';
import * as kplus from 'cdk8s-plus-28';
import { CourseAnalysisTemplates } from './analysis';
import { CourseRollout } from './course-rollout';
import { Delivery } from './delivery';
import { CourseExternalSecret } from './external-secret';
import { METRICS_PORT, ROLE_PORTS, SYNC_WAVE, componentLabels, syncWave } from './labels';
import { NetworkPeer, NetworkRule, WorkloadNetworkPolicy } from './network-policy';
import { RolloutRightSizing } from './right-sizing';
import { RoleServices } from './role-services';
import { RouteParent, ServiceRoute } from './routing';
import { RoleDisruptionBudget, RolloutAutoscaler } from './scaling';
import { CourseServiceMonitor } from './service-monitor';

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
  /** How new versions reach users: `Delivery.canary(...)` or `Delivery.blueGreen(...)`. */
  readonly delivery: Delivery;
  readonly analysis: CourseAnalysisTemplates;
  /** AnalysisTemplate of the pre-promotion load check (blue-green). @default none */
  readonly loadCheckTemplate?: string;
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
  /** Extra annotations on the Rollout, e.g. notification subscriptions. @default none */
  readonly rolloutAnnotations?: Readonly<Record<string, string>>;
  /** Pods the PodDisruptionBudget lets a node drain evict at once. @default 1 */
  readonly maxUnavailable?: number;
}

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

  constructor(scope: Construct, id: string, props: CourseServiceProps) {
    super(scope, id);
    const { role, delivery } = props;
    this.role = role;
    this.port = ROLE_PORTS[role];
    this.podLabels = componentLabels(role);
    const traffic = delivery.services(role);
    this.stableServiceName = traffic.stable.name;
    this.previewServiceName = traffic.preview.name;
    this.configMapName = `${role}-config`;

    // The app never calls the Kubernetes API, so it gets no token at all.
    new kplus.ServiceAccount(this, 'service-account', {
      metadata: { name: role, annotations: syncWave(SYNC_WAVE.config) },
      automountToken: false,
    });
    const configData = Object.fromEntries(
      Object.keys(props.config)
        .sort()
        .map((k) => [k, props.config[k]]),
    );
    new kplus.ConfigMap(this, 'config', {
      metadata: { name: this.configMapName, annotations: syncWave(SYNC_WAVE.config) },
      data: configData,
    });

    const services = new RoleServices(this, 'services', { role, port: this.port, podLabels: this.podLabels, traffic });
    this.routeNames = this.addRoutes(props);
    new CourseRollout(this, 'rollout', {
      role,
      port: this.port,
      podLabels: this.podLabels,
      image: props.image,
      resources: props.resources,
      config: { name: this.configMapName, data: configData },
      secret: { name: props.secrets.secretName, keys: props.secrets.keys },
      annotations: props.rolloutAnnotations,
      strategy: delivery.strategy({
        role,
        namespace: props.namespace,
        port: this.port,
        analysis: props.analysis,
        routeNames: this.routeNames,
        loadCheckTemplate: props.loadCheckTemplate,
      }),
    });
    new RolloutAutoscaler(this, 'autoscaler', { rolloutName: role, ...props.scaling });
    new RolloutRightSizing(this, 'right-sizing', { rolloutName: role, containerName: role });
    new RoleDisruptionBudget(this, 'disruption-budget', { name: role, podLabels: this.podLabels, maxUnavailable: props.maxUnavailable });

    this.addNetworkPolicy(props);
    new CourseServiceMonitor(this, 'service-monitor', {
      name: role,
      serviceLabels: services.metricsServiceLabels,
      labels: props.serviceMonitorLabels,
      interval: props.scrapeInterval,
    });
  }

  /** Who may call the role's HTTP and metrics ports, and what it may reach. */
  private addNetworkPolicy(props: CourseServiceProps): void {
    new WorkloadNetworkPolicy(this, 'network-policy', {
      name: props.role,
      podLabels: this.podLabels,
      ingress: [
        ...props.allowHttpFrom.map((peer) => ({ peer, ports: [{ port: this.port }] })),
        ...props.allowMetricsFrom.map((peer) => ({ peer, ports: [{ port: METRICS_PORT }] })),
      ],
      egress: props.egress ?? [],
    });
  }

  /** The public HTTPRoute and, when asked for, the in-cluster one; returns their names. */
  private addRoutes(props: CourseServiceProps): string[] {
    const backends = props.delivery.routeBackends(props.role, this.port);
    const routes = [
      new ServiceRoute(this, 'route', {
        name: props.role,
        parent: props.route.parent,
        backends,
        responseHeaders: props.route.responseHeaders,
      }),
      ...(props.internalRoute
        ? [new ServiceRoute(this, 'internal-route', { name: `${props.role}-internal`, parent: props.internalRoute.parent, backends })]
        : []),
    ];
    return routes.map((r) => r.name);
  }
}
