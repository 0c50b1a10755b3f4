import { execFile, fork, type ChildProcess } from 'node:child_process';
import { watch, type FSWatcher } from 'node:fs';
import { once } from 'node:events';
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { createDevProxy, ReloadEvents } from './proxy';
import { isMessage, type ChildMessage, type DevUrls, type SupervisorMessage } from './protocol';

export interface DevSupervisorOptions {
  /** The fixed ports the browser and Prometheus use (3000, 8000, 9464); 0 picks free ones (tests). */
  readonly ports: { readonly web: number; readonly api: number; readonly metrics: number };
  readonly host: string;
  /** A change here starts a new version (app/src). */
  readonly sourceDir: string;
  /** A change here reloads the content in the running version (app/content). */
  readonly contentDir: string;
  /** The child entry (app/src/dev/child.ts) and its arguments; run with tsx. */
  readonly child: { readonly entry: string; readonly args?: readonly string[]; readonly env?: NodeJS.ProcessEnv; readonly cwd?: string };
  /**
   * The tsconfig tsx compiles the child with (app/tsconfig.json). Without it tsx reads
   * the root one, which does not include app/src, and the web role's JSX compiles to
   * `React.createElement` (every page a 500: "React is not defined").
   */
  readonly tsconfig: string;
  /**
   * A type check run beside each start (node arguments, e.g. typescript's tsc with
   * `--noEmit -p app/tsconfig.json`): a version swaps in only when it also passes, since
   * tsx only strips types. @default none
   */
  readonly typecheck?: readonly string[];
  /** Give up on a version that has not said `ready` after this long. @default 60000 */
  readonly startTimeoutMs?: number;
  /** Where the supervisor's own lines go. @default stderr */
  readonly log?: (line: string) => void;
}

/** A started version: its process and, once ready, its addresses. */
interface Version {
  readonly process: ChildProcess;
  readonly stderr: string[];
  /** The type check's complaints, or undefined when it passed (or none runs). */
  readonly typeErrors: Promise<string | undefined>;
  urls?: DevUrls;
}

const DEBOUNCE_MS = 150;
const STDERR_LINES_KEPT = 40;

/**
 * `npm run dev` (issue 17, item 1): keeps the last good version of the app serving on
 * the fixed ports while a changed one starts in a child process; swaps only when the new
 * one says it is ready, and otherwise prints why it failed. Content changes are loaded
 * into the running version without a restart. Open pages reload after either.
 */
export class DevSupervisor {
  private current: Version | undefined;
  private candidate: Version | undefined;
  private lastError: string | undefined;
  private readonly reload = new ReloadEvents();
  private readonly servers: Server[] = [];
  private readonly watchers: FSWatcher[] = [];
  private readonly log: (line: string) => void;
  /** Settled when a started version is ready or has failed (tests wait on it). */
  private settled: Array<(outcome: 'swapped' | 'failed') => void> = [];

  constructor(private readonly options: DevSupervisorOptions) {
    this.log = options.log ?? ((line) => process.stderr.write(`${line}\n`));
  }

  /** Listen on the fixed ports, start the first version and watch for changes; resolves once that version is up or has failed. */
  async start(): Promise<DevUrls> {
    const { host, ports } = this.options;
    const lastError = () => this.lastError;
    const web = createDevProxy({ target: () => this.current?.urls?.web, reload: this.reload, lastError });
    const api = createDevProxy({ target: () => this.current?.urls?.api, lastError });
    const metrics = createDevProxy({ target: () => this.current?.urls?.metrics, lastError });
    const urls = {
      web: await this.listen(web, ports.web, host),
      api: await this.listen(api, ports.api, host),
      metrics: await this.listen(metrics, ports.metrics, host),
    };
    // Source files only: not tests, not an editor's swap files or a database beside them.
    const isSource = (file: string) => /\.tsx?$/.test(file) && !/\.test\.tsx?$/.test(file);
    this.watch(this.options.sourceDir, isSource, () => void this.startVersion('a change in app/src'));
    this.watch(
      this.options.contentDir,
      () => true,
      () => this.reloadContent(),
    );
    // Wait for the first version (ready or failed): either way the ports are open and watched.
    const first = this.nextOutcome();
    await this.startVersion('start');
    await first;
    return urls;
  }

  /** The next outcome of a version start: `swapped` (now serving) or `failed` (the old one still serves). */
  nextOutcome(): Promise<'swapped' | 'failed'> {
    return new Promise((resolve) => this.settled.push(resolve));
  }

  /** The process id serving now, if any. */
  get servingPid(): number | undefined {
    return this.current?.urls ? this.current.process.pid : undefined;
  }

  async stop(): Promise<void> {
    for (const watcher of this.watchers) watcher.close();
    this.reload.close();
    const versions = [this.candidate, this.current];
    // Forgotten first, so their exits are not reported as failures.
    [this.candidate, this.current] = [undefined, undefined];
    await Promise.all(versions.filter((version) => version !== undefined).map((version) => this.kill(version)));
    await Promise.all(this.servers.map((server) => new Promise((resolve) => server.close(resolve))));
  }

  private async listen(server: Server, port: number, host: string): Promise<string> {
    server.listen(port, host);
    await once(server, 'listening');
    this.servers.push(server);
    return `http://${host}:${(server.address() as AddressInfo).port}`;
  }

