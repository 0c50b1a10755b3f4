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
import { describeObject, nameOf, namespaceOf, type ManifestObject } from '../manifest';
import { callerFindings } from './delivery-callers';
import { backendNames, canaryOf, clusterName, finding, isRoute, key, type Canary } from './delivery-canary';
import { type Finding } from './types';

export function checkDelivery(objects: readonly ManifestObject[]): Finding[] {
  const canaries = objects.flatMap((m) => canaryOf(m));
  return [
    ...canaries.flatMap((c) => routeBackendFindings(c, objects)),
    ...callerFindings(objects, canaries),
    ...canaries.flatMap((c) => stepFindings(c, objects)),
  ];
}

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

  findings.push(...backgroundStartFindings(c, firstTraffic));
  return findings;
}

/** Rule `background-analysis-start`: background analysis starts with the first user traffic. */
function backgroundStartFindings(c: Canary, firstTraffic: number): Finding[] {
  const background = c.canary.analysis;
  if (background === undefined || !Array.isArray(background.templates) || background.templates.length === 0) return [];
  const start = typeof background.startingStep === 'number' ? background.startingStep : 0;
  if (start === firstTraffic) return [];
  return [
    finding(
      'background-analysis-start',
      c.manifest.file,
      `${describeObject(c.manifest.object)}: background analysis starts at step ${start}, but the canary first gets user traffic at steps[${firstTraffic}]: ` +
        (start < firstTraffic
          ? 'before it, the queries see no canary requests and each measurement is inconclusive'
          : 'the steps before its start run with users on the canary and no analysis') +
        ` (set strategy.canary.analysis.startingStep: ${firstTraffic})`,
    ),
  ];
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
  const runsJob = templates.some((m: ManifestObject | undefined) =>
    (m?.object.spec?.metrics ?? []).some((metric: any) => metric?.provider?.job !== undefined),
  );
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
