import { spawn, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { randomBytes } from 'node:crypto';
import { rmSync } from 'node:fs';
import { resolve } from 'node:path';
import { loadConfig } from '../../app/src/config';
import type { Container, DeliveryPlan } from './plan';

/**
 * Children of this rehearsal (app pods, the migration, smoke Jobs, Prometheus). All are
 * killed, and the temporary directories removed, when the rehearsal ends, however it
 * ends: `rehearse` calls `killAll` in its `finally`, the CLI on SIGINT/SIGTERM, and
 * `exit` runs it once more as a last resort.
 */
const children = new Set<ChildProcess>();
export function track(child: ChildProcess): ChildProcess {
  children.add(child);
  child.once('exit', () => children.delete(child));
  return child;
}
/** Temporary directories (SQLite file, Prometheus' TSDB), removed with the children. */
const directories = new Set<string>();
export function trackDirectory(dir: string): string {
  directories.add(dir);
  return dir;
}
export function killAll(): void {
  for (const child of children) child.kill('SIGKILL');
  for (const dir of directories) rmSync(dir, { recursive: true, force: true });
  directories.clear();
}
process.once('exit', killAll);

export const REPO_ROOT = resolve(__dirname, '../..');

/**
 * The image runs compiled JavaScript (`node app/build/server.js`); this checkout runs the
 * same module from source through tsx, as `npm run dev` does.
 */
export function sourceCommand(command: readonly string[]): string[] {
  const [program, ...args] = command;
  // Node's own flags (the heap limit, charts/constructs/node-heap.ts) come before the script.
  const nodeFlags = args.slice(
    0,
    Math.max(
      0,
      args.findIndex((arg) => !arg.startsWith('--')),
    ),
  );
  const [script, ...rest] = args.slice(nodeFlags.length);
  const match = /^app\/build\/(.+)\.js$/.exec(script ?? '');
  if (program !== 'node' || !match) throw new Error(`cannot run "${command.join(' ')}" from source: expected node app/build/<module>.js`);
  return [...nodeFlags, '--import', 'tsx', `app/src/${match[1]}.ts`, ...rest];
}

/** One side of the canary: a pod of the stable or of the canary ReplicaSet. */
export interface Pod {
  readonly name: string;
  readonly track: 'stable' | 'canary';
  /** `rollouts-pod-template-hash`, which Argo Rollouts adds to each ReplicaSet's pods. */
  readonly hash: string;
  readonly labels: Readonly<Record<string, string>>;
  readonly containerName: string;
  /** containerPort number → local port, once listening. */
  readonly ports: ReadonlyMap<number, number>;
  readonly containerPorts: Container['ports'];
  /** The role's own URL (the port its readiness probe uses). */
  readonly url?: string;
  readonly exited: Promise<number | string>;
  alive(): boolean;
  ready(): Promise<boolean>;
  output(): string;
}

/** The Secrets' stand-ins, shared by every pod as the real Secret is. */
export interface LocalSecrets {
  readonly databaseUrl: string;
  readonly secretKey: string;
  readonly sessionSecret: string;
  /** A local SMTP receiver, for the containers that take SMTP_URL from their Secret. */
  readonly smtpUrl: string;
}

export const localSecrets = (databaseUrl: string, smtpUrl: string): LocalSecrets => ({
  databaseUrl,
  secretKey: randomBytes(24).toString('hex'),
  sessionSecret: randomBytes(24).toString('hex'),
  smtpUrl,
});

/**
 * The pod's environment as the kubelet builds it (envFrom ConfigMaps, then literal env),
 * with what only a cluster has swapped for local stand-ins: Secrets (a local SQLite
 * database and random keys), `APP_ENV=test` (production refuses the fault switch, by
 * design) and ports 0 (several pods share one machine).
 */
function podEnvironment(plan: DeliveryPlan, container: Container, secrets: LocalSecrets, extra: NodeJS.ProcessEnv): Record<string, string> {
  const env: Record<string, string> = {};
  for (const source of container.envFrom ?? []) {
    const data = source.configMapRef ? plan.configMaps.get(source.configMapRef.name) : undefined;
    if (source.configMapRef && !data)
      throw new Error(`ConfigMap ${source.configMapRef.name} (envFrom of ${container.name}) is not in the output`);
    Object.assign(env, data);
  }
  for (const variable of container.env ?? []) if (variable.value !== undefined) env[variable.name] = variable.value;
  if (container.env?.some((variable) => variable.name === 'SMTP_URL')) env.SMTP_URL = secrets.smtpUrl;
  delete env.ALLOWED_HOSTS;
  return {
    ...env,
    PATH: process.env.PATH ?? '',
    APP_ENV: 'test',
    DATABASE_URL: secrets.databaseUrl,
    SECRET_KEY: secrets.secretKey,
    SESSION_SECRET: secrets.sessionSecret,
    ...extra,
  };
}

/** Runs the migration Job's command to completion (schema and course content). */
export async function runMigration(plan: DeliveryPlan, secrets: LocalSecrets): Promise<void> {
  if (!plan.migrate) return;
  const child = track(
    spawn(process.execPath, sourceCommand(plan.migrate.command ?? []), {
      cwd: REPO_ROOT,
      env: podEnvironment(plan, plan.migrate, secrets, { LOG_LEVEL: 'warn' }),
      stdio: ['ignore', 'pipe', 'pipe'],
    }),
  );
  let out = '';
  child.stdout!.on('data', (d) => (out += d));
  child.stderr!.on('data', (d) => (out += d));
  const [code] = await once(child, 'exit');
  if (code !== 0) throw new Error(`the migration Job's command failed (${code}): ${out.slice(-2000)}`);
}

/** Starts one pod of the Rollout's template; resolves once it listens, or once it has exited. */
export async function startPod(
  plan: DeliveryPlan,
  opts: { track: 'stable' | 'canary'; hash: string; secrets: LocalSecrets; env?: NodeJS.ProcessEnv },
): Promise<Pod> {
  const container = plan.container;
  const env = podEnvironment(plan, container, opts.secrets, { ...opts.env });
  // Which containerPort is the role's and which serves /metrics, as the app itself reads them.
  const config = loadConfig(env);
  const child = track(
    spawn(process.execPath, sourceCommand(container.command ?? ['node', 'app/build/server.js']), {
      cwd: REPO_ROOT,
      env: { ...env, PORT: '0', METRICS_PORT: '0', LOG_LEVEL: 'info' },
      stdio: ['ignore', 'pipe', 'pipe'],
    }),
  );
  const log = new BoundedOutput();
  const exited = once(child, 'exit').then(([code, signal]) => (code ?? signal) as number | string);
  child.stderr!.on('data', log.keep);
  const urls = await listeningUrls(child, log, exited);
  const portOf = (url?: string) => (url ? Number(new URL(url).port) : undefined);
  const ports = new Map<number, number>();
  const rolePort = portOf(urls?.api ?? urls?.web);
  const metricsPort = portOf(urls?.metrics);
  if (rolePort) ports.set(config.port, rolePort);
  if (metricsPort) ports.set(config.metricsPort, metricsPort);
  const probe = container.readinessProbe?.httpGet;
  const url = rolePort ? `http://127.0.0.1:${rolePort}` : undefined;
  const podName = `${String(plan.rollout.metadata.name)}-${opts.hash}-${randomBytes(3).toString('hex').slice(0, 5)}`;
  return {
    name: podName,
    track: opts.track,
    hash: opts.hash,
    labels: { ...plan.podLabels, 'rollouts-pod-template-hash': opts.hash },
    containerName: container.name,
    ports,
    containerPorts: container.ports,
    url,
    exited,
    alive: () => child.exitCode === null && child.signalCode === null,
    async ready() {
      if (!url || child.exitCode !== null || child.signalCode !== null) return false;
      try {
        const res = await fetch(new URL(probe?.path ?? '/', url), { signal: AbortSignal.timeout(2000) });
        await res.arrayBuffer();
        return res.status >= 200 && res.status < 400;
      } catch {
        return false;
      }
    },
    output: () => log.text,
  };
}

/** The last 32-64 kB a process printed: enough to show why it failed, bounded for long runs. */
class BoundedOutput {
  text = '';
  readonly keep = (d: Buffer): void => {
    this.text += d.toString();
    if (this.text.length > 64_000) this.text = this.text.slice(-32_000);
  };
}

type ListeningUrls = { api?: string; web?: string; metrics?: string };

/** The URLs from the app's "listening" log line, or undefined if it exits first. */
function listeningUrls(child: ChildProcess, log: BoundedOutput, exited: Promise<unknown>): Promise<ListeningUrls | undefined> {
  return new Promise((resolveUrls) => {
    let pending = '';
    const onData = (d: Buffer) => {
      log.keep(d);
      pending += d.toString();
      const lines = pending.split('\n');
      pending = lines.pop() ?? '';
      const urls = lines.map(listeningLine).find((u) => u !== undefined);
      if (urls) {
        child.stdout!.off('data', onData);
        child.stdout!.on('data', log.keep);
        resolveUrls(urls);
      }
    };
    child.stdout!.on('data', onData);
    void exited.then(() => resolveUrls(undefined));
  });
}

function listeningLine(line: string): ListeningUrls | undefined {
  if (!line.includes('"listening"')) return undefined;
  try {
    return (JSON.parse(line) as { urls?: ListeningUrls }).urls;
  } catch {
    return undefined; // not a JSON log line
  }
}
