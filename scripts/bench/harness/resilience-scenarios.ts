/**
 * The two resilience scenarios (issue 6), shared by `npm run bench` (resilience.ts, long
 * loads, figures beside baselines) and `npm test` (test/ops/resilience.test.ts, short
 * loads, what must hold): the real api process under a bounded autocannon load while
 * its database restarts, and while it receives SIGTERM.
 *
 * Only 127.0.0.1 is loaded; the PostgreSQL that restarts is a private throwaway
 * cluster, never the shared server on 5432.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import autocannon from 'autocannon';
import { Client } from 'pg';
import { migrateAndLoad } from '../../../app/src/migrate';
import { PrivatePostgres } from '../../../test/support/private-postgres';
import { spawnApiServer, type ServerProcess } from '../../../test/support/server-process';
import { signUpByMail, TestSmtpServer } from '../../../test/support/smtp';

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

export interface LoadShape {
  /** Concurrent keep-alive connections of the load generator. */
  readonly connections: number;
  /** How long the load runs in all (the fault happens inside this window). */
  readonly loadSeconds: number;
}

export interface DatabaseRestartFigures {
  /** Attempts the api answered 201 for: each one a promise that the row exists. */
  readonly acknowledgedWrites: number;
  /** Rows in quiz_attempts afterwards; at least acknowledgedWrites, or a write was lost. */
  readonly rowsAfter: number;
  readonly lostWrites: number;
  /** Requests refused while the database was away (5xx with a JSON body, not a crash). */
  readonly refusedDuringOutage: number;
  /** Connection errors and timeouts seen by the load generator (a crash would show here). */
  readonly connectionErrors: number;
  /** /readyz answered 503 at least once while the database was stopped. */
  readonly readinessFailedWhileDown: boolean;
  /** From PostgreSQL accepting connections again to /readyz answering 200. */
  readonly recoveryMs: number;
  /** From PostgreSQL accepting connections again to a bare `pg` client's first query. */
  readonly bareClientRecoveryMs: number;
  /** How long `pg_ctl start -w` took: the database's own restart. */
  readonly databaseStartMs: number;
  /** The process was still running after the fault (no crash, no restart). */
  readonly serverSurvived: boolean;
}

export interface SigtermFigures {
  /** Requests the load generator completed before the endpoint was taken out of rotation. */
  readonly requests: number;
  /** Non-2xx answers, connection errors, resets and timeouts: must be 0. */
  readonly failedRequests: number;
  /** From SIGTERM until /readyz answered 503 (the signal to stop sending traffic). */
  readonly readinessFailedAfterMs: number;
  /** From SIGTERM until the process exited. */
  readonly exitAfterMs: number;
  readonly exitCode: number | string;
  readonly graceSeconds: number;
}

/** A learner signed up as one would: register, then the link the api mailed to `mail` (its SMTP_URL). */
async function registerLearner(api: string, mail: TestSmtpServer): Promise<string> {
  const account = { email: `resilience-${Date.now()}@example.com`, password: 'resilience password 123' };
  return (await signUpByMail<{ access_token: string }>(api, mail, account)).access_token;
}

/** Polls /readyz every 50 ms and keeps what it saw, with timestamps. */
function watchReadiness(api: string) {
  const seen: { at: number; status: number }[] = [];
  let running = true;
  const done = (async () => {
    while (running) {
      const status = await fetch(`${api}/readyz`, { signal: AbortSignal.timeout(3_000) }).then(
        (r) => r.status,
        () => 0,
      );
      seen.push({ at: Date.now(), status });
      await sleep(50);
    }
  })();
  return {
    seen,
    /** The first time at or after `since` that readiness answered `status`. */
    async firstAfter(since: number, status: number, timeoutMs: number): Promise<number> {
      const deadline = Date.now() + timeoutMs;
      for (;;) {
        const hit = seen.find((s) => s.at >= since && s.status === status);
        if (hit) return hit.at;
        if (Date.now() > deadline) throw new Error(`/readyz never answered ${status} within ${timeoutMs} ms`);
        await sleep(20);
      }
    },
    async stop() {
      running = false;
      await done;
    },
  };
}

async function bareClientRecovery(url: string, since: number): Promise<number> {
  for (;;) {
    const client = new Client({ connectionString: url, connectionTimeoutMillis: 1_000 });
    try {
      await client.connect();
      await client.query('select 1');
      return Date.now() - since;
    } catch {
      await sleep(20);
    } finally {
      await client.end().catch(() => undefined);
    }
  }
}

/**
 * The api writes quiz attempts under load; PostgreSQL stops (immediate mode, like a
 * crashed or failed-over primary) for `outageSeconds`, then comes back.
 */
