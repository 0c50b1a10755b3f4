/**
 * The servers under test, each in its own process: the app's roles from the compiled
 * build (`app/build/server.js`, as the image runs them) and the baselines. Every one
 * listens on 127.0.0.1 on a port picked here, and is ready once it answers.
 */
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { readFileSync } from 'node:fs';
import { createServer } from 'node:net';
import path from 'node:path';
import ts from 'typescript';
import { parse } from 'yaml';

const REPO = path.resolve(__dirname, '../../..');
export const SERVER_ENTRY = path.join(REPO, 'app/build/server.js');

export interface ServerProcess {
  readonly name: string;
  readonly url: string;
  readonly pid: number;
  /** Resident set size now, in MiB (Linux /proc). */
  rssMiB(): number;
  /** CPU time (user + system) the process has used so far, in seconds. */
  cpuSeconds(): number;
  stop(): Promise<void>;
}

let built = false;

/**
 * `npm run build`, once per bench run: the bench measures what the image runs, never
 * the TypeScript sources through a loader.
 */
export function ensureBuilt(): void {
  if (built) return;
  const result = spawnSync(process.execPath, [require.resolve('typescript/bin/tsc'), '-p', 'app/tsconfig.build.json'], {
    cwd: REPO,
    encoding: 'utf8',
  });
  if (result.status !== 0) throw new Error(`npm run build failed:\n${result.stdout}${result.stderr}`);
  built = true;
}

/** A port nothing listens on now (the kernel's pick), for a child to listen on. */
export async function freePort(): Promise<number> {
  const probe = createServer();
  probe.listen(0, '127.0.0.1');
  await once(probe, 'listening');
  const { port } = probe.address() as { port: number };
  await new Promise((resolve) => probe.close(resolve));
  return port;
}

/** VmRSS of a process, in MiB. */
export function rssOf(pid: number): number {
  const match = /^VmRSS:\s+(\d+) kB/m.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
  if (!match) throw new Error(`no VmRSS for process ${pid}`);
  return Number(match[1]) / 1024;
}

/**
 * User + system CPU time of a process, in seconds: fields 14 and 15 of /proc/<pid>/stat,
 * in USER_HZ ticks (100 a second on Linux). Unlike requests per second, CPU time per
 * request hardly moves when neighbours load the machine.
 */
export function cpuSecondsOf(pid: number): number {
  const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
  // The command name, in parentheses, may hold spaces: count fields after its ')'.
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  return (Number(fields[11]) + Number(fields[12])) / 100;
}

