/**
 * Public routing through the Gateway API: one Gateway per environment terminating TLS
 * with a cert-manager Certificate, an HTTP listener that only redirects to HTTPS, and an
 * HTTPRoute per role.
 *
 * TLS versions: Gateway API (standard channel, v1.6) has no portable field for them;
 * `tls.options` keys are implementation-specific. Envoy Gateway accepts TLS 1.2 and 1.3
 * only by default, which is the policy we want, so nothing is set here; another
 * implementation would need its own policy object.
 */
import { Construct } from 'constructs';
import { Certificate, CertificateSpecPrivateKeyAlgorithm, CertificateSpecPrivateKeyRotationPolicy } from '../imports/certificates-cert-manager.io';
import { Gateway, GatewaySpecListenersTlsMode } from '../imports/gateways-gateway.networking.k8s.io';
import {
  HttpRoute,
  HttpRouteSpecRulesFilters,
  HttpRouteSpecRulesFiltersRequestRedirectScheme,
  HttpRouteSpecRulesFiltersRequestRedirectStatusCode,
  HttpRouteSpecRulesFiltersType,
} from '../imports/httproutes-gateway.networking.k8s.io';
import { SYNC_WAVE, syncWave } from './labels';

export interface PublicGatewayProps {
  /** @default 'course-companion' */
  readonly name?: string;
  /** GatewayClass of the installed implementation. */
  readonly className: string;
  /** Host names served; each gets an HTTPS listener named after it. */
  readonly hostnames: Readonly<Record<string, string>>;
  /** cert-manager ClusterIssuer that signs the certificate. */
  readonly clusterIssuer: string;
  /**
   * Client CIDRs allowed to reach the gateway at all; empty means everyone.
   * @default []
   */
  readonly allowedSourceRanges?: readonly string[];
}

/** Gateway + Certificate + the HTTP→HTTPS redirect. */
export class PublicGateway extends Construct {
  readonly name: string;
  /** Listener (sectionName) per host key, e.g. `https-web`. */
  readonly httpsListeners: Readonly<Record<string, string>>;

  constructor(scope: Construct, id: string, props: PublicGatewayProps) {
    super(scope, id);
    this.name = props.name ?? 'course-companion';
    const hostKeys = Object.keys(props.hostnames).sort();
    if (hostKeys.length === 0) throw new Error("PublicGateway: 'hostnames' must name at least one host");
    const tlsSecretName = `${this.name}-tls`;
    this.httpsListeners = Object.fromEntries(hostKeys.map((key) => [key, `https-${key}`]));

    new Certificate(this, 'certificate', {
      metadata: { name: tlsSecretName, annotations: syncWave(SYNC_WAVE.config) },
      spec: {
        secretName: tlsSecretName,
        dnsNames: hostKeys.map((key) => props.hostnames[key]),
        issuerRef: { group: 'cert-manager.io', kind: 'ClusterIssuer', name: props.clusterIssuer },
        privateKey: {
          algorithm: CertificateSpecPrivateKeyAlgorithm.ECDSA,
          size: 256,
          rotationPolicy: CertificateSpecPrivateKeyRotationPolicy.ALWAYS,
        },
      },
    });

    const sourceRanges = props.allowedSourceRanges ?? [];
    new Gateway(this, 'gateway', {
      metadata: { name: this.name },
      spec: {
        gatewayClassName: props.className,
        // Team-only environments: the standard Gateway API has no client-address
        // filter, but `infrastructure.annotations` is copied onto the Service the
        // implementation creates (Envoy Gateway does), and the Kubernetes-defined
        // load-balancer-source-ranges annotation makes the load balancer (and
        // kube-proxy) drop every other client before it reaches a proxy.
        ...(sourceRanges.length > 0
          ? {
              infrastructure: {
                annotations: { 'service.beta.kubernetes.io/load-balancer-source-ranges': sourceRanges.join(',') },
              },
            }
          : {}),
        listeners: [
          { name: 'http', protocol: 'HTTP', port: 80 },
          ...hostKeys.map((key) => ({
            name: this.httpsListeners[key],
            protocol: 'HTTPS',
            port: 443,
            hostname: props.hostnames[key],
            tls: {
              mode: GatewaySpecListenersTlsMode.TERMINATE,
              certificateRefs: [{ group: '', kind: 'Secret', name: tlsSecretName }],
            },
          })),
        ],
      },
    });

    // Plain HTTP only ever answers with a permanent redirect to the same URL on HTTPS.
    new HttpRoute(this, 'http-redirect', {
      metadata: { name: 'http-redirect' },
      spec: {
        parentRefs: [{ name: this.name, sectionName: 'http' }],
        hostnames: hostKeys.map((key) => props.hostnames[key]),
        rules: [
          {
            filters: [
              {
                type: HttpRouteSpecRulesFiltersType.REQUEST_REDIRECT,
                requestRedirect: {
                  scheme: HttpRouteSpecRulesFiltersRequestRedirectScheme.HTTPS,
                  statusCode: HttpRouteSpecRulesFiltersRequestRedirectStatusCode.VALUE_301,
                },
              },
            ],
          },
        ],
      },
    });
  }
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
  /** Name of the HTTPRoute; by convention the role's name. */
  readonly name: string;
  readonly gateway: PublicGateway;
  /** Key of the gateway host (and its HTTPS listener) this route serves. */
  readonly hostKey: string;
  readonly hostname: string;
  readonly backends: readonly RouteBackend[];
  /** Headers added to every response, e.g. `X-Robots-Tag: noindex`. @default none */
  readonly responseHeaders?: Readonly<Record<string, string>>;
}

/** The HTTPS route of one role. */
export class ServiceRoute extends Construct {
  readonly name: string;

  constructor(scope: Construct, id: string, props: ServiceRouteProps) {
    super(scope, id);
    const sectionName = props.gateway.httpsListeners[props.hostKey];
    if (!sectionName) {
      throw new Error(`ServiceRoute ${props.name}: 'hostKey' "${props.hostKey}" is not a host of gateway ${props.gateway.name}`);
    }
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
        parentRefs: [{ name: props.gateway.name, sectionName }],
        hostnames: [props.hostname],
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
