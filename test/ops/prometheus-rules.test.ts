import { execFile } from 'node:child_process';
import { mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { promisify } from 'node:util';
import { parse, stringify } from 'yaml';
import { loadEnvironments } from '../../charts/config/environment';
import { DEFAULT_ENVIRONMENTS_DIR } from '../../charts/main';
import { ALERTS } from '../../charts/constructs/monitoring/slo-rules';
import { alertCases, dayLongAlertCases, PromtoolTestGroup } from './support/alert-cases';

// The rules tested are the ones that ship: read from the committed dist/<env>/ output,
// which CI proves equal to a fresh synth.
const REPO = resolve(__dirname, '../..');
const run = promisify(execFile);
const SLOW = 180_000;

interface ShippedRules {
  readonly env: string;
  readonly namespace: string;
  readonly groups: Array<{ name: string; rules: Array<Record<string, any>> }>;
}

function shippedRules(): ShippedRules[] {
  // dist/cluster/ holds no environment; the environment files name the ones that do.
  return loadEnvironments(DEFAULT_ENVIRONMENTS_DIR).map(({ name: env }) => {
    const dir = join(REPO, 'dist', env);
    const files = readdirSync(dir).filter((f) => f.startsWith('prometheusrule-'));
    if (files.length !== 1) throw new Error(`dist/${env}: expected one PrometheusRule, found ${files.length}`);
    const manifest = parse(readFileSync(join(dir, files[0]), 'utf8'));
    return { env, namespace: manifest.metadata.namespace, groups: manifest.spec.groups };
  });
}

function environmentFile(env: string): { slo: { latencyP95Seconds: number }; monitoring: { urgentAlerts?: 'page' | 'ticket' } } {
  return parse(readFileSync(join(REPO, 'charts', 'environments', `${env}.yaml`), 'utf8'));
}

async function promtool(args: string[]): Promise<{ ok: boolean; output: string }> {
  try {
    const { stdout, stderr } = await run('promtool', args, { maxBuffer: 16 * 1024 * 1024 });
    return { ok: true, output: stdout + stderr };
  } catch (error) {
    const e = error as NodeJS.ErrnoException & { stdout?: string; stderr?: string };
    if (e.code === 'ENOENT') {
      throw new Error("promtool is not installed: it comes with Debian's prometheus package (apt-get install -y prometheus)");
    }
    return { ok: false, output: `${e.stdout ?? ''}${e.stderr ?? ''}` };
  }
}

/**
 * promtool compares annotations byte for byte, and ours render `$value`; the firing
 * logic (expr, for, labels) is what these cases test, so the copy fed to
 * `promtool test rules` drops annotations. `promtool check rules` sees them verbatim,
 * and the test below checks their content.
 */
function withoutAnnotations(groups: ShippedRules['groups']) {
  return groups.map((g) => ({ ...g, rules: g.rules.map(({ annotations: _annotations, ...rule }) => rule) }));
}

function writeUnitTests(
  dir: string,
  rules: ShippedRules['groups'],
  tests: readonly PromtoolTestGroup[],
  evaluationInterval = '1m',
): string {
  writeFileSync(join(dir, 'rules.yaml'), stringify({ groups: withoutAnnotations(rules) }));
  const file = join(dir, `tests-${evaluationInterval}.yaml`);
  writeFileSync(file, stringify({ rule_files: ['rules.yaml'], evaluation_interval: evaluationInterval, tests }, { lineWidth: 0 }));
  return file;
}

let work: string;
beforeAll(() => {
  work = mkdtempSync(join(tmpdir(), 'cc-promtool-'));
});
afterAll(() => rmSync(work, { recursive: true, force: true }));

const environments = shippedRules();

it('ships a PrometheusRule for every environment', () => {
  expect(environments.map((e) => e.env).sort()).toEqual(expect.arrayContaining(['production', 'staging']));
});

describe.each(environments)('PrometheusRule of $env', ({ env, namespace, groups }) => {
  const file = environmentFile(env);
  const urgentSeverity = file.monitoring.urgentAlerts ?? 'page';
  const params = {
    namespace,
    latencyP95Seconds: file.slo.latencyP95Seconds,
    backupCronJob: 'backup',
    weeklyBackupCronJob: 'backup-weekly',
    urgentSeverity,
  };

  // Issue 11, point 12: staging's alerts open tickets; only an environment whose file
  // says `urgentAlerts: page` wakes anyone. The promtool cases above expect these labels.
  it(`routes its urgent alerts as its environment file says (${urgentSeverity})`, () => {
    const severities = new Set(
      groups
        .flatMap((g) => g.rules)
        .filter((r) => r.alert)
        .map((r) => r.labels.severity),
    );
    expect(severities.has('page')).toBe(urgentSeverity === 'page');
    if (env === 'staging') expect([...severities]).toEqual(['ticket']);
  });
  const cases = alertCases(params);
  const dayLongCases = dayLongAlertCases(params);

  it(
    'passes promtool check rules as shipped',
    async () => {
      const file = join(work, `${env}-check.yaml`);
      writeFileSync(file, stringify({ groups }));
      const result = await promtool(['check', 'rules', file]);
      expect(result.output).toMatch(/SUCCESS/);
      expect(result.ok).toBe(true);
    },
    SLOW,
  );

  it(
    'fires each alert when it should and stays quiet when it should not (promtool test rules)',
    async () => {
      const dir = mkdtempSync(join(work, `${env}-`));
      for (const file of [writeUnitTests(dir, groups, cases), writeUnitTests(dir, groups, dayLongCases, '1h')]) {
        const result = await promtool(['test', 'rules', file]);
        if (!result.ok) throw new Error(`promtool test rules failed for ${env}:\n${result.output}`);
        expect(result.output).toMatch(/SUCCESS/);
      }
    },
    2 * SLOW,
  );

  it('has a firing and a quiet case for every alert it ships', () => {
    const shipped = groups
      .flatMap((g) => g.rules)
      .filter((r) => r.alert)
      .map((r) => r.alert as string);
    const expectations = [...cases, ...dayLongCases].flatMap((c) => c.alert_rule_test);
    for (const alert of shipped) {
      const mine = expectations.filter((e) => e.alertname === alert);
      expect({ alert, fires: mine.some((e) => e.exp_alerts.length > 0) }).toEqual({ alert, fires: true });
      expect({ alert, quiet: mine.some((e) => e.exp_alerts.length === 0) }).toEqual({ alert, quiet: true });
    }
    expect(shipped.sort()).toEqual(
      [
        ...['1h', '6h', '1d', '3d'].map((window) => ALERTS.burn(window)),
        ALERTS.latency,
        ALERTS.restarts,
        ALERTS.hpaMaxed,
        ALERTS.backupTooOld,
        ALERTS.backupMissing,
        ALERTS.weeklyBackupTooOld,
        ALERTS.weeklyBackupMissing,
      ].sort(),
    );
  });

  it('gives every alert a severity, a summary, a description and a runbook section that exists', () => {
    const runbook = readFileSync(join(REPO, 'ops', 'runbooks.md'), 'utf8');
    const anchors = new Set([...runbook.matchAll(/^#+\s+(.+)$/gm)].map((m) => m[1].trim().toLowerCase()));
    for (const rule of groups.flatMap((g) => g.rules).filter((r) => r.alert)) {
      expect([rule.alert, rule.labels?.severity]).toEqual([rule.alert, expect.stringMatching(/^(page|ticket)$/)]);
      expect(rule.annotations.summary).toBeTruthy();
      expect(rule.annotations.description).toBeTruthy();
      const url = new URL(rule.annotations.runbook_url);
      expect(url.pathname).toMatch(/\/ops\/runbooks\.md$/);
      expect([rule.alert, anchors.has(url.hash.slice(1))]).toEqual([rule.alert, true]);
    }
  });
});

describe('the promtool harness can fail', () => {
  const [{ namespace, groups }] = environments;

  it(
    'reports an alert expected to fire that does not',
    async () => {
      const healthy = alertCases({
        namespace,
        latencyP95Seconds: 0.5,
        backupCronJob: 'backup',
        weeklyBackupCronJob: 'backup-weekly',
        urgentSeverity: 'page',
      })[1];
      const wrong: PromtoolTestGroup = {
        ...healthy,
        alert_rule_test: [
          {
            eval_time: '2h',
            alertname: ALERTS.burn('1h'),
            exp_alerts: [{ exp_labels: { namespace, role: 'api', severity: 'page', slo: 'availability', window: '1h' } }],
          },
        ],
      };
      const dir = mkdtempSync(join(work, 'wrong-'));
      const result = await promtool(['test', 'rules', writeUnitTests(dir, groups, [wrong])]);
      expect(result.ok).toBe(false);
      expect(result.output).toMatch(/FAILED/);
    },
    SLOW,
  );

  it(
    'rejects a rule whose PromQL does not parse',
    async () => {
      const file = join(work, 'broken.yaml');
      writeFileSync(
        file,
        stringify({ groups: [{ name: 'broken', rules: [{ alert: 'Broken', expr: 'sum(rate(http_requests_total[5m])' }] }] }),
      );
      const result = await promtool(['check', 'rules', file]);
      expect(result.ok).toBe(false);
    },
    SLOW,
  );
});
