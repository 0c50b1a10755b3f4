/**
 * Strict checks for any list of Kubernetes objects: the synthesized environments in
 * dist/, the Argo CD objects in argocd/, or a hand-written fixture.
 *
 *   const findings = checkManifests(loadManifestDir('dist/production'));
 *   if (findings.length > 0) throw new Error(formatFindings(findings));
 */
import { checkAnalysis } from './analysis';
import { checkAnalysisJobs } from './analysis-jobs';
import { checkArgoCd } from './argocd';
import { checkCluster } from './cluster';
import { checkDelivery } from './delivery';
import { checkImageProvenance, checkImageSigners } from './image-provenance';
import { checkPolicy } from './policy';
import { checkReferences } from './references';
import { checkNotifications } from './notifications';
import { checkRightSizing } from './right-sizing';
import { SchemaValidator } from './schema';
import { checkTls } from './tls';
import type { ManifestObject } from '../manifest';
import type { CheckName, Finding } from './types';

export { checkAnalysis } from './analysis';
export { checkAnalysisJobs } from './analysis-jobs';
export { checkArgoCd } from './argocd';
export { simulateSync, syncTasksOf } from './argocd-sync';
export { checkCluster } from './cluster';
export { checkDelivery } from './delivery';
export { loadManifestDir, loadManifestFile, parseManifests, type ManifestObject } from '../manifest';
export {
  checkImageProvenance,
  checkImageSigners,
  githubRepositoryOf,
  imagePushesByWorkflow,
  imagesPushedByWorkflows,
} from './image-provenance';
export { checkPolicy } from './policy';
export { checkReferences } from './references';
export { checkNotifications } from './notifications';
export { checkRightSizing } from './right-sizing';
export { checkSecretConsumers } from './secret-consumers';
export { SchemaValidator } from './schema';
export { checkTls } from './tls';
export type { CheckName, Finding } from './types';

let sharedValidator: SchemaValidator | undefined;

export interface CheckOptions {
  /** Which checks to run; all by default. */
  readonly only?: readonly CheckName[];
  /** Reuse one validator (its compiled schemas) across calls; a shared one by default. */
  readonly validator?: SchemaValidator;
  /**
   * Image repositories this repository's workflows build (`imagesPushedByWorkflows`);
   * when given, the policy check refuses any other image (rule `image-provenance`).
   * Fixtures leave it out. @default not checked
   */
  readonly builtImages?: readonly string[];
  /**
   * Workflow file → image repositories it pushes (`imagePushesByWorkflow`); when given,
   * each ClusterImagePolicy's signer must be the workflow that builds its images (rule
   * `image-signer-workflow`). @default not checked
   */
  readonly workflowPushes?: ReadonlyMap<string, readonly string[]>;
}

type Family = (objects: readonly ManifestObject[], options: CheckOptions) => Finding[];

/**
 * The one rule set, in the order findings are reported: what the API server would
 * refuse first, then our policy and references, then what the controllers would do
 * with the objects (cluster pieces, analysis verdicts, Argo CD's sync, traffic).
 */
const FAMILIES: Readonly<Record<CheckName, Family>> = {
  schema: (objects, options) => (options.validator ?? (sharedValidator ??= new SchemaValidator())).check(objects),
  policy: (objects, options) => [
    ...checkPolicy(objects),
    ...checkTls(objects),
    ...checkRightSizing(objects),
    ...checkNotifications(objects),
    ...(options.builtImages ? checkImageProvenance(objects, options.builtImages) : []),
    ...(options.workflowPushes ? checkImageSigners(objects, options.workflowPushes) : []),
  ],
  reference: (objects) => checkReferences(objects),
  cluster: (objects) => checkCluster(objects),
  analysis: (objects) => checkAnalysis(objects),
  argocd: (objects) => checkArgoCd(objects),
  delivery: (objects) => [...checkDelivery(objects), ...checkAnalysisJobs(objects)],
};

/** Every finding of every check family (or of `options.only`), in the order of FAMILIES. */
export function checkManifests(objects: readonly ManifestObject[], options: CheckOptions = {}): Finding[] {
  const only = new Set<CheckName>(options.only ?? (Object.keys(FAMILIES) as CheckName[]));
  return (Object.keys(FAMILIES) as CheckName[]).filter((name) => only.has(name)).flatMap((name) => FAMILIES[name](objects, options));
}

/** One line per finding, for an assertion message or a CLI. */
export function formatFindings(findings: readonly Finding[]): string {
  return findings.map((f) => `[${f.check}/${f.rule}] ${f.file}: ${f.message}`).join('\n');
}
