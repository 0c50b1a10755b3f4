/**
 * InternalGateway: a second Gateway whose proxy Service is ClusterIP, so in-cluster
 * callers (the web role calling the api) go through an HTTPRoute whose weights the
 * callee's Rollout manages, like public requests do.
 */
import { Chart } from 'cdk8s';
import { Construct } from 'constructs';
import {
  EnvoyProxy,
  EnvoyProxySpecProviderKubernetesEnvoyServiceType,
  EnvoyProxySpecProviderType,
} from '../imports/envoyproxies-gateway.envoyproxy.io';
import { Gateway } from '../imports/gateways-gateway.networking.k8s.io';
import { SYNC_WAVE, syncWave } from './labels';
import type { RouteParent } from './routing';

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
