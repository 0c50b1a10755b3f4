import { createHash } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { argoModel, type ArgoModel } from './argo-model';
import { distDirOf, loadPlan, type DeliveryPlan } from './plan';
import { killAll, localSecrets, REPO_ROOT, runMigration, startPod, trackDirectory, type Pod } from './processes';
import { scrapeConfigs, startPrometheus, untilScraped, type RunningPrometheus } from './prometheus';
import { measurer } from './providers';
import { describeStep, playRollout } from './rollout';
import { clusterClock, compressQuery, sleep } from './time';
import { formatDecision, formatEvent, type Decision, type Timeline, type TimelineEvent } from './timeline';
import { LearnerTraffic, WeightedProxy } from './traffic';
import { signUpByMail, TestSmtpServer } from '../../test/support/smtp';

export const FAULTS = ['none', 'errors', 'latency', 'crash', 'silent'] as const;
export type Fault = (typeof FAULTS)[number];

export interface RehearsalOptions {
  readonly env: string;
  readonly fault: Fault;
  /** Cluster seconds per real second. */
  readonly speed: number;
  /** @default 'api' */
  readonly rollout?: string;
  /** Where the generated YAML is. @default dist/<env> of this checkout */
  readonly distDir?: string;
  /** Learner requests per real second. @default 40 */
  readonly rate?: number;
  /** Give up (rehearsal failed) after this many real seconds. @default 600 */
  readonly timeoutSeconds?: number;
  readonly model?: ArgoModel;
  /** Each timeline line as it happens. */
  readonly print?: (line: string) => void;
  /** The progress line, rewritten in place (a terminal); undefined: none. */
  readonly progress?: (line: string) => void;
}

/** The pod template hash Argo Rollouts would give each side (any stable, distinct value will do). */
const podTemplateHash = (plan: DeliveryPlan, side: string) =>
  createHash('sha256').update(JSON.stringify(plan.rollout.spec)).update(side).digest('hex').slice(0, 10);

/**
 * Learners: one account, signed up on the stable pod with the link it mailed, reading the
 * course through the proxy (the api role), or pages (the web role).
 */
async function learnerRequests(
  pod: Pod,
  role: string,
  mail: TestSmtpServer,
): Promise<{ paths: string[]; headers?: Record<string, string> }> {
  if (role === 'web') return { paths: ['/', '/login'] };
  const account = { email: `rehearsal-${Date.now()}@example.com`, password: 'rehearsal password 0123' };
  const body = await signUpByMail<{ access_token: string }>(String(pod.url), mail, account).catch((error: Error) => {
    throw new Error(`could not sign up the rehearsal's learner on the stable pod: ${error.message}`);
  });
  return {
    paths: ['/api/v1/plans', '/api/v1/chapters/1', '/api/v1/progress', '/api/v1/me', '/api/v1/course'],
    headers: { authorization: `Bearer ${body.access_token}` },
  };
}

function headerLines(
  plan: DeliveryPlan,
  opts: RehearsalOptions,
  prometheus: RunningPrometheus,
  pods: Pod[],
  targets: { health: string; labels: Record<string, string> }[],
): string[] {
  const steps = plan.canary.steps.map(describeStep).join(' → ');
  const queries = [...plan.templates.values()].map((t) => JSON.stringify(t.spec));
  const window = queries.map((q) => /\[(\d+[smh])\]/.exec(q)?.[1]).find(Boolean) ?? '5m';
  const scraped = targets.map(
    (t) =>
      `${t.labels.pod ?? t.labels.instance} ${t.health} {${Object.entries(t.labels)
        .filter(([k]) => !['instance', 'pod', 'container', 'endpoint', 'service'].includes(k))
        .map(([k, v]) => `${k}="${v}"`)
        .join(', ')}}`,
  );
  return [
    `Rehearsal of Rollout ${plan.namespace}/${String(plan.rollout.metadata.name)} (${opts.distDir ?? `dist/${opts.env}`}), fault: ${opts.fault}, speed ×${opts.speed}`,
    `  steps: ${steps}; background analysis: ${plan.canary.analysis?.templates.map((t) => t.templateName).join(', ') ?? 'none'}`,
    `  time is compressed ×${opts.speed}: pauses, initialDelay, interval, scrape intervals, Prometheus' lookback and every`,
    `  [range] / offset in the queries are divided by ${opts.speed} (a [${window}] window becomes ${compressQuery(`[${window}]`, opts.speed)}); the traffic's rate`,
    `  stands for the cluster's, so increase()/delta() over a shortened window are multiplied by ${opts.speed}; times below are cluster time`,
    `  pods: ${pods.map((p) => `${p.track} ${p.name} (rollouts-pod-template-hash=${p.hash})`).join(', ')}`,
    `  Prometheus ${prometheus.url} stands in for every AnalysisTemplate's provider address; scrape config from the ServiceMonitors:`,
    ...(scraped.length > 0 ? scraped.map((t) => `    ${t}`) : ['    no target left after relabeling']),
  ];
}

/** What a rehearsal starts and must stop again, whatever happens. */
interface Stage {
  readonly dir: string;
  readonly pods: Pod[];
  /** Where the api pods' mail goes (their SMTP_URL Secret's stand-in). */
  mail?: TestSmtpServer;
  proxy?: WeightedProxy;
  prometheus?: RunningPrometheus;
  traffic?: LearnerTraffic;
}