async function waitUntilAnswering(url: string, child: ChildProcess, output: () => string): Promise<void> {
  const deadline = Date.now() + 60_000;
  for (;;) {
    if (child.exitCode !== null || child.signalCode !== null)
      throw new Error(`exited before answering (${child.exitCode ?? child.signalCode}): ${output()}`);
    const ok = await fetch(url, { signal: AbortSignal.timeout(2_000) }).then(
      (r) => r.status < 500,
      () => false,
    );
    if (ok) return;
    if (Date.now() > deadline) throw new Error(`${url} did not answer within 60 s: ${output()}`);
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

/**
 * Starts `node <args>` with `env`, listening on `port`; ready once `readyPath` answers.
 * Standard output (a log line per request) goes to /dev/null, as cheap as a container's
 * log pipe and no work for this process; the tail of standard error is kept for errors.
 */
async function startProcess(
  name: string,
  args: readonly string[],
  env: NodeJS.ProcessEnv,
  port: number,
  readyPath: string,
): Promise<ServerProcess> {
  const child = spawn(process.execPath, args, {
    cwd: REPO,
    env: { PATH: process.env.PATH, ...env, PORT: String(port) },
    stdio: ['ignore', 'ignore', 'pipe'],
  });
  let errors = '';
  child.stderr?.on('data', (d: Buffer) => {
    errors = (errors + d.toString()).slice(-4_000);
  });
  const url = `http://127.0.0.1:${port}`;
  const exited = once(child, 'exit');
  const stop = async () => {
    if (child.exitCode !== null || child.signalCode !== null) return;
    child.kill('SIGTERM');
    const timer = setTimeout(() => child.kill('SIGKILL'), 10_000);
    await exited;
    clearTimeout(timer);
  };
  try {
    await waitUntilAnswering(`${url}${readyPath}`, child, () => errors);
  } catch (error) {
    await stop();
    throw new Error(`${name}: ${(error as Error).message}`);
  }
  return { name, url, pid: child.pid!, rssMiB: () => rssOf(child.pid!), cpuSeconds: () => cpuSecondsOf(child.pid!), stop };
}

/** Settings both roles share: production's logging, tokens signed with a bench key. */
const ROLE_ENV = {
  APP_ENV: 'test',
  NODE_ENV: 'production',
  LOG_LEVEL: 'info',
  METRICS_PORT: '0',
  // Stop at once: the bench sends nothing after it stops a role.
  SHUTDOWN_TIMEOUT_SECONDS: '1',
  SECRET_KEY: 'bench-secret-key-that-is-long-enough-0123456789',
  SESSION_SECRET: 'bench-session-secret-that-is-long-enough-0123',
};

/**
 * BENCH_CPU_PROF_DIR=<dir>: each role writes a V8 CPU profile there when it stops
 * (`node --cpu-prof`; open it in Chrome DevTools or speedscope). Keep it out of the
 * repository: profiles are large and say nothing about another machine.
 */
function roleArgs(role: 'api' | 'web'): string[] {
  const dir = process.env.BENCH_CPU_PROF_DIR;
  const profile = dir ? ['--cpu-prof', `--cpu-prof-dir=${path.resolve(dir)}`] : [];
  return [...deployedNodeFlags(role), ...profile, SERVER_ENTRY];
}

/**
 * Node's flags in production's generated Rollout of `role` (the heap limit its memory
 * limit allows, charts/constructs/node-heap.ts), so each role runs here as it runs in
 * its pod: with the default heap of this machine V8 would collect far later and the
 * RSS figures would describe no deployment.
 */
export function deployedNodeFlags(role: 'api' | 'web', distDir = path.join(REPO, 'dist/production')): string[] {
  const rollout = parse(readFileSync(path.join(distDir, `rollout-${role}.yaml`), 'utf8')) as {
    spec: { template: { spec: { containers: { command?: string[] }[] } } };
  };
  const command = rollout.spec.template.spec.containers[0].command ?? [];
  const script = command.indexOf('app/build/server.js');
  if (command[0] !== 'node' || script < 0)
    throw new Error(`rollout-${role}.yaml: expected node [flags] app/build/server.js, found ${command.join(' ')}`);
  return command.slice(1, script);
}

/** The api role from the build, on `databaseUrl`. */
export async function startApi(databaseUrl: string, extraEnv: NodeJS.ProcessEnv = {}): Promise<ServerProcess> {
  const env = { ...ROLE_ENV, ROLE: 'api', DATABASE_URL: databaseUrl, ...extraEnv };
  return startProcess('api', roleArgs('api'), env, await freePort(), '/readyz');
}

/** The web role from the build, calling the api at `apiUrl`. */
export async function startWeb(apiUrl: string, extraEnv: NodeJS.ProcessEnv = {}): Promise<ServerProcess> {
  const env = { ...ROLE_ENV, ROLE: 'web', API_URL: apiUrl, ...extraEnv };
  return startProcess('web', roleArgs('web'), env, await freePort(), '/livez');
}

let baselineSource: string | undefined;

/**
 * A baseline (bare `node:http` or bare Koa) answering `bodyFile`'s bytes. Its source is
 * transpiled here and run with `node -e` (modules resolve from the repository root), so
 * the baseline carries no TypeScript loader: its RSS is a bare server's, like the app's.
 */
export async function startBaseline(kind: 'http' | 'koa', bodyFile: string, contentType: string): Promise<ServerProcess> {
  baselineSource ??= ts.transpileModule(readFileSync(path.join(__dirname, 'baseline-server.ts'), 'utf8'), {
    compilerOptions: { module: ts.ModuleKind.CommonJS, target: ts.ScriptTarget.ES2022, esModuleInterop: true },
  }).outputText;
  const env = { BASELINE_KIND: kind, BASELINE_BODY: bodyFile, BASELINE_TYPE: contentType };
  return startProcess(`bare ${kind}`, ['-e', baselineSource], env, await freePort(), '/');
}
