/**
 * Strict checks for any list of Kubernetes objects: the synthesized environments in
 * dist/, the Argo CD objects in argocd/, or a hand-written fixture.
 *
 *   const findings = checkManifests(loadManifestDir('dist/production'));
 *   if (findings.length > 0) throw new Error(formatFindings(findings));
 */
import { checkAnalysis } from './analysis';
import { checkCluster } from './cluster';
import { checkArgoCd } from './argocd';
import { checkPolicy } from './policy';
import { checkReferences } from './references';
import { SchemaValidator } from './schema';
import type { CheckName, Finding, ManifestObject } from './types';

export { checkArgoCd } from './argocd';
export { simulateSync, syncTasksOf } from './argocd-sync';
export { loadManifestDir, loadManifestFile, parseManifests } from './load';
export { checkAnalysis } from './analysis';
export { checkCluster } from './cluster';
export { checkPolicy } from './policy';
export { checkReferences } from './references';
export { SchemaValidator } from './schema';
export type { CheckName, Finding, ManifestObject } from './types';

let sharedValidator: SchemaValidator | undefined;

export interface CheckOptions {
  /** Which checks to run; all by default. */
  readonly only?: readonly CheckName[];
  /** Reuse one validator (its compiled schemas) across calls; a shared one by default. */
  readonly validator?: SchemaValidator;
}

/** Every finding of every check: schema first, then policy, references, cluster, analysis and Argo CD sync behaviour. */
export function checkManifests(objects: readonly ManifestObject[], options: CheckOptions = {}): Finding[] {
  const only = new Set<CheckName>(options.only ?? ['schema', 'policy', 'reference', 'cluster', 'analysis', 'argocd']);
  const findings: Finding[] = [];
  if (only.has('schema')) findings.push(...(options.validator ?? (sharedValidator ??= new SchemaValidator())).check(objects));
  if (only.has('policy')) findings.push(...checkPolicy(objects));
  if (only.has('reference')) findings.push(...checkReferences(objects));
  if (only.has('cluster')) findings.push(...checkCluster(objects));
  if (only.has('analysis')) findings.push(...checkAnalysis(objects));
  if (only.has('argocd')) findings.push(...checkArgoCd(objects));
  return findings;
}

/** One line per finding, for an assertion message or a CLI. */
export function formatFindings(findings: readonly Finding[]): string {
  return findings.map((f) => `[${f.check}/${f.rule}] ${f.file}: ${f.message}`).join('\n');
}
