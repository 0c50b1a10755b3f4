/**
 * The canaried roles as the delivery rules (delivery.ts) see them: a canary Rollout, the
 * HTTPRoutes its Gateway API plugin manages, and how an in-cluster host name resolves.
 */
import { groupOf, nameOf, namespaceOf, type ManifestObject } from '../manifest';
import { type Finding } from './types';

export const PLUGIN = 'argoproj-labs/gatewayAPI';
export const GATEWAY_API = 'gateway.networking.k8s.io';

export const finding = (rule: string, file: string, message: string): Finding => ({ check: 'delivery', rule, file, message });

export interface Canary {
  readonly manifest: ManifestObject;
  readonly namespace: string;
  readonly stableService: string;
  readonly canaryService: string;
  /** `namespace/name` of every HTTPRoute the Gateway API plugin moves weights on. */
  readonly managedRoutes: ReadonlySet<string>;
  readonly podLabels: Record<string, string>;
  readonly canary: any;
}

export function canaryOf(manifest: ManifestObject): Canary[] {
  const { object } = manifest;
  if (object?.kind !== 'Rollout' || groupOf(object.apiVersion) !== 'argoproj.io') return [];
  const canary = object.spec?.strategy?.canary;
  if (canary === undefined || canary === null) return [];
  const namespace = namespaceOf(object);
  const plugin = canary.trafficRouting?.plugins?.[PLUGIN];
  // The plugin appends the single `httpRoute` to `httpRoutes` (pkg/plugin/plugin.go,
  // insertGatewayAPIRouteLists) and looks every route up in `namespace`.
  const routeNamespace = typeof plugin?.namespace === 'string' && plugin.namespace !== '' ? plugin.namespace : namespace;
  const names = [plugin?.httpRoute, ...(Array.isArray(plugin?.httpRoutes) ? plugin.httpRoutes.map((r: any) => r?.name) : [])].filter(
    (n): n is string => typeof n === 'string' && n !== '',
  );
  return [
    {
      manifest,
      namespace,
      stableService: String(canary.stableService ?? ''),
      canaryService: String(canary.canaryService ?? ''),
      managedRoutes: new Set(names.map((n) => `${routeNamespace}/${n}`)),
      podLabels: object.spec?.template?.metadata?.labels ?? {},
      canary,
    },
  ];
}

export const isRoute = (o: any) => o?.kind === 'HTTPRoute' && groupOf(o.apiVersion) === GATEWAY_API;
export const key = (o: any) => `${namespaceOf(o)}/${nameOf(o)}`;
export const backendNames = (route: any): string[] =>
  (route.spec?.rules ?? []).flatMap((rule: any) => (rule?.backendRefs ?? []).map((b: any) => String(b?.name ?? '')));

/**
 * Where a host name points inside the cluster: `name`, `name.ns`, `name.ns.svc`,
 * `name.ns.svc.cluster.local`. Anything else (a public host) is not in-cluster.
 */
export function clusterName(host: string, callerNamespace: string): { name: string; namespace: string } | undefined {
  const labels = host.split('.');
  if (labels.length === 1) return { name: labels[0], namespace: callerNamespace };
  if (
    labels.length === 2 ||
    (labels.length >= 3 && labels[2] === 'svc' && (labels.length === 3 || labels.slice(3).join('.') === 'cluster.local'))
  ) {
    return { name: labels[0], namespace: labels[1] };
  }
  return undefined;
}
