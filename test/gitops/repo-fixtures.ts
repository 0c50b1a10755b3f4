import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { parse, stringify } from 'yaml';
import type { Synthesize } from '../../scripts/lib/synth';

/** A throwaway git repository in a temp directory. */
export class TempRepo {
  readonly root = mkdtempSync(join(tmpdir(), 'cc-gitops-repo-'));

  constructor() {
    this.git('init', '-q', '-b', 'main');
    this.git('config', 'user.email', 'test@example.com');
    this.git('config', 'user.name', 'Test');
    this.git('config', 'commit.gpgsign', 'false');
  }

  git(...args: string[]): string {
    return execFileSync('git', args, { cwd: this.root, encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] });
  }

  write(files: Record<string, string>): void {
    for (const [path, text] of Object.entries(files)) {
      mkdirSync(dirname(join(this.root, path)), { recursive: true });
      writeFileSync(join(this.root, path), text);
    }
  }

  read(path: string): string {
    return readFileSync(join(this.root, path), 'utf8');
  }

  remove(path: string): void {
    rmSync(join(this.root, path), { recursive: true, force: true });
  }

  /** Commits everything with a fixed date, so history-based figures are predictable. */
  commit(message: string, date = '2026-11-20T10:00:00Z'): string {
    this.git('add', '-A');
    execFileSync('git', ['commit', '-q', '-m', message], {
      cwd: this.root,
      env: { ...process.env, GIT_AUTHOR_DATE: date, GIT_COMMITTER_DATE: date },
    });
    return this.git('rev-parse', 'HEAD').trim();
  }

  status(): string {
    return this.git('status', '--porcelain', '--untracked-files=all');
  }

  dispose(): void {
    rmSync(this.root, { recursive: true, force: true });
  }
}

export const PIN_A = `sha256:${'a'.repeat(64)}`;
export const PIN_B = `sha256:${'b'.repeat(64)}`;

/** An environment file in the generator's format, trimmed to what the fake generator reads. */
export function environmentFile(name: string, digest: string, delivery: 'canary' | 'blueGreen'): string {
  return [
    `# ${name}: the data that differs (a comment promote must keep)`,
    `name: ${name}`,
    `namespace: course-companion-${name}`,
    '',
    'image:',
    '  repository: ghcr.io/course-companion/course-companion',
    `  digest: ${digest}   # pinned by digest, never a tag`,
    '',
    `delivery: { kind: ${delivery} }`,
    'api: { scaling: { min: 2, max: 8 } }',
    '',
  ].join('\n');
}

interface FakeEnv {
  name: string;
  namespace: string;
  image: { repository: string; digest: string };
  delivery: { kind: string };
  api: { scaling: { min: number; max: number } };
}

