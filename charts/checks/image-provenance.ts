import { readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { parse } from 'yaml';
import { containersOf, podTemplatesOf, type ManifestObject } from '../manifest';
import type { Finding } from './types';

/**
 * Every image the cluster runs is built, scanned and signed by a workflow of this
 * repository (issue 11, point 6). A digest written by hand, or an image from
 * elsewhere, names something nobody built here: it may not exist, and the admission
 * policy that admits only this repository's signatures would refuse it.
 *
 * Rule `image-provenance`: the repository part of each container, init container and
 * analysis Job image must be one a workflow pushes ({@link imagesPushedByWorkflows}).
 */
export function checkImageProvenance(objects: readonly ManifestObject[], built: readonly string[]): Finding[] {
  const known = new Set(built);
  return objects
    .flatMap(podTemplatesOf)
    .flatMap(containersOf)
    .filter(({ container }) => typeof container.image === 'string' && !known.has(repositoryOf(container.image)))
    .map(({ container, pod, where }) => ({
      check: 'policy' as const,
      rule: 'image-provenance',
      file: pod.manifest.file,
      message:
        `${where}: image repository ${repositoryOf(container.image)} is built by no workflow of this repository ` +
        `(.github/workflows pushes ${[...known].sort().join(', ') || 'nothing'})`,
    }));
}

/** `ghcr.io/a/b:tag@sha256:…` → `ghcr.io/a/b` (a port in the host is kept). */
export function repositoryOf(image: string): string {
  const withoutDigest = image.split('@')[0];
  const slash = withoutDigest.lastIndexOf('/');
  const colon = withoutDigest.lastIndexOf(':');
  return colon > slash ? withoutDigest.slice(0, colon) : withoutDigest;
}

interface WorkflowStep {
  readonly run?: string;
  readonly env?: Record<string, string>;
}
interface WorkflowJob {
  readonly env?: Record<string, string>;
  readonly steps?: readonly WorkflowStep[];
}

/**
 * The image repositories the workflows in `dir` push: each `docker push <ref>` of a
 * `run` step, with `$VAR` / `${VAR}` / `${{ env.VAR }}` resolved from the step's, job's
 * and workflow's `env` (GitHub's precedence: step over job over workflow) and
 * `${{ github.repository }}` from `githubRepository` ("owner/name"; GHCR names are lower
 * case). A reference still holding an expression after that is ignored: it could not
 * be compared.
 */
export function imagesPushedByWorkflows(dir: string, githubRepository: string): string[] {
  return [...new Set([...imagePushesByWorkflow(dir, githubRepository).values()].flat())].sort();
}

/** The same, per workflow file name (`image.yml` → the repositories it pushes). */
export function imagePushesByWorkflow(dir: string, githubRepository: string): Map<string, string[]> {
  const pushes = new Map<string, string[]>();
  for (const file of readdirSync(dir)
    .filter((f) => /\.ya?ml$/.test(f))
    .sort()) {
    const workflow = parse(readFileSync(join(dir, file), 'utf8')) as { env?: Record<string, string>; jobs?: Record<string, WorkflowJob> };
    const found = new Set<string>();
    for (const job of Object.values(workflow.jobs ?? {})) {
      for (const step of job.steps ?? []) {
        const env = { ...workflow.env, ...job.env, ...step.env };
        for (const match of (step.run ?? '').matchAll(/docker push\s+("[^"]+"|\S+)/g)) {
          const repository = repositoryOf(resolve(match[1].replace(/^"|"$/g, ''), env, githubRepository));
          if (!repository.includes('$')) found.add(repository);
        }
      }
    }
    if (found.size > 0) pushes.set(file, [...found].sort());
  }
  return pushes;
}

/**
 * Rule `image-signer-workflow`: a ClusterImagePolicy that admits images on a keyless
 * signature from `.github/workflows/<file>` must cover only images that workflow
 * builds, because only it signs them (`cosign sign` after its own push). A policy
 * naming another workflow, or one that builds nothing, would reject every pod of
 * those images at admission (sigstore policy-controller: every policy matching an
 * image must pass).
 */
export function checkImageSigners(objects: readonly ManifestObject[], pushes: ReadonlyMap<string, readonly string[]>): Finding[] {
  const findings: Finding[] = [];
  for (const { file, object } of objects) {
    if (object?.kind !== 'ClusterImagePolicy') continue;
    const subjects: string[] = (object.spec?.authorities ?? []).flatMap((a: any) =>
      (a.keyless?.identities ?? []).map((i: any) => String(i.subject ?? '')),
    );
    for (const glob of (object.spec?.images ?? []).map((i: any) => String(i.glob ?? ''))) {
      const repository = repositoryOf(glob.replace(/@sha256:\*$/, ''));
      for (const subject of subjects) {
        const workflow = /\/\.github\/workflows\/([^@]+)@/.exec(subject)?.[1];
        if (workflow !== undefined && (pushes.get(workflow) ?? []).includes(repository)) continue;
        findings.push({
          check: 'policy',
          rule: 'image-signer-workflow',
          file,
          message:
            `ClusterImagePolicy ${object.metadata?.name}: admits ${repository} on a signature by ${subject || '(no subject)'}, ` +
            `but ${workflow ? `.github/workflows/${workflow} pushes ${(pushes.get(workflow) ?? []).join(', ') || 'no image'}` : 'that is no workflow of this repository'}` +
            `; ${
              [...pushes]
                .filter(([, images]) => images.includes(repository))
                .map(([w]) => w)
                .join(', ') || 'no workflow'
            } builds and signs it`,
        });
      }
    }
  }
  return findings;
}

function resolve(text: string, env: Record<string, string>, githubRepository: string, depth = 0): string {
  const resolved = text
    .replace(/\$\{\{\s*github\.repository\s*\}\}/g, githubRepository.toLowerCase())
    .replace(/\$\{\{\s*env\.([A-Za-z_][A-Za-z0-9_]*)\s*\}\}/g, (all, name: string) => env[name] ?? all)
    .replace(/\$\{([A-Za-z_][A-Za-z0-9_]*)\}|\$([A-Za-z_][A-Za-z0-9_]*)/g, (all, a?: string, b?: string) => env[(a ?? b)!] ?? all);
  return resolved !== text && depth < 5 ? resolve(resolved, env, githubRepository, depth + 1) : resolved;
}

/** `https://github.com/owner/name.git` → `owner/name`. */
export function githubRepositoryOf(repoURL: string): string {
  const match = /github\.com[/:]([^/]+\/[^/]+?)(\.git)?$/.exec(repoURL);
  if (!match) throw new Error(`${repoURL}: not a GitHub repository URL`);
  return match[1];
}
