/**
 * The schema of `charts/gitops.yaml`: how Argo CD delivers the generated output
 * (repository, project, retry, and per environment whether it syncs automatically
 * at any time or only inside its maintenance window). Every object is strict, so a
 * misspelt key fails synth with the file and the field path.
 */
import { z } from 'zod';
import { ConfigFileError, parseWith, readYamlFile, type ConfigProblem } from './file';
import { dnsLabel, remoteKey } from './primitives';

/** Go duration as Argo CD parses it, e.g. `10s`, `5m`, `1h30m`. */
const goDuration = z.string().regex(/^([0-9]+(s|m|h))+$/, 'a duration such as "10s", "5m" or "1h30m"');

export const AUTO_SYNC_POLICIES = ['always', 'maintenanceWindow'] as const;
export type AutoSyncPolicy = (typeof AUTO_SYNC_POLICIES)[number];

export const GitopsSchema = z
  .object({
    repoURL: z.string().regex(/^(https:\/\/|ssh:\/\/|git@)\S+$/, 'a git repository URL (https://, ssh:// or git@)'),
    targetRevision: z.string().min(1, 'a branch, tag or commit'),
    argocd: z
      .object({
        namespace: dnsLabel,
        destinationServer: z.string().url('the API server URL, e.g. "https://kubernetes.default.svc"'),
      })
      .strict(),
    project: z
      .object({
        name: dnsLabel,
        description: z.string().min(1),
        clusterResources: z
          .array(z.object({ group: z.string(), kind: z.string().regex(/^[A-Z][A-Za-z0-9]*$/, 'a kind such as "Namespace"') }).strict())
          .default([]),
        deployers: z.array(z.string().min(1)).min(1, 'at least one group that may sync by hand'),
      })
      .strict(),
    rootApplication: dnsLabel,
    /**
     * Argo CD's release notifications for every environment (charts/constructs/notifications):
     * the UI address the messages link to, and where the Slack-compatible webhook URL is
     * kept: a ClusterSecretStore that admits the Argo CD namespace, and the key in it.
     */
    notifications: z
      .object({
        argocdUrl: z.string().regex(/^https:\/\/[^\s/]+(\/[^\s]*)?[^/\s]$/, 'the https URL of the Argo CD UI, without a trailing "/"'),
        secretStore: dnsLabel,
        webhookRemoteKey: remoteKey,
      })
      .strict(),
    retry: z
      .object({
        limit: z.number().int().min(1).max(20),
        backoff: z.object({ duration: goDuration, factor: z.number().int().min(1).max(10), maxDuration: goDuration }).strict(),
      })
      .strict(),
    environments: z.record(
      dnsLabel,
      z
        .object({
          autoSync: z.enum(AUTO_SYNC_POLICIES, {
            errorMap: () => ({ message: `one of ${AUTO_SYNC_POLICIES.map((p) => `"${p}"`).join(', ')}` }),
          }),
        })
        .strict(),
    ),
  })
  .strict();

export type GitopsConfig = z.infer<typeof GitopsSchema>;

export class GitopsConfigError extends ConfigFileError {
  constructor(file: string, problems: readonly ConfigProblem[]) {
    super(file, problems, 'gitops');
    this.name = 'GitopsConfigError';
  }
}
const gitopsError = (file: string, problems: readonly ConfigProblem[]) => new GitopsConfigError(file, problems);

/** Validates parsed data; `file` appears in messages only. */
export function parseGitops(data: unknown, file: string): GitopsConfig {
  return parseWith(GitopsSchema, data, file, gitopsError);
}

export function loadGitops(file: string): GitopsConfig {
  return parseGitops(readYamlFile(file, gitopsError), file);
}

/**
 * The delivery settings of one environment; an environment without an entry is a
 * mistake (a new environment must say how it syncs), not a silent default.
 */
export function autoSyncOf(config: GitopsConfig, environment: string, file = 'charts/gitops.yaml'): AutoSyncPolicy {
  const entry = config.environments[environment];
  if (!entry) {
    throw new GitopsConfigError(file, [
      {
        path: `environments.${environment}`,
        message: `required: say how Argo CD syncs "${environment}" (autoSync: always | maintenanceWindow)`,
      },
    ]);
  }
  return entry.autoSync;
}