/** Plays one release's canary and returns its timeline, decision included. */
export async function rehearse(opts: RehearsalOptions): Promise<Timeline> {
  const started = Date.now();
  const rolloutName = opts.rollout ?? 'api';
  const print = opts.print ?? (() => undefined);
  const plan = loadPlan(opts.distDir ?? distDirOf(REPO_ROOT, opts.env), rolloutName);
  const timeline: Timeline = { env: opts.env, rollout: rolloutName, fault: opts.fault, speed: opts.speed, header: [], events: [] };
  const stage: Stage = { dir: trackDirectory(mkdtempSync(join(tmpdir(), 'rehearse-'))), pods: [] };
  opts.progress?.('setting up: migration, stable and canary pods, Prometheus, proxy…');
  try {
    const [stable, canary] = await setUp(stage, plan, opts, rolloutName, timeline.header);
    for (const line of timeline.header) print(line);
    timeline.decision = await decide({ stage, plan, opts, stable, canary, timeline, print });
  } catch (error) {
    const served = stage.proxy?.served;
    timeline.decision = {
      outcome: 'failed',
      reason: (error as Error).message,
      step: 0,
      maxWeight: 0,
      requests: { stable: served?.stable ?? 0, canary: served?.canary ?? 0 },
    };
  } finally {
    opts.progress?.('');
    await tearDown(stage);
  }
  timeline.wallSeconds = (Date.now() - started) / 1000;
  print(formatDecision(timeline.decision, timeline.wallSeconds));
  return timeline;
}

/** Migrates, starts both pods, Prometheus, the proxy and the learners; returns the pods. */
async function setUp(stage: Stage, plan: DeliveryPlan, opts: RehearsalOptions, rolloutName: string, header: string[]): Promise<[Pod, Pod]> {
  stage.mail = await TestSmtpServer.start();
  const secrets = localSecrets(`sqlite:${join(stage.dir, 'rehearsal.sqlite')}`, stage.mail.url);
  await runMigration(plan, secrets);
  const appFault = ['errors', 'latency', 'crash'].includes(opts.fault) ? opts.fault : undefined;
  const [stable, canary] = await Promise.all([
    startPod(plan, { track: 'stable', hash: podTemplateHash(plan, 'stable'), secrets }),
    startPod(plan, { track: 'canary', hash: podTemplateHash(plan, 'canary'), secrets, env: appFault ? { REHEARSAL_FAULT: appFault } : {} }),
  ]);
  stage.pods.push(stable, canary);
  if (!(await stable.ready())) throw new Error(`the stable pod is not ready:\n${stable.output().slice(-2000)}`);
  stage.prometheus = await startPrometheus({
    dir: stage.dir,
    scrapeConfigs: scrapeConfigs(plan, stage.pods, opts.speed),
    speed: opts.speed,
  });
  const targets = await untilScraped(stage.prometheus);
  if (!stable.url) throw new Error('the stable pod has no URL');
  stage.proxy = new WeightedProxy({ stable: stable.url, canary: canary.url }, opts.fault === 'silent');
  const proxyUrl = await stage.proxy.start();
  const role = String(
    plan.configMaps.get(plan.container.envFrom?.find((e) => e.configMapRef)?.configMapRef?.name ?? '')?.ROLE ?? rolloutName,
  );
  const learners = await learnerRequests(stable, role, stage.mail);
  const rate = opts.rate ?? 40;
  stage.traffic = new LearnerTraffic({ url: proxyUrl, ...learners, rate, maxRequests: rate * (opts.timeoutSeconds ?? 600) });
  header.push(
    ...headerLines(plan, opts, stage.prometheus, stage.pods, targets),
    `  learner traffic: ${rate} requests/s through a weighted proxy (${learners.paths.join(', ')})`,
  );
  return [stable, canary];
}

interface Decide {
  readonly stage: Stage;
  readonly plan: DeliveryPlan;
  readonly opts: RehearsalOptions;
  readonly stable: Pod;
  readonly canary: Pod;
  readonly timeline: Timeline;
  readonly print: (line: string) => void;
}

/** Starts the traffic and plays the rollout until it decides or the timeout passes. */
async function decide({ stage, plan, opts, stable, canary, timeline, print }: Decide): Promise<Decision> {
  const { proxy, prometheus, traffic } = stage;
  if (!proxy || !prometheus || !traffic) throw new Error('the rehearsal stage is not set up');
  const t0 = Date.now();
  const now = () => Date.now() - t0;
  traffic.start();
  let last = 'starting';
  const emit = (event: TimelineEvent) => {
    timeline.events.push(event);
    if (event.kind === 'step') last = `step ${event.index}/${event.total} ${event.step}`;
    print(formatEvent(event, opts.speed));
  };
  const progress = opts.progress;
  const progressTimer = progress
    ? setInterval(
        () =>
          progress(
            `${clusterClock(now(), opts.speed)} ${last} · weight ${proxy.weight}% · requests stable ${proxy.served.stable}, canary ${proxy.served.canary}`,
          ),
        250,
      )
    : undefined;
  const timeout = (opts.timeoutSeconds ?? 600) * 1000;
  // Cancelled once decided, so a caller that stays alive (npm run promote) is not held.
  const decided = new AbortController();
  const model = opts.model ?? argoModel;
  try {
    return await Promise.race([
      playRollout({
        plan,
        stable,
        canary,
        proxy,
        model,
        measure: measurer({ plan, pods: stage.pods, prometheus, model, speed: opts.speed }),
        speed: opts.speed,
        now,
        emit,
      }),
      sleep(timeout, decided.signal).then((): Decision => {
        throw new Error(`the rehearsal did not decide within ${timeout / 1000} s`);
      }),
    ]);
  } finally {
    decided.abort();
    clearInterval(progressTimer);
  }
}

async function tearDown(stage: Stage): Promise<void> {
  stage.traffic?.stop();
  await stage.proxy?.stop().catch(() => undefined);
  stage.prometheus?.stop();
  const exited = Promise.all(stage.pods.map((p) => p.exited));
  killAll();
  await exited;
  await stage.mail?.close();
  rmSync(stage.dir, { recursive: true, force: true });
}
