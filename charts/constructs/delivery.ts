/**
 * How new versions of a role reach users, as an intent-level value: `Delivery.canary(...)`
 * or `Delivery.blueGreen(...)` (the cdk8s-plus `Metric.containerCpu(...)` way). A Delivery
 * knows its two traffic Services, the route backends over them, and produces the Rollout's
 * `spec.strategy`; the raw strategy shape stays in this file.
 */
import {
  RolloutSpecStrategy,
  RolloutSpecStrategyCanarySteps,
  RolloutSpecStrategyCanaryStepsPauseDuration,
} from '../imports/rollouts-argoproj.io';
import { ANALYSIS_ARGS, CourseAnalysisTemplates } from './analysis';
import { RouteBackend } from './routing';

export type DeliveryRole = 'web' | 'api';

/** Canary: traffic moves to the new version in weighted steps, under analysis. */
export interface CanaryDeliveryProps {
  /** Each step sets the new version's share of requests, then pauses. */
  readonly steps: readonly { readonly weight: number; readonly pause: string }[];
}

/** Blue-green: the new version starts beside the old one and takes over at once. */
export interface BlueGreenDeliveryProps {
  /** Seconds between a passing pre-promotion analysis and promotion. @default 0 */
  readonly autoPromotionSeconds?: number;
  /** Seconds the old version keeps running after promotion. @default 30 */
  readonly scaleDownDelaySeconds?: number;
}

/** The delivery settings of an environment file (charts/config/environment.ts). */
export type DeliverySettings =
  ({ readonly kind: 'canary' } & CanaryDeliveryProps) | ({ readonly kind: 'blueGreen' } & BlueGreenDeliveryProps);

/** What the strategy needs from the role it belongs to. */
export interface DeliveryTarget {
  readonly role: DeliveryRole;
  /** Namespace, used in the in-cluster URLs the smoke test calls. */
  readonly namespace: string;
  /** The role's HTTP port. */
  readonly port: number;
  /** The AnalysisTemplates the strategy names. */
  readonly analysis: Pick<CourseAnalysisTemplates, 'smokeTemplateName' | 'successRateTemplateName' | 'latencyTemplateName'>;
  /** Every HTTPRoute to the role, public and in-cluster. */
  readonly routeNames: readonly string[];
  /**
   * AnalysisTemplate of a load test run against the preview before promotion
   * (LoadCheckAnalysis); blue-green only, a canary's analysis watches real traffic.
   * @default none
   */
  readonly loadCheckTemplate?: string;
}

/** The role's two traffic Services and the purpose label each carries. */
export interface DeliveryServices {
  /** The Service other workloads call: `<role>-stable` (canary) or `<role>-active` (blue-green). */
  readonly stable: { readonly name: string; readonly purpose: string };
  /** The Service holding only the new version: `<role>-canary` or `<role>-preview`. */
  readonly preview: { readonly name: string; readonly purpose: string };
}

export abstract class Delivery {
  static canary(props: CanaryDeliveryProps): Delivery {
    if (props.steps.length === 0) throw new Error(`Delivery.canary: 'steps' must hold at least one step`);
    return new CanaryStrategy(props);
  }

  static blueGreen(props: BlueGreenDeliveryProps = {}): Delivery {
    return new BlueGreenStrategy(props);
  }

  /** The delivery an environment file asks for. */
  static of(settings: DeliverySettings): Delivery {
    return settings.kind === 'canary' ? Delivery.canary(settings) : Delivery.blueGreen(settings);
  }

  abstract readonly kind: 'canary' | 'blueGreen';

  /** The role's two traffic Services, named after the delivery kind. */
  abstract services(role: DeliveryRole): DeliveryServices;

  /** Backends of every route to the role. */
  abstract routeBackends(role: DeliveryRole, port: number): RouteBackend[];

  /** The Rollout's `spec.strategy`. */
  abstract strategy(target: DeliveryTarget): RolloutSpecStrategy;
}

/** The smoke-test analysis against one of the role's Services, from inside the cluster. */
function smokeTest(target: DeliveryTarget, service: string) {
  return {
    templates: [{ templateName: target.analysis.smokeTemplateName }],
    args: [
      { name: ANALYSIS_ARGS.url, value: `http://${service}.${target.namespace}.svc.cluster.local:${target.port}` },
      { name: ANALYSIS_ARGS.role, value: target.role },
    ],
  };
}

class BlueGreenStrategy extends Delivery {
  readonly kind = 'blueGreen' as const;

  constructor(private readonly props: BlueGreenDeliveryProps) {
    super();
  }

  services(role: DeliveryRole): DeliveryServices {
    return { stable: { name: `${role}-active`, purpose: 'active' }, preview: { name: `${role}-preview`, purpose: 'preview' } };
  }

  routeBackends(role: DeliveryRole, port: number): RouteBackend[] {
    return [{ serviceName: this.services(role).stable.name, port }];
  }

