/**
 * Delivery rules (issue 11): what Argo Rollouts and its Gateway API plugin will actually
 * do with the generated canaries, simulated from their source rather than their schema.
 *
 * - `canary-caller-route`: every in-cluster caller of a canaried role reaches it through
 *   an HTTPRoute the Rollout's plugin manages. During a canary Argo Rollouts pins the
 *   stable Service's selector to the stable ReplicaSet and the canary Service's to the
 *   canary one (argo-rollouts rollout/service.go, reconcileStableAndCanaryService), so a
 *   caller that names either Service (or any Service selecting the role's pods) never
 *   sees the plugin's weights: the canary gets none of its traffic, and all of it flips
 *   at once on promotion.
 * - `canary-route-backends`: a route the plugin manages must hold both the stable and
 *   the canary Service as backends; otherwise SetWeight fails with "backendRef was not
 *   found in httpRoute" (rollouts-plugin-trafficrouter-gatewayapi pkg/plugin/httproute.go,
 *   setHTTPRouteWeight, commit 96c63fd7).
 * - `smoke-before-traffic`: the smoke analysis runs against canary pods before the first
 *   step that gives the canary user traffic (setCanaryScale, then the smoke analysis,
 *   then setWeight > 0).
 * - `canary-scale-reset`: a setCanaryScale pin is reset (matchTrafficWeight: true) before
 *   a setWeight that needs more canary pods than the pin gives (argo-rollouts
 *   docs/features/canary/index.md: "90% of traffic to only 10% of pods").
 * - `background-analysis-start`: background analysis starts at the first step with user
 *   traffic: earlier, its queries see no canary requests (inconclusive, which pauses the
 *   rollout); later, the first traffic step runs unanalysed.
 */
import { describeObject, groupOf, nameOf, namespaceOf, type ManifestObject } from '../manifest';
import { type Finding } from './types';


const PLUGIN = 'argoproj-labs/gatewayAPI';
const GATEWAY_API = 'gateway.networking.k8s.io';
const ENVOY_GATEWAY = 'gateway.envoyproxy.io';

const finding = (rule: string, file: string, message: string): Finding => ({ check: 'delivery', rule, file, message });

export function checkDelivery(objects: readonly ManifestObject[]): Finding[] {
  const canaries = objects.flatMap((m) => canaryOf(m));
  return [
    ...canaries.flatMap((c) => routeBackendFindings(c, objects)),
    ...callerFindings(objects, canaries),
    ...canaries.flatMap((c) => stepFindings(c, objects)),
  ];
}

// --- the canaried roles ----------------------------------------------------------------

interface Canary {
  readonly manifest: ManifestObject;
  readonly namespace: string;
  readonly stableService: string;
  readonly canaryService: string;
  /** `namespace/name` of every HTTPRoute the Gateway API plugin moves weights on. */
  readonly managedRoutes: ReadonlySet<string>;
  readonly podLabels: Record<string, string>;
  readonly canary: any;
}