function objectsFor(env: FakeEnv): Record<string, unknown>[] {
  const ns = env.namespace;
  const image = `${env.image.repository}@${env.image.digest}`;
  const strategy =
    env.delivery.kind === 'canary'
      ? {
          canary: {
            stableService: 'api-stable',
            canaryService: 'api-canary',
            steps: [
              { setCanaryScale: { weight: 10 } },
              {
                analysis: {
                  templates: [{ templateName: 'smoke' }],
                  args: [{ name: 'url', value: `http://api-canary.${ns}.svc.cluster.local:8000` }],
                },
              },
              { setWeight: 10 },
              { setCanaryScale: { matchTrafficWeight: true } },
              { pause: { duration: '10m' } },
              { setWeight: 50 },
              { pause: { duration: '10m' } },
            ],
            analysis: { startingStep: 2, templates: [{ templateName: 'success-rate' }] },
          },
        }
      : {
          blueGreen: {
            activeService: 'api-active',
            previewService: 'api-preview',
            prePromotionAnalysis: { templates: [{ templateName: 'success-rate' }] },
          },
        };
  return [
    { apiVersion: 'v1', kind: 'Namespace', metadata: { name: ns } },
    {
      apiVersion: 'argoproj.io/v1alpha1',
      kind: 'Rollout',
      metadata: { name: 'api', namespace: ns },
      spec: {
        strategy,
        template: {
          spec: {
            automountServiceAccountToken: false,
            securityContext: { runAsNonRoot: true, seccompProfile: { type: 'RuntimeDefault' } },
            containers: [
              {
                name: 'api',
                image,
                securityContext: { allowPrivilegeEscalation: false, readOnlyRootFilesystem: true, capabilities: { drop: ['ALL'] } },
              },
            ],
          },
        },
      },
    },
    {
      apiVersion: 'autoscaling/v2',
      kind: 'HorizontalPodAutoscaler',
      metadata: { name: 'api', namespace: ns },
      spec: { minReplicas: env.api.scaling.min, maxReplicas: env.api.scaling.max },
    },
    {
      apiVersion: 'argoproj.io/v1alpha1',
      kind: 'AnalysisTemplate',
      metadata: { name: 'success-rate', namespace: ns },
      spec: {
        metrics: [{ name: 'success-rate', interval: '1m', successCondition: 'result[0] >= 0.999', failureLimit: 1, inconclusiveLimit: 2 }],
      },
    },
    {
      apiVersion: 'gateway.networking.k8s.io/v1',
      kind: 'HTTPRoute',
      metadata: { name: 'api', namespace: ns },
      spec: { hostnames: [`api.${env.name}.example.com`] },
    },
    {
      apiVersion: 'argoproj.io/v1alpha1',
      kind: 'Application',
      metadata: { name: `course-companion-${env.name}`, namespace: 'argocd' },
      spec: { project: 'course-companion', source: { path: `dist/${env.name}` } },
    },
  ];
}

/**
 * A stand-in for charts/main.ts with the same contract (`--outdir`, `--environments`):
 * reads every environment file and writes one object per file. Production (canary)
 * gets a maintenance window, like the real AppProject.
 */
export const fakeSynth: Synthesize = (repoRoot, outDir, environmentsDir) => {
  const envDir = environmentsDir ?? join(repoRoot, 'charts', 'environments');
  const envs = readdirSync(envDir)
    .filter((f) => f.endsWith('.yaml'))
    .sort()
    .map((f) => parse(readFileSync(join(envDir, f), 'utf8')) as FakeEnv);
  for (const dir of ['dist', 'argocd']) rmSync(join(outDir, dir), { recursive: true, force: true });
  const write = (path: string, object: Record<string, unknown>) => {
    mkdirSync(dirname(join(outDir, path)), { recursive: true });
    writeFileSync(join(outDir, path), stringify(object));
  };
  for (const env of envs) {
    for (const object of objectsFor(env)) {
      const meta = object.metadata as { name: string };
      const kind = String(object.kind).toLowerCase();
      write(object.kind === 'Application' ? `argocd/${kind}-${meta.name}.yaml` : `dist/${env.name}/${kind}-${meta.name}.yaml`, object);
    }
  }
  write('argocd/appproject-course-companion.yaml', {
    apiVersion: 'argoproj.io/v1alpha1',
    kind: 'AppProject',
    metadata: { name: 'course-companion', namespace: 'argocd' },
    spec: {
      syncWindows: envs
        .filter((env) => env.delivery.kind === 'canary')
        .map((env) => ({
          kind: 'allow',
          schedule: '0 2 * * 0',
          duration: '2h',
          timeZone: 'Etc/UTC',
          applications: [`course-companion-${env.name}`],
          manualSync: true,
        })),
    },
  });
};

/** A repository with staging at `stagingPin`, production at `productionPin`, output committed. */
export async function promotionRepo(stagingPin: string, productionPin: string): Promise<TempRepo> {
  const repo = new TempRepo();
  repo.write({
    'charts/environments/staging.yaml': environmentFile('staging', stagingPin, 'blueGreen'),
    'charts/environments/production.yaml': environmentFile('production', productionPin, 'canary'),
  });
  await fakeSynth(repo.root, repo.root);
  repo.commit('initial');
  return repo;
}
