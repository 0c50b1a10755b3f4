import { ApiObject, Chart } from 'cdk8s';
import type { ApplicationSpecIgnoreDifferences } from '../../imports/applications-argoproj.io';

/** A kind as Argo CD names it in an AppProject: API group ('' for core) and kind. */
export interface GroupKind {
  readonly group: string;
  readonly kind: string;
}

const GATEWAY_API_PLUGIN = 'argoproj-labs/gatewayAPI';

export function compareGroupKinds(a: GroupKind, b: GroupKind): number {
  return a.group === b.group ? a.kind.localeCompare(b.kind) : a.group.localeCompare(b.group);
}

/** Every distinct kind an environment chart synthesizes, sorted. */
export function kindsOf(chart: Chart): GroupKind[] {
  const seen = new Map<string, GroupKind>();
  for (const object of chart.node.findAll().filter((c): c is ApiObject => ApiObject.isApiObject(c))) {
    // cdk8s calls the core group "core"; Argo CD (like the API) calls it "".
    const group = object.apiGroup === 'core' ? '' : object.apiGroup;
    seen.set(`${group}/${object.kind}`, { group, kind: object.kind });
  }
  return [...seen.values()].sort(compareGroupKinds);
}

interface GatewayApiPluginConfig {
  readonly httpRoute?: string;
  readonly httpRoutes?: readonly { readonly name: string }[];
  readonly namespace?: string;
}

/**
 * Fields a controller, not git, owns in this environment's output; Argo CD must
 * neither report them as drift nor reset them.
 *
 * Only one exists here: during a canary the Argo Rollouts Gateway API plugin moves
 * the `weight` of the HTTPRoute's backendRefs step by step. Without this entry
 * self-heal would snap traffic back to 100/0 in the middle of a rollout. The
 * HTTPRoutes are read from the Rollouts themselves, so the entry exists exactly
 * where a plugin drives a route. Other controller writes (the pod-template-hash
 * selector Argo Rollouts adds to Services, the HPA's replicas) are fields the output
 * never sets, so they are not drift and need no entry.
 */
export function controllerOwnedFields(chart: Chart): ApplicationSpecIgnoreDifferences[] {
  const routes = new Map<string, ApplicationSpecIgnoreDifferences>();
  for (const object of chart.node.findAll().filter((c): c is ApiObject => ApiObject.isApiObject(c))) {
    if (object.kind !== 'Rollout') continue;
    const manifest = object.toJson() as {
      metadata?: { namespace?: string };
      spec?: { strategy?: { canary?: { trafficRouting?: { plugins?: Record<string, GatewayApiPluginConfig> } } } };
    };
    const plugin = manifest.spec?.strategy?.canary?.trafficRouting?.plugins?.[GATEWAY_API_PLUGIN];
    if (!plugin) continue;
    const namespace = plugin.namespace ?? manifest.metadata?.namespace;
    const names = [...(plugin.httpRoute ? [plugin.httpRoute] : []), ...(plugin.httpRoutes ?? []).map((r) => r.name)];
    for (const name of names) {
      routes.set(`${namespace}/${name}`, {
        group: 'gateway.networking.k8s.io',
        kind: 'HTTPRoute',
        name,
        ...(namespace ? { namespace } : {}),
        jqPathExpressions: ['.spec.rules[].backendRefs[]?.weight'],
      });
    }
  }
  return [...routes.entries()].sort(([a], [b]) => a.localeCompare(b)).map(([, entry]) => entry);
}