  strategy(target: DeliveryTarget): RolloutSpecStrategy {
    const { stable, preview } = this.services(target.role);
    return {
      blueGreen: {
        activeService: stable.name,
        previewService: preview.name,
        // The preview Service answers only after the smoke test (and the load check,
        // when the environment asks for one: both metrics of one AnalysisRun, run side
        // by side) passes; then the switch is automatic.
        prePromotionAnalysis: this.prePromotionAnalysis(target, preview.name),
        autoPromotionEnabled: true,
        ...(this.props.autoPromotionSeconds ? { autoPromotionSeconds: this.props.autoPromotionSeconds } : {}),
        scaleDownDelaySeconds: this.props.scaleDownDelaySeconds ?? 30,
      },
    };
  }

  private prePromotionAnalysis(target: DeliveryTarget, previewService: string) {
    const smoke = smokeTest(target, previewService);
    if (target.loadCheckTemplate === undefined) return smoke;
    return { ...smoke, templates: [...smoke.templates, { templateName: target.loadCheckTemplate }] };
  }
}

class CanaryStrategy extends Delivery {
  readonly kind = 'canary' as const;

  constructor(private readonly props: CanaryDeliveryProps) {
    super();
  }

  services(role: DeliveryRole): DeliveryServices {
    return { stable: { name: `${role}-stable`, purpose: 'stable' }, preview: { name: `${role}-canary`, purpose: 'canary' } };
  }

  // Both Services stay in every route; the Argo Rollouts Gateway API plugin moves the
  // weights of all the routes listed in the Rollout during a rollout, so 10% means 10%
  // of requests, whether they come from the internet or from the other role.
  routeBackends(role: DeliveryRole, port: number): RouteBackend[] {
    const { stable, preview } = this.services(role);
    return [
      { serviceName: stable.name, port, weight: 100 },
      { serviceName: preview.name, port, weight: 0 },
    ];
  }

  strategy(target: DeliveryTarget): RolloutSpecStrategy {
    const { stable, preview } = this.services(target.role);
    const smokeFirst = this.smokeFirstSteps(target, preview.name);
    return {
      canary: {
        stableService: stable.name,
        canaryService: preview.name,
        trafficRouting: {
          // Every route to the role, public and in-cluster: the plugin sets the same
          // weights on each (rollouts-plugin-trafficrouter-gatewayapi pkg/plugin/plugin.go,
          // SetWeight loops over `httpRoutes`; pkg/plugin/types.go, HTTPRoute{name,
          // useHeaderRoutes}). No setHeaderRoute step is used, so useHeaderRoutes stays unset.
          plugins: {
            'argoproj-labs/gatewayAPI': { httpRoutes: target.routeNames.map((name) => ({ name })), namespace: target.namespace },
          },
        },
        // Background analysis from the first step with user traffic to the end: before
        // it the canary gets no requests and every query would be inconclusive
        // (rollout/analysis.go, reconcileBackgroundAnalysisRun: nothing runs before
        // startingStep). A failed measurement aborts the rollout and the plugin sends all
        // traffic back to stable. The stable ReplicaSet keeps its full size throughout
        // (no dynamicStableScale), so that return is instant.
        analysis: {
          startingStep: smokeFirst.length,
          templates: [{ templateName: target.analysis.successRateTemplateName }, { templateName: target.analysis.latencyTemplateName }],
          args: [
            { name: ANALYSIS_ARGS.role, value: target.role },
            { name: ANALYSIS_ARGS.canaryHash, valueFrom: { podTemplateHashValue: 'Latest' } },
          ],
        },
        steps: [
          ...smokeFirst,
          ...this.trafficSteps(),
          // All requests on the new version, then the smoke test again as the
          // post-deployment validation the specification asks for; a failure here still
          // aborts back to the old version.
          { setWeight: 100 },
          { analysis: smokeTest(target, preview.name) },
        ],
      },
    };
  }

  // Before any user request reaches the new version, its pods are started and smoke
  // tested through the canary Service, whose selector Argo Rollouts points at the new
  // ReplicaSet only (rollout/service.go, reconcileStableAndCanaryService), so the test
  // sees the new version alone. With traffic routing the canary has no pods at weight
  // 0, hence setCanaryScale first; it scales to the share of the first weight
  // (a percentage of spec.replicas, rounded up: utils/replicaset/canary.go,
  // trafficWeightToReplicas), exactly what that weight needs, so the pods that passed
  // the smoke test are the ones that then take the traffic.
  private smokeFirstSteps(target: DeliveryTarget, canaryService: string): RolloutSpecStrategyCanarySteps[] {
    return [{ setCanaryScale: { weight: this.props.steps[0].weight } }, { analysis: smokeTest(target, canaryService) }];
  }

  private trafficSteps(): RolloutSpecStrategyCanarySteps[] {
    const [first, ...later] = this.props.steps;
    const pause = (duration: string): RolloutSpecStrategyCanarySteps => ({
      pause: { duration: RolloutSpecStrategyCanaryStepsPauseDuration.fromString(duration) },
    });
    return [
      { setWeight: first.weight },
      // Back to "canary pods follow the weight" before any larger weight
      // (docs/features/canary/index.md: otherwise 50% of traffic could land on the
      // pods sized for the first step). Same size at this weight: no pod churn.
      { setCanaryScale: { matchTrafficWeight: true } },
      pause(first.pause),
      ...later.flatMap((step) => [{ setWeight: step.weight }, pause(step.pause)]),
    ];
  }
}
