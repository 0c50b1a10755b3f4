/**
 * Routing through the Gateway API.
 *
 * - PublicGateway: one Gateway per environment terminating TLS with a cert-manager
 *   Certificate, an HTTP listener that only redirects to HTTPS, and the TLS versions and
 *   ciphers pinned by an Envoy Gateway ClientTrafficPolicy.
 * - InternalGateway: a second Gateway whose proxy Service is ClusterIP, so in-cluster
 *   callers (the web role calling the api) go through an HTTPRoute whose weights the
 *   callee's Rollout manages, like public requests do.
 * - ServiceRoute: the HTTPRoute of one role on one listener of either gateway.
 */
import { Chart } from 'cdk8s';
import { Construct } from 'constructs';
import { Certificate, CertificateSpecPrivateKeyAlgorithm, CertificateSpecPrivateKeyRotationPolicy } from '../imports/certificates-cert-manager.io';
import {
  ClientTrafficPolicy,
  ClientTrafficPolicySpecTargetRefsGroup,
  ClientTrafficPolicySpecTargetRefsKind,
  ClientTrafficPolicySpecTlsCiphers,
  ClientTrafficPolicySpecTlsMaxVersion,
  ClientTrafficPolicySpecTlsMinVersion,
} from '../imports/clienttrafficpolicies-gateway.envoyproxy.io';
import {
  EnvoyProxy,
  EnvoyProxySpecProviderKubernetesEnvoyServiceType,
  EnvoyProxySpecProviderType,
} from '../imports/envoyproxies-gateway.envoyproxy.io';
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

/** Where an HTTPRoute attaches: one listener of a Gateway. */
export interface RouteParent {
  readonly gatewayName: string;
  /** The listener's name (the parentRef's sectionName). */
  readonly sectionName: string;
  /** Host name the route serves on that listener. @default any host */
  readonly hostname?: string;
}

/**
 * TLS 1.2 and 1.3 only, as the specification demands ("Protocol Versions: TLS 1.2 and
 * 1.3 only"), and for 1.2 only ECDHE key exchange with AEAD ciphers ("modern, secure
 * cipher suites"); TLS 1.3's suites are all AEAD and not configurable.
 */
const TLS_CIPHERS_1_2 = [
  ClientTrafficPolicySpecTlsCiphers.ECDHE_HYPHEN_ECDSA_HYPHEN_AES128_HYPHEN_GCM_HYPHEN_SHA256,
  ClientTrafficPolicySpecTlsCiphers.ECDHE_HYPHEN_RSA_HYPHEN_AES128_HYPHEN_GCM_HYPHEN_SHA256,
  ClientTrafficPolicySpecTlsCiphers.ECDHE_HYPHEN_ECDSA_HYPHEN_AES256_HYPHEN_GCM_HYPHEN_SHA384,
  ClientTrafficPolicySpecTlsCiphers.ECDHE_HYPHEN_RSA_HYPHEN_AES256_HYPHEN_GCM_HYPHEN_SHA384,
  ClientTrafficPolicySpecTlsCiphers.ECDHE_HYPHEN_ECDSA_HYPHEN_CHACHA20_HYPHEN_POLY1305,
  ClientTrafficPolicySpecTlsCiphers.ECDHE_HYPHEN_RSA_HYPHEN_CHACHA20_HYPHEN_POLY1305,
];

/** Gateway + Certificate + TLS policy + the HTTP→HTTPS redirect. */
export class PublicGateway extends Construct {
  readonly name: string;
  /** Listener (sectionName) per host key, e.g. `https-web`. */
  readonly httpsListeners: Readonly<Record<string, string>>;
  private readonly hostnames: Readonly<Record<string, string>>;

