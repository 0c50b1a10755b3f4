/** One Kubernetes object and the file it came from, the unit every check works on. */
export interface ManifestObject {
  /** Where the object came from; findings name it so a reader can open the file. */
  readonly file: string;
  // Parsed YAML: the checks must cope with anything, including malformed objects.
  readonly object: any;
}

/**
 * `cluster`: rules across an environment and the cluster pieces it relies on (secret
 * stores, the Rollouts plugin, signed-image admission); run them over dist/<env>/ and
 * dist/cluster/ together.
 */
export type CheckName =
  | 'schema'
  | 'policy'
  | 'reference'
  | 'cluster'
  /** `analysis`: what Argo Rollouts would decide from the AnalysisTemplates (charts/checks/analysis-run.ts). */
  | 'analysis'
  /** `argocd`: how Argo CD's sync would treat the objects (waves, hooks, prune/delete options). */
  | 'argocd'
  /** `delivery`: how traffic reaches a canary, and what runs before users do (charts/checks/delivery.ts). */
  | 'delivery';

/** Something wrong with a manifest, phrased for the person who has to fix it. */
export interface Finding {
  readonly check: CheckName;
  /** A short stable id of the rule that fired (e.g. `image-digest`), for tests and filters. */
  readonly rule: string;
  readonly file: string;
  readonly message: string;
}

/** `Kind namespace/name` (or `Kind name` when cluster scoped), how findings name an object. */
export function describeObject(object: unknown): string {
  const o = (object ?? {}) as { kind?: unknown; metadata?: { name?: unknown; namespace?: unknown } };
  const kind = typeof o.kind === 'string' ? o.kind : '<no kind>';
  const name = typeof o.metadata?.name === 'string' ? o.metadata.name : '<no name>';
  const namespace = typeof o.metadata?.namespace === 'string' ? `${o.metadata.namespace}/` : '';
  return `${kind} ${namespace}${name}`;
}

/** The namespace an object lives in; '' stands for "not set" (cluster scoped or defaulted). */
export function namespaceOf(object: unknown): string {
  const ns = (object as { metadata?: { namespace?: unknown } } | undefined)?.metadata?.namespace;
  return typeof ns === 'string' ? ns : '';
}

export function nameOf(object: unknown): string {
  const name = (object as { metadata?: { name?: unknown } } | undefined)?.metadata?.name;
  return typeof name === 'string' ? name : '';
}

/** The API group of an `apiVersion`: `apps/v1` → `apps`, `v1` → `` (core). */
export function groupOf(apiVersion: unknown): string {
  if (typeof apiVersion !== 'string') return '';
  const slash = apiVersion.indexOf('/');
  return slash < 0 ? '' : apiVersion.slice(0, slash);
}
