/**
 * Staging's pre-promotion load check (charts/constructs/load-check.ts) as synthesized
 * in dist/staging, and the strict checks that catch a broken wiring of it
 * (charts/checks/analysis-jobs.ts): a Service that does not exist, the wrong Service,
 * a NetworkPolicy that blocks the Job.
 */
import { join, resolve } from 'node:path';
import { readFileSync } from 'node:fs';
import { Testing } from 'cdk8s';
import { parse } from 'yaml';
import { checkManifests, formatFindings, loadManifestDir, type ManifestObject } from '../../charts/checks';
import { parseEnvironment } from '../../charts/config/environment';
import { LoadCheckAnalysis, type LoadCheckAnalysisProps } from '../../charts/constructs/load-check';

const REPO = resolve(__dirname, '../..');
const staging = () => loadManifestDir(join(REPO, 'dist/staging'));
const objectOf = (objects: readonly ManifestObject[], file: string): any => {
  const found = objects.find((m) => m.file === file);
  if (found === undefined) throw new Error(`no ${file}`);
  return found.object;
};
const deliveryFindings = (objects: readonly ManifestObject[]) =>
  checkManifests(objects, { only: ['delivery'] }).filter((f) => f.rule.startsWith('analysis-job'));

describe('the staging load check as synthesized', () => {
  const objects = staging();
  const settings = parse(readFileSync(join(REPO, 'charts/environments/staging.yaml'), 'utf8')).delivery.loadCheck;

  it.each(['api', 'web'])('runs before %s is promoted, against its preview Service', (role) => {
    const blueGreen = objectOf(objects, `rollout-${role}.yaml`).spec.strategy.blueGreen;
    expect(blueGreen.prePromotionAnalysis.templates).toEqual([{ templateName: 'smoke' }, { templateName: `load-check-${role}` }]);
    expect(blueGreen.prePromotionAnalysis.args).toContainEqual({
      name: 'url',
      value: `http://${role}-preview.course-companion-staging.svc.cluster.local:${role === 'api' ? 8000 : 3000}`,
    });
  });

  it('runs the app image with the bounds and thresholds of the environment file, and nothing secret', () => {
    const job = objectOf(objects, 'analysistemplate-load-check-api.yaml').spec.metrics[0].provider.job;
    const pod = job.spec.template.spec;
    const [container] = pod.containers;
    expect(container.command).toEqual(['node', 'app/build/load-check.js', '{{args.url}}', 'api']);
    expect(Object.fromEntries(container.env.map((e: any) => [e.name, e.value]))).toEqual({
      LOAD_CHECK_REQUESTS: String(settings.requests),
      LOAD_CHECK_DURATION_SECONDS: String(settings.durationSeconds),
      LOAD_CHECK_CONCURRENCY: String(settings.concurrency),
      LOAD_CHECK_LATENCY_P95_MAX_SECONDS: String(settings.latencyP95MaxSeconds),
      LOAD_CHECK_ERROR_RATE_MAX: String(settings.errorRateMax),
    });
    expect(container.envFrom).toBeUndefined();
    expect(pod.automountServiceAccountToken).toBe(false);
    expect(pod.enableServiceLinks).toBe(false);
    expect(job.spec.backoffLimit).toBe(0);
    expect(job.spec.activeDeadlineSeconds).toBeGreaterThan(settings.durationSeconds);
  });

  it('may reach its own role on its HTTP port and nothing else but DNS', () => {
    const policy = objectOf(objects, 'networkpolicy-load-check-api.yaml');
    expect(policy.spec.ingress).toEqual([]);
    expect(policy.spec.egress.map((rule: any) => [rule.to[0].podSelector.matchLabels, rule.ports.map((p: any) => p.port)])).toEqual([
      [{ 'k8s-app': 'kube-dns' }, [53, 53]],
      [
        {
          'app.kubernetes.io/component': 'api',
          'app.kubernetes.io/name': 'course-companion',
          'app.kubernetes.io/part-of': 'course-companion',
        },
        [8000],
      ],
    ]);
  });

  it('is absent from production, whose canary analysis watches real traffic', () => {
    const production = loadManifestDir(join(REPO, 'dist/production'));
    expect(production.filter((m) => m.file.includes('load-check'))).toEqual([]);
  });

  it('passes every strict check (with the cluster pieces it relies on)', () => {
    expect(formatFindings(checkManifests([...objects, ...loadManifestDir(join(REPO, 'dist/cluster'))]))).toBe('');
  });
});