  constructor(scope: Construct, id: string, props: PublicGatewayProps) {
    super(scope, id);
    this.name = props.name ?? 'course-companion';
    const hostKeys = Object.keys(props.hostnames).sort();
    if (hostKeys.length === 0) throw new Error("PublicGateway: 'hostnames' must name at least one host");
    const tlsSecretName = `${this.name}-tls`;
    this.httpsListeners = Object.fromEntries(hostKeys.map((key) => [key, `https-${key}`]));
    this.hostnames = { ...props.hostnames };

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

    // TLS versions in git rather than the proxy's default: the policy targets the whole
    // Gateway (every HTTPS listener; the plain redirect listener has no TLS and is left
    // alone: envoyproxy/gateway v1.9.0 internal/gatewayapi/clienttrafficpolicy.go,
    // buildListenerTLSParameters) and syncs with the Certificate, before the Gateway
    // exists, so no listener ever answers with other settings.
    new ClientTrafficPolicy(this, 'tls-policy', {
      metadata: { name: `${this.name}-tls`, annotations: syncWave(SYNC_WAVE.config) },
      spec: {
        targetRefs: [
          { group: ClientTrafficPolicySpecTargetRefsGroup.GATEWAY_PERIOD_NETWORKING_PERIOD_K8S_PERIOD_IO, kind: ClientTrafficPolicySpecTargetRefsKind.GATEWAY, name: this.name },
        ],
        tls: {
          minVersion: ClientTrafficPolicySpecTlsMinVersion.VALUE_1_2,
          maxVersion: ClientTrafficPolicySpecTlsMaxVersion.VALUE_1_3,
          ciphers: TLS_CIPHERS_1_2,
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

  /** The HTTPS listener of one host, for a route to attach to. */
  listener(hostKey: string): RouteParent {
    const sectionName = this.httpsListeners[hostKey];
    if (!sectionName) {
      throw new Error(`PublicGateway ${this.name}: "${hostKey}" is not one of its hosts (${Object.keys(this.httpsListeners).join(', ')})`);
    }
    return { gatewayName: this.name, sectionName, hostname: this.hostnames[hostKey] };
  }
}

export interface InternalGatewayProps {
  /** @default 'course-companion-internal' */
  readonly name?: string;
  /** GatewayClass of the installed implementation (Envoy Gateway). */
  readonly className: string;
  /**
   * Fixed name of the proxy's ClusterIP Service. Envoy Gateway creates it in its own
   * namespace, shared by every environment of the cluster, so the name must be unique
   * there (the chart derives it from the environment's namespace).
   */
  readonly serviceName: string;
  /** Namespace where Envoy Gateway runs the proxies and their Services. */
  readonly dataPlaneNamespace: string;
  /** One plain-HTTP listener per key (e.g. the callee role), on this port. */
  readonly listeners: Readonly<Record<string, number>>;
}

/**
 * The in-cluster entry to the roles: a Gateway with plain-HTTP listeners whose proxy
 * Service is ClusterIP, so it is never reachable from outside the cluster.
 *
 * Why a gateway: during a canary Argo Rollouts pins `<role>-stable` to the stable pods
 * and `<role>-canary` to the new ones, so only requests that pass through an HTTPRoute
 * the Gateway API plugin manages follow the canary weights. Callers inside the cluster
 * must therefore go through a route too. (A service mesh implementing the Gateway API's
 * GAMMA profile could split at the caller without this hop, but the cluster runs no
 * mesh; Envoy Gateway is already there for the public gateway.)
 *
 * The proxy Service's name and type come from an EnvoyProxy the Gateway names in
 * `spec.infrastructure.parametersRef` (envoyproxy/gateway v1.9.0
 * internal/gatewayapi/contexts.go, attachEnvoyProxy: Gateway-level parameters win
 * over the class's; internal/infrastructure/kubernetes/proxy/resource_provider.go,
 * Service(): `envoyService.name` replaces the generated name). Gateway-level
 * parameters are ignored when the GatewayClass merges gateways (`mergeGateways`), which
 * would put these listeners on the public load balancer: the README's prerequisites
 * forbid that setting for this class.
 */
export class InternalGateway extends Construct {
  readonly name: string;
  /** The proxy Service's cluster DNS name, the Host header callees see. */
  readonly hostname: string;
  /** Labels Envoy Gateway puts on this gateway's proxy pods, for NetworkPolicies. */
  readonly proxyPodLabels: Readonly<Record<string, string>>;
  private readonly ports: Readonly<Record<string, number>>;

  constructor(scope: Construct, id: string, props: InternalGatewayProps) {
    super(scope, id);
    this.name = props.name ?? 'course-companion-internal';
    const keys = Object.keys(props.listeners).sort();
    if (keys.length === 0) throw new Error("InternalGateway: 'listeners' must name at least one listener");
    for (const key of keys) {
      const port = props.listeners[key];
      // Envoy Gateway shifts listener ports below 1024 by 10000 on the proxy container
      // (internal/gatewayapi/listener.go, servicePortToContainerPort); NetworkPolicies
      // see the container port, so only unshifted ports keep them simple.
      if (!Number.isInteger(port) || port < 1024 || port > 65535) {
        throw new Error(`InternalGateway: 'listeners.${key}' must be a port from 1024 to 65535, got ${port}`);
      }
    }
    if (!/^[a-z0-9]([-a-z0-9]{0,61}[a-z0-9])?$/.test(props.serviceName)) {
      throw new Error(`InternalGateway: 'serviceName' must be a DNS label of at most 63 characters, got "${props.serviceName}"`);
    }
    this.ports = { ...props.listeners };
    this.hostname = `${props.serviceName}.${props.dataPlaneNamespace}.svc.cluster.local`;
    const namespace = Chart.of(this).namespace;
    if (namespace === undefined) throw new Error('InternalGateway: the chart must set a namespace');
    // envoyproxy/gateway v1.9.0 internal/gatewayapi/translator.go: OwningGatewayNameLabel,
    // OwningGatewayNamespaceLabel; the proxy Deployment's selector (stableSelector) uses them.
    this.proxyPodLabels = {
      'gateway.envoyproxy.io/owning-gateway-name': this.name,
      'gateway.envoyproxy.io/owning-gateway-namespace': namespace,
    };

    // Parameters first (config wave), so the Gateway never starts with a LoadBalancer.
    new EnvoyProxy(this, 'proxy', {
      metadata: { name: this.name, annotations: syncWave(SYNC_WAVE.config) },
      spec: {
        provider: {
          type: EnvoyProxySpecProviderType.KUBERNETES,
          kubernetes: {
            envoyService: { name: props.serviceName, type: EnvoyProxySpecProviderKubernetesEnvoyServiceType.CLUSTER_IP },
          },
        },
      },
    });
    new Gateway(this, 'gateway', {
      metadata: { name: this.name },
      spec: {
        gatewayClassName: props.className,
        infrastructure: { parametersRef: { group: 'gateway.envoyproxy.io', kind: 'EnvoyProxy', name: this.name } },
        // Plain HTTP: the traffic never leaves the cluster network, like the direct
        // Service calls it replaces.
        listeners: keys.map((key) => ({ name: `http-${key}`, protocol: 'HTTP', port: props.listeners[key] })),
      },
    });
  }

  /** The listener of one key, for a route to attach to (any Host header). */
  listener(key: string): RouteParent {
    if (this.ports[key] === undefined) throw new Error(`InternalGateway ${this.name}: no listener "${key}"`);
    return { gatewayName: this.name, sectionName: `http-${key}` };
  }

  /** The base URL in-cluster callers use to reach the listener of `key`. */
  url(key: string): string {
    const port = this.ports[key];
    if (port === undefined) throw new Error(`InternalGateway ${this.name}: no listener "${key}"`);
    return `http://${this.hostname}:${port}`;
  }

  /** The port of the listener of `key`, which is also the proxy container's port. */
  port(key: string): number {
    const port = this.ports[key];
    if (port === undefined) throw new Error(`InternalGateway ${this.name}: no listener "${key}"`);
    return port;
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
