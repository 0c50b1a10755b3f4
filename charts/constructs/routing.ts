/**
 * Routing through the Gateway API.
 *
 * - PublicGateway (public-gateway.ts): the environment's TLS-terminating Gateway.
 * - InternalGateway (internal-gateway.ts): the in-cluster Gateway with a ClusterIP proxy.
 * - ServiceRoute: the HTTPRoute of one role on one listener of either gateway.
 */
import { Construct } from 'constructs';
import { HttpRoute, HttpRouteSpecRulesFilters, HttpRouteSpecRulesFiltersType } from '../imports/httproutes-gateway.networking.k8s.io';

export { InternalGateway, type InternalGatewayProps } from './internal-gateway';
export { PublicGateway, type PublicGatewayProps } from './public-gateway';

/** Where an HTTPRoute attaches: one listener of a Gateway. */
export interface RouteParent {
  readonly gatewayName: string;
  /** The listener's name (the parentRef's sectionName). */
  readonly sectionName: string;
  /** Host name the route serves on that listener. @default any host */
  readonly hostname?: string;
}

/** A Service the route sends requests to. */
export interface RouteBackend {
  readonly serviceName: string;
  readonly port: number;
  /**
   * Share of requests. With a canary the Argo Rollouts Gateway API plugin rewrites
   * these weights during a rollout; the committed values are the resting state.
   * @default no weight (all to this backend)
   */
  readonly weight?: number;
}

export interface ServiceRouteProps {
  /** Name of the HTTPRoute; by convention the role's name, `-internal` for the in-cluster one. */
  readonly name: string;
  /** The gateway listener it attaches to (PublicGateway.listener, InternalGateway.listener). */
  readonly parent: RouteParent;
  readonly backends: readonly RouteBackend[];
  /** Headers added to every response, e.g. `X-Robots-Tag: noindex`. @default none */
  readonly responseHeaders?: Readonly<Record<string, string>>;
}

/** The route of one role on one gateway listener. */
export class ServiceRoute extends Construct {
  readonly name: string;

  constructor(scope: Construct, id: string, props: ServiceRouteProps) {
    super(scope, id);
    if (props.backends.length === 0) throw new Error(`ServiceRoute ${props.name}: 'backends' must not be empty`);
    this.name = props.name;
    const headers = Object.keys(props.responseHeaders ?? {}).sort();
    const filters: HttpRouteSpecRulesFilters[] =
      headers.length > 0
        ? [
            {
              type: HttpRouteSpecRulesFiltersType.RESPONSE_HEADER_MODIFIER,
              responseHeaderModifier: { set: headers.map((name) => ({ name, value: props.responseHeaders![name] })) },
            },
          ]
        : [];
    new HttpRoute(this, 'Resource', {
      metadata: { name: props.name },
      spec: {
        parentRefs: [{ name: props.parent.gatewayName, sectionName: props.parent.sectionName }],
        ...(props.parent.hostname === undefined ? {} : { hostnames: [props.parent.hostname] }),
        rules: [
          {
            ...(filters.length > 0 ? { filters } : {}),
            backendRefs: props.backends.map((b) => ({
              name: b.serviceName,
              port: b.port,
              ...(b.weight === undefined ? {} : { weight: b.weight }),
            })),
          },
        ],
      },
    });
  }
}