  /** fs.watch with `recursive` (Linux since Node 20), debounced: an editor's save is several events. */
  private watch(dir: string, relevant: (file: string) => boolean, onChange: () => void): void {
    let timer: NodeJS.Timeout | undefined;
    const watcher = watch(dir, { recursive: true }, (_event, file) => {
      if (file === null || !relevant(file)) return;
      clearTimeout(timer);
      timer = setTimeout(onChange, DEBOUNCE_MS);
    });
    this.watchers.push(watcher);
  }

  private settle(outcome: 'swapped' | 'failed'): void {
    const waiting = this.settled;
    this.settled = [];
    for (const resolve of waiting) resolve(outcome);
  }

  /** Start a version in a child; a newer change replaces a version still starting. */
  private async startVersion(why: string): Promise<void> {
    const superseded = this.candidate;
    this.candidate = undefined; // so its exit is not reported as a failed change
    if (superseded) await this.kill(superseded);
    const { child } = this.options;
    const proc = fork(child.entry, [...(child.args ?? [])], {
      cwd: child.cwd,
      env: { ...process.env, TSX_TSCONFIG_PATH: this.options.tsconfig, ...child.env },
      execArgv: ['--import', 'tsx'],
      stdio: ['ignore', 'inherit', 'pipe', 'ipc'],
    });
    const version: Version = { process: proc, stderr: [], typeErrors: this.typecheck() };
    this.candidate = version;
    this.log(`[dev] ${why}: starting a new version (pid ${proc.pid})`);
    proc.stderr?.on('data', (chunk: Buffer) => {
      process.stderr.write(chunk);
      version.stderr.push(...chunk.toString('utf8').split('\n').filter(Boolean));
      version.stderr.splice(0, Math.max(0, version.stderr.length - STDERR_LINES_KEPT));
    });
    proc.on('message', (message) => {
      if (isMessage<ChildMessage>(message)) this.onMessage(version, message);
    });
    const timeout = setTimeout(
      () => this.fail(version, `not ready after ${this.options.startTimeoutMs ?? 60_000} ms`),
      this.options.startTimeoutMs ?? 60_000,
    );
    // 'close', not 'exit': by then its stderr is read to the end, so the failure shows why.
    proc.once('close', (code, signal) => {
      clearTimeout(timeout);
      if (this.candidate === version) this.fail(version, `exited with ${signal ?? `code ${code}`} before it was ready`);
      else if (this.current === version) {
        this.current = undefined;
        this.lastError = `The running version (pid ${proc.pid}) exited with ${signal ?? `code ${code}`}:\n${version.stderr.slice(-15).join('\n')}`;
        this.log(`[dev] ${this.lastError}\n[dev] save a change to start it again.`);
      }
    });
  }

  private onMessage(version: Version, message: ChildMessage): void {
    if (message.type === 'ready' && this.candidate === version) {
      version.urls = message.urls;
      void version.typeErrors.then((errors) => (errors ? this.fail(version, `does not type-check:\n${errors}`) : this.swap(version)));
    } else if (message.type === 'content-reloaded') {
      this.log(`[dev] content reloaded (${message.chapters} chapters)`);
      this.reload.reload();
    } else if (message.type === 'content-failed') {
      this.log(`[dev] content NOT reloaded, the last good content stays:\n  ${message.error.split('\n').join('\n  ')}`);
    }
  }

  /** Run the type check, if any: its output when it fails. */
  private typecheck(): Promise<string | undefined> {
    const args = this.options.typecheck;
    if (!args) return Promise.resolve(undefined);
    return new Promise((resolve) => {
      execFile(process.execPath, [...args], { maxBuffer: 16 * 1024 * 1024 }, (error, stdout, stderr) => {
        resolve(error ? `${stdout}${stderr}`.trim().split('\n').slice(0, 30).join('\n') : undefined);
      });
    });
  }

  /** The ready, type-checked version takes over the ports; the old one drains and stops. */
  private swap(version: Version): void {
    if (this.candidate !== version) return;
    const old = this.current;
    this.current = version;
    this.candidate = undefined;
    this.lastError = undefined;
    this.log(`[dev] serving pid ${version.process.pid}${old ? ` (replaced pid ${old.process.pid})` : ''}`);
    if (old) void this.kill(old);
    this.reload.reload();
    this.settle('swapped');
  }

  private fail(version: Version, why: string): void {
    if (this.candidate !== version) return;
    this.candidate = undefined;
    void this.kill(version);
    const keeps = this.current ? `still serving the last good version (pid ${this.current.process.pid})` : 'nothing is serving yet';
    this.lastError = [`The new version ${why}:`, ...version.stderr.slice(-15)].join('\n');
    this.log(`[dev] CHANGE FAILED, ${keeps}. ${this.lastError}\n[dev] fix the error and save: the next change starts a new version.`);
    this.settle('failed');
  }

  private reloadContent(): void {
    const running = this.current?.process;
    if (!running?.connected) return;
    const message: SupervisorMessage = { type: 'reload-content' };
    running.send(message);
  }

  private async kill(version: Version): Promise<void> {
    const proc = version.process;
    if (proc.exitCode !== null || proc.signalCode !== null) return;
    const exited = once(proc, 'exit');
    proc.kill('SIGTERM');
    const force = setTimeout(() => proc.kill('SIGKILL'), 5_000);
    await exited;
    clearTimeout(force);
  }
}
