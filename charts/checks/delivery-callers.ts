/**
 * Rule `canary-caller-route` (see delivery.ts): the in-cluster callers of a canaried
 * role, found as http(s) URLs in ConfigMaps and container env, must reach it through an
 * HTTPRoute its Rollout's plugin manages, never a Service or an unmanaged route.
 */
import { describeObject, groupOf, nameOf, namespaceOf, type ManifestObject } from '../manifest';
import { backendNames, clusterName, finding, GATEWAY_API, isRoute, key, PLUGIN, type Canary } from './delivery-canary';
import { type Finding } from './types';

const ENVOY_GATEWAY = 'gateway.envoyproxy.io';

/** An http(s) URL found in a ConfigMap value or a container's env value. */
interface CallerUrl {
  readonly manifest: ManifestObject;
  readonly where: string;
  readonly url: string;
  readonly host: string;
  readonly port: number;
}

const URL_IN_TEXT = /\bhttps?:\/\/[^\s"',]+/g;

function callerUrls(objects: readonly ManifestObject[]): CallerUrl[] {
  const found: CallerUrl[] = [];
  const add = (manifest: ManifestObject, where: string, value: unknown) => {
    if (typeof value !== 'string') return;
    for (const url of value.match(URL_IN_TEXT) ?? []) {
      let parsed: URL;
      try {
        parsed = new URL(url);
      } catch {
        continue;
      }
      const port = parsed.port !== '' ? Number(parsed.port) : parsed.protocol === 'https:' ? 443 : 80;
      found.push({ manifest, where, url, host: parsed.hostname.toLowerCase(), port });
    }
  };
  for (const m of objects) {
    const o = m.object;
    if (o?.kind === 'ConfigMap' && groupOf(o.apiVersion) === '') {
      for (const [k, v] of Object.entries(o.data ?? {})) add(m, `${describeObject(o)} ${k}`, v);
    }
    for (const { spec, path } of podSpecs(o)) {
      for (const container of [...(spec?.containers ?? []), ...(spec?.initContainers ?? [])]) {
        for (const env of container?.env ?? [])
          add(m, `${describeObject(o)} ${path} container "${container?.name}" env ${env?.name}`, env?.value);
      }
    }
  }
  return found;
}

function podSpecs(o: any): { spec: any; path: string }[] {
  if (o === null || typeof o !== 'object') return [];
  if (o.kind === 'CronJob') return [{ spec: o.spec?.jobTemplate?.spec?.template?.spec, path: 'spec.jobTemplate.spec.template' }];
  if (o.spec?.template?.spec !== undefined) return [{ spec: o.spec.template.spec, path: 'spec.template' }];
  return [];
}

/**
 * A Gateway's in-cluster address: Envoy Gateway names the data plane's Service after
 * `spec.provider.kubernetes.envoyService.name` of the EnvoyProxy the Gateway's
 * `infrastructure.parametersRef` names (envoyproxy/gateway v1.9.0
 * internal/infrastructure/kubernetes/proxy/resource_provider.go, Service()), in the
 * controller's namespace, which is not in these objects: the address is matched by
 * name and listener port.
 */
function gatewaysByServiceName(objects: readonly ManifestObject[]): Map<string, any[]> {
  const proxies = new Map<string, any>();
  for (const m of objects) {
    if (m.object?.kind === 'EnvoyProxy' && groupOf(m.object.apiVersion) === ENVOY_GATEWAY) proxies.set(key(m.object), m.object);
  }
  const byName = new Map<string, any[]>();
  for (const m of objects) {
    const g = m.object;
    if (g?.kind !== 'Gateway' || groupOf(g.apiVersion) !== GATEWAY_API) continue;
    const ref = g.spec?.infrastructure?.parametersRef;
    if (ref?.kind !== 'EnvoyProxy') continue;
    const serviceName = proxies.get(`${namespaceOf(g)}/${ref.name}`)?.spec?.provider?.kubernetes?.envoyService?.name;
    if (typeof serviceName === 'string') byName.set(serviceName, [...(byName.get(serviceName) ?? []), g]);
  }
  return byName;
}

const selects = (selector: Record<string, string> | undefined, labels: Record<string, string>) =>
  selector !== undefined && Object.keys(selector).length > 0 && Object.entries(selector).every(([k, v]) => labels[k] === v);

export function callerFindings(objects: readonly ManifestObject[], canaries: readonly Canary[]): Finding[] {
  if (canaries.length === 0) return [];
  const services = objects.filter((m) => m.object?.kind === 'Service' && groupOf(m.object.apiVersion) === '');
  const gateways = gatewaysByServiceName(objects);
  const routes = objects.filter((m) => isRoute(m.object)).map((m) => m.object);

  return callerUrls(objects).flatMap((caller) => {
    const target = clusterName(caller.host, namespaceOf(caller.manifest.object));
    if (target === undefined) return [];
    const service = services.find((s) => nameOf(s.object) === target.name && namespaceOf(s.object) === target.namespace);
    if (service !== undefined) return serviceCallerFindings(caller, service.object, target, canaries);
    return (gateways.get(target.name) ?? []).flatMap((gateway) => gatewayCallerFindings(caller, gateway, routes, canaries));
  });
}

/** A Service of a canaried role, called directly. */
function serviceCallerFindings(
  caller: CallerUrl,
  service: any,
  target: { name: string; namespace: string },
  canaries: readonly Canary[],
): Finding[] {
  return canaries
    .filter((c) => c.namespace === target.namespace)
    .filter((c) => target.name === c.stableService || target.name === c.canaryService || selects(service.spec?.selector, c.podLabels))
    .map((c) =>
      finding(
        'canary-caller-route',
        caller.manifest.file,
        `${caller.where} = ${caller.url} calls Service ${target.name} directly, bypassing the traffic routing of ${describeObject(c.manifest.object)}: ` +
          'during a canary Argo Rollouts pins that Service to one version, so none of these requests follow the canary weights. ' +
          `Call it through an HTTPRoute listed in the Rollout's ${PLUGIN} plugin config (${[...c.managedRoutes].join(', ') || 'none listed'})`,
      ),
    );
}

/**
 * A gateway address: every route on the called listener that reaches a canaried role
 * must be one its Rollout manages.
 */
function gatewayCallerFindings(caller: CallerUrl, gateway: any, routes: readonly any[], canaries: readonly Canary[]): Finding[] {
  const findings: Finding[] = [];
  const listeners = (gateway.spec?.listeners ?? []).filter((l: any) => l?.port === caller.port);
  for (const route of routes) {
    const attached = (route.spec?.parentRefs ?? []).some(
      (p: any) =>
        (p?.kind ?? 'Gateway') === 'Gateway' &&
        p?.name === nameOf(gateway) &&
        (p?.namespace ?? namespaceOf(route)) === namespaceOf(gateway) &&
        (p?.sectionName === undefined ? listeners.length > 0 : listeners.some((l: any) => l?.name === p.sectionName)),
    );
    const hostnames: string[] = route.spec?.hostnames ?? [];
    if (!attached || (hostnames.length > 0 && !hostnames.includes(caller.host))) continue;
    const names = backendNames(route);
    for (const c of canaries) {
      const reaches = names.includes(c.stableService) || names.includes(c.canaryService);
      if (reaches && !c.managedRoutes.has(key(route))) {
        findings.push(
          finding(
            'canary-caller-route',
            caller.manifest.file,
            `${caller.where} = ${caller.url} reaches ${describeObject(c.manifest.object)} through ${describeObject(route)}, ` +
              `which its ${PLUGIN} plugin config does not list, so the canary weights never apply to it`,
          ),
        );
      }
    }
  }
  return findings;
}