export async function databaseRestartUnderLoad(
  shape: LoadShape & { readonly outageSeconds: number },
  progress: (message: string) => void = () => undefined,
): Promise<DatabaseRestartFigures> {
  progress('creating a private PostgreSQL cluster');
  const pg = await PrivatePostgres.create();
  const mail = await TestSmtpServer.start();
  let server: ServerProcess | undefined;
  try {
    await migrateAndLoad(pg.url);
    server = await spawnApiServer({ DATABASE_URL: pg.url, DATABASE_POOL_SIZE: '5', SMTP_URL: mail.url });
    const token = await registerLearner(server.url, mail);
    const readiness = watchReadiness(server.url);

    progress(`writing under load (${shape.connections} connections, ${shape.loadSeconds} s)`);
    const loadDone = quizAttemptLoad(server.url, token, shape);

    await sleep(Math.min(2_000, (shape.loadSeconds * 1000) / 4));
    progress(`stopping PostgreSQL for ${shape.outageSeconds} s`);
    const downAt = Date.now();
    await pg.stop();
    await sleep(shape.outageSeconds * 1000);
    const readinessFailedWhileDown = readiness.seen.some((s) => s.at >= downAt && s.status === 503);

    progress('starting PostgreSQL again');
    const startBegan = Date.now();
    await pg.start();
    const upAt = Date.now();
    const [readyAt, bareClientRecoveryMs] = await Promise.all([readiness.firstAfter(upAt, 200, 60_000), bareClientRecovery(pg.url, upAt)]);

    progress('waiting for the load to finish');
    const result = await loadDone;
    await readiness.stop();

    const rowsAfter = await countAttempts(pg.url);
    const acknowledgedWrites = result['2xx'];
    return {
      acknowledgedWrites,
      rowsAfter,
      lostWrites: Math.max(0, acknowledgedWrites - rowsAfter),
      refusedDuringOutage: result.non2xx,
      connectionErrors: result.errors + result.timeouts,
      readinessFailedWhileDown,
      recoveryMs: readyAt - upAt,
      bareClientRecoveryMs,
      databaseStartMs: upAt - startBegan,
      serverSurvived: server.child.exitCode === null && server.child.signalCode === null,
    };
  } finally {
    if (server && server.child.exitCode === null) {
      server.child.kill('SIGTERM');
      await server.exited;
    }
    await pg.destroy();
    await mail.close();
  }
}

/** Quiz attempts posted as fast as `shape` allows: each 2xx is an acknowledged write. */
function quizAttemptLoad(url: string, token: string, shape: LoadShape): Promise<autocannon.Result> {
  return autocannon({
    url: `${url}/api/v1/chapters/1/quiz/attempts`,
    method: 'POST',
    headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
    body: JSON.stringify({ answers: {} }),
    connections: shape.connections,
    duration: shape.loadSeconds,
    timeout: 10,
  });
}

async function countAttempts(databaseUrl: string): Promise<number> {
  const client = new Client({ connectionString: databaseUrl });
  await client.connect();
  try {
    return Number((await client.query<{ n: string }>('select count(*) as n from quiz_attempts')).rows[0].n);
  } finally {
    await client.end();
  }
}

/**
 * Reads a chapter under load, then SIGTERM. The load generator plays the part of the
 * Service endpoints: it stops sending new requests once /readyz answers 503, as
 * Kubernetes takes a pod out of rotation when its readiness fails. Every request it
 * sent must have been answered 2xx.
 */
export async function sigtermUnderLoad(
  shape: LoadShape & { readonly sigtermAfterSeconds: number; readonly graceSeconds: number },
  progress: (message: string) => void = () => undefined,
): Promise<SigtermFigures> {
  const dir = mkdtempSync(path.join(tmpdir(), 'cc-sigterm-'));
  const url = `sqlite:${path.join(dir, 'db.sqlite')}`;
  const mail = await TestSmtpServer.start();
  let server: ServerProcess | undefined;
  try {
    await migrateAndLoad(url);
    server = await spawnApiServer({ DATABASE_URL: url, SHUTDOWN_TIMEOUT_SECONDS: String(shape.graceSeconds), SMTP_URL: mail.url });
    const token = await registerLearner(server.url, mail);
    const readiness = watchReadiness(server.url);

    progress(`reading under load (${shape.connections} connections), SIGTERM after ${shape.sigtermAfterSeconds} s`);
    let instance!: autocannon.Instance;
    const loadDone = new Promise<autocannon.Result>((resolve, reject) => {
      instance = autocannon(
        {
          url: `${server!.url}/api/v1/chapters/1`,
          headers: { authorization: `Bearer ${token}` },
          connections: shape.connections,
          duration: shape.loadSeconds,
          timeout: 10,
        },
        (err, result) => (err ? reject(err as Error) : resolve(result)),
      );
    });

    await sleep(shape.sigtermAfterSeconds * 1000);
    const signalledAt = Date.now();
    server.child.kill('SIGTERM');
    const notReadyAt = await readiness.firstAfter(signalledAt, 503, shape.graceSeconds * 1000);
    // Out of rotation: no new requests; those in flight are still answered.
    instance.stop();
    const result = await loadDone;
    const exitCode = await server.exited;
    const exitedAt = Date.now();
    await readiness.stop();
    progress('server exited');
    return {
      requests: result['2xx'] + result.non2xx,
      failedRequests: result.non2xx + result.errors + result.timeouts + result.resets,
      readinessFailedAfterMs: notReadyAt - signalledAt,
      exitAfterMs: exitedAt - signalledAt,
      exitCode,
      graceSeconds: shape.graceSeconds,
    };
  } finally {
    if (server && server.child.exitCode === null && server.child.signalCode === null) server.child.kill('SIGKILL');
    rmSync(dir, { recursive: true, force: true });
    await mail.close();
  }
}
