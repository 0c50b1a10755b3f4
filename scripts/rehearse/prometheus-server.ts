/**
 * A real Prometheus server for the rehearsal: started on a free loopback port with the
 * scrape configuration prometheus.ts derives from the ServiceMonitors.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { join } from 'node:path';
import { stringify } from 'yaml';
import { track } from './processes';
import { promDuration, sleep } from './time';

async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const port = (server.address() as { port: number }).port;
  await new Promise((resolve) => server.close(resolve));
  return port;
}

export interface RunningPrometheus {
  readonly url: string;
  /** An instant query: the `data` of /api/v1/query, or throws with Prometheus' error. */
  query(promql: string): Promise<{ resultType: string; result: unknown }>;
  /** Targets left after relabeling, with their labels and whether the last scrape worked. */
  targets(): Promise<{ health: string; labels: Record<string, string> }[]>;
  stop(): void;
}

/** Starts /usr/bin/prometheus on a free loopback port; resolves once /-/ready answers. */
export async function startPrometheus(opts: {
  dir: string;
  scrapeConfigs: Record<string, unknown>[];
  speed: number;
  binary?: string;
}): Promise<RunningPrometheus> {
  const configFile = join(opts.dir, 'prometheus.yml');
  writeFileSync(
    configFile,
    stringify({
      global: { scrape_interval: promDuration(60_000 / opts.speed), scrape_timeout: promDuration(Math.min(10_000, 60_000) / opts.speed) },
      scrape_configs: opts.scrapeConfigs,
    }),
  );
  const port = await freePort();
  const url = `http://127.0.0.1:${port}`;
  const child = track(
    spawn(
      opts.binary ?? 'prometheus',
      [
        `--config.file=${configFile}`,
        `--storage.tsdb.path=${join(opts.dir, 'tsdb')}`,
        `--web.listen-address=127.0.0.1:${port}`,
        // Instant selectors look back 5m by default; scaled with every other duration.
        `--query.lookback-delta=${promDuration(300_000 / opts.speed)}`,
        '--log.level=warn',
      ],
      { stdio: ['ignore', 'ignore', 'pipe'] },
    ),
  );
  const stderr = { text: '' };
  child.stderr!.on('data', (d) => (stderr.text = (stderr.text + d).slice(-8000)));
  child.once('error', (e) => (stderr.text += `\n${e.message}`));
  await untilReady(child, url, stderr);
  return {
    url,
    async targets() {
      const res = await fetch(`${url}/api/v1/targets?state=active`, { signal: AbortSignal.timeout(5_000) });
      const body = (await res.json()) as { data: { activeTargets: { health: string; labels: Record<string, string> }[] } };
      return body.data.activeTargets;
    },
    async query(promql) {
      const res = await fetch(`${url}/api/v1/query`, {
        method: 'POST',
        headers: { 'content-type': 'application/x-www-form-urlencoded' },
        body: new URLSearchParams({ query: promql }),
        signal: AbortSignal.timeout(10_000),
      });
      const body = (await res.json()) as { status: string; data?: { resultType: string; result: unknown }; error?: string };
      if (body.status !== 'success' || !body.data) throw new Error(`prometheus: ${body.error ?? res.status}`);
      return body.data;
    },
    stop: () => void child.kill('SIGKILL'),
  };
}

/** Polls /-/ready for up to 30 s; throws with Prometheus' last words if it exits or never gets there. */
async function untilReady(child: ChildProcess, url: string, stderr: { text: string }): Promise<void> {
  for (let i = 0; i < 300; i++) {
    if (child.exitCode !== null || child.signalCode !== null) {
      throw new Error(`prometheus exited (${child.exitCode ?? child.signalCode}): ${stderr.text}`);
    }
    try {
      if ((await fetch(`${url}/-/ready`)).ok) return;
    } catch {
      // not listening yet
    }
    await sleep(100);
  }
  throw new Error(`prometheus did not become ready within 30 s: ${stderr.text}`);
}

/**
 * Prometheus applies a new target set on a 5 s tick (scrape/manager.go `reloader`), so
 * its first scrapes come seconds after it is ready; at --speed 40 that is minutes of
 * cluster time with no data. The rollout starts once every target was scraped, as in a
 * cluster where Prometheus has long been scraping when a release begins.
 */
export async function untilScraped(
  prometheus: RunningPrometheus,
  timeoutMs = 20_000,
): Promise<{ health: string; labels: Record<string, string> }[]> {
  const end = Date.now() + timeoutMs;
  for (;;) {
    const targets = await prometheus.targets();
    if ((targets.length > 0 && targets.every((t) => t.health !== 'unknown')) || Date.now() > end) return targets;
    await sleep(200);
  }
}
