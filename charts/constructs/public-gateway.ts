/**
 * PublicGateway: one Gateway per environment terminating TLS with a cert-manager
 * Certificate, an HTTP listener that only redirects to HTTPS, and the TLS versions and
 * ciphers pinned by an Envoy Gateway ClientTrafficPolicy.
 */
import { Construct } from 'constructs';
import {
  Certificate,
  CertificateSpecPrivateKeyAlgorithm,
  CertificateSpecPrivateKeyRotationPolicy,
} from '../imports/certificates-cert-manager.io';
import {
  ClientTrafficPolicy,
  ClientTrafficPolicySpecTargetRefsGroup,
  ClientTrafficPolicySpecTargetRefsKind,
  ClientTrafficPolicySpecTlsCiphers,
  ClientTrafficPolicySpecTlsMaxVersion,
  ClientTrafficPolicySpecTlsMinVersion,
} from '../imports/clienttrafficpolicies-gateway.envoyproxy.io';
import { Gateway, GatewaySpecListenersTlsMode } from '../imports/gateways-gateway.networking.k8s.io';
import {
  HttpRoute,
  HttpRouteSpecRulesFiltersRequestRedirectScheme,
  HttpRouteSpecRulesFiltersRequestRedirectStatusCode,
  HttpRouteSpecRulesFiltersType,
} from '../imports/httproutes-gateway.networking.k8s.io';
import { SYNC_WAVE, syncWave } from './labels';
import type { RouteParent } from './routing';

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
    const dnsNames = hostKeys.map((key) => props.hostnames[key]);

    this.certificate(tlsSecretName, dnsNames, props.clusterIssuer);
    this.tlsPolicy();
    this.gateway(props, hostKeys, tlsSecretName);
    this.httpRedirect(dnsNames);
  }

  /** The HTTPS listener of one host, for a route to attach to. */
  listener(hostKey: string): RouteParent {
    const sectionName = this.httpsListeners[hostKey];
    if (!sectionName) {
      throw new Error(`PublicGateway ${this.name}: "${hostKey}" is not one of its hosts (${Object.keys(this.httpsListeners).join(', ')})`);
    }
    return { gatewayName: this.name, sectionName, hostname: this.hostnames[hostKey] };
  }

  private certificate(tlsSecretName: string, dnsNames: string[], clusterIssuer: string): void {
    new Certificate(this, 'certificate', {
      metadata: { name: tlsSecretName, annotations: syncWave(SYNC_WAVE.config) },
      spec: {
        secretName: tlsSecretName,
        dnsNames,
        issuerRef: { group: 'cert-manager.io', kind: 'ClusterIssuer', name: clusterIssuer },
        privateKey: {
          algorithm: CertificateSpecPrivateKeyAlgorithm.ECDSA,
          size: 256,
          rotationPolicy: CertificateSpecPrivateKeyRotationPolicy.ALWAYS,
        },
      },
    });
  }

  // TLS versions in git rather than the proxy's default: the policy targets the whole
  // Gateway (every HTTPS listener; the plain redirect listener has no TLS and is left
  // alone: envoyproxy/gateway v1.9.0 internal/gatewayapi/clienttrafficpolicy.go,
  // buildListenerTLSParameters) and syncs with the Certificate, before the Gateway
  // exists, so no listener ever answers with other settings.
  private tlsPolicy(): void {
    new ClientTrafficPolicy(this, 'tls-policy', {
      metadata: { name: `${this.name}-tls`, annotations: syncWave(SYNC_WAVE.config) },
      spec: {
        targetRefs: [
          {
            group: ClientTrafficPolicySpecTargetRefsGroup.GATEWAY_PERIOD_NETWORKING_PERIOD_K8S_PERIOD_IO,
            kind: ClientTrafficPolicySpecTargetRefsKind.GATEWAY,
            name: this.name,
          },
        ],
        tls: {
          minVersion: ClientTrafficPolicySpecTlsMinVersion.VALUE_1_2,
          maxVersion: ClientTrafficPolicySpecTlsMaxVersion.VALUE_1_3,
          ciphers: TLS_CIPHERS_1_2,
        },
      },
    });
  }

  private gateway(props: PublicGatewayProps, hostKeys: string[], tlsSecretName: string): void {
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
  }

  /** Plain HTTP only ever answers with a permanent redirect to the same URL on HTTPS. */
  private httpRedirect(dnsNames: string[]): void {
    new HttpRoute(this, 'http-redirect', {
      metadata: { name: 'http-redirect' },
      spec: {
        parentRefs: [{ name: this.name, sectionName: 'http' }],
        hostnames: dnsNames,
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
