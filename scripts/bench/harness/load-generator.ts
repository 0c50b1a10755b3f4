/**
 * The load generator as its own process: the parent sends a job (URL, connections,
 * duration, optional request sequence) to load-child.ts and gets the figures back.
 * One long-lived child serves every round, so rounds pay no start-up.
 */
import { fork, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import path from 'node:path';
import type { LoadResult } from './rounds';

export interface LoadRequest {
  readonly method: 'GET' | 'POST' | 'PUT';
  readonly path: string;
  readonly headers?: Record<string, string>;
  readonly body?: string;
}

export interface LoadJob {
  readonly url: string;
  readonly connections: number;
  readonly durationSeconds: number;
  readonly headers?: Record<string, string>;
  /** Requests each connection sends in turn, instead of GET `url` over and over. */
  readonly requests?: readonly LoadRequest[];
  /**
   * One set of headers per learner (their token or cookies): each pass through the
   * requests takes the next learner, so concurrent views belong to different learners.
   */
  readonly learnerHeaders?: readonly Record<string, string>[];
}

export type LoadReply = { readonly ok: true; readonly result: LoadResult } | { readonly ok: false; readonly error: string };

/** Only loopback targets: the bench never loads anything beyond this machine. */
function assertLoopback(url: string): void {
  const host = new URL(url).hostname;
  if (host !== '127.0.0.1' && host !== 'localhost' && host !== '[::1]')
    throw new Error(`refusing to load ${url}: the bench loads 127.0.0.1 only`);
}

export class LoadGenerator {
  private constructor(private readonly child: ChildProcess) {}

  static start(): LoadGenerator {
    // tsx loads the TypeScript child; it only hooks module loading, not the load loop.
    const child = fork(path.join(__dirname, 'load-child.ts'), [], {
      execArgv: ['--import', 'tsx'],
      stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
    });
    return new LoadGenerator(child);
  }

  /** The process id, to keep it apart from the servers when measuring memory. */
  get pid(): number | undefined {
    return this.child.pid;
  }

  async load(job: LoadJob): Promise<LoadResult> {
    assertLoopback(job.url);
    if (this.child.exitCode !== null) throw new Error(`the load generator exited (${this.child.exitCode})`);
    return new Promise<LoadResult>((resolve, reject) => {
      const onMessage = (answer: LoadReply) => {
        cleanup();
        if (answer.ok) resolve(answer.result);
        else reject(new Error(`load generator: ${answer.error}`));
      };
      const onExit = (code: number | null) => {
        cleanup();
        reject(new Error(`the load generator exited (${String(code)}) during a run`));
      };
      const cleanup = () => {
        this.child.off('message', onMessage);
        this.child.off('exit', onExit);
      };
      this.child.on('message', onMessage);
      this.child.on('exit', onExit);
      this.child.send(job);
    });
  }

  async stop(): Promise<void> {
    if (this.child.exitCode !== null || this.child.signalCode !== null) return;
    const exited = once(this.child, 'exit');
    this.child.disconnect();
    await exited;
  }
}