describe('the strict checks on a broken wiring', () => {
  const broken = (file: string, change: (o: any) => void) => {
    const objects = staging();
    change(objectOf(objects, file));
    return deliveryFindings(objects);
  };
  const preview = (o: any) => o.spec.strategy.blueGreen.prePromotionAnalysis.args.find((a: any) => a.name === 'url');

  it('refuses an analysis that calls a Service that does not exist', () => {
    const findings = broken(
      'rollout-api.yaml',
      (o) => (preview(o).value = 'http://api-previw.course-companion-staging.svc.cluster.local:8000'),
    );
    expect(findings).toContainEqual(
      expect.objectContaining({
        rule: 'analysis-job-target',
        file: 'rollout-api.yaml',
        message: expect.stringContaining('api-previw, which does not exist'),
      }),
    );
  });

  it('refuses a pre-promotion analysis that tests the active Service instead of the preview', () => {
    const findings = broken(
      'rollout-api.yaml',
      (o) => (preview(o).value = 'http://api-active.course-companion-staging.svc.cluster.local:8000'),
    );
    expect(findings).toContainEqual(
      expect.objectContaining({ rule: 'analysis-job-target', message: expect.stringContaining('through Service api-preview') }),
    );
  });

  it('refuses a port the Service does not expose', () => {
    const findings = broken(
      'rollout-api.yaml',
      (o) => (preview(o).value = 'http://api-preview.course-companion-staging.svc.cluster.local:3000'),
    );
    expect(findings).toContainEqual(
      expect.objectContaining({ rule: 'analysis-job-target', message: expect.stringContaining('port 3000') }),
    );
  });

  it('refuses a role policy that does not let its load check in', () => {
    const findings = broken('networkpolicy-api.yaml', (o) => {
      o.spec.ingress = o.spec.ingress.filter(
        (r: any) => r.from[0].podSelector?.matchLabels?.['app.kubernetes.io/component'] !== 'load-check-api',
      );
    });
    expect(findings).toContainEqual(
      expect.objectContaining({
        rule: 'analysis-job-network',
        message: expect.stringMatching(
          /AnalysisTemplate course-companion-staging\/load-check-api .*cannot reach .*no NetworkPolicy selecting the destination pods allows ingress/,
        ),
      }),
    );
  });

  it('refuses a load-check policy whose egress misses the role port', () => {
    const findings = broken('networkpolicy-load-check-api.yaml', (o) => (o.spec.egress[1].ports[0].port = 3000));
    expect(findings).toContainEqual(
      expect.objectContaining({
        rule: 'analysis-job-network',
        message: expect.stringContaining('no NetworkPolicy selecting the source pods allows egress'),
      }),
    );
  });
});

describe('the loadCheck settings', () => {
  const base = () => parse(readFileSync(join(REPO, 'charts/environments/staging.yaml'), 'utf8'));

  it('refuses more requests in flight than requests in all, naming the field', () => {
    const env = base();
    env.delivery.loadCheck.concurrency = env.delivery.loadCheck.requests + 1;
    expect(() => parseEnvironment(env, 'staging.yaml')).toThrow(/delivery\.loadCheck\.concurrency.*at most as many as requests/s);
  });

  it('refuses an unknown key', () => {
    const env = base();
    env.delivery.loadCheck.rps = 10;
    expect(() => parseEnvironment(env, 'staging.yaml')).toThrow(/delivery\.loadCheck/);
  });
});

describe('LoadCheckAnalysis', () => {
  const settings = { requests: 100, durationSeconds: 30, concurrency: 5, latencyP95MaxSeconds: 1, errorRateMax: 0.01 };
  const image = { repository: 'ghcr.io/example/app', digest: `sha256:${'a'.repeat(64)}` };
  const synth = (props: Partial<LoadCheckAnalysisProps>) => {
    const chart = Testing.chart();
    const construct = new LoadCheckAnalysis(chart, 'load-check', { image, settings, ...props });
    return { construct, objects: Testing.synth(chart) };
  };

  it('tests only the roles it is given, and lets only those in', () => {
    const { construct, objects } = synth({ roles: ['api'] });
    expect(objects.map((o) => `${o.kind}/${o.metadata.name}`)).toEqual(['AnalysisTemplate/load-check-api', 'NetworkPolicy/load-check-api']);
    expect(construct.templateFor('web')).toBeUndefined();
    expect(construct.peersFor('web')).toEqual([]);
    expect(construct.peersFor('api')).toHaveLength(1);
  });

  it('refuses a load that would outlast the Rollout progress deadline', () => {
    expect(() => synth({ settings: { ...settings, durationSeconds: 500 } })).toThrow(
      "LoadCheckAnalysis: 'settings.durationSeconds' (500) plus 'startupAllowanceSeconds' (120) must stay under the Rollout's progressDeadlineSeconds (600)",
    );
  });

  it('refuses an empty role list', () => {
    expect(() => synth({ roles: [] })).toThrow("LoadCheckAnalysis: 'roles' must name at least one role");
  });
});
