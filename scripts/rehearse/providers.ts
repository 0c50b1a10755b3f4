import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { isPlainObject } from '../../charts/manifest';
import { getIn } from '../lib/fields';
import type { ArgoModel } from './argo-model';
import type { MeasurementResult, ResolvedMetric } from './analysis-run';
import type { AnalysisRef, DeliveryPlan } from './plan';
import { serviceSelector, type RunningPrometheus } from './prometheus';
import { REPO_ROOT, sourceCommand, track, type Pod } from './processes';
import { compressQuery } from './time';

/**
 * The AnalysisRun a Rollout creates from an `analysis` block: the templates' metrics with
 * the Rollout's args substituted (argo-rollouts@9f8d111d utils/analysis/factory.go
 * `BuildArgumentsForRolloutAnalysisRun`: a `podTemplateHashValue` of `Latest` is the
 * canary's hash, `Stable` the stable one's; analysis/analysis.go `resolveArgs` fills
 * `{{args.name}}`, the template's own `value` as the default).
 */
export function resolveMetrics(plan: DeliveryPlan, ref: AnalysisRef, hashes: { stable: string; canary: string }): ResolvedMetric[] {
  const given = new Map<string, string>();
  for (const arg of ref.args ?? []) {
    if (arg.value !== undefined) given.set(arg.name, arg.value);
    else if (arg.valueFrom?.podTemplateHashValue)
      given.set(arg.name, arg.valueFrom.podTemplateHashValue === 'Stable' ? hashes.stable : hashes.canary);
    else throw new Error(`arg "${arg.name}": only value and podTemplateHashValue can be rehearsed`);
  }
  return ref.templates.flatMap(({ templateName }) => {
    const template = plan.templates.get(templateName);
    if (!template) throw new Error(`AnalysisTemplate "${templateName}" is not in the output`);
    // Fields that change how measurements add up and that neither model reads: refuse
    // them rather than judge the run without them.
    const unmodelled = [
      getIn(template, ['spec', 'dryRun']) !== undefined && 'spec.dryRun',
      ((getIn(template, ['spec', 'metrics']) ?? []) as Record<string, unknown>[]).some((m) => m.consecutiveSuccessLimit !== undefined) &&
        'consecutiveSuccessLimit',
    ].filter(Boolean);
    if (unmodelled.length > 0) throw new Error(`AnalysisTemplate "${templateName}": ${unmodelled.join(', ')} cannot be rehearsed yet`);
    const values = new Map<string, string>();
    for (const arg of (getIn(template, ['spec', 'args']) ?? []) as { name: string; value?: string }[]) {
      const value = given.get(arg.name) ?? arg.value;
      if (value === undefined) throw new Error(`AnalysisTemplate "${templateName}": arg "${arg.name}" has no value`);
      values.set(arg.name, value);
    }
    const substitute = (node: unknown): unknown => {
      if (typeof node === 'string') {
        return node.replace(/\{\{\s*args\.([\w-]+)\s*\}\}/g, (all, name: string) => {
          if (!values.has(name)) throw new Error(`AnalysisTemplate "${templateName}": ${all} names no arg`);
          return values.get(name)!;
        });
      }
      if (Array.isArray(node)) return node.map(substitute);
      if (isPlainObject(node)) return Object.fromEntries(Object.entries(node).map(([k, v]) => [k, substitute(v)]));
      return node;
    };
    return ((getIn(template, ['spec', 'metrics']) ?? []) as unknown[]).map((metric) => substitute(metric) as ResolvedMetric);
  });
}

/** Prometheus' answer as the provider hands it to the conditions (prometheus.go processResponse). */
function providerResult(data: { resultType: string; result: unknown }): { values: number[] | number; text: string } {
  const num = (s: string) => (s === '+Inf' ? Infinity : s === '-Inf' ? -Infinity : Number(s));
  if (data.resultType === 'scalar') {
    const [, v] = data.result as [number, string];
    return { values: num(v), text: v };
  }
  let raw: string[];
  if (data.resultType === 'vector') raw = (data.result as { value: [number, string] }[]).map((s) => s.value[1]);
  else if (data.resultType === 'matrix') raw = (data.result as { values: [number, string][] }[]).flatMap((s) => s.values.map((v) => v[1]));
  else throw new Error('Prometheus metric type not supported');
  return { values: raw.map(num), text: `[${raw.join(',')}]` };
}

