import { execFile } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { promisify } from 'node:util';
import { stringify } from 'yaml';
import { loadPlan } from '../../scripts/rehearse/plan';
import type { Pod } from '../../scripts/rehearse/processes';
import { scrapeConfigs } from '../../scripts/rehearse/prometheus';
import { localServiceUrl } from '../../scripts/rehearse/providers';
import { compressQuery, parseDuration } from '../../scripts/rehearse/time';

const REPO = resolve(__dirname, '../..');
const plan = loadPlan(join(REPO, 'dist', 'production'), 'api');

/** A pod as startPod returns it, listening on made-up local ports. */
function pod(track: 'stable' | 'canary', hash: string, ports: [number, number][]): Pod {
  return {
    name: `api-${hash}-abcde`,
    track,
    hash,
    labels: { ...plan.podLabels, 'rollouts-pod-template-hash': hash },
    containerName: plan.container.name,
    ports: new Map(ports),
    containerPorts: plan.container.ports,
    url: `http://127.0.0.1:${ports[0][1]}`,
    exited: new Promise(() => undefined),
    alive: () => true,
    ready: async () => true,
    output: () => '',
  };
}
const containerPort = (name: string) => plan.container.ports!.find((p) => p.name === name)!.containerPort;
const pods = [
  pod('stable', 'aaaa', [
    [containerPort('http'), 41000],
    [containerPort('metrics'), 41001],
  ]),
  pod('canary', 'bbbb', [
    [containerPort('http'), 42000],
    [containerPort('metrics'), 42001],
  ]),
];

describe('rehearsal time compression', () => {
  it('divides every range and offset by the speed, leaving quoted strings alone', () => {
    expect(compressQuery('rate(x{a="[5m]"}[5m]) offset 1m', 10)).toBe('rate(x{a="[5m]"}[30000ms]) offset 6000ms');
    expect(compressQuery('max_over_time(y[30m:1m])', 60)).toBe('max_over_time(y[30000ms:1000ms])');
  });

  it('multiplies counts over a shortened window back to the full window', () => {
    expect(compressQuery('sum(increase(z{route!~"increase(x)"}[2m])) >= 100', 40)).toBe(
      'sum((40 * increase(z{route!~"increase(x)"}[3000ms]))) >= 100',
    );
    expect(compressQuery('rate(z[2m])', 40)).toBe('rate(z[3000ms])');
  });

  it('reads Go and Prometheus durations', () => {
    expect(parseDuration('1h30m')).toBe(5_400_000);
    expect(parseDuration('500ms')).toBe(500);
    expect(() => parseDuration('10 minutes')).toThrow(/not a duration/);
  });
});

describe('rehearsal wiring read from the generated objects', () => {
  it("scrapes through the ServiceMonitor's own relabeling, which promtool accepts", async () => {
    const jobs = scrapeConfigs(plan, pods, 40);
    expect(jobs.map((j) => j.job_name)).toContain('serviceMonitor/course-companion-production/api/0');
    const api = jobs.find((j) => j.job_name === 'serviceMonitor/course-companion-production/api/0')!;
    // The podTargetLabels rule, as the Prometheus Operator writes it.
    expect(api.relabel_configs).toContainEqual({
      source_labels: ['__meta_kubernetes_pod_label_rollouts_pod_template_hash'],
      target_label: 'rollouts_pod_template_hash',
      regex: '(.+)',
      replacement: '${1}',
    });
    const dir = mkdtempSync(join(tmpdir(), 'rehearsal-promcfg-'));
    try {
      const file = join(dir, 'prometheus.yml');
      writeFileSync(file, stringify({ scrape_configs: jobs }));
      await expect(promisify(execFile)('promtool', ['check', 'config', file])).resolves.toBeDefined();
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it("sends the smoke Job's canary URL to the canary pod and the stable Service to stable", () => {
    expect(localServiceUrl(plan, pods, `http://${plan.canary.canaryService}.${plan.namespace}.svc.cluster.local:8000/x`)).toBe(
      'http://127.0.0.1:42000/x',
    );
    expect(localServiceUrl(plan, pods, `http://${plan.canary.stableService}:8000`)).toBe('http://127.0.0.1:41000');
    expect(localServiceUrl(plan, pods, 'api')).toBe('api');
  });
});
