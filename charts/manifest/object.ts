/**
 * What a Kubernetes object is to every reader of generated output (the synth checks in
 * charts/checks, `npm run diff`, `npm run promote`): the object and the file it came
 * from, and its identity (group, kind, namespace, name).
 */

/** One Kubernetes object and the file it came from, the unit every check works on. */
export interface ManifestObject {
  /** Where the object came from; findings name it so a reader can open the file. */
  readonly file: string;
  // Parsed YAML: the checks must cope with anything, including malformed objects.

  readonly object: any;
}

/** An object whose identity is known to be well formed (see `assertK8sObject`). */
export interface K8sObject {
  readonly apiVersion: string;
  readonly kind: string;
  readonly metadata: { readonly name: string; readonly namespace?: string; readonly [key: string]: unknown };
  readonly [key: string]: unknown;
}

/** A well-formed object together with its {@link objectKey} and file. */
export interface LoadedObject {
  readonly key: string;
  readonly file: string;
  readonly object: K8sObject;
}

/** Objects of one manifest tree, keyed by {@link objectKey}, sorted by key. */
export type ObjectSet = ReadonlyMap<string, LoadedObject>;

export function isPlainObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** `Kind namespace/name` (or `Kind name` when cluster scoped), how messages name an object. */
export function describeObject(object: unknown): string {
  const o = (object ?? {}) as { kind?: unknown; metadata?: { name?: unknown; namespace?: unknown } };
  const kind = typeof o.kind === 'string' ? o.kind : '<no kind>';
  const name = typeof o.metadata?.name === 'string' ? o.metadata.name : '<no name>';
  const namespace = typeof o.metadata?.namespace === 'string' && o.metadata.namespace !== '' ? `${o.metadata.namespace}/` : '';
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

/**
 * The identity of an object across revisions: API group (not version), kind,
 * namespace and name. The version is left out on purpose so that moving a kind from
 * `v1beta1` to `v1` reads as a change of `apiVersion`, not as a delete plus an add.
 */
export function objectKey(object: Pick<K8sObject, 'apiVersion' | 'kind' | 'metadata'>): string {
  const group = groupOf(object.apiVersion) || 'core';
  return `${group}/${object.kind}/${object.metadata.namespace ?? '_cluster'}/${object.metadata.name}`;
}

/** Refuses anything without the identity fields (apiVersion, kind, metadata.name). */
export function assertK8sObject(value: unknown, where: string): K8sObject {
  const candidate = value as Partial<K8sObject> | null;
  if (
    !isPlainObject(candidate) ||
    typeof candidate.apiVersion !== 'string' ||
    typeof candidate.kind !== 'string' ||
    typeof candidate.metadata?.name !== 'string'
  ) {
    throw new Error(`${where}: not a Kubernetes object (apiVersion, kind and metadata.name are required)`);
  }
  return candidate as K8sObject;
}