/**
 * Where `http://<service>.<namespace>.svc.cluster.local:<port>` leads in the rehearsal:
 * the Service's port → targetPort → the local port of a pod its selector matches.
 */
export function localServiceUrl(plan: DeliveryPlan, pods: readonly Pod[], url: string): string {
  const m = /^(https?):\/\/([a-z0-9-]+)(?:\.([a-z0-9-]+))?(?:\.svc(?:\.cluster\.local)?)?(?::(\d+))?(\/.*)?$/.exec(url);
  if (!m) return url;
  const [, , name, namespace, port, rest] = m;
  const service = plan.services.find((s) => s.metadata.name === name && (!namespace || namespace === plan.namespace));
  if (!service) return url;
  const ports = (getIn(service, ['spec', 'ports']) ?? []) as { port: number; targetPort?: string | number }[];
  const servicePort = ports.find((p) => p.port === Number(port ?? 80));
  const selector = serviceSelector(plan, service, pods) ?? {};
  const pod = pods.find((p) => Object.entries(selector).every(([k, v]) => p.labels[k] === v));
  const containerPort =
    typeof servicePort?.targetPort === 'string'
      ? pod?.containerPorts?.find((p) => p.name === servicePort.targetPort)?.containerPort
      : (servicePort?.targetPort ?? servicePort?.port);
  // No pod, or a pod that never listened: the discard port, so the client sees "connection refused".
  const local = (containerPort !== undefined && pod?.ports.get(containerPort)) || 9;
  return `http://127.0.0.1:${local}${rest ?? ''}`;
}

export function measurer(opts: {
  plan: DeliveryPlan;
  pods: readonly Pod[];
  prometheus: RunningPrometheus;
  model: ArgoModel;
  speed: number;
}) {
  return async (metric: ResolvedMetric): Promise<MeasurementResult> => {
    const prometheus = metric.provider.prometheus as { query?: string } | undefined;
    const job = metric.provider.job;
    if (prometheus?.query) {
      const data = await opts.prometheus.query(compressQuery(prometheus.query, opts.speed));
      const { values, text } = providerResult(data);
      return { phase: opts.model.evaluateResult(values, metric), value: text };
    }
    if (job) return runJob(opts.plan, opts.pods, job);
    throw new Error(`metric "${metric.name}": provider ${Object.keys(metric.provider).join(', ')} cannot be rehearsed`);
  };
}

/** The Job provider: the container's command from source; exit 0 Successful, else Failed. */
async function runJob(plan: DeliveryPlan, pods: readonly Pod[], job: unknown): Promise<MeasurementResult> {
  const container = getIn(job, ['spec', 'template', 'spec', 'containers', 0]) as {
    command?: string[];
    args?: string[];
    env?: { name: string; value?: string }[];
  };
  const deadline = Number(getIn(job, ['spec', 'activeDeadlineSeconds']) ?? 300);
  const command = [...(container.command ?? []), ...(container.args ?? [])].map((part) => localServiceUrl(plan, pods, part));
  // The container's own settings (the load check's bounds), as the pod would get them.
  const env = {
    ...process.env,
    ...Object.fromEntries((container.env ?? []).filter((e) => typeof e.value === 'string').map((e) => [e.name, e.value])),
  };
  const child = track(spawn(process.execPath, sourceCommand(command), { cwd: REPO_ROOT, env, stdio: ['ignore', 'pipe', 'pipe'] }));
  let out = '';
  child.stdout!.on('data', (d) => (out += d));
  child.stderr!.on('data', (d) => (out += d));
  const timer = setTimeout(() => child.kill('SIGKILL'), deadline * 1000);
  const [code, signal] = (await once(child, 'exit')) as [number | null, string | null];
  clearTimeout(timer);
  const failures = out
    .split('\n')
    .filter((line) => line.startsWith('FAIL'))
    .join('; ');
  return code === 0
    ? { phase: 'Successful', value: 'exit 0' }
    : { phase: 'Failed', value: `exit ${code ?? signal}`, message: failures || out.trim().slice(-300) };
}
