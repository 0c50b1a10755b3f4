/**
 * Strict checks for any list of Kubernetes objects: the synthesized environments in
 * dist/, the Argo CD objects in argocd/, or a hand-written fixture.
 *
 *   const findings = checkManifests(loadManifestDir('dist/production'));
 *   if (findings.length > 0) throw new Error(formatFindings(findings));
 */
import { checkImageProvenance } from './image-provenance';
import { checkPolicy } from './policy';
import { checkReferences } from './references';
import { SchemaValidator } from './schema';
import type { Finding, ManifestObject } from './types';

export { loadManifestDir, loadManifestFile, parseManifests } from './load';
export { checkImageProvenance, githubRepositoryOf, imagesPushedByWorkflows } from './image-provenance';
export { checkPolicy } from './policy';
export { checkReferences } from './references';
export { checkSecretConsumers } from './secret-consumers';
export { SchemaValidator } from './schema';
export type { CheckName, Finding, ManifestObject } from './types';

let sharedValidator: SchemaValidator | undefined;

export interface CheckOptions {
  /** Which checks to run; all by default. */
  readonly only?: readonly ('schema' | 'policy' | 'reference')[];
  /** Reuse one validator (its compiled schemas) across calls; a shared one by default. */
  readonly validator?: SchemaValidator;
  /**
   * Image repositories this repository's workflows build (`imagesPushedByWorkflows`);
   * when given, the policy check refuses any other image (rule `image-provenance`).
   * Fixtures leave it out. @default not checked
   */
  readonly builtImages?: readonly string[];
}

/** Every finding of every check: schema first, then policy, then references. */
export function checkManifests(objects: readonly ManifestObject[], options: CheckOptions = {}): Finding[] {
  const only = new Set(options.only ?? ['schema', 'policy', 'reference']);
  const findings: Finding[] = [];
  if (only.has('schema')) findings.push(...(options.validator ?? (sharedValidator ??= new SchemaValidator())).check(objects));
  if (only.has('policy')) findings.push(...checkPolicy(objects));
  if (only.has('policy') && options.builtImages) findings.push(...checkImageProvenance(objects, options.builtImages));
  if (only.has('reference')) findings.push(...checkReferences(objects));
  return findings;
}

/** One line per finding, for an assertion message or a CLI. */
export function formatFindings(findings: readonly Finding[]): string {
  return findings.map((f) => `[${f.check}/${f.rule}] ${f.file}: ${f.message}`).join('\n');
}
