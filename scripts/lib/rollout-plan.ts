import { isPlainObject, type K8sObject, type ObjectSet } from '../../charts/manifest';
import { getIn } from './fields';

/** One Rollout's delivery, read back from the generated objects. */
export interface RolloutPlan {
  readonly rollout: string;
  readonly namespace: string;
  readonly lines: readonly string[];
}

const objectsIn = (set: ObjectSet, namespace: string, kind: string): K8sObject[] =>
  [...set.values()].map((entry) => entry.object).filter((o) => o.kind === kind && o.metadata.namespace === namespace);

const templateNames = (analysis: unknown): string[] => {
  const templates = getIn(analysis, ['templates']);
  return Array.isArray(templates)
    ? templates.map((t) => String(getIn(t, ['templateName']) ?? getIn(t, ['clusterTemplateName']) ?? '?'))
    : [];
};

/** `success-rate: every 1m, fails when …, 1 failure(s) allowed, 2 inconclusive`. */
function describeTemplate(template: K8sObject | undefined, name: string): string {
  const metrics = getIn(template, ['spec', 'metrics']);
  if (!Array.isArray(metrics)) return `\`${name}\` (template not found in the output)`;
  return metrics
    .filter(isPlainObject)
    .map((metric) => {
      const parts = [
        metric.interval ? `every ${String(metric.interval)}` : 'once',
        metric.successCondition ? `passes when \`${String(metric.successCondition)}\`` : undefined,
        metric.failureCondition ? `fails when \`${String(metric.failureCondition)}\`` : undefined,
        getIn(metric, ['provider', 'job']) ? 'runs a Job (the smoke test); a non-zero exit fails' : undefined,
        `${String(metric.failureLimit ?? 0)} failure(s) tolerated`,
        metric.inconclusiveLimit !== undefined ? `${String(metric.inconclusiveLimit)} inconclusive tolerated` : undefined,
      ].filter((part): part is string => part !== undefined);
      return `\`${name}/${String(metric.name)}\`: ${parts.join(', ')}`;
    })
    .join('; ');
}

function describeStep(step: unknown, templates: Map<string, K8sObject>): string {
  if (!isPlainObject(step)) return JSON.stringify(step);
  if (step.setWeight !== undefined) return `send ${String(step.setWeight)}% of requests to the new version`;
  if (isPlainObject(step.setCanaryScale)) {
    const scale = step.setCanaryScale;
    if (scale.matchTrafficWeight === true) return 'size the new version by its share of requests again';
    if (scale.replicas !== undefined) return `start ${String(scale.replicas)} pod(s) of the new version, no requests yet`;
    if (scale.weight !== undefined) return `start the new version at ${String(scale.weight)}% of the pods, no requests yet`;
  }
  if (isPlainObject(step.pause)) {
    return step.pause.duration !== undefined ? `pause ${String(step.pause.duration)} under analysis` : 'pause until a person promotes';
  }
  if (step.analysis !== undefined) {
    const args = getIn(step.analysis, ['args']);
    const url = Array.isArray(args) ? args.find((a) => isPlainObject(a) && a.name === 'url' && typeof a.value === 'string') : undefined;
    const target = isPlainObject(url) ? ` against \`${String(url.value)}\`` : '';
    return `analysis${target}: ${templateNames(step.analysis)
      .map((n) => describeTemplate(templates.get(n), n))
      .join('; ')}`;
  }
  return JSON.stringify(step);
}

/** How each Rollout in `namespace` will deliver a new version, in plain words. */
export function rolloutPlans(set: ObjectSet, namespace: string): RolloutPlan[] {
  const templates = new Map(objectsIn(set, namespace, 'AnalysisTemplate').map((t) => [t.metadata.name, t]));
  const describeAll = (names: string[]) => names.map((n) => describeTemplate(templates.get(n), n));
  return objectsIn(set, namespace, 'Rollout').map((rollout) => {
    const canary = getIn(rollout, ['spec', 'strategy', 'canary']);
    const blueGreen = getIn(rollout, ['spec', 'strategy', 'blueGreen']);
    const lines: string[] = [];
    if (isPlainObject(canary)) {
      const steps = Array.isArray(canary.steps) ? canary.steps : [];
      lines.push(`Canary (stable \`${String(canary.stableService)}\`, canary \`${String(canary.canaryService)}\`):`);
      steps.forEach((step, index) => lines.push(`  ${index + 1}. ${describeStep(step, templates)}`));
      lines.push(`  ${steps.length + 1}. all requests on the new version`);
      const background = templateNames(canary.analysis);
      if (background.length > 0) {
        lines.push(`Background analysis from step ${Number(getIn(canary, ['analysis', 'startingStep']) ?? 0) + 1}, aborting on failure:`);
        for (const line of describeAll(background)) lines.push(`  - ${line}`);
      }
    } else if (isPlainObject(blueGreen)) {
      lines.push(
        `Blue-green: the new version starts behind \`${String(blueGreen.previewService)}\`; ` +
          `\`${String(blueGreen.activeService)}\` keeps serving the old one until promotion.`,
      );
      const pre = templateNames(blueGreen.prePromotionAnalysis);
      if (pre.length > 0) {
        lines.push('Before promotion:');
        for (const line of describeAll(pre)) lines.push(`  - ${line}`);
      }
      lines.push(
        blueGreen.autoPromotionEnabled === false
          ? 'Promotion waits for a person (`kubectl argo rollouts promote`).'
          : `Promotion is automatic${blueGreen.autoPromotionSeconds ? ` after ${String(blueGreen.autoPromotionSeconds)}s` : ''} once the analysis passes.`,
      );
      const post = templateNames(blueGreen.postPromotionAnalysis);
      if (post.length > 0) {
        lines.push('After promotion:');
        for (const line of describeAll(post)) lines.push(`  - ${line}`);
      }
    } else {
      lines.push('No rollout strategy found.');
    }
    return { rollout: rollout.metadata.name, namespace, lines };
  });
}