function canaryOf(manifest: ManifestObject): Canary[] {
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

const isRoute = (o: any) => o?.kind === 'HTTPRoute' && groupOf(o.apiVersion) === GATEWAY_API;
const key = (o: any) => `${namespaceOf(o)}/${nameOf(o)}`;
const backendNames = (route: any): string[] =>
  (route.spec?.rules ?? []).flatMap((rule: any) => (rule?.backendRefs ?? []).map((b: any) => String(b?.name ?? '')));

function routeBackendFindings(c: Canary, objects: readonly ManifestObject[]): Finding[] {
  const findings: Finding[] = [];
  for (const m of objects.filter((o) => isRoute(o.object) && c.managedRoutes.has(key(o.object)))) {
    const names = backendNames(m.object);
    for (const service of [c.stableService, c.canaryService]) {
      if (!names.includes(service)) {
        findings.push(
          finding(
            'canary-route-backends',
            m.file,
            `${describeObject(m.object)} is managed by ${describeObject(c.manifest.object)} but has no backendRef to Service "${service}": ` +
              'the Gateway API plugin fails every setWeight on it ("backendRef was not found in httpRoute")',
          ),
        );
      }
    }
  }
  return findings;
}

// --- in-cluster callers --------------------------------------------------------------------

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
        for (const env of container?.env ?? []) add(m, `${describeObject(o)} ${path} container "${container?.name}" env ${env?.name}`, env?.value);
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
 * Where a host name points inside the cluster: `name`, `name.ns`, `name.ns.svc`,
 * `name.ns.svc.cluster.local`. Anything else (a public host) is not in-cluster.
 */
function clusterName(host: string, callerNamespace: string): { name: string; namespace: string } | undefined {
  const labels = host.split('.');
  if (labels.length === 1) return { name: labels[0], namespace: callerNamespace };
  if (labels.length === 2 || (labels.length >= 3 && labels[2] === 'svc' && (labels.length === 3 || labels.slice(3).join('.') === 'cluster.local'))) {
    return { name: labels[0], namespace: labels[1] };
  }
  return undefined;
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

function callerFindings(objects: readonly ManifestObject[], canaries: readonly Canary[]): Finding[] {
  if (canaries.length === 0) return [];
  const findings: Finding[] = [];
  const services = objects.filter((m) => m.object?.kind === 'Service' && groupOf(m.object.apiVersion) === '');
  const gateways = gatewaysByServiceName(objects);
  const routes = objects.filter((m) => isRoute(m.object)).map((m) => m.object);

  for (const caller of callerUrls(objects)) {
    const target = clusterName(caller.host, namespaceOf(caller.manifest.object));
    if (target === undefined) continue;

    // A Service of a canaried role, called directly.
    const service = services.find((s) => nameOf(s.object) === target.name && namespaceOf(s.object) === target.namespace);
    if (service !== undefined) {
      for (const c of canaries.filter((c) => c.namespace === target.namespace)) {
        const named = target.name === c.stableService || target.name === c.canaryService;
        if (named || selects(service.object.spec?.selector, c.podLabels)) {
          findings.push(
            finding(
              'canary-caller-route',
              caller.manifest.file,
              `${caller.where} = ${caller.url} calls Service ${target.name} directly, bypassing the traffic routing of ${describeObject(c.manifest.object)}: ` +
                'during a canary Argo Rollouts pins that Service to one version, so none of these requests follow the canary weights. ' +
                `Call it through an HTTPRoute listed in the Rollout's ${PLUGIN} plugin config (${[...c.managedRoutes].join(', ') || 'none listed'})`,
            ),
          );
        }
      }
      continue;
    }

    // A gateway address: every route on the called listener that reaches a canaried
    // role must be one its Rollout manages.
    for (const gateway of gateways.get(target.name) ?? []) {
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
    }
  }
  return findings;
}

// --- the steps -----------------------------------------------------------------------------

function stepFindings(c: Canary, objects: readonly ManifestObject[]): Finding[] {
  const { file } = c.manifest;
  const who = describeObject(c.manifest.object);
  const steps: any[] = Array.isArray(c.canary.steps) ? c.canary.steps : [];
  const findings: Finding[] = [];
  const fail = (rule: string, message: string) => findings.push(finding(rule, file, `${who}: ${message}`));

  const firstTraffic = steps.findIndex((s) => typeof s?.setWeight === 'number' && s.setWeight > 0);
  if (steps.length === 0 || firstTraffic < 0) {
    fail('smoke-before-traffic', 'has no setWeight step, so Argo Rollouts moves all traffic at once without a smoke test of the canary');
    return findings;
  }

  // Simulate the canary's scale step by step (argo-rollouts utils/replicaset/canary.go,
  // UseSetCanaryScale): a setCanaryScale pin holds until matchTrafficWeight resets it.
  let pin: { replicas?: number; weight?: number } | undefined;
  let weight = 0;
  let smokedCanary = false;
  steps.forEach((step, i) => {
    const scale = step?.setCanaryScale;
    if (scale !== undefined) {
      pin = scale.matchTrafficWeight === true ? undefined : { replicas: scale.replicas, weight: scale.weight };
    }
    const canaryHasPods = pin !== undefined ? (pin.replicas ?? 0) > 0 || (pin.weight ?? 0) > 0 : weight > 0;
    if (step?.analysis !== undefined && i < firstTraffic && canaryHasPods && isSmokeOf(step.analysis, c, objects)) smokedCanary = true;
    if (typeof step?.setWeight === 'number') {
      weight = step.setWeight;
      if (pin !== undefined && weight > 0 && (pin.replicas !== undefined || (pin.weight ?? 0) < weight)) {
        fail(
          'canary-scale-reset',
          `steps[${i}] sets weight ${weight} while setCanaryScale still pins the canary to ` +
            `${pin.replicas !== undefined ? `${pin.replicas} replica(s)` : `${pin.weight}% of the replicas`}; ` +
            'reset it with setCanaryScale { matchTrafficWeight: true } so the canary scales with its traffic',
        );
      }
    }
    if (i === firstTraffic && !smokedCanary) {
      fail(
        'smoke-before-traffic',
        `steps[${i}] (setWeight ${step.setWeight}) gives the canary user traffic before any smoke analysis step has tested canary pods ` +
          `(expected setCanaryScale, then an analysis step whose job calls Service ${c.canaryService}, before the first setWeight)`,
      );
    }
  });

  const background = c.canary.analysis;
  if (background !== undefined && Array.isArray(background.templates) && background.templates.length > 0) {
    const start = typeof background.startingStep === 'number' ? background.startingStep : 0;
    if (start !== firstTraffic) {
      fail(
        'background-analysis-start',
        `background analysis starts at step ${start}, but the canary first gets user traffic at steps[${firstTraffic}]: ` +
          (start < firstTraffic
            ? 'before it, the queries see no canary requests and each measurement is inconclusive'
            : 'the steps before its start run with users on the canary and no analysis') +
          ` (set strategy.canary.analysis.startingStep: ${firstTraffic})`,
      );
    }
  }
  return findings;
}

/**
 * A smoke analysis of the canary: a template with a Job metric (a test run, not a
 * query), given an argument that addresses the canary Service.
 */
function isSmokeOf(analysis: any, c: Canary, objects: readonly ManifestObject[]): boolean {
  const templates = (analysis.templates ?? []).map((ref: any) =>
    objects.find(
      (m) =>
        m.object?.kind === (ref?.clusterScope ? 'ClusterAnalysisTemplate' : 'AnalysisTemplate') &&
        nameOf(m.object) === ref?.templateName &&
        (ref?.clusterScope || namespaceOf(m.object) === c.namespace),
    ),
  );
  const runsJob = templates.some((m: ManifestObject | undefined) => (m?.object.spec?.metrics ?? []).some((metric: any) => metric?.provider?.job !== undefined));
  const callsCanary = (analysis.args ?? []).some((arg: any) => {
    if (typeof arg?.value !== 'string') return false;
    if (arg.value === c.canaryService) return true;
    try {
      return clusterName(new URL(arg.value).hostname, c.namespace)?.name === c.canaryService;
    } catch {
      return false;
    }
  });
  return runsJob && callsCanary;
}
